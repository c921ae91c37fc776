/**
 * The search space of `mlctl tune`: its JSON format (`--space space.json`), the built-in space for
 * tabular data, and the checks that name the offending key. A leaf module (vocabulary and the
 * train option table only), so the registry can check a recorded space with the same rules.
 *
 * Format: a JSON object; each key is one setting, its value one of
 *   - a fixed value:         "optimizer": "adam"          "dropout": 0
 *   - a list of choices:     "activation": ["relu", "tanh"]   "batchSize": [16, 32, 64]
 *   - a range (numbers):     "learningRate": {"min": 0.0003, "max": 0.03, "log": true}
 *     (uniform between min and max, or log-uniform with "log": true; integer settings are rounded)
 * and two special keys:
 *   - "hidden": {"layers": <count: fixed | choices | range>, "width": <units: fixed | choices | range>}
 *     (one width drawn per layer, widest first), or a list of architectures [[64], [64, 32], []]
 *     ([] is a linear / logistic model);
 *   - "epochs": {"min": 27, "max": 243} (the rungs of successive halving: the first rung trains
 *     `min` epochs, each next one `eta` (3) times more, the last `max`), or one number (no halving).
 * Keys left out keep the built-in space's value. Settings: hidden, activation, optimizer,
 * learningRate, decay, batchSize, l2, dropout, patience, epochs.
 */
import type { Activation, OptimizerName } from '../vocabulary.js';
import { TRAIN_SETTINGS_OPTIONS, type TrainSettings } from './train.js';

/** A numeric setting's domain as written in the file. */
export type NumberDomain = number | number[] | { min: number; max: number; log?: boolean };
/** A word setting's domain (activation, optimizer). */
export type WordDomain<T extends string> = T | T[];
export type HiddenDomain = number[][] | { layers: NumberDomain; width: NumberDomain };
export type EpochsDomain = number | { min: number; max: number };

/** What a trial varies (the epochs come from the rung it runs at). */
export type TrialSettings = Pick<
  TrainSettings,
  'hidden' | 'activation' | 'optimizer' | 'learningRate' | 'decay' | 'batchSize' | 'l2' | 'dropout' | 'patience'
>;

export interface SearchSpace {
  hidden: HiddenDomain;
  activation: WordDomain<Activation>;
  optimizer: WordDomain<OptimizerName>;
  learningRate: NumberDomain;
  decay: NumberDomain;
  batchSize: NumberDomain;
  l2: NumberDomain;
  dropout: NumberDomain;
  patience: NumberDomain;
  epochs: EpochsDomain;
}

export const SPACE_KEYS = [
  'hidden',
  'activation',
  'optimizer',
  'learningRate',
  'decay',
  'batchSize',
  'l2',
  'dropout',
  'patience',
  'epochs',
] as const satisfies readonly (keyof SearchSpace)[];

/** Settings a trial draws (everything in the space but the epochs, which the rungs set). */
export const TRIAL_KEYS = SPACE_KEYS.filter((k) => k !== 'epochs') as Exclude<(typeof SPACE_KEYS)[number], 'epochs'>[];

/** Reduction factor of successive halving: each rung trains eta× longer and keeps the best 1/eta. */
export const HALVING_ETA = 3;

/**
 * The built-in space, for tabular data of hundreds to tens of thousands of rows: from a linear
 * model (0 hidden layers: logistic / linear regression) to three hidden layers, the usual
 * activations, Adam or RMSprop over two decades of learning rate, weight decay from none
 * (1e-6) to strong, dropout, and early stopping; 27 → 81 → 243 epochs.
 */
export const DEFAULT_SEARCH_SPACE: Readonly<SearchSpace> = Object.freeze({
  hidden: { layers: [0, 1, 1, 2, 2, 3], width: [16, 32, 64, 128, 256] },
  activation: ['relu', 'elu', 'selu', 'tanh'],
  optimizer: ['adam', 'adam', 'rmsprop'],
  learningRate: { min: 0.0003, max: 0.03, log: true },
  decay: [0, 0, 0.001, 0.01],
  batchSize: [16, 32, 64],
  l2: { min: 0.000001, max: 0.03, log: true },
  dropout: [0, 0, 0.1, 0.2, 0.3, 0.5],
  patience: [20, 40],
  epochs: { min: 27, max: 243 },
} satisfies SearchSpace);

