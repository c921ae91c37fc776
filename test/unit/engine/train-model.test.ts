import { beforeAll, describe, expect, it } from 'vitest';
import type { LayersModel, Tensor, Variable } from '@tensorflow/tfjs';
import { loadTf, type Tf } from '../../../src/engine/tf.js';
import { buildMlp, type HiddenActivation, type MlpSpec } from '../../../src/engine/build-model.js';
import { trainModel, type EpochLog, type TrainData, type TrainOptions } from '../../../src/engine/training/train-loop.js';
import { createRng } from '../../../src/random.js';

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await loadTf('wasm'));
});

/** Three Gaussian blobs in `features` dimensions: separable, so a small MLP reaches ~100%. */
function blobs(n: number, features: number, seed: number, flip = false): TrainData {
  const rng = createRng(seed);
  const x = new Float32Array(n * features);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = flip ? (c + 1) % 3 : c;
    for (let j = 0; j < features; j++) x[i * features + j] = rng.normal() * 0.5 + (j % 3 === c ? 2 : 0);
  }
  return { x, y, n };
}

/** y = x . w + 0.05 noise, standardised-ish */
function linearData(n: number, features: number, seed: number): TrainData {
  const rng = createRng(seed);
  const w = Array.from({ length: features }, () => rng.normal());
  const x = new Float32Array(n * features);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < features; j++) {
      x[i * features + j] = rng.normal();
      s += x[i * features + j] * w[j];
    }
    y[i] = s / Math.sqrt(features) + 0.05 * rng.normal();
  }
  return { x, y, n };
}

const classifier: MlpSpec = { inputSize: 4, outputSize: 3, task: 'classification', hidden: [16, 8], activation: 'relu', dropout: 0, l2: 0 };
const base: TrainOptions = { epochs: 5, batchSize: 16, optimizer: 'adam', learningRate: 0.01, seed: 1 };

function weightBytes(model: LayersModel): Buffer {
  return Buffer.concat(model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).slice().buffer)));
}

function flatWeights(model: LayersModel): Float32Array {
  const parts = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Mean loss of the stock LayersModel on a split: cross-entropy of its softmax output, or MSE. */
function modelLoss(model: LayersModel, data: TrainData, task: 'classification' | 'regression'): { loss: number; acc: number } {
  return tf.tidy(() => {
    const features = data.x.length / data.n;
    const out = model.predict(tf.tensor2d(data.x, [data.n, features])) as Tensor;
    if (task === 'regression') {
      const y = tf.tensor2d(data.y as Float32Array, [data.n, out.shape[1] as number]);
      return { loss: tf.mean(tf.square(tf.sub(out, y))).dataSync()[0], acc: NaN };
    }
    const y = tf.oneHot(tf.tensor1d(data.y as Int32Array, 'int32'), out.shape[1] as number);
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(out)), 1))).dataSync()[0];
    const acc = tf.mean(tf.cast(tf.equal(tf.argMax(out, 1), tf.argMax(y, 1)), 'float32')).dataSync()[0];
    return { loss, acc };
  });
}

/** L2 penalty of the model's kernels: sum over Dense layers of l2 * sum(kernel^2). */
function penalty(model: LayersModel, l2: number): number {
  return tf.tidy(() =>
    model
      .getWeights()
      .filter((w) => w.rank === 2)
      .reduce((s, k) => s + l2 * tf.sum(tf.square(k)).dataSync()[0], 0),
  );
}

/**
 * The gradient of the stock model's training objective (mean data loss + L2 penalty) by TF.js
 * autodiff, in model.getWeights() order, flattened.
 */
function autodiffGradient(model: LayersModel, data: TrainData, task: 'classification' | 'regression', l2: number): Float32Array {
  const vars = model.trainableWeights.map((w) => w.read() as Variable);
  const features = data.x.length / data.n;
  const grads = tf.tidy(() => {
    const x = tf.tensor2d(data.x, [data.n, features]);
    const { grads: g } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true }) as Tensor;
      let loss: Tensor;
      if (task === 'classification') {
        const y = tf.oneHot(tf.tensor1d(data.y as Int32Array, 'int32'), out.shape[1] as number);
        loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(out)), 1)));
      } else {
        loss = tf.mean(tf.square(tf.sub(out, tf.tensor2d(data.y as Float32Array, out.shape as [number, number]))));
      }
      for (const v of vars) if (v.rank === 2) loss = tf.add(loss, tf.mul(l2, tf.sum(tf.square(v))));
      return loss as never;
    }, vars);
    return vars.map((v) => g[v.name].dataSync() as Float32Array);
  });
  const out = new Float32Array(grads.reduce((a, g) => a + g.length, 0));
  let o = 0;
  for (const g of grads) {
    out.set(g, o);
    o += g.length;
  }
  return out;
}

