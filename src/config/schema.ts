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
};

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
