/**
 * `mlctl tune` settings, declared once: flags (+ MLCTL_* variables), the config's `tune` section,
 * the `TuneFlags` type and its defaults. The search space itself is a JSON file (`--space`,
 * format in search-space.ts); the data options and the split/seed settings are train's own.
 */
import { TUNE_METRICS } from '../vocabulary.js';
import { choiceKind, durationKind, integerKind, option, textKind, type OptionValues } from './spec.js';
import { CSV_FORMAT_OPTIONS } from './csv-format.js';
import { TRAIN_DATA_OPTIONS, TRAINING_OPTIONS } from './train.js';

/** How the search runs: its budget, scoring and parallelism. */
export const SEARCH_OPTIONS = {
  trials: option(
    '--trials <n>',
    'number of trials (settings drawn from the space); default 20 unless --time-budget',
    integerKind({ min: 1 }),
    {
      env: true,
    },
  ),
  timeBudget: option('--time-budget <duration>', 'stop the search after this long, e.g. 90s, 10m, 1h30m', durationKind, { env: true }),
  folds: option('--folds <k>', 'stratified k-fold cross-validation on the training rows scores every trial', integerKind({ min: 2 }), {
    default: 5,
    env: true,
  }),
  metric: option('--metric <name>', 'what to optimise (default accuracy for classification, r2 for regression)', choiceKind(TUNE_METRICS), {
    env: true,
  }),
  space: option('--space <file>', 'search space JSON file (default: the built-in space for tabular data)', textKind, { env: true }),
  parallel: option('--parallel <n>', 'trials run on this many worker threads (default: the number of cores)', integerKind({ min: 1 }), {
    env: true,
  }),
  ensemble: option('--ensemble <k>', 'publish one model averaging the k best trials (1 = the best trial alone)', integerKind({ min: 1 }), {
    default: 1,
    env: true,
  }),
} as const;

/** A search shared by several workers through a PostgreSQL registry (`tune --study`). */
export const STUDY_OPTIONS = {
  study: option(
    '--study <name>',
    'share the search with other workers through the PostgreSQL --registry: create the study, or join it when settings and data match',
    textKind,
    { env: true },
  ),
  join: option('--join <name>', 'join an existing study, taking its search settings (trials, space, folds, metric, seed, …)', textKind, {
    env: true,
  }),
  lease: option(
    '--lease <duration>',
    'a study worker that stops renewing its claim for this long (it died) loses its trial to another worker (default 60s)',
    durationKind,
    { env: true },
  ),
} as const;

/** train's settings that still apply: the split, the seed and the category limit. */
export const TUNE_TRAINING_OPTIONS = {
  seed: TRAINING_OPTIONS.seed,
  testSplit: TRAINING_OPTIONS.testSplit,
  validationSplit: {
    ...TRAINING_OPTIONS.validationSplit,
    description: 'share of the rows held out of each fold for early stopping (stratified)',
  },
  maxCategories: TRAINING_OPTIONS.maxCategories,
} as const;

export const TUNE_DATA_OPTIONS = {
  name: TRAIN_DATA_OPTIONS.name,
  target: TRAIN_DATA_OPTIONS.target,
  features: TRAIN_DATA_OPTIONS.features,
  ignore: TRAIN_DATA_OPTIONS.ignore,
  keep: TRAIN_DATA_OPTIONS.keep,
  task: TRAIN_DATA_OPTIONS.task,
} as const;

/** All of `mlctl tune`'s own flags. */
export const TUNE_OPTIONS = {
  ...TUNE_DATA_OPTIONS,
  ...CSV_FORMAT_OPTIONS,
  ...SEARCH_OPTIONS,
  ...STUDY_OPTIONS,
  ...TUNE_TRAINING_OPTIONS,
} as const;
export type TuneFlags = Partial<OptionValues<typeof TUNE_OPTIONS>>;

/** The config file's `tune` section (a time budget as "10m" or seconds). */
export type TuneDefaults = Partial<Omit<OptionValues<typeof SEARCH_OPTIONS>, 'timeBudget'> & { timeBudget: number | string }>;

/** trials when neither --trials nor --time-budget is given */
export const DEFAULT_TRIALS = 20;
