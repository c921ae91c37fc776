/** `mlctl import <model.json>`: register an existing TF.js layers model as a new version. */
import { Command } from 'commander';
import { addBackendOption, addGlobalOptions } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry } from './shared.js';

export function importCommand(): Command {
  return addBackendOption(addGlobalOptions(new Command('import')))
    .description('register an existing TF.js layers model (model.json + weight shards) as a new version')
    .argument('<path>', 'path to model.json, or the folder that holds it')
    .option('--name <model>', 'model name (default: the folder name)')
    .addHelpText(
      'after',
      `
Examples:
  $ mlctl import ./exported/model.json --name churn
  $ mlctl import ./keras-converted/ --name fraud --json`,
    )
    .action(
      runAction(async (ctx: CommandContext, source: string, opts: { name?: string }) => {
        const { importModel } = await import('../../lifecycle/import-model.js');
        const { renderPublished } = await import('../render/published.js');
        await ctx.reporter.progress(`Importing ${source}…`);
        const result = await importModel({
          registry: await openRegistry(ctx),
          source,
          name: opts.name,
          backend: ctx.backend,
        });
        ctx.reporter.result(result.record, renderPublished);
      }),
    );
}
