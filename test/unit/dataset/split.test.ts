import { describe, expect, it } from 'vitest';
import { splitDataset, stratifiedKFold } from '../../../src/dataset/split.js';
import { errorOf } from '../../helpers/error-of.js';

/** 3 classes: 50, 30, 20 rows, interleaved */
const labels = Int32Array.from({ length: 100 }, (_, i) => (i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2));

const countsOf = (idx: Int32Array) => {
  const c = [0, 0, 0];
  for (const i of idx) c[labels[i]]++;
  return c;
};

describe('splitDataset', () => {
  it('stratifies: each class in each part in proportion', () => {
    const s = splitDataset({ labels, n: 100, testFraction: 0.2, validationFraction: 0.1, seed: 1 });
    expect(countsOf(s.test)).toEqual([10, 6, 4]);
    expect(countsOf(s.validation)).toEqual([5, 3, 2]);
    expect(countsOf(s.train)).toEqual([35, 21, 14]);
  });

  it('partitions the rows: every index exactly once', () => {
    const s = splitDataset({ labels, n: 100, seed: 3 });
    const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('gives the same split for the same seed and a different one for another seed', () => {
    const a = splitDataset({ labels, n: 100, seed: 42 });
    const b = splitDataset({ labels, n: 100, seed: 42 });
    const c = splitDataset({ labels, n: 100, seed: 43 });
    expect(b).toEqual(a);
    expect(Array.from(c.test)).not.toEqual(Array.from(a.test));
  });

  it('splits without labels by shuffling all rows', () => {
    const s = splitDataset({ labels: null, n: 50, testFraction: 0.2, validationFraction: 0.1, seed: 0 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([35, 5, 10]);
  });

  it('allows an empty validation part', () => {
    const s = splitDataset({ labels, n: 100, validationFraction: 0, seed: 0 });
    expect(s.validation.length).toBe(0);
    expect(countsOf(s.test)).toEqual([10, 6, 4]);
  });

  it('keeps a class with too few rows to stratify in the training split, and names it', () => {
    const few = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const s = splitDataset({ labels: few, n: 12, seed: 0, classNames: ['setosa', 'virginica'] });
    expect(s.rareClasses).toEqual([{ index: 1, name: 'virginica', rows: 2 }]);
    expect([...s.train].filter((i) => few[i] === 1).sort()).toEqual([10, 11]);
    expect([...s.test, ...s.validation].some((i) => few[i] === 1)).toBe(false);
    // the common class is still split
    expect(s.test.length).toBe(2);
    expect(splitDataset({ labels: labels, n: 100, seed: 0 }).rareClasses).toEqual([]);
  });

  it('keeps one row of a 3-row class in each part', () => {
    const three = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const s = splitDataset({ labels: three, n: 13, testFraction: 0.3, validationFraction: 0.3, seed: 0 });
    for (const part of [s.train, s.validation, s.test]) expect([...part].filter((i) => three[i] === 1)).toHaveLength(1);
  });

  it('rejects fractions that leave nothing to train on', () => {
    const e = errorOf(() => splitDataset({ labels, n: 100, testFraction: 0.6, validationFraction: 0.4, seed: 0 }));
    expect(e.code).toBe('USAGE');
  });
});

describe('stratifiedKFold', () => {
  it('puts every row in exactly one test fold, disjoint from its train set', () => {
    const folds = stratifiedKFold(labels, 100, 5, 7);
    expect(folds).toHaveLength(5);
    const tested = folds.flatMap((f) => [...f.test]).sort((a, b) => a - b);
    expect(tested).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const f of folds) {
      expect(f.train.length + f.test.length).toBe(100);
      const test = new Set(f.test);
      expect([...f.train].some((i) => test.has(i))).toBe(false);
    }
  });

  it('stratifies each fold', () => {
    for (const f of stratifiedKFold(labels, 100, 5, 7)) expect(countsOf(f.test)).toEqual([10, 6, 4]);
  });

  it('is deterministic for a seed', () => {
    expect(stratifiedKFold(labels, 100, 4, 1)).toEqual(stratifiedKFold(labels, 100, 4, 1));
    expect(stratifiedKFold(labels, 100, 4, 1)).not.toEqual(stratifiedKFold(labels, 100, 4, 2));
  });

  it('works without labels', () => {
    const folds = stratifiedKFold(null, 11, 3, 0);
    expect(folds.map((f) => f.test.length).sort()).toEqual([3, 4, 4]);
  });

  it('rejects k < 2 and fewer rows than k; deals a class with fewer rows than k over some folds', () => {
    expect(errorOf(() => stratifiedKFold(labels, 100, 1, 0)).code).toBe('USAGE');
    const e = errorOf(() => stratifiedKFold(Int32Array.from([0, 1]), 2, 3, 0));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe('The data has only 2 rows; 3-fold cross-validation needs at least 3.');
    const rare = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1]);
    const folds = stratifiedKFold(rare, 8, 3, 0);
    const testsWithRare = folds.map((f) => [...f.test].filter((i) => rare[i] === 1).length);
    expect(testsWithRare.reduce((a, b) => a + b, 0)).toBe(2);
    expect(testsWithRare.filter((c) => c === 0)).toHaveLength(1);
  });
});
