import { describe, expect, it } from 'vitest';
import { isPruningStep, polynomialSparsity, sparsityPerEpoch } from '../../../../src/engine/compress/sparsity-schedule.js';

describe("Zhu & Gupta's polynomial sparsity schedule", () => {
  const s = { initialSparsity: 0.1, finalSparsity: 0.9, beginStep: 10, endStep: 30 };

  it('starts at the initial sparsity, ends at the final one and stays there', () => {
    expect(polynomialSparsity(0, s)).toBeCloseTo(0.1, 12);
    expect(polynomialSparsity(10, s)).toBeCloseTo(0.1, 12);
    expect(polynomialSparsity(30, s)).toBeCloseTo(0.9, 12);
    expect(polynomialSparsity(100, s)).toBeCloseTo(0.9, 12);
  });

  it('is cubic: at half way it has covered 7/8 of the distance', () => {
    // s_f + (s_i − s_f)(1 − 0.5)^3 = 0.9 − 0.8/8
    expect(polynomialSparsity(20, s)).toBeCloseTo(0.8, 12);
    expect(polynomialSparsity(20, { ...s, power: 1 })).toBeCloseTo(0.5, 12);
  });

  it('rises monotonically and fastest at the start', () => {
    let prev = -1;
    let prevStep = Infinity;
    for (let t = 10; t <= 30; t++) {
      const v = polynomialSparsity(t, s);
      expect(v).toBeGreaterThanOrEqual(prev);
      if (prev >= 0) {
        expect(v - prev).toBeLessThanOrEqual(prevStep + 1e-12);
        prevStep = v - prev;
      }
      prev = v;
    }
  });

  it('prunes every `frequency` steps in the window and at its end', () => {
    const steps = Array.from({ length: 40 }, (_, t) => t).filter((t) => isPruningStep(t, { ...s, frequency: 7 }));
    expect(steps).toEqual([10, 17, 24, 30]);
  });

  it('gives one target per fine-tuning epoch', () => {
    expect(sparsityPerEpoch('constant', 0.8, 3)).toEqual([0.8, 0.8, 0.8]);
    const poly = sparsityPerEpoch('polynomial', 0.8, 5);
    expect(poly[0]).toBe(0);
    expect(poly[4]).toBeCloseTo(0.8, 12);
    expect(poly[2]).toBeCloseTo(0.8 - 0.8 / 8, 12);
  });
});
