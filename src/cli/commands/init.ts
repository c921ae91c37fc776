/** `mlctl init`: a commented config file, optionally a .gitignore entry and example CI pipelines. */
import { Command } from 'commander';
import { INIT_OPTIONS, type InitFlags } from '../../options/init.js';
import { addGlobalOptions, addTableOptions } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';

interface InitCommandFlags extends InitFlags {
  /** the global --registry: here, the registry folder the config should name */
  registry?: string;
}

export function initCommand(): Command {
  return addTableOptions(addGlobalOptions(new Command('init')), INIT_OPTIONS)
    .description('set up a project: a commented mlctl.config.yaml, a .gitignore entry and example CI pipelines on request')
    .addHelpText(
      'after',
      `
Never asks; flags choose. Refuses to overwrite an existing file unless --force (then nothing is written).
--registry <dir> names the registry folder the config points at (default ./model-registry).

Examples:
  $ mlctl init
  $ mlctl init --registry ./models --gitignore --ci github
  $ mlctl init --model churn --ci all --format js`,
    )
    .action(
      runAction(async (ctx: CommandContext, flags: InitCommandFlags) => {
        const { initProject } = await import('../../lifecycle/init-project.js');
        const { renderInit } = await import('../render/init.js');
        const result = await initProject({
          cwd: ctx.cwd,
          format: flags.format,
          registry: flags.registry,
          model: flags.model,
          gitignore: flags.gitignore,
          ci: flags.ci,
          force: flags.force,
        });
        ctx.reporter.result(result, renderInit);
      }),
    );
}