export interface SpaceProblem {
  /** dotted key, e.g. "learningRate.min" or "hidden.width[2]" */
  key: string;
  /** what is wrong, e.g. "expected a number > 0, got -1" */
  problem: string;
}

const show = (v: unknown): string => {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 40 ? `${text.slice(0, 37)}…` : text;
};

const INTEGER_KEYS = new Set(['batchSize', 'patience']);

type LeafCheck = (v: unknown) => string | null;

/** Leaf checks: the train option's own check for each setting; hidden layers and widths their own. */
function leafCheck(key: string): LeafCheck {
  if (key === 'hidden.layers') {
    return (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 16 ? null : 'expected an integer in [0, 16]');
  }
  if (key === 'hidden.width') return (v) => (Number.isInteger(v) && (v as number) >= 1 ? null : 'expected a positive integer');
  const spec = TRAIN_SETTINGS_OPTIONS[key as keyof typeof TRAIN_SETTINGS_OPTIONS];
  return (v) => spec.kind.check(v);
}

function checkNumberDomain(key: string, v: unknown, integer: boolean): SpaceProblem | null {
  const check = leafCheck(key);
  const leaf = (path: string, x: unknown): SpaceProblem | null => {
    const p = check(x);
    return p ? { key: path, problem: `${p}, got ${show(x)}` } : null;
  };
  if (Array.isArray(v)) {
    if (v.length === 0) return { key, problem: 'is an empty list; give at least one value' };
    for (let i = 0; i < v.length; i++) {
      const p = leaf(`${key}[${i}]`, v[i]);
      if (p) return p;
    }
    return null;
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['min', 'max', 'log'].includes(k)) return { key: `${key}.${k}`, problem: 'is not a range key; a range has min, max and log' };
    }
    for (const k of ['min', 'max'] as const) {
      if (o[k] === undefined) return { key: `${key}.${k}`, problem: 'is missing; a range needs min and max' };
      const p = leaf(`${key}.${k}`, o[k]);
      if (p) return p;
    }
    if (o.log !== undefined && typeof o.log !== 'boolean')
      return { key: `${key}.log`, problem: `expected true or false, got ${show(o.log)}` };
    const min = o.min as number;
    const max = o.max as number;
    if (min > max) return { key: `${key}.min`, problem: `is above max (${min} > ${max})` };
    if (o.log === true && !(min > 0)) return { key: `${key}.min`, problem: `must be > 0 for a log range, got ${min}` };
    if (integer && Math.ceil(min) > Math.floor(max)) return { key, problem: `holds no integer (${min} to ${max})` };
    return null;
  }
  return leaf(key, v);
}

function checkWordDomain(key: string, v: unknown): SpaceProblem | null {
  const check = leafCheck(key);
  if (Array.isArray(v)) {
    if (v.length === 0) return { key, problem: 'is an empty list; give at least one value' };
    for (let i = 0; i < v.length; i++) {
      const p = check(v[i]);
      if (p) return { key: `${key}[${i}]`, problem: `${p}, got ${show(v[i])}` };
    }
    return null;
  }
  const p = check(v);
  return p ? { key, problem: `${p}, got ${show(v)}` } : null;
}

