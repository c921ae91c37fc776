/** `mlctl tune <template|csv>`: search for the best settings and publish the winner as a new version. */
import { Command } from 'commander';
import { MlctlError } from '../../errors.js';
import { configDurationMs } from '../../options/spec.js';
import { TUNE_OPTIONS, type TuneFlags } from '../../options/tune.js';
import { addBackendOption, addGlobalOptions, addTableOptions } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry } from './shared.js';

/** `mlctl tune status NAME`: a study's live leaderboard, workers and progress, from any machine. */
function tuneStatusCommand(): Command {
  return addGlobalOptions(new Command('status'))
    .description("a study's live leaderboard, workers and progress (tune --study on a PostgreSQL registry)")
    .argument('<study>', 'the study name given to tune --study')
    .addHelpText(
      'after',
      `
Works from any machine that reaches the database, while the study runs or afterwards: the jobs done,
running and waiting, each worker (threads, last seen, jobs done, the job it holds) and the latest
leaderboard.

Examples:
  $ mlctl tune status churn-1 --registry postgres://ml@db:5432/mlctl
  $ mlctl tune status churn-1 --json`,
    )
    .action(
      runAction(async (ctx: CommandContext, name: string) => {
        const registry = await openRegistry(ctx);
        if (!registry.studies) {
          throw new MlctlError('USAGE', `Studies live in a PostgreSQL registry; ${registry.location} is a folder.`, {
            hint: 'Pass the --registry postgres://… the workers use.',
          });
        }
        const { studyStatus } = await import('../../lifecycle/tune/study.js');
        const { renderStudyStatus } = await import('../render/tune-status.js');
        ctx.reporter.result(await studyStatus(registry.studies(), name, registry.location), renderStudyStatus);
      }),
    );
}

export function tuneCommand(): Command {
  return addTableOptions(addBackendOption(addGlobalOptions(new Command('tune'))), TUNE_OPTIONS)
    .description('search hyperparameters (cross-validated, successive halving, parallel) and publish the best model → a new version')
    .argument('<source>', 'built-in template (iris, wine, breast-cancer, diabetes), template .json, or data .csv')
    .addHelpText(
      'after',
      `
Every trial is scored by stratified k-fold cross-validation on the training rows only; the test
split is scored once, by the published model. Same --seed and --trials = same trials, scores and
weights whatever --parallel. Ctrl-C stops the search and publishes nothing (exit 130).

Examples:
  $ mlctl tune iris --trials 30
  $ mlctl tune data/churn.csv --target churned --time-budget 10m
  $ mlctl tune wine --space space.json --metric macroF1 --parallel 2
  $ mlctl tune breast-cancer --trials 40 --ensemble 3 --json
  $ mlctl tune iris --trials 40 --study iris-1 --registry postgres://ml@db:5432/mlctl   # on every machine
  $ mlctl tune status iris-1 --registry postgres://ml@db:5432/mlctl

--study NAME shares one search between every process that runs the same command on the same
PostgreSQL --registry (see "Distributed tuning" in the README).`,
    )
    .addCommand(tuneStatusCommand())
    .action(
      runAction(async (ctx: CommandContext, source: string, flags: TuneFlags) => {
        const { tune } = await import('../../lifecycle/tune.js');
        const { renderTune } = await import('../render/tune.js');
        const { createTuneProgress } = await import('../render/tune-progress.js');
        const progress = createTuneProgress(ctx.reporter);
        const {
          name,
          target,
          features,
          ignore,
          keep,
          task,
          delimiter,
          decimal,
          encoding,
          trials,
          timeBudget,
          folds,
          metric,
          space,
          parallel,
          ensemble,
          study,
          join,
          lease,
          ...settings
        } = flags;
        const configTune = ctx.config.tune ?? {};
        const configBudget = configTune.timeBudget !== undefined ? configDurationMs(configTune.timeBudget) : undefined;

        // Ctrl-C: stop the search and publish nothing; a second Ctrl-C quits at once
        const controller = new AbortController();
        const onSigint = (): void => {
          process.off('SIGINT', onSigint);
          ctx.reporter.clearBoard();
          ctx.reporter.info('Stopping the search (Ctrl-C again quits at once)…');
          controller.abort();
        };
        process.on('SIGINT', onSigint);
        try {
          const result = await tune({
            registry: await openRegistry(ctx),
            source,
            name,
            target,
            features,
            ignore,
            keep,
            task,
            read: { delimiter, decimal, encoding },
            settings,
            configSettings: ctx.config.train ?? {},
            trials: trials ?? (timeBudget === undefined ? configTune.trials : undefined),
            timeBudgetMs: timeBudget ?? (trials === undefined ? configBudget : undefined),
            folds: folds ?? configTune.folds,
            metric: metric ?? configTune.metric,
            space: space ?? configTune.space,
            parallel: parallel ?? configTune.parallel,
            ensemble: ensemble ?? configTune.ensemble,
            study,
            join,
            leaseMs: lease,
            backend: ctx.backend,
            templatesDir: ctx.config.templates,
            cwd: ctx.cwd,
            signal: controller.signal,
            onProgress: progress.onProgress,
          });
          if (result.study) {
            const r = result.study;
            const v = `${result.record.model} v${result.record.version}`;
            ctx.reporter.info(
              r.published
                ? `Study "${r.name}": this worker (${r.worker}) ran ${r.tasksRun} fold job${r.tasksRun === 1 ? '' : 's'} and published the winner as ${v}.`
                : `Study "${r.name}": this worker (${r.worker}) ran ${r.tasksRun} fold job${r.tasksRun === 1 ? '' : 's'}; ${result.record.search?.study?.publishedBy ?? 'another worker'} published the winner as ${v}.`,
            );
          }
          ctx.reporter.result(result.record, renderTune);
        } catch (e) {
          if (e instanceof MlctlError && e.code === 'INTERRUPTED' && !ctx.json) {
            const { renderInterrupted } = await import('../render/tune.js');
            const text = renderInterrupted(e, progress.metric(), progress.last(), ctx.reporter.errStyle);
            if (text) ctx.reporter.info(text);
          }
          throw e;
        } finally {
          progress.stop();
          process.off('SIGINT', onSigint);
        }
      }),
    );
}
