/** `mlctl export [model] --out DIR`: a version as a stock TF.js model folder with signature.json and model-card.md. */
import { Command } from 'commander';
import { EXPORT_OPTIONS, type ExportFlags as TableFlags } from '../../options/export.js';
import { addGlobalOptions, addSelectorOptions, toCommanderOption } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry, selectorFrom } from './shared.js';

interface ExportFlags extends TableFlags {
  version?: number | 'latest';
  alias?: string;
}

export function exportCommand(): Command {
  return addSelectorOptions(addGlobalOptions(new Command('export')))
    .description('copy a version out as a stock TF.js model folder (+ signature.json, model-card.md)')
    .argument('[model]', 'model name (default: the configured or only model)')
    .addOption(toCommanderOption(EXPORT_OPTIONS.out).makeOptionMandatory())
    .addOption(toCommanderOption(EXPORT_OPTIONS.force))
    .addHelpText(
      'after',
      `
The folder loads with tf.loadLayersModel('…/model.json') anywhere; signature.json describes the
inputs, their preprocessing and the output labels, so clients can encode raw rows themselves.

Examples:
  $ mlctl export iris --alias production --out ./public/models/iris
  $ mlctl export iris --version 3 --out dist/iris --force --json`,
    )
    .action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: ExportFlags) => {
        const { exportVersion } = await import('../../lifecycle/export.js');
        const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
        const { renderExport } = await import('../render/export.js');
        const registry = await openRegistry(ctx);
        const name = await resolveModelName(registry, model, ctx.defaultModel);
        await ctx.reporter.progress(`Exporting ${name}…`);
        const result = await exportVersion({
          registry,
          model: name,
          selector: selectorFrom(flags),
          out: flags.out!,
          force: flags.force,
        });
        ctx.reporter.result(result, renderExport);
      }),
    );
}