describe('trainModel: gradients', () => {
  const activations: HiddenActivation[] = ['relu', 'relu6', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'softsign', 'linear'];

  // one full-batch SGD step with learning rate 1: the weight change is exactly minus the gradient
  async function stepGradient(spec: MlpSpec, data: TrainData): Promise<{ ours: Float32Array; reference: Float32Array }> {
    const model = buildMlp(tf, spec, 5);
    const reference = autodiffGradient(model, data, spec.task, spec.l2);
    const before = flatWeights(model);
    await trainModel(tf, model, data, { epochs: 1, batchSize: data.n, optimizer: 'sgd', learningRate: 1, seed: 1 });
    const after = flatWeights(model);
    model.dispose();
    return { ours: before.map((w, i) => w - after[i]), reference };
  }

  for (const activation of activations) {
    it(`matches TF.js autodiff of the stock model for ${activation} hidden layers with L2 (classification)`, async () => {
      const data = blobs(40, 4, 2);
      const { ours, reference } = await stepGradient({ ...classifier, activation, l2: 0.01 }, data);
      for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(reference[i], 4);
    });
  }

  it('matches autodiff for a regressor with two outputs', async () => {
    const one = linearData(30, 5, 3);
    const y = new Float32Array(60);
    for (let i = 0; i < 30; i++) {
      y[2 * i] = one.y[i];
      y[2 * i + 1] = -0.5 * one.y[i];
    }
    const data = { x: one.x, y, n: 30 };
    const { ours, reference } = await stepGradient(
      { inputSize: 5, outputSize: 2, task: 'regression', hidden: [6], activation: 'tanh', dropout: 0, l2: 0.02 },
      data,
    );
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(reference[i], 4);
  });

  it('matches autodiff with a batch large enough for the SIMD kernels (no JavaScript loops on wasm)', async () => {
    // 1500 rows: 1500 x 16 hidden and 1500 x 3 outputs are above the JavaScript-loop threshold
    const data = blobs(1500, 4, 6);
    const { ours, reference } = await stepGradient({ ...classifier, l2: 0.01 }, data);
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(reference[i], 4);
  });

  it('matches autodiff with more weights than the JavaScript L2 loop takes', async () => {
    // 100-160-3: 16,643 weights
    const data = blobs(20, 100, 7);
    const { ours, reference } = await stepGradient({ ...classifier, inputSize: 100, hidden: [160], l2: 0.01 }, data);
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(reference[i], 4);
  });

  it('matches autodiff on the cpu backend too (matmuls with transpose flags)', async () => {
    await loadTf('cpu');
    try {
      const { ours, reference } = await stepGradient({ ...classifier, l2: 0.01 }, blobs(40, 4, 2));
      for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(reference[i], 4);
    } finally {
      ({ tf } = await loadTf('wasm'));
    }
  });
});

