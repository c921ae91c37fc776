/**
 * Train / validation / test splits and k-fold cross-validation folds, as index sets, drawn from
 * the seeded RNG: the same seed and the same data give the same split on every platform.
 *
 * Stratified (classification): each class is shuffled and cut on its own, so every class is in
 * every non-empty part in proportion: round(count * fraction) rows of it, at least 1, and at
 * least 1 row is left for training. Otherwise the whole index range is shuffled and cut the same
 * way. Each part's indices are then shuffled together (classes interleaved).
 *
 * A class with too few rows to stratify (fewer than one per non-empty part) goes to the training
 * split whole and is listed in `rareClasses`, so the caller can warn; it is not an error.
 */
import { MlctlError } from '../errors.js';
import { createRng, type Rng } from '../random.js';

export interface SplitOptions {
  /** class index per row (classification); null or absent: no stratification */
  labels?: Int32Array | null;
  /** number of rows (must equal labels.length when labels are given) */
  n: number;
  /** share of all rows held out for the test split (default 0.2) */
  testFraction?: number;
  /** share of all rows held out for validation (default 0.1) */
  validationFraction?: number;
  seed: number;
  /** stratify by class when labels are given (default true) */
  stratify?: boolean;
  /** names of the classes, for messages (default "class <index>") */
  classNames?: readonly string[];
}

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
  /** stratified only: classes (indices) whose rows all went to the training split, with their row counts */
  rareClasses: { index: number; name: string; rows: number }[];
}

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

function checkFraction(name: string, v: number): void {
  if (!Number.isFinite(v) || v < 0 || v >= 1) {
    throw new MlctlError('USAGE', `${name} must be in [0, 1), got ${v}.`, { hint: 'Pass a fraction such as 0.2.' });
  }
}

function groupByClass(labels: Int32Array, n: number): number[][] {
  if (labels.length !== n) {
    throw new MlctlError('INTERNAL', `split: ${labels.length} labels for ${n} rows (this is a bug).`);
  }
  const groups: number[][] = [];
  for (let i = 0; i < n; i++) {
    const k = labels[i];
    while (groups.length <= k) groups.push([]);
    groups[k].push(i);
  }
  return groups;
}

/** How many of `count` rows go to test and validation (each at least 1 when its fraction > 0). */
function cut(count: number, testFraction: number, validationFraction: number): { test: number; validation: number } | null {
  const needed = 1 + (testFraction > 0 ? 1 : 0) + (validationFraction > 0 ? 1 : 0);
  if (count < needed) return null;
  let test = testFraction > 0 ? Math.max(1, Math.round(count * testFraction)) : 0;
  let validation = validationFraction > 0 ? Math.max(1, Math.round(count * validationFraction)) : 0;
  // leave at least one row to train on; take from the larger part, never below 1
  while (test + validation > count - 1) {
    if (validation > 1 && validation >= test) validation--;
    else if (test > 1) test--;
    else validation--;
  }
  return { test, validation };
}

function fromArray(a: number[]): Int32Array {
  return Int32Array.from(a);
}

/** Split row indices 0..n-1 into train, validation and test. */
export function splitDataset(options: SplitOptions): Split {
  const { n, seed } = options;
  const testFraction = options.testFraction ?? 0.2;
  const validationFraction = options.validationFraction ?? 0.1;
  checkFraction('--test-split', testFraction);
  checkFraction('--validation-split', validationFraction);
  if (testFraction + validationFraction >= 1) {
    throw new MlctlError(
      'USAGE',
      `The test (${testFraction}) and validation (${validationFraction}) fractions add up to ${testFraction + validationFraction}; nothing would be left to train on.`,
      { hint: 'Keep their sum below 1, e.g. 0.2 and 0.1.' },
    );
  }
  const rng = createRng(seed);
  const needed = 1 + (testFraction > 0 ? 1 : 0) + (validationFraction > 0 ? 1 : 0);
  const stratify = (options.stratify ?? true) && options.labels != null;
  const groups = stratify ? groupByClass(options.labels as Int32Array, n) : [Array.from({ length: n }, (_, i) => i)];

  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  const rareClasses: Split['rareClasses'] = [];
  groups.forEach((group, k) => {
    if (group.length === 0) return; // a class with no rows (e.g. absent from this data)
    const sizes = cut(group.length, testFraction, validationFraction);
    if (!sizes) {
      if (stratify) {
        rareClasses.push({ index: k, name: options.classNames?.[k] ?? String(k), rows: group.length });
        train.push(...group);
        return;
      }
      throw new MlctlError(
        'INVALID_DATA',
        `The data has only ${group.length} row${group.length === 1 ? '' : 's'}; splitting needs at least ${needed}.`,
        {
          hint: 'Add more rows.',
        },
      );
    }
    rng.shuffle(group);
    test.push(...group.slice(0, sizes.test));
    validation.push(...group.slice(sizes.test, sizes.test + sizes.validation));
    train.push(...group.slice(sizes.test + sizes.validation));
  });
  return {
    train: rng.shuffle(fromArray(train)),
    validation: rng.shuffle(fromArray(validation)),
    test: rng.shuffle(fromArray(test)),
    rareClasses,
  };
}

/**
 * k folds over rows 0..n-1: every row is in exactly one fold's test set. Stratified when labels
 * are given: each class is shuffled and dealt round-robin over the folds (continuing from where
 * the previous class stopped, so fold sizes differ by at most one). A class with fewer rows than
 * k is dealt the same way (it is then missing from some folds' test sets); only unlabelled data
 * with fewer than k rows is an error.
 */
export function stratifiedKFold(labels: Int32Array | null, n: number, k: number, seed: number): Fold[] {
  if (!Number.isInteger(k) || k < 2) {
    throw new MlctlError('USAGE', `--folds must be an integer of at least 2, got ${k}.`, { hint: 'Pass e.g. --folds 5.' });
  }
  if (labels && n < k) {
    throw new MlctlError(
      'INVALID_DATA',
      `The data has only ${n} row${n === 1 ? '' : 's'}; ${k}-fold cross-validation needs at least ${k}.`,
      {
        hint: 'Use fewer folds, or add more rows.',
      },
    );
  }
  const rng: Rng = createRng(seed);
  const groups = labels ? groupByClass(labels, n) : [Array.from({ length: n }, (_, i) => i)];
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  groups.forEach((group) => {
    if (group.length === 0) return;
    if (!labels && group.length < k) {
      throw new MlctlError(
        'INVALID_DATA',
        `The data has only ${group.length} row${group.length === 1 ? '' : 's'}; ${k}-fold cross-validation needs at least ${k}.`,
        { hint: 'Use fewer folds, or add more rows.' },
      );
    }
    rng.shuffle(group);
    for (const i of group) {
      folds[next].push(i);
      next = (next + 1) % k;
    }
  });
  return folds.map((testRows, f) => {
    const train: number[] = [];
    folds.forEach((other, g) => {
      if (g !== f) train.push(...other);
    });
    return { train: rng.shuffle(fromArray(train)), test: fromArray(testRows) };
  });
}