function checkHidden(v: unknown): SpaceProblem | null {
  if (Array.isArray(v)) {
    if (v.length === 0) return { key: 'hidden', problem: 'is an empty list; give at least one architecture, e.g. [[64], [64, 32]]' };
    for (let i = 0; i < v.length; i++) {
      const a = v[i];
      if (!Array.isArray(a) || !a.every((u) => Number.isInteger(u) && u >= 1)) {
        return {
          key: `hidden[${i}]`,
          problem: `expected a list of layer sizes such as [64, 32] ([] for no hidden layer), got ${show(a)}`,
        };
      }
    }
    return null;
  }
  if (typeof v !== 'object' || v === null) {
    return {
      key: 'hidden',
      problem: `expected {"layers": …, "width": …} or a list of architectures such as [[64], [64, 32]], got ${show(v)}`,
    };
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'layers' && k !== 'width') return { key: `hidden.${k}`, problem: 'is not a key of hidden; use layers and width' };
  }
  for (const k of ['layers', 'width'] as const) {
    if (o[k] === undefined) return { key: `hidden.${k}`, problem: 'is missing' };
    const p = checkNumberDomain(`hidden.${k}`, o[k], true);
    if (p) return p;
  }
  return null;
}

function checkEpochs(v: unknown): SpaceProblem | null {
  const isCount = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 1;
  if (typeof v === 'number') return isCount(v) ? null : { key: 'epochs', problem: `expected a positive integer, got ${show(v)}` };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { key: 'epochs', problem: `expected {"min": 27, "max": 243} or a positive integer, got ${show(v)}` };
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'min' && k !== 'max') return { key: `epochs.${k}`, problem: 'is not a key of epochs; use min and max' };
  for (const k of ['min', 'max'] as const) {
    if (o[k] === undefined) return { key: `epochs.${k}`, problem: 'is missing' };
    if (!isCount(o[k])) return { key: `epochs.${k}`, problem: `expected a positive integer, got ${show(o[k])}` };
  }
  if ((o.min as number) > (o.max as number)) return { key: 'epochs.min', problem: `is above max (${o.min} > ${o.max})` };
  return null;
}

/** The first problem of one key's value, or null. */
export function findSpaceKeyProblem(key: string, value: unknown): SpaceProblem | null {
  switch (key) {
    case 'hidden':
      return checkHidden(value);
    case 'epochs':
      return checkEpochs(value);
    case 'activation':
    case 'optimizer':
      return checkWordDomain(key, value);
    default:
      return checkNumberDomain(key, value, INTEGER_KEYS.has(key));
  }
}

/**
 * The first problem of a space as read from a file (`partial`: keys may be left out, the
 * built-in space fills them) or as recorded (every key present), or null.
 */
export function findSpaceProblem(raw: unknown, { partial }: { partial: boolean }): SpaceProblem | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { key: '(root)', problem: `expected a JSON object with keys such as ${SPACE_KEYS.slice(0, 4).join(', ')}, got ${show(raw)}` };
  }
  const o = raw as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 0) return { key: '(root)', problem: `has no keys; name at least one of ${SPACE_KEYS.join(', ')}` };
  for (const key of keys) {
    if (!(SPACE_KEYS as readonly string[]).includes(key)) {
      return { key, problem: `is not a search-space key; the keys are ${SPACE_KEYS.join(', ')}` };
    }
    const p = findSpaceKeyProblem(key, o[key]);
    if (p) return p;
  }
  if (!partial) {
    const missing = SPACE_KEYS.find((k) => o[k] === undefined);
    if (missing) return { key: missing, problem: 'is missing' };
  }
  return null;
}

/** The built-in space with the file's keys in place of its own (the file checked first by the caller). */
export function mergeSpace(overrides: Partial<SearchSpace>): SearchSpace {
  const out = structuredClone(DEFAULT_SEARCH_SPACE) as SearchSpace;
  for (const key of SPACE_KEYS) if (overrides[key] !== undefined) (out as any)[key] = structuredClone(overrides[key]);
  return out;
}

/** The epochs of each rung: min, min·eta, …, max (the last rung always `max`). */
export function rungEpochs(epochs: EpochsDomain, eta: number = HALVING_ETA): number[] {
  if (typeof epochs === 'number') return [epochs];
  const { min, max } = epochs;
  let rungs = 0;
  while (min * eta ** (rungs + 1) <= max * (1 + 1e-9)) rungs++;
  const out: number[] = [];
  for (let r = rungs; r >= 0; r--) out.push(Math.max(1, Math.round(max / eta ** r)));
  return out.filter((e, i) => i === 0 || e > out[i - 1]);
}
