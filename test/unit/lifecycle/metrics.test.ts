import { describe, expect, it } from 'vitest';
import { argmaxRows, classificationMetrics, regressionMetrics } from '../../../src/lifecycle/metrics.js';

describe('classificationMetrics', () => {
  // truth: a a a b b c ; predicted: a a b b c c
  const m = classificationMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['a', 'b', 'c']);

  it('accuracy is the share of correct predictions', () => {
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it('confusion matrix counts [true][predicted]', () => {
    expect(m.confusionMatrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
  });

  it('per-class precision, recall and F1 match the hand computation', () => {
    const [a, b, c] = m.perClass;
    expect(a).toMatchObject({ label: 'a', precision: 1, recall: 2 / 3, support: 3 });
    expect(a.f1).toBeCloseTo(0.8, 12);
    expect(b).toMatchObject({ precision: 0.5, recall: 0.5, support: 2 });
    expect(c).toMatchObject({ precision: 0.5, recall: 1, support: 1 });
    expect(m.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });

  it('a class never predicted has precision 0, not NaN', () => {
    const r = classificationMetrics([0, 1], [0, 0], ['x', 'y']);
    expect(r.perClass[1].precision).toBe(0);
    expect(Number.isNaN(r.macroF1)).toBe(false);
  });
});

describe('regressionMetrics', () => {
  it('MAE, RMSE and R² match the definitions', () => {
    const r = regressionMetrics([1, 2, 3, 4], [1.5, 2, 2.5, 5]);
    expect(r.mae).toBeCloseTo((0.5 + 0 + 0.5 + 1) / 4, 12);
    expect(r.rmse).toBeCloseTo(Math.sqrt((0.25 + 0 + 0.25 + 1) / 4), 12);
    expect(r.r2).toBeCloseTo(1 - 1.5 / 5, 12);
  });

  it('a perfect prediction has R² 1', () => {
    expect(regressionMetrics([3, 1, 2], [3, 1, 2]).r2).toBe(1);
  });
});

describe('argmaxRows', () => {
  it('picks the first maximum per row', () => {
    expect(Array.from(argmaxRows(Float32Array.from([0.2, 0.5, 0.3, 0.4, 0.4, 0.2]), 3))).toEqual([1, 0]);
  });
});
