import { beforeAll, describe, expect, it } from 'vitest';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { loadTf, type Tf } from '../../../src/engine/tf.js';
import { buildMlp, type MlpSpec } from '../../../src/engine/build-model.js';
import { predictBatch } from '../../../src/engine/predict.js';
import { createRng } from '../../../src/random.js';

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await loadTf('wasm'));
});

const spec: MlpSpec = { inputSize: 5, outputSize: 3, task: 'classification', hidden: [8, 6], activation: 'relu', dropout: 0.2, l2: 0 };

function rows(n: number, features: number, seed = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * features }, () => rng.normal());
}

function stockPredict(model: LayersModel, x: Float32Array, n: number, features: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x, [n, features])) as Tensor).dataSync() as Float32Array);
}

describe('predictBatch', () => {
  for (const activation of ['relu', 'tanh', 'selu'] as const) {
    it(`returns what model.predict returns for a ${activation} classifier (row-major probabilities)`, () => {
      const model = buildMlp(tf, { ...spec, activation }, 3);
      const x = rows(11, 5);
      const out = predictBatch(tf, model, x, 11, 5);
      expect(out.length).toBe(33);
      const expected = stockPredict(model, x, 11, 5);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i], 6);
      for (let r = 0; r < 11; r++) expect(out[3 * r] + out[3 * r + 1] + out[3 * r + 2]).toBeCloseTo(1, 5);
      model.dispose();
    });
  }

  it('returns standardised values for a regressor', () => {
    const model = buildMlp(tf, { ...spec, task: 'regression', outputSize: 1 }, 3);
    const x = rows(4, 5);
    expect(Array.from(predictBatch(tf, model, x, 4, 5))).toEqual(Array.from(stockPredict(model, x, 4, 5)));
    model.dispose();
  });

  it('gives the same rows whatever the batch size, including one row at a time', () => {
    const model = buildMlp(tf, spec, 2);
    const x = rows(10, 5, 4);
    const whole = predictBatch(tf, model, x, 10, 5);
    expect(Array.from(predictBatch(tf, model, x, 10, 5, { batchSize: 3 }))).toEqual(Array.from(whole));
    expect(Array.from(predictBatch(tf, model, x.subarray(5, 10), 1, 5))).toEqual(Array.from(whole.subarray(3, 6)));
    model.dispose();
  });

  it('falls back to model.predict for a model that is not an mlctl MLP', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [5], units: 4, useBias: false }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    const x = rows(3, 5);
    expect(Array.from(predictBatch(tf, model, x, 3, 5))).toEqual(Array.from(stockPredict(model, x, 3, 5)));
    model.dispose();
  });

  it('handles zero rows', () => {
    const model = buildMlp(tf, spec, 2);
    expect(predictBatch(tf, model, new Float32Array(0), 0, 5).length).toBe(0);
    model.dispose();
  });

  it('rejects a feature count the model does not take with INVALID_DATA', () => {
    const model = buildMlp(tf, spec, 2);
    expect(() => predictBatch(tf, model, rows(2, 4), 2, 4)).toThrow(expect.objectContaining({ code: 'INVALID_DATA' }));
    expect(() => predictBatch(tf, model, rows(2, 5), 3, 5)).toThrow(expect.objectContaining({ code: 'INVALID_DATA' }));
    model.dispose();
  });

  it('leaves no tensors behind', () => {
    const model = buildMlp(tf, spec, 2);
    const before = tf.memory().numTensors;
    predictBatch(tf, model, rows(20, 5), 20, 5, { batchSize: 7 });
    predictBatch(tf, model, rows(1, 5), 1, 5);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
