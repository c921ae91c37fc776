/**
 * The config file's shape (cosmiconfig name "mlctl"), as one declarative table. Strict: an
 * unknown key is an error naming the file and the key, so a typo never silently does nothing.
 * (A schema library such as zod costs 100+ ms of startup for ~25 keys; every mlctl command
 * reads the config, and commands that need no tensors must start fast — see bench/cli-startup.)
 */
export type Optimizer = 'sgd' | 'momentum' | 'adam' | 'rmsprop';

export interface TrainDefaults {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  decay?: number;
  optimizer?: Optimizer;
  hidden?: number[];
  activation?: string;
  dropout?: number;
  l2?: number;
  patience?: number;
  seed?: number;
  testSplit?: number;
  validationSplit?: number;
  folds?: number;
  maxCategories?: number;
}

export interface EvaluateDefaults {
  minAccuracy?: number;
  minF1?: number;
  maxRmse?: number;
  maxMae?: number;
  minR2?: number;
}

export interface PredictDefaults {
  format?: 'csv' | 'json';
}

/** The config's `serve` section: the same names as the flags (camelCase). Durations in ms or "10s". */
export interface ServeDefaults {
  host?: string;
  port?: number;
  token?: string;
  cors?: string;
  /** bytes, or "1mb" */
  bodyLimit?: number | string;
  maxRows?: number;
  maxBatchSize?: number;
  batchTimeoutMs?: number;
  batching?: 'auto' | 'on' | 'off';
  fastPath?: 'auto' | 'off';
  watch?: boolean;
  workers?: number;
  drainTimeout?: number | string;
  requestTimeout?: number | string;
  headersTimeout?: number | string;
  keepAliveTimeout?: number | string;
  driftWindow?: number;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface MlctlConfig {
  /** registry directory; relative paths are resolved against the config file's folder */
  registry?: string;
  /** the model commands use when none is named */
  model?: string;
  backend?: 'auto' | 'node' | 'wasm' | 'cpu';
  /** a folder of extra templates; relative to the config file */
  templates?: string;
  train?: TrainDefaults;
  evaluate?: EvaluateDefaults;
  predict?: PredictDefaults;
  serve?: ServeDefaults;
}

/** Checks one value; returns a description of what is expected when it does not fit. */
export type Check = (value: unknown) => string | null;

export const string: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'expected a non-empty string');
export const oneOf =
  (...choices: string[]): Check =>
  (v) =>
    typeof v === 'string' && choices.includes(v) ? null : `expected one of ${choices.join(', ')}`;
export const number =
  (min: number, max: number, { minExclusive = false, maxExclusive = false, integer = false } = {}): Check =>
  (v) => {
    const range = `${minExclusive ? '(' : '['}${min}, ${max === Infinity ? '∞' : max}${maxExclusive ? ')' : ']'}`;
    const what = integer ? `an integer in ${range}` : `a number in ${range}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `expected ${what}`;
    if (integer && !Number.isInteger(v)) return `expected ${what}`;
    if (v < min || (minExclusive && v === min) || v > max || (maxExclusive && v === max)) return `expected ${what}`;
    return null;
  };
export const positiveInt = number(1, Infinity, { integer: true });
export const boolean: Check = (v) => (typeof v === 'boolean' ? null : 'expected true or false');
/** a number, or a string with a unit (sizes: "1mb"; durations: "10s"), checked by `parse` */
export const numberOrUnit =
  (parse: (text: string) => number | null, example: string): Check =>
  (v) =>
    (typeof v === 'number' && Number.isFinite(v) && v >= 0) || (typeof v === 'string' && parse(v) !== null) ? null : `expected a number or a string such as "${example}"`;
export const fraction = number(0, 1, { maxExclusive: true });
export const intList: Check = (v) =>
  Array.isArray(v) && v.every((x) => Number.isInteger(x) && (x as number) > 0)
    ? null
    : 'expected a list of positive integers, e.g. [64, 64]';

export type Shape = { [key: string]: Check | Shape };

/** Training settings: the config's `train` section and a template's `training` + `model`. */
export const TRAIN_SHAPE: Shape = {
  epochs: positiveInt,
  batchSize: positiveInt,
  learningRate: number(0, Infinity, { minExclusive: true }),
  decay: number(0, Infinity),
  optimizer: oneOf('sgd', 'momentum', 'adam', 'rmsprop'),
  hidden: intList,
  activation: string,
  dropout: fraction,
  l2: number(0, Infinity),
  patience: number(0, Infinity, { integer: true }),
  seed: number(0, 2 ** 32 - 1, { integer: true }),
  testSplit: fraction,
  validationSplit: fraction,
  folds: number(2, Infinity, { integer: true }),
  maxCategories: positiveInt,
};

export const CONFIG_SHAPE: Shape = {
  registry: string,
  model: string,
  backend: oneOf('auto', 'node', 'wasm', 'cpu'),
  templates: string,
  train: TRAIN_SHAPE,
  evaluate: {
    minAccuracy: number(0, 1),
    minF1: number(0, 1),
    maxRmse: number(0, Infinity),
    maxMae: number(0, Infinity),
    minR2: number(-Infinity, 1),
  },
  predict: {
    format: oneOf('csv', 'json'),
  },
  serve: {
    host: string,
    port: number(0, 65535, { integer: true }),
    token: string,
    cors: string,
    bodyLimit: numberOrUnit(parseByteSize, '1mb'),
    maxRows: positiveInt,
    maxBatchSize: positiveInt,
    batchTimeoutMs: number(0, 60_000),
    batching: oneOf('auto', 'on', 'off'),
    fastPath: oneOf('auto', 'off'),
    watch: boolean,
    workers: number(1, 256, { integer: true }),
    drainTimeout: numberOrUnit(parseDuration, '10s'),
    requestTimeout: numberOrUnit(parseDuration, '30s'),
    headersTimeout: numberOrUnit(parseDuration, '10s'),
    keepAliveTimeout: numberOrUnit(parseDuration, '5s'),
    driftWindow: positiveInt,
    logLevel: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  },
};

/** "1mb", "512kb", "2MiB", "1048576" → bytes; null when it is not a size. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  const bytes = Math.floor(Number(m[1]) * factor);
  return bytes > 0 ? bytes : null;
}

/** "500ms", "10s", "2m", "1500" (ms) → milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? 'ms').toLowerCase();
  return Math.round(Number(m[1]) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1));
}

export interface ConfigProblem {
  /** dotted key, e.g. "train.epochs" */
  key: string;
  kind: 'unknown' | 'invalid';
  expected?: string;
}

/** The first problem in `raw` against the shape, or null when it fits. */
export function findConfigProblem(raw: Record<string, unknown>, shape: Shape = CONFIG_SHAPE, prefix = ''): ConfigProblem | null {
  for (const [key, value] of Object.entries(raw)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const rule = Object.prototype.hasOwnProperty.call(shape, key) ? shape[key] : undefined;
    if (rule === undefined) return { key: path, kind: 'unknown' };
    if (typeof rule === 'function') {
      const expected = rule(value);
      if (expected) return { key: path, kind: 'invalid', expected };
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return { key: path, kind: 'invalid', expected: `expected an object with keys ${Object.keys(rule).join(', ')}` };
      }
      const nested = findConfigProblem(value as Record<string, unknown>, rule, path);
      if (nested) return nested;
    }
  }
  return null;
}
