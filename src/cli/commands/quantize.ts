/** `mlctl quantize [model] --dtype uint8|uint16|float16`: a smaller version in TF.js's own quantized format. */
import { Command } from 'commander';
import { QUANTIZE_OPTIONS, type QuantizeFlags as TableFlags } from '../../options/quantize.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, addTableOptions, toCommanderOption } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry, selectorFrom } from './shared.js';
import { compressProgress } from './compress-progress.js';

interface QuantizeFlags extends TableFlags {
  version?: number | 'latest';
  alias?: string;
}

export function quantizeCommand(): Command {
  const { dtype, ...rest } = QUANTIZE_OPTIONS;
  return addTableOptions(addBackendOption(addSelectorOptions(addGlobalOptions(new Command('quantize')))), rest)
    .addOption(toCommanderOption(dtype).makeOptionMandatory())
    .description("store a version's weights as uint8, uint16 or float16 (TF.js quantization format) → a new version")
    .argument('[model]', 'model name (default: the configured or only model)')
    .addHelpText(
      'after',
      `
Weights are written with TF.js's weights-manifest "quantization" field, so stock
tf.loadLayersModel loads and dequantizes them. 0.0 stays exactly 0 (pruned weights survive).

Examples:
  $ mlctl quantize iris --version 1 --dtype uint8
  $ mlctl quantize iris --dtype uint8 --skip dense_1,dense_3
  $ mlctl quantize iris --dtype uint16 --step 0.0005 --json
  $ mlctl quantize imported-net --dtype float16 --data rows.csv`,
    )
    .action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: QuantizeFlags) => {
        const { quantize } = await import('../../lifecycle/quantize.js');
        const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
        const { renderQuantize } = await import('../render/compress.js');
        const registry = await openRegistry(ctx);
        const name = await resolveModelName(registry, model, ctx.defaultModel);
        await ctx.reporter.progress(`Quantizing ${name} to ${flags.dtype}…`);
        const result = await quantize({
          registry,
          model: name,
          selector: selectorFrom(flags),
          dtype: flags.dtype!,
          step: flags.step,
          skip: flags.skip,
          data: flags.data,
          backend: ctx.backend,
          onProgress: compressProgress(ctx),
        });
        ctx.reporter.result(result, renderQuantize);
      }),
    );
}
