/**
 * permutationImportance with a known model (a plain function of the encoded row, no TF.js): a
 * column the model ignores scores exactly 0 in every repeat, lower-is-better metrics count an
 * increase as importance, a one-hot column is shuffled as one block, and every permutation is a
 * function of (seed, column, repeat) only.
 */
import { describe, expect, it } from 'vitest';
import { encodeFeatures, encodeTargets, featureSlices, type Signature } from '../../../src/dataset/signature.js';
import { permutationImportance } from '../../../src/lifecycle/explain/importance.js';
import { createRng } from '../../../src/random.js';

/** y = 2·a − b + (colour = red ? 1.5 : 0); c is ignored. Regression, standardised target = raw. */
const SIG: Signature = {
  features: [
    { name: 'a', type: 'numeric', mean: 0, std: 1, fill: 0 },
    { name: 'b', type: 'numeric', mean: 0, std: 1, fill: 0 },
    { name: 'c', type: 'numeric', mean: 0, std: 1, fill: 0 },
    { name: 'colour', type: 'categorical', categories: ['blue', 'red'] },
  ],
  target: { name: 'y', task: 'regression', mean: 0, std: 1 },
  inputSize: 5,
  encodedNames: ['a', 'b', 'c', 'colour=blue', 'colour=red'],
};

function data(n: number) {
  const rng = createRng(3);
  const rows = Array.from({ length: n }, () => ({
    a: rng.normal(),
    b: rng.normal(),
    c: rng.normal(),
    colour: rng.float() < 0.5 ? 'red' : 'blue',
  }));
  const x = encodeFeatures(SIG, rows);
  const y = encodeTargets(
    SIG,
    rows.map((r) => 2 * r.a - r.b + (r.colour === 'red' ? 1.5 : 0)),
  ) as Float32Array;
  return { x, y, n };
}

let calls: number[] = [];
const predict = (x: Float32Array, n: number): Float32Array => {
  calls.push(n);
  return Float32Array.from({ length: n }, (_, r) => 2 * x[r * 5] - x[r * 5 + 1] + 1.5 * x[r * 5 + 4]);
};

describe('permutationImportance', () => {
  const d = data(300);

  it('ranks by how much the model uses each column; an ignored column scores exactly 0', () => {
    calls = [];
    const r = permutationImportance({ predict, signature: SIG, ...d, metric: 'rmse', repeats: 5, seed: 1 });
    expect(r.score).toBeCloseTo(0, 5);
    expect(r.features.map((f) => f.feature)).toEqual(['a', 'b', 'colour', 'c']);
    const c = r.features.find((f) => f.feature === 'c')!;
    expect(c.drops).toEqual([0, 0, 0, 0, 0]);
    expect(c.mean).toBe(0);
    // rmse: lower is better, so a shuffled column's importance is the increase (positive)
    for (const f of r.features.slice(0, 3)) expect(Math.min(...f.drops)).toBeGreaterThan(0);
    // the repeats of a column share one forward pass
    expect(calls).toEqual([300, 1500, 1500, 1500, 1500]);
  });

  it('higher-is-better metrics: importance is the drop of r2', () => {
    const r = permutationImportance({ predict, signature: SIG, ...d, metric: 'r2', repeats: 3, seed: 1 });
    expect(r.score).toBeCloseTo(1, 5);
    expect(r.features[0]).toMatchObject({ feature: 'a' });
    expect(r.features[0].mean).toBeGreaterThan(1);
  });

  it('shuffles a one-hot column as one block: every shuffled row still has exactly one category', () => {
    const seen: Float32Array[] = [];
    permutationImportance({
      predict: (x, n) => {
        if (n > d.n) seen.push(x.slice());
        return predict(x, n);
      },
      signature: SIG,
      ...d,
      metric: 'rmse',
      repeats: 2,
      seed: 4,
    });
    const colour = featureSlices(SIG).find((s) => s.name === 'colour')!;
    expect(colour).toMatchObject({ start: 3, width: 2 });
    const shuffledColour = seen[3];
    for (let r = 0; r < shuffledColour.length / 5; r++) expect(shuffledColour[r * 5 + 3] + shuffledColour[r * 5 + 4]).toBe(1);
    // the other columns are untouched in that pass
    for (let r = 0; r < d.n; r++) expect(shuffledColour[r * 5]).toBe(d.x[r * 5]);
  });

  it('is a function of the seed: same seed, same drops; another seed, other drops', () => {
    const run = (seed: number) => permutationImportance({ predict, signature: SIG, ...d, metric: 'mae', repeats: 4, seed });
    expect(run(9)).toEqual(run(9));
    expect(run(9).features.map((f) => f.drops)).not.toEqual(run(10).features.map((f) => f.drops));
  });
});
