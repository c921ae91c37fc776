/** `mlctl train <template|csv>`: train a model and publish it as a new version. */
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  addBackendOption,
  addCsvFormatOptions,
  addGlobalOptions,
  envOption,
  parseFraction,
  parseList,
  parseNonNegativeInt,
  parseNumber,
  parsePositiveInt,
} from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import type { TrainDefaults } from '../../config/schema.js';
import { openRegistry } from './shared.js';

/** The train-settings flags are exactly the config's `train` keys, plus what names the data. */
interface TrainFlags extends TrainDefaults {
  name?: string;
  target?: string;
  features?: string[];
  ignore?: string[];
  keep?: string[];
  task?: 'classification' | 'regression';
  delimiter?: string;
  decimal?: '.' | ',';
  encoding?: string;
}

function parseHidden(value: string): number[] {
  if (value.trim() === '' || value.trim() === 'none') return [];
  return parseList(value).map((v) => {
    if (!/^[1-9][0-9]*$/.test(v)) throw new InvalidArgumentError(`expected layer sizes like 64,64, got "${value}".`);
    return Number(v);
  });
}

function parseNonNegative(value: string): number {
  const n = parseNumber(value);
  if (n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}".`);
  return n;
}

function parsePositive(value: string): number {
  const n = parseNumber(value);
  if (n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}".`);
  return n;
}

function parseFolds(value: string): number {
  const n = parsePositiveInt(value);
  if (n < 2) throw new InvalidArgumentError(`expected at least 2 folds, got "${value}".`);
  return n;
}

export function trainCommand(): Command {
  return addCsvFormatOptions(addBackendOption(addGlobalOptions(new Command('train'))))
    .description('train a model from a built-in template, a template file, or a CSV → a new version')
    .argument('<source>', 'built-in template (iris, wine, breast-cancer, diabetes), template .json, or data .csv')
    .option('--name <model>', 'model name (default: the template or CSV file name)')
    .option('--target <column>', 'the column to predict (required for a CSV)')
    .option('--features <a,b,…>', 'use only these columns as features', parseList)
    .option('--ignore <c,…>', 'leave these columns out', parseList)
    .option('--keep <c,…>', 'use these columns even when they look like IDs, names or constants', parseList)
    .addOption(new Option('--task <task>', 'force the task (default: inferred from the target)').choices(['classification', 'regression']))
    .addOption(envOption('--hidden <sizes>', 'hidden layer sizes, e.g. 64,64 ("none" for a linear model)', parseHidden))
    .addOption(envOption('--activation <name>', 'hidden activation: relu, elu, selu, tanh, sigmoid, …'))
    .addOption(envOption('--dropout <rate>', 'dropout after each hidden layer, in [0, 1)', parseFraction))
    .addOption(envOption('--l2 <factor>', 'L2 weight penalty', parseNonNegative))
    .addOption(envOption('--epochs <n>', 'maximum training epochs', parsePositiveInt))
    .addOption(envOption('--batch-size <n>', 'mini-batch size', parsePositiveInt))
    .addOption(envOption('--learning-rate <lr>', 'initial learning rate', parsePositive))
    .addOption(envOption('--optimizer <name>', 'sgd, momentum, adam or rmsprop').choices(['sgd', 'momentum', 'adam', 'rmsprop']))
    .addOption(envOption('--decay <beta>', 'inverse-time decay per epoch: lr_t = lr / (1 + beta·(t−1))', parseNonNegative))
    .addOption(
      envOption('--patience <epochs>', 'early stopping on validation loss (restores the best epoch); 0 = off', parseNonNegativeInt),
    )
    .addOption(envOption('--seed <n>', 'random seed: same seed + same data + same backend = same weights', parseNonNegativeInt))
    .addOption(envOption('--test-split <fraction>', 'held-out test fraction (stratified)', parseFraction))
    .addOption(envOption('--validation-split <fraction>', 'validation fraction for early stopping (stratified)', parseFraction))
    .addOption(envOption('--folds <k>', 'also run stratified k-fold cross-validation and record the report', parseFolds))
    .addOption(envOption('--max-categories <n>', 'most distinct values a categorical column may have', parsePositiveInt))
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
          settings: settings as never,
          configSettings: configTrain as never,
          backend: ctx.backend,
          templatesDir: ctx.config.templates,
          cwd: ctx.cwd,
          onProgress: progress,
        });
        ctx.reporter.result(result.record, renderTrain);
      }),
    );
}
