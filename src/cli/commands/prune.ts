/** `mlctl prune [model] (--sparsity s | --threshold eps)`: zero the smallest kernel weights → a new version. */
import { Command } from 'commander';
import { PRUNE_OPTIONS, type PruneFlags as TableFlags } from '../../options/prune.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, addTableOptions } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry, selectorFrom } from './shared.js';
import { compressProgress } from './compress-progress.js';

interface PruneFlags extends TableFlags {
  version?: number | 'latest';
  alias?: string;
}

export function pruneCommand(): Command {
  return addTableOptions(addBackendOption(addSelectorOptions(addGlobalOptions(new Command('prune')))), PRUNE_OPTIONS)
    .description("magnitude-prune a version's kernels (weights set to exactly 0), optionally fine-tune → a new version")
    .argument('[model]', 'model name (default: the configured or only model)')
    .addHelpText(
      'after',
      `
Biases and normalisation parameters are never pruned. The new version keeps the parent's
storage dtype: prune the float32 version, then quantize it.

Examples:
  $ mlctl prune iris --version 1 --sparsity 0.8
  $ mlctl prune iris --sparsity 0.8 --fine-tune-epochs 20 --schedule polynomial
  $ mlctl prune iris --threshold 0.01 --per-layer --json`,
    )
    .action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: PruneFlags) => {
        const { prune } = await import('../../lifecycle/prune.js');
        const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
        const { renderPrune } = await import('../render/compress.js');
        const registry = await openRegistry(ctx);
        const name = await resolveModelName(registry, model, ctx.defaultModel);
        await ctx.reporter.progress(`Pruning ${name}…`);
        const result = await prune({
          registry,
          model: name,
          selector: selectorFrom(flags),
          sparsity: flags.sparsity,
          threshold: flags.threshold,
          perLayer: flags.perLayer,
          skip: flags.skip,
          fineTuneEpochs: flags.fineTuneEpochs,
          schedule: flags.schedule,
          data: flags.data,
          backend: ctx.backend,
          onProgress: compressProgress(ctx),
        });
        for (const w of result.warnings) ctx.reporter.warn(w);
        ctx.reporter.result(result, renderPrune);
      }),
    );
}
