/**
 * mlctl's vocabulary, declared once: the choice lists, file names and defaults that flags, config
 * validation, the engine, the registry and messages all share. A leaf module (imports nothing), so
 * every layer may use it and nothing here loads TensorFlow.js.
 */

/** What a model predicts. */
export const TASKS = ['classification', 'regression'] as const;
export type Task = (typeof TASKS)[number];

/** What made a version (its record's `operation`). */
export const OPERATIONS = ['train', 'tune', 'prune', 'quantize', 'import'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** How an operation reads in a sentence: "iris v2 was quantized". */
export const OPERATION_PAST: Readonly<Record<Operation, string>> = {
  train: 'trained',
  tune: 'tuned',
  prune: 'pruned',
  quantize: 'quantized',
  import: 'imported',
};

/** Optimizers of the training loop (`--optimizer`); momentum uses 0.9. */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Hidden-layer activations mlctl trains (the training loop has their derivatives). */
export const ACTIVATIONS = ['relu', 'relu6', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'softsign', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** What `mlctl tune` optimises: accuracy/macroF1 for classifiers, r2/rmse/mae for regressors. */
export const TUNE_METRICS = ['accuracy', 'macroF1', 'r2', 'rmse', 'mae'] as const;
export type TuneMetric = (typeof TUNE_METRICS)[number];
/** The task each tune metric applies to, and whether higher is better. */
export const TUNE_METRIC_INFO: Readonly<Record<TuneMetric, { task: Task; higherIsBetter: boolean }>> = {
  accuracy: { task: 'classification', higherIsBetter: true },
  macroF1: { task: 'classification', higherIsBetter: true },
  r2: { task: 'regression', higherIsBetter: true },
  rmse: { task: 'regression', higherIsBetter: false },
  mae: { task: 'regression', higherIsBetter: false },
};

/** TensorFlow.js backends users can ask for (`--backend`); auto picks node > wasm > cpu. */
export const BACKEND_CHOICES = ['auto', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Output formats of `mlctl predict`. */
export const PREDICT_FORMATS = ['csv', 'json'] as const;
export type PredictFormat = (typeof PREDICT_FORMATS)[number];

/** The numeric parts a date, date-time or time-of-day column becomes (see dataset/signature.ts). */
export const DATE_PARTS = ['year', 'month', 'day', 'weekday', 'hour', 'days'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

/** Decimal separators of numbers in a CSV (`--decimal`). */
export const DECIMAL_SEPARATORS = ['.', ','] as const;
export type DecimalSeparator = (typeof DECIMAL_SEPARATORS)[number];

/** Encodings a CSV may be read in (`--encoding`; latin1 is read as Windows-1252, its superset). */
export const ENCODING_NAMES = ['utf8', 'latin1', 'utf16le', 'utf16be'] as const;

/** Storage dtypes `mlctl quantize --dtype` writes (TF.js's weights-manifest quantization dtypes). */
export const QUANTIZE_DTYPES = ['uint8', 'uint16', 'float16'] as const;
export type QuantizeDtype = (typeof QUANTIZE_DTYPES)[number];

/** How sparsity evolves while `mlctl prune` fine-tunes: the target throughout, or Zhu & Gupta's cubic ramp. */
export const PRUNE_SCHEDULES = ['constant', 'polynomial'] as const;
export type PruneSchedule = (typeof PRUNE_SCHEDULES)[number];

/** The TF.js model topology file of a version (stock TF.js name). */
export const MODEL_JSON_FILE = 'model.json';
/** The version record mlctl writes beside the model files. */
export const METADATA_FILE = 'mlctl.json';
/** what `mlctl explain` measured about a version, beside its record (the record itself is never rewritten) */
export const EXPLANATION_FILE = 'explanation.json';
/** Written beside an exported model: inputs, preprocessing and labels, so clients encode rows themselves. */
export const SIGNATURE_FILE = 'signature.json';
/** Written beside an exported model: the key facts in Markdown. */
export const MODEL_CARD_FILE = 'model-card.md';
/** The registry used when neither --registry, MLCTL_REGISTRY nor the config names one. */
export const DEFAULT_REGISTRY_DIR = 'model-registry';
/** mlctl serve's liveness and readiness routes (also what the deployment recipes probe). */
export const HEALTH_ROUTES = { live: '/healthz', ready: '/readyz' } as const;

/** `value` is one of `list` (narrows the type). */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** "a, b or c" */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "1 problem", "2 problems" (pass the plural when it is not singular + "s"). */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}
