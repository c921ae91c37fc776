/**
 * Integrated gradients through the model handle: completeness (attributions sum to
 * f(x) − f(baseline) within 1%) for classifiers and regressors with several activations, the
 * exact answer for a linear model, adaptive steps, and the imported (non-MLP) path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createMlp, openModel, type ModelHandle } from '../../../src/engine/model-handle.js';
import { createRng } from '../../../src/random.js';
import { createTinyModelDir } from '../../helpers/tiny-model.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

function randomRows(n: number, width: number, seed: number, scale = 2): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * width }, () => rng.normal() * scale);
}

function argmax(out: Float32Array, k: number, r: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (out[r * k + c] > out[r * k + best]) best = c;
  return best;
}

const handles: ModelHandle[] = [];
let work: string;
beforeAll(async () => {
  work = await makeTmpDir('mlctl-ig-');
});
afterAll(async () => {
  for (const h of handles) h.dispose();
  await removeTmpDir(work);
});

describe('integratedGradients', () => {
  for (const activation of ['relu', 'tanh', 'elu'] as const) {
    it(`sums to f(x) − f(baseline) within 1% on every row (classifier, ${activation})`, async () => {
      const h = await createMlp(
        { inputSize: 7, outputSize: 3, task: 'classification', hidden: [16, 8], activation, dropout: 0.2, l2: 0 },
        11,
        'cpu',
      );
      handles.push(h);
      const n = 40;
      const x = randomRows(n, 7, 5);
      const out = h.predict(x, n);
      const outputs = Int32Array.from({ length: n }, (_, r) => argmax(out, 3, r));
      const baseline = Float32Array.from({ length: 7 }, (_, i) => 0.1 * i);
      const ig = h.integratedGradients(x, n, { baseline, outputs });
      const base = h.predict(baseline, 1);
      for (let r = 0; r < n; r++) {
        const sum = ig.attributions.slice(r * 7, r * 7 + 7).reduce((a, b) => a + b, 0);
        const delta = out[r * 3 + outputs[r]] - base[outputs[r]];
        expect(ig.prediction[r]).toBeCloseTo(out[r * 3 + outputs[r]], 5);
        expect(ig.baselinePrediction[r]).toBeCloseTo(base[outputs[r]], 5);
        expect(Math.abs(sum - delta)).toBeLessThanOrEqual(0.01 * Math.max(Math.abs(delta), 1e-3) + 1e-6);
        expect(ig.error[r]).toBeLessThanOrEqual(0.01);
      }
    });
  }

  it('is exact for a linear model: attribution = weight × (x − baseline), in one step', async () => {
    const h = await createMlp(
      { inputSize: 4, outputSize: 1, task: 'regression', hidden: [], activation: 'relu', dropout: 0, l2: 0 },
      3,
      'cpu',
    );
    handles.push(h);
    const kernel = h.readWeights()[0].values;
    const x = Float32Array.from([1, -2, 0.5, 3]);
    const baseline = Float32Array.from([0.5, 0.5, 0.5, 0.5]);
    const ig = h.integratedGradients(x, 1, { baseline, outputs: Int32Array.from([0]), minSteps: 1 });
    expect(ig.steps[0]).toBe(1);
    for (let i = 0; i < 4; i++) expect(ig.attributions[i]).toBeCloseTo(kernel[i] * (x[i] - baseline[i]), 5);
  });

  it('adds steps only where the first pass misses, and says how many each row used', async () => {
    const h = await createMlp(
      { inputSize: 5, outputSize: 2, task: 'classification', hidden: [32, 32], activation: 'relu', dropout: 0, l2: 0 },
      4,
      'cpu',
    );
    handles.push(h);
    const n = 20;
    const x = randomRows(n, 5, 9, 6);
    const outputs = new Int32Array(n);
    const coarse = h.integratedGradients(x, n, { baseline: new Float32Array(5), outputs, minSteps: 2, maxSteps: 2 });
    const fine = h.integratedGradients(x, n, { baseline: new Float32Array(5), outputs, minSteps: 2 });
    expect(Math.max(...coarse.error)).toBeGreaterThan(0.01);
    expect(Math.max(...fine.error)).toBeLessThanOrEqual(0.01);
    expect(Math.max(...fine.steps)).toBeGreaterThan(2);
    expect(Math.min(...fine.steps)).toBeLessThan(Math.max(...fine.steps));
  });

  it('explains a model that is not an mlctl MLP (an imported layers model) per input element', async () => {
    const tiny = await createTinyModelDir(path.join(work, 'tiny'), { seed: 2, inputSize: 4, units: [6, 3] });
    const h = await openModel(tiny.dir, 'cpu');
    handles.push(h);
    const x = randomRows(3, 4, 1);
    const out = h.predict(x, 3);
    const outputs = Int32Array.from({ length: 3 }, (_, r) => argmax(out, 3, r));
    const ig = h.integratedGradients(x, 3, { baseline: new Float32Array(4), outputs });
    expect(ig.attributions).toHaveLength(12);
    for (let r = 0; r < 3; r++) expect(ig.error[r]).toBeLessThanOrEqual(0.01);
  });
});
