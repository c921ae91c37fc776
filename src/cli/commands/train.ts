/** `mlctl train <template|csv>`: train a model and publish it as a new version. */
import { Command } from 'commander';
import { addBackendOption, addGlobalOptions, addTableOptions } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { TRAIN_OPTIONS, type TrainFlags } from '../../options/train.js';
import { openRegistry } from './shared.js';

export function trainCommand(): Command {
  return addTableOptions(addBackendOption(addGlobalOptions(new Command('train'))), TRAIN_OPTIONS)
    .description('train a model from a built-in template, a template file, or a CSV → a new version')
    .argument('<source>', 'built-in template (iris, wine, breast-cancer, diabetes), template .json, or data .csv')
    .addHelpText(
      'after',
      `
Settings come from flags > MLCTL_<FLAG> variables > the config's "train" section > the template > defaults.

Examples:
  $ mlctl train iris
  $ mlctl train data/churn.csv --target churned --name churn --ignore customer_id
  $ mlctl train export.csv --target status --delimiter ";" --decimal , --encoding latin1
  $ mlctl train wine --hidden 32,16 --epochs 300 --optimizer momentum --decay 0.01
  $ mlctl train breast-cancer --folds 5 --json`,
    )
    .action(
      runAction(async (ctx: CommandContext, source: string, flags: TrainFlags) => {
        const { train } = await import('../../lifecycle/train.js');
        const { renderTrain } = await import('../render/train.js');
        const { createTrainProgress } = await import('../render/train-progress.js');
        const progress = createTrainProgress(ctx.reporter);
        const { name, target, features, ignore, keep, task, folds, delimiter, decimal, encoding, ...settings } = flags;
        const configTrain = ctx.config.train ?? {};
        const result = await train({
          registry: await openRegistry(ctx),
          source,
          name,
          target,
          features,
          ignore,
          keep,
          task,
          read: { delimiter, decimal, encoding },
          folds: folds ?? configTrain.folds,
          settings,
          configSettings: configTrain,
          backend: ctx.backend,
          templatesDir: ctx.config.templates,
          cwd: ctx.cwd,
          onProgress: progress,
        });
        ctx.reporter.result(result.record, (record, style) => renderTrain(record, style, { curve: ctx.reporter.terminal }));
      }),
    );
}
