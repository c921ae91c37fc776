/**
 * `mlctl train` settings, declared once: flags (+ MLCTL_* variables), the config's `train`
 * section, template `model`/`training` keys, the `TrainSettings` type and its defaults all come
 * from these tables. Precedence: flags > MLCTL_* > config `train` > template > defaults.
 */
import { ACTIVATIONS, OPTIMIZERS, TASKS } from '../vocabulary.js';
import { CSV_FORMAT_OPTIONS } from './csv-format.js';
import {
  choiceKind,
  defaultsOf,
  fractionKind,
  integerKind,
  layerSizesKind,
  nameListKind,
  numberKind,
  option,
  textKind,
  type OptionValues,
} from './spec.js';

/** The model's shape (a template's `model` section). */
export const MODEL_OPTIONS = {
  hidden: option('--hidden <sizes>', 'hidden layer sizes, e.g. 64,64 ("none" for a linear model)', layerSizesKind, {
    default: [64, 64],
    env: true,
  }),
  activation: option('--activation <name>', 'hidden activation', choiceKind(ACTIVATIONS), { default: 'relu', env: true }),
  dropout: option('--dropout <rate>', 'dropout after each hidden layer, in [0, 1)', fractionKind, { default: 0, env: true }),
  l2: option('--l2 <factor>', 'L2 weight penalty', numberKind({ min: 0 }), { default: 0, env: true }),
} as const;

/** How it is trained (a template's `training` section). */
export const TRAINING_OPTIONS = {
  epochs: option('--epochs <n>', 'maximum training epochs', integerKind({ min: 1 }), { default: 200, env: true }),
  batchSize: option('--batch-size <n>', 'mini-batch size', integerKind({ min: 1 }), { default: 32, env: true }),
  learningRate: option('--learning-rate <lr>', 'initial learning rate', numberKind({ min: 0, minExclusive: true }), {
    default: 0.003,
    env: true,
  }),
  optimizer: option('--optimizer <name>', 'optimizer (momentum uses 0.9)', choiceKind(OPTIMIZERS), { default: 'adam', env: true }),
  decay: option('--decay <beta>', 'inverse-time decay per epoch: lr_t = lr / (1 + beta·(t−1))', numberKind({ min: 0 }), {
    default: 0,
    env: true,
  }),
  patience: option('--patience <epochs>', 'early stopping on validation loss (restores the best epoch); 0 = off', integerKind({ min: 0 }), {
    default: 30,
    env: true,
  }),
  seed: option(
    '--seed <n>',
    'random seed: same seed + same data + same backend = same weights',
    integerKind({ min: 0, max: 2 ** 32 - 1 }),
    {
      default: 42,
      env: true,
    },
  ),
  testSplit: option('--test-split <fraction>', 'held-out test fraction (stratified)', fractionKind, { default: 0.2, env: true }),
  validationSplit: option('--validation-split <fraction>', 'validation fraction for early stopping (stratified)', fractionKind, {
    default: 0.1,
    env: true,
  }),
  maxCategories: option(
    '--max-categories <n>',
    'most values a categorical column keeps (the rest become "other")',
    integerKind({ min: 1 }),
    {
      default: 50,
      env: true,
    },
  ),
} as const;

/** Every setting that shapes the trained weights; recorded as a version's `hyperparameters`. */
export const TRAIN_SETTINGS_OPTIONS = { ...MODEL_OPTIONS, ...TRAINING_OPTIONS } as const;
export type TrainSettings = OptionValues<typeof TRAIN_SETTINGS_OPTIONS>;
export const DEFAULT_TRAIN_SETTINGS: Readonly<TrainSettings> = Object.freeze(defaultsOf(TRAIN_SETTINGS_OPTIONS) as TrainSettings);

/** `mlctl train`'s other flags: what the data is and what else to run. */
export const TRAIN_DATA_OPTIONS = {
  name: option('--name <model>', 'model name (default: the template or CSV file name)', textKind, { config: false, env: true }),
  target: option('--target <column>', 'the column to predict (required for a CSV)', textKind, { config: false, env: true }),
  features: option('--features <a,b,…>', 'use only these columns as features', nameListKind, { config: false }),
  ignore: option('--ignore <c,…>', 'leave these columns out', nameListKind, { config: false }),
  keep: option('--keep <c,…>', 'use these columns even when they look like IDs, names or constants', nameListKind, { config: false }),
  task: option('--task <task>', 'force the task (default: inferred from the target)', choiceKind(TASKS), { config: false }),
  folds: option('--folds <k>', 'also run stratified k-fold cross-validation and record the report', integerKind({ min: 2 }), {
    env: true,
  }),
} as const;

/** All of `mlctl train`'s own flags. */
export const TRAIN_OPTIONS = { ...TRAIN_DATA_OPTIONS, ...CSV_FORMAT_OPTIONS, ...TRAIN_SETTINGS_OPTIONS } as const;
export type TrainFlags = Partial<OptionValues<typeof TRAIN_OPTIONS>>;
/** The config file's `train` section. */
export type TrainDefaults = Partial<OptionValues<typeof TRAIN_SETTINGS_OPTIONS> & { folds: number }>;
