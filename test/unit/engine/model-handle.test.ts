import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createMlp, openModel, type ModelHandle, type TrainData } from '../../../src/engine/model-handle.js';
import { loadTf } from '../../../src/engine/tf.js';
import { saveLayersModelToDir } from '../../../src/engine/load-model.js';
import { createRng } from '../../../src/random.js';
import { createTinyModelDir, type TinyModel } from '../../helpers/tiny-model.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let work: string;
let tiny: TinyModel;
beforeAll(async () => {
  work = await makeTmpDir('mlctl-handle-');
  tiny = await createTinyModelDir(path.join(work, 'tiny'), { seed: 3 });
});
afterAll(() => removeTmpDir(work));

const ROWS = [
  [0.1, 0.2, 0.3, 0.4],
  [1, -1, 0.5, 2],
  [-0.3, 0.8, 0, 1.5],
];

function blobs(n: number, features: number, seed: number): TrainData {
  const rng = createRng(seed);
  const x = new Float32Array(n * features);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < features; j++) x[i * features + j] = rng.normal() * 0.5 + (j % 3 === i % 3 ? 2 : 0);
  }
  return { x, y, n };
}

/** 1 where |w| is at least the median of the kernel, else 0 (a 50% pruning mask). */
function halfMask(values: Float32Array): Float32Array {
  const sorted = Float32Array.from(values, Math.abs).sort();
  const cut = sorted[Math.floor(sorted.length / 2)];
  return Float32Array.from(values, (v) => (Math.abs(v) >= cut ? 1 : 0));
}

describe('openModel', () => {
  it('describes the model and predicts what the saved model predicted', async () => {
    const h = await openModel(tiny.dir, 'cpu');
    try {
      expect(h).toMatchObject({
        rowSize: 4,
        outputSize: 3,
        isMlp: true,
        task: 'classification',
        backend: 'cpu',
        parameters: 4 * 8 + 8 + 8 * 3 + 3,
      });
      expect(h.inputShapes).toEqual([[null, 4]]);
      const out = h.predict(Float32Array.from(ROWS.flat()), 3);
      const want = await tiny.predict(ROWS);
      want.flat().forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    } finally {
      h.dispose();
    }
  });

  it('reads weights by their manifest names and writes them back', async () => {
    const h = await openModel(tiny.dir, 'cpu');
    try {
      const weights = h.readWeights();
      expect(weights.map((w) => [w.name, w.shape])).toEqual([
        ['dense_1/kernel', [4, 8]],
        ['dense_1/bias', [8]],
        ['dense_2/kernel', [8, 3]],
        ['dense_2/bias', [3]],
      ]);
      const x = Float32Array.from(ROWS.flat());
      const before = h.predict(x, 3);
      // zeroing the output layer's kernel makes every row predict softmax(bias)
      h.writeWeights([{ name: 'dense_2/kernel', shape: [8, 3], values: new Float32Array(24) }]);
      const after = h.predict(x, 3);
      expect(Array.from(after.subarray(0, 3))).toEqual(Array.from(after.subarray(3, 6)));
      expect(after[0]).not.toBeCloseTo(before[0], 6);
      expect(h.readWeights()[2].values.every((v) => v === 0)).toBe(true);
      // the other weights are untouched
      expect(h.readWeights()[0].values).toEqual(weights[0].values);
    } finally {
      h.dispose();
    }
  });

  it('refuses a weight it does not have, or of the wrong shape', async () => {
    const h = await openModel(tiny.dir, 'cpu');
    try {
      expect(() => h.writeWeights([{ name: 'dense_9/kernel', shape: [1], values: new Float32Array(1) }])).toThrow(
        'The model has no weight named "dense_9/kernel".',
      );
      expect(() => h.writeWeights([{ name: 'dense_1/bias', shape: [7], values: new Float32Array(7) }])).toThrow(
        `Weight "dense_1/bias" has shape [7] (7 values); the model's is [8].`,
      );
    } finally {
      h.dispose();
    }
  });

  it('saves a stock model that opens with the same predictions; refuses use after dispose', async () => {
    const h = await openModel(tiny.dir, 'cpu');
    const x = Float32Array.from(ROWS.flat());
    const out = h.predict(x, 3);
    await h.save(path.join(work, 'copy'));
    h.dispose();
    expect(() => h.predict(x, 3)).toThrow('used after dispose()');
    const again = await openModel(path.join(work, 'copy'), 'cpu');
    expect(Array.from(again.predict(x, 3))).toEqual(Array.from(out));
    again.dispose();
  });
});

