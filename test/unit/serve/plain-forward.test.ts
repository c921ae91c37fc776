/**
 * The plain-JS forward pass against TF.js itself (cpu backend): for every layer and activation it
 * claims to run, on models with seeded random weights, outputs agree within 1e-5; everything else
 * is refused with a reason.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTf, type Tf } from '../../../src/engine/tf.js';
import { createRng } from '../../../src/random.js';
import { compilePlainForward, type NamedWeight } from '../../../src/serve/plain-forward.js';

let tf: Tf;
beforeAll(async () => {
  tf = (await loadTf('cpu')).tf;
});

/** Seeded weights (variances positive), then the topology and named weights as model.json has them. */
function artifacts(model: tfTypes.LayersModel, seed = 1): { topology: unknown; weights: NamedWeight[] } {
  const rng = createRng(seed);
  model.setWeights(
    model.weights.map((w) => {
      const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const positive = w.originalName.endsWith('moving_variance');
      return tf.tensor(
        Float32Array.from({ length: n }, () => (positive ? rng.uniform(0.2, 2) : rng.uniform(-1.5, 1.5))),
        w.shape as number[],
      );
    }),
  );
  return {
    topology: model.toJSON(null, false),
    weights: model.weights.map((w) => ({
      name: w.originalName,
      shape: w.shape as number[],
      values: Float32Array.from(w.read().dataSync()),
    })),
  };
}

function compareWithTf(model: tfTypes.LayersModel, inputSize: number, rows = 37): number {
  const { topology, weights } = artifacts(model);
  const compiled = compilePlainForward(topology, weights);
  if (!compiled.ok) throw new Error(`not compiled: ${compiled.reason}`);
  const rng = createRng(7);
  const x = Float32Array.from({ length: rows * inputSize }, () => rng.normal() * 2);
  const expected = (model.predict(tf.tensor2d(x, [rows, inputSize])) as tfTypes.Tensor).dataSync();
  const got = compiled.forward.run(x, rows);
  expect(got.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - expected[i]));
  return max;
}

const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'hardSigmoid',
  'softplus',
  'softsign',
  'swish',
  'mish',
  'softmax',
] as const;

describe('compilePlainForward matches TF.js', () => {
  it.each(ACTIVATIONS)('Dense with %s', (activation) => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 7, inputShape: [5], activation: activation as never }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    expect(compareWithTf(m, 5)).toBeLessThan(1e-5);
  });

  it('an mlctl-shaped MLP with dropout, no bias on one layer, and a 1-row call', () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 16, inputShape: [4], activation: 'relu' }));
    m.add(tf.layers.dropout({ rate: 0.3 }));
    m.add(tf.layers.dense({ units: 16, activation: 'tanh', useBias: false }));
    m.add(tf.layers.dense({ units: 1 }));
    expect(compareWithTf(m, 4)).toBeLessThan(1e-5);
    expect(compareWithTf(m, 4, 1)).toBeLessThan(1e-5);
  });

  it('Activation, ReLU(maxValue), LeakyReLU, Softmax and BatchNormalization layers', () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 8, inputShape: [6] }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.activation({ activation: 'elu' }));
    m.add(tf.layers.dense({ units: 8 }));
    m.add(tf.layers.reLU({ maxValue: 0.8 }));
    m.add(tf.layers.dense({ units: 8 }));
    m.add(tf.layers.leakyReLU({ alpha: 0.1 }));
    m.add(tf.layers.dense({ units: 4 }));
    m.add(tf.layers.softmax());
    expect(compareWithTf(m, 6)).toBeLessThan(1e-5);
  });

  it('a functional model that is a single chain', () => {
    const input = tf.input({ shape: [3] });
    const h = tf.layers.dense({ units: 5, activation: 'sigmoid' }).apply(input) as tfTypes.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(h) as tfTypes.SymbolicTensor;
    expect(compareWithTf(tf.model({ inputs: input, outputs: out }), 3)).toBeLessThan(1e-5);
  });
});

describe('compilePlainForward refuses what it cannot run exactly', () => {
  const refused = (model: tfTypes.LayersModel) => {
    const { topology, weights } = artifacts(model);
    const r = compilePlainForward(topology, weights);
    expect(r.ok).toBe(false);
    return (r as { reason: string }).reason;
  };

  it('a convolutional model', () => {
    const m = tf.sequential();
    m.add(tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [6, 1] }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 2 }));
    expect(refused(m)).toBe('the input is not a flat vector');
  });

  it('a branching functional graph', () => {
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 3 }).apply(input) as tfTypes.SymbolicTensor;
    const b = tf.layers.dense({ units: 3 }).apply(input) as tfTypes.SymbolicTensor;
    const sum = tf.layers.add().apply([a, b]) as tfTypes.SymbolicTensor;
    expect(refused(tf.model({ inputs: input, outputs: sum }))).toMatch(/not fed by the layer before it/);
  });

  it('an activation it does not implement, and a layer it does not know', () => {
    const g = tf.sequential();
    g.add(tf.layers.dense({ units: 3, inputShape: [4], activation: 'gelu' as never }));
    expect(refused(g)).toMatch(/uses the activation "gelu"/);
    const n = tf.sequential();
    n.add(tf.layers.dense({ units: 3, inputShape: [4] }));
    n.add(tf.layers.layerNormalization());
    expect(refused(n)).toMatch(/is a LayerNormalization/);
  });

  it('weights that do not fit the layers', () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 3, inputShape: [4] }));
    const { topology, weights } = artifacts(m);
    expect(compilePlainForward(topology, weights.slice(1))).toEqual({
      ok: false,
      reason: 'no 2-D kernel for layer "' + m.layers[0].name + '"',
    });
  });
});