describe('trainModel: determinism', () => {
  it('gives bit-identical trained weights for the same seed, data and backend (with dropout)', async () => {
    const data = blobs(120, 4, 1);
    const spec = { ...classifier, dropout: 0.3, l2: 0.001 };
    const a = buildMlp(tf, spec, 1);
    const b = buildMlp(tf, spec, 1);
    await trainModel(tf, a, data, { ...base, seed: 9 });
    await trainModel(tf, b, data, { ...base, seed: 9 });
    expect(weightBytes(a).equals(weightBytes(b))).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('gives different trained weights for a different seed (the shuffle order changes)', async () => {
    const data = blobs(120, 4, 1);
    const a = buildMlp(tf, classifier, 1);
    const b = buildMlp(tf, classifier, 1);
    await trainModel(tf, a, data, { ...base, seed: 9 });
    await trainModel(tf, b, data, { ...base, seed: 10 });
    expect(weightBytes(a).equals(weightBytes(b))).toBe(false);
    a.dispose();
    b.dispose();
  });
});

describe('trainModel: learning', () => {
  it('reaches high accuracy on separable classes, in the log and in model.predict', async () => {
    const data = blobs(300, 4, 1);
    const model = buildMlp(tf, classifier, 1);
    const result = await trainModel(tf, model, data, { ...base, epochs: 15 });
    expect(result.history.at(-1)!.acc).toBeGreaterThan(0.9);
    expect(modelLoss(model, data, 'classification').acc).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('still learns with dropout (active only in training)', async () => {
    const data = blobs(300, 4, 1);
    const model = buildMlp(tf, { ...classifier, hidden: [32], dropout: 0.2 }, 1);
    await trainModel(tf, model, data, { ...base, epochs: 15 });
    expect(modelLoss(model, data, 'classification').acc).toBeGreaterThan(0.9);
    const x = tf.tensor2d(data.x.subarray(0, 8), [2, 4]);
    const p1 = (model.predict(x) as Tensor).dataSync();
    const p2 = (model.predict(x) as Tensor).dataSync();
    expect(Array.from(p1)).toEqual(Array.from(p2));
    x.dispose();
    model.dispose();
  });

  it('fits a linear target to a low MSE (regression)', async () => {
    const data = linearData(400, 5, 4);
    const model = buildMlp(tf, { inputSize: 5, outputSize: 1, task: 'regression', hidden: [16], activation: 'relu', dropout: 0, l2: 0 }, 1);
    const result = await trainModel(tf, model, data, { ...base, epochs: 30 });
    expect(result.history.at(-1)!.loss).toBeLessThan(0.05);
    expect(result.history.at(-1)!.mae).toBeLessThan(0.2);
    expect(modelLoss(model, data, 'regression').loss).toBeLessThan(0.05);
    model.dispose();
  });

  for (const optimizer of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
    it(`reduces the loss with ${optimizer}`, async () => {
      const data = blobs(150, 4, 3);
      const model = buildMlp(tf, classifier, 1);
      const lr = optimizer === 'sgd' || optimizer === 'momentum' ? 0.05 : 0.01;
      const { history } = await trainModel(tf, model, data, { ...base, optimizer, learningRate: lr, epochs: 6 });
      expect(history.at(-1)!.loss).toBeLessThan(0.8 * history[0].loss);
      model.dispose();
    });
  }
});

describe('trainModel: logs', () => {
  it('logs the inverse-time decayed learning rate of each epoch', async () => {
    const model = buildMlp(tf, classifier, 1);
    const { history } = await trainModel(tf, model, blobs(60, 4, 1), { ...base, epochs: 4, learningRate: 0.1, decay: 0.5 });
    expect(history.map((h) => h.learningRate)).toEqual([0.1, 0.1 / 1.5, 0.1 / 2, 0.1 / 2.5]);
    model.dispose();
  });

  it('applies the decayed rate: two decayed SGD epochs equal two single epochs at 0.1 then 0.05', async () => {
    const data = blobs(30, 4, 1); // one full batch per epoch, so the shuffle does not change the step
    const full = { ...base, optimizer: 'sgd' as const, batchSize: 30, learningRate: 0.1 };
    const decayed = buildMlp(tf, classifier, 1);
    await trainModel(tf, decayed, data, { ...full, epochs: 2, decay: 1 });
    const stepwise = buildMlp(tf, classifier, 1);
    await trainModel(tf, stepwise, data, { ...full, epochs: 1 });
    await trainModel(tf, stepwise, data, { ...full, epochs: 1, learningRate: 0.05 });
    const a = flatWeights(decayed);
    const b = flatWeights(stepwise);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    decayed.dispose();
    stepwise.dispose();
  });

  it('logs the training loss and accuracy of the epoch (in the shuffled order) including the L2 penalty', async () => {
    // a negligible learning rate: the weights barely move, so the epoch's mean batch loss is the
    // loss of the final model on the training data
    const data = blobs(90, 4, 5);
    const l2 = 0.01;
    const model = buildMlp(tf, { ...classifier, l2 }, 2);
    const { history } = await trainModel(tf, model, data, { ...base, optimizer: 'sgd', learningRate: 1e-9, batchSize: 7, epochs: 2 });
    const expected = modelLoss(model, data, 'classification');
    expect(history[1].loss).toBeCloseTo(expected.loss + penalty(model, l2), 5);
    expect(history[1].acc).toBeCloseTo(expected.acc, 6);
    model.dispose();
  });

  it('logs validation loss and accuracy equal to those of the returned LayersModel', async () => {
    const data = { ...blobs(120, 4, 1), validation: blobs(45, 4, 2) };
    const model = buildMlp(tf, { ...classifier, l2: 0.01 }, 1);
    const { history } = await trainModel(tf, model, data, { ...base, epochs: 3 });
    const expected = modelLoss(model, data.validation, 'classification');
    expect(history.at(-1)!.valLoss).toBeCloseTo(expected.loss, 5); // the data loss only, as tfjs-layers
    expect(history.at(-1)!.valAcc).toBeCloseTo(expected.acc, 6);
    model.dispose();
  });

  it('logs validation MSE and MAE for a regressor', async () => {
    const data = { ...linearData(100, 3, 1), validation: linearData(30, 3, 2) };
    const model = buildMlp(tf, { inputSize: 3, outputSize: 1, task: 'regression', hidden: [8], activation: 'elu', dropout: 0, l2: 0 }, 1);
    const { history } = await trainModel(tf, model, data, { ...base, epochs: 2 });
    expect(history.at(-1)!.valLoss).toBeCloseTo(modelLoss(model, data.validation, 'regression').loss, 5);
    expect(history.at(-1)!.valMae).toBeGreaterThan(0);
    model.dispose();
  });

  it('calls onEpoch once per epoch with increasing elapsed time', async () => {
    const seen: EpochLog[] = [];
    const model = buildMlp(tf, classifier, 1);
    await trainModel(tf, model, blobs(40, 4, 1), { ...base, epochs: 3, onEpoch: (log) => seen.push(log) });
    expect(seen.map((l) => [l.epoch, l.epochs])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(seen[2].elapsedMs).toBeGreaterThanOrEqual(seen[0].elapsedMs);
    model.dispose();
  });
});

describe('trainModel: stopping', () => {
  it('stops early when the validation loss rises and restores the best epoch’s weights', async () => {
    // validation labels are the training labels rotated: the better the fit, the worse val loss
    const train = blobs(90, 4, 1);
    const validation = blobs(45, 4, 2, true);
    const model = buildMlp(tf, classifier, 1);
    const result = await trainModel(tf, model, { ...train, validation }, { ...base, epochs: 30, earlyStopping: { patience: 2 } });
    expect(result.stoppedEarly).toBe(true);
    expect(result.stopReason).toBe('early-stopping');
    expect(result.epochsRun).toBe(result.bestEpoch + 2);
    const valLosses = result.history.map((h) => h.valLoss!);
    expect(Math.min(...valLosses)).toBe(valLosses[result.bestEpoch - 1]);
    // the model holds the best epoch's weights: its validation loss is the best logged one,
    // not the last one
    const restored = modelLoss(model, validation, 'classification').loss;
    expect(restored).toBeCloseTo(valLosses[result.bestEpoch - 1], 5);
    expect(restored).not.toBeCloseTo(valLosses.at(-1)!, 3);
    model.dispose();
  });

  it('stops when shouldStop says so', async () => {
    const model = buildMlp(tf, classifier, 1);
    const result = await trainModel(tf, model, blobs(60, 4, 1), { ...base, epochs: 10, shouldStop: () => true });
    expect(result).toMatchObject({ epochsRun: 1, bestEpoch: 1, stoppedEarly: true, stopReason: 'requested' });
    model.dispose();
  });
});

describe('trainModel: resources and errors', () => {
  it('leaves no tensors behind (validation, early stopping, dropout, L2, every optimizer)', async () => {
    const data = { ...blobs(70, 4, 1), validation: blobs(20, 4, 2) };
    const model = buildMlp(tf, { ...classifier, dropout: 0.2, l2: 0.01 }, 1);
    const before = tf.memory().numTensors;
    for (const optimizer of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
      await trainModel(tf, model, data, { ...base, optimizer, epochs: 3, earlyStopping: { patience: 1 } });
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects labels outside the model’s classes with INVALID_DATA and leaks nothing', async () => {
    const data = blobs(30, 4, 1);
    data.y[5] = 3;
    const model = buildMlp(tf, classifier, 1);
    const before = tf.memory().numTensors;
    await expect(trainModel(tf, model, data, base)).rejects.toMatchObject({
      code: 'INVALID_DATA',
      message: expect.stringContaining('row 6'),
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects a feature array of the wrong length and non-finite features', async () => {
    const model = buildMlp(tf, classifier, 1);
    const data = blobs(30, 4, 1);
    await expect(trainModel(tf, model, { ...data, n: 31 }, base)).rejects.toMatchObject({ code: 'INVALID_DATA' });
    data.x[9] = NaN;
    await expect(trainModel(tf, model, data, base)).rejects.toMatchObject({
      code: 'INVALID_DATA',
      message: expect.stringContaining('row 3, column 2'),
    });
    model.dispose();
  });

  it('fails with a hint when training diverges, leaking nothing', async () => {
    const data = linearData(50, 3, 1);
    for (let i = 0; i < data.y.length; i++) data.y[i] *= 1e3;
    const model = buildMlp(
      tf,
      { inputSize: 3, outputSize: 1, task: 'regression', hidden: [8], activation: 'linear', dropout: 0, l2: 0 },
      1,
    );
    const before = tf.memory().numTensors;
    await expect(trainModel(tf, model, data, { ...base, optimizer: 'sgd', learningRate: 10, epochs: 20 })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('diverged'),
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects a model that is not an mlctl MLP', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', useBias: false })] });
    await expect(trainModel(tf, model, blobs(30, 4, 1), base)).rejects.toMatchObject({ code: 'INVALID_MODEL' });
    model.dispose();
  });
});