describe('ModelHandle.fit', () => {
  const spec = {
    inputSize: 6,
    outputSize: 3,
    task: 'classification' as const,
    hidden: [12],
    activation: 'relu' as const,
    dropout: 0,
    l2: 0,
  };
  const options = { epochs: 8, batchSize: 16, optimizer: 'adam' as const, learningRate: 0.02, seed: 5 };

  it('continues training an existing MLP and keeps masked weights exactly zero', async () => {
    const h = await createMlp(spec, 1, 'wasm');
    try {
      const kernel = h.readWeights()[0];
      const mask = halfMask(kernel.values);
      const data = blobs(120, 6, 2);
      const result = await h.fit(data, { ...options, mask: { [kernel.name]: mask } });
      expect(result.epochsRun).toBe(8);
      expect(result.history[7].loss).toBeLessThan(result.history[0].loss);
      const trained = h.readWeights()[0].values;
      let zeros = 0;
      mask.forEach((m, i) => {
        if (m === 0) {
          expect(trained[i]).toBe(0);
          zeros++;
        } else if (trained[i] === 0) throw new Error('a free weight is exactly 0');
      });
      expect(zeros).toBe(36);
      // an unknown weight name in the mask is refused before training
      await expect(h.fit(data, { ...options, mask: { 'dense_7/kernel': mask } })).rejects.toThrow('dense_7/kernel');
    } finally {
      h.dispose();
    }
  });

  it('takes a new mask per epoch (sparsity rising during fine-tuning)', async () => {
    const h = await createMlp(spec, 1, 'wasm');
    try {
      const kernel = h.readWeights()[0];
      const half = halfMask(kernel.values);
      const seen: number[] = [];
      await h.fit(blobs(60, 6, 3), {
        ...options,
        epochs: 3,
        maskForEpoch: (epoch) => {
          seen.push(epoch);
          return epoch === 3 ? { [kernel.name]: new Float32Array(kernel.values.length) } : { [kernel.name]: half };
        },
      });
      expect(seen).toEqual([1, 2, 3]);
      expect(h.readWeights()[0].values.every((v) => v === 0)).toBe(true);
    } finally {
      h.dispose();
    }
  });

  it('fine-tunes a model that is not an MLP (convolutional) with model.fit, keeping masked weights zero', async () => {
    const { tf } = await loadTf('cpu');
    const model = tf.sequential();
    model.add(tf.layers.conv1d({ name: 'conv', inputShape: [6, 1], filters: 4, kernelSize: 3, activation: 'relu' }));
    model.add(tf.layers.flatten({ name: 'flat' }));
    model.add(tf.layers.dense({ name: 'out', units: 3, activation: 'softmax' }));
    const dir = path.join(work, 'conv');
    await saveLayersModelToDir(model, dir);
    model.dispose();
    const h = await openModel(dir, 'cpu');
    try {
      expect(h).toMatchObject({ isMlp: false, rowSize: 6, outputSize: 3 });
      const kernel = h.readWeights().find((w) => w.name === 'out/kernel')!;
      const mask = halfMask(kernel.values);
      const result = await h.fit(blobs(90, 6, 4), { ...options, epochs: 6, mask: { 'out/kernel': mask }, earlyStopping: { patience: 10 } });
      expect(result.history).toHaveLength(6);
      expect(result.history[5].loss).toBeLessThan(result.history[0].loss);
      const trained = h.readWeights().find((w) => w.name === 'out/kernel')!.values;
      mask.forEach((m, i) => m === 0 && expect(trained[i]).toBe(0));
      expect(trained.some((v, i) => mask[i] === 1 && v !== kernel.values[i])).toBe(true);
    } finally {
      h.dispose();
    }
  });
});

describe('createMlp', () => {
  it('gives the same weights for the same seed and different ones for another', async () => {
    const spec = { inputSize: 3, outputSize: 1, task: 'regression' as const, hidden: [4], activation: 'tanh' as const, dropout: 0, l2: 0 };
    const flat = (h: ModelHandle) => h.readWeights().flatMap((w) => Array.from(w.values));
    const [a, b, c] = await Promise.all([createMlp(spec, 9, 'cpu'), createMlp(spec, 9, 'cpu'), createMlp(spec, 10, 'cpu')]);
    expect(flat(a)).toEqual(flat(b));
    expect(flat(a)).not.toEqual(flat(c));
    [a, b, c].forEach((h) => h.dispose());
  });
});
