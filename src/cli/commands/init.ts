/** `mlctl init`: a commented config file, optionally a .gitignore entry, example CI pipelines and deployment recipes. */
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
    .description('set up a project: a commented mlctl.config.yaml; a .gitignore entry, CI pipelines and deployment recipes on request')
    .addHelpText(
      'after',
      `
Never asks; flags choose. Refuses to overwrite an existing file unless --force (then nothing is written).
--registry <dir> names the registry folder the config points at (default ./model-registry).

Examples:
  $ mlctl init
  $ mlctl init --registry ./models --gitignore --ci github
  $ mlctl init --model churn --ci all --format js
  $ mlctl init --model churn --deploy all --alias production --replicas 3
  $ mlctl init --deploy nginx --hosts 10.0.0.11,10.0.0.12 --port 9000

--deploy writes recipes under deploy/ for "mlctl serve <model>": nginx (an upstream over the
replicas), systemd (a template unit, one instance per port, and its EnvironmentFile) and
kubernetes (Deployment with /readyz and /healthz probes, Service, Secret example). Secrets
(MLCTL_TOKEN, a database registry's MLCTL_REGISTRY) are never written; the recipes read them
from the environment.`,
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
          deploy: flags.deploy,
          deployment: {
            alias: flags.alias,
            replicas: flags.replicas,
            hosts: flags.hosts,
            port: flags.port,
            workers: flags.workers,
            bodyLimit: flags.bodyLimit,
            drainTimeout: flags.drainTimeout,
            listen: flags.listen,
            appDir: flags.appDir,
            image: flags.image,
          },
          force: flags.force,
        });
        ctx.reporter.result(result, renderInit);
      }),
    );
}
