import { describe, expect, it } from 'vitest';
import { applyMasks, magnitudePrune, smallestMask } from '../../../../src/engine/compress/magnitude-prune.js';
import type { NamedWeight } from '../../../../src/engine/compress/named-weight.js';
import { createRng } from '../../../../src/random.js';

function weight(name: string, shape: number[], seed: number): NamedWeight {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, values: Float32Array.from({ length: n }, () => rng.uniform(-1, 1)) };
}

const zerosIn = (v: Float32Array) => v.reduce((a, x) => a + (x === 0 ? 1 : 0), 0);

function model(): NamedWeight[] {
  return [
    weight('dense_1/kernel', [13, 7], 1),
    weight('dense_1/bias', [7], 2),
    weight('bn/gamma', [7], 3),
    weight('bn/moving_variance', [7], 4),
    { ...weight('dense_2/kernel', [7, 3], 5), values: weight('dense_2/kernel', [7, 3], 5).values.map((x) => x * 10) },
    weight('dense_2/bias', [3], 6),
  ];
}

describe('magnitude pruning', () => {
  it('per layer: each kernel reaches the target within one weight and keeps its largest weights', () => {
    for (const sparsity of [0, 0.1, 0.33, 0.5, 0.8, 0.95]) {
      const input = model();
      const { weights, masks } = magnitudePrune(input, { criterion: { sparsity }, perLayer: true });
      for (const name of ['dense_1/kernel', 'dense_2/kernel']) {
        const before = input.find((w) => w.name === name)!;
        const after = weights.find((w) => w.name === name)!;
        const zeros = zerosIn(after.values);
        expect(Math.abs(zeros - sparsity * before.values.length), `${name} at ${sparsity}`).toBeLessThanOrEqual(1);
        // every kept weight is at least as large as every pruned one
        let maxPruned = 0;
        let minKept = Infinity;
        after.values.forEach((v, i) => {
          const m = Math.abs(before.values[i]);
          if (v === 0) maxPruned = Math.max(maxPruned, m);
          else minKept = Math.min(minKept, m);
          if (v !== 0) expect(v).toBe(before.values[i]); // kept weights are unchanged
        });
        expect(maxPruned).toBeLessThanOrEqual(minKept);
        expect(Array.from(masks.get(name)!).map((m, i) => (m === 0) === (after.values[i] === 0))).not.toContain(false);
      }
    }
  });

  it('never touches biases or normalisation parameters', () => {
    const input = model();
    const { weights, masks } = magnitudePrune(input, { criterion: { sparsity: 0.9 } });
    for (const name of ['dense_1/bias', 'bn/gamma', 'bn/moving_variance', 'dense_2/bias']) {
      expect(weights.find((w) => w.name === name)!.values).toBe(input.find((w) => w.name === name)!.values);
      expect(masks.has(name)).toBe(false);
    }
  });

  it('global: one cut over all kernels, so the larger-valued layer keeps more of its weights', () => {
    const input = model();
    const { weights } = magnitudePrune(input, { criterion: { sparsity: 0.6 } });
    const k1 = weights.find((w) => w.name === 'dense_1/kernel')!.values;
    const k2 = weights.find((w) => w.name === 'dense_2/kernel')!.values;
    const total = k1.length + k2.length;
    expect(zerosIn(k1) + zerosIn(k2)).toBe(Math.round(0.6 * total));
    expect(zerosIn(k2) / k2.length).toBeLessThan(zerosIn(k1) / k1.length);
  });

  it('breaks ties at the cut by position so the count is exact', () => {
    const values = Float32Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1]);
    const [mask] = smallestMask([values], 0.3);
    expect(Array.from(mask)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('keeps weights that are already zero pruned, even beyond the target', () => {
    const values = Float32Array.from([0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4]);
    const { weights } = magnitudePrune([{ name: 'd/kernel', shape: [8], values }], { criterion: { sparsity: 0.25 } });
    expect(Array.from(weights[0].values)).toEqual(Array.from(values));
  });

  it('threshold: |w| < eps becomes 0, |w| ≥ eps stays', () => {
    const values = Float32Array.from([-0.2, -0.04, 0.049, 0.05, 0.3]);
    const eps = Math.fround(0.05); // exactly the float32 value of values[3]
    const { weights } = magnitudePrune([{ name: 'd/kernel', shape: [5], values }], { criterion: { threshold: eps } });
    expect(Array.from(weights[0].values)).toEqual([values[0], 0, 0, values[3], values[4]]);
  });

  it('leaves excluded kernels alone', () => {
    const input = model();
    const { weights } = magnitudePrune(input, { criterion: { sparsity: 0.5 }, exclude: new Set(['dense_2/kernel']) });
    expect(zerosIn(weights.find((w) => w.name === 'dense_2/kernel')!.values)).toBe(0);
    expect(zerosIn(weights.find((w) => w.name === 'dense_1/kernel')!.values)).toBe(Math.round(0.5 * 91));
  });

  it('refuses a sparsity outside [0, 1) and a negative threshold', () => {
    for (const sparsity of [1, 1.5, -0.1, NaN]) {
      expect(() => magnitudePrune(model(), { criterion: { sparsity } })).toThrow(/--sparsity must be in \[0, 1\)/);
    }
    expect(() => magnitudePrune(model(), { criterion: { threshold: -0.01 } })).toThrow(/--threshold must be a number ≥ 0/);
  });

  it('applyMasks zeroes masked positions without changing the inputs', () => {
    const w = weight('d/kernel', [4], 9);
    const copy = Float32Array.from(w.values);
    const [out] = applyMasks([w], new Map([['d/kernel', Uint8Array.from([1, 0, 1, 0])]]));
    expect(Array.from(out.values)).toEqual([copy[0], 0, copy[2], 0]);
    expect(Array.from(w.values)).toEqual(Array.from(copy));
  });
});
