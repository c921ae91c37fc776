import { beforeAll, describe, expect, it } from 'vitest';
import type { LayersModel } from '@tensorflow/tfjs';
import { loadTf, type Tf } from '../../../src/engine/tf.js';
import { buildMlp, describeMlp, type MlpSpec } from '../../../src/engine/build-model.js';
import { MlctlError } from '../../../src/errors.js';

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await loadTf('wasm'));
});

const spec: MlpSpec = {
  inputSize: 6,
  outputSize: 3,
  task: 'classification',
  hidden: [8, 5],
  activation: 'relu',
  dropout: 0,
  l2: 0,
};

function weightBytes(model: LayersModel): Buffer[] {
  return model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer.slice(0)));
}

describe('buildMlp', () => {
  it('gives bit-identical initial weights for the same seed', () => {
    const a = buildMlp(tf, spec, 7);
    const b = buildMlp(tf, spec, 7);
    expect(weightBytes(a)).toEqual(weightBytes(b));
    a.dispose();
    b.dispose();
  });

  it('gives different initial weights for a different seed', () => {
    const a = buildMlp(tf, spec, 7);
    const b = buildMlp(tf, spec, 8);
    expect(weightBytes(a)[0].equals(weightBytes(b)[0])).toBe(false);
    a.dispose();
    b.dispose();
  });

  it('builds Dense layers with softmax output for classification and zero biases', () => {
    const model = buildMlp(tf, spec, 1);
    const dense = model.layers.map((l) => l.getConfig() as { units: number; activation: string });
    expect(dense.map((c) => c.units)).toEqual([8, 5, 3]);
    expect(dense.map((c) => c.activation)).toEqual(['relu', 'relu', 'softmax']);
    const weights = model.getWeights();
    expect(weights.map((w) => w.shape)).toEqual([[6, 8], [8], [8, 5], [5], [5, 3], [3]]);
    for (const bias of [weights[1], weights[3], weights[5]]) expect(Array.from(bias.dataSync())).toEqual(new Array(bias.size).fill(0));
    model.dispose();
  });

  it('draws relu kernels from He uniform and the output kernel from Glorot uniform', () => {
    const model = buildMlp(tf, { ...spec, hidden: [64] }, 3);
    const [k1, , k2] = model.getWeights();
    const max = (t: { dataSync(): ArrayLike<number> }): number => Math.max(...Array.from(t.dataSync(), Math.abs));
    const he = Math.sqrt(6 / 6);
    const glorot = Math.sqrt(6 / (64 + 3));
    expect(max(k1)).toBeLessThanOrEqual(he);
    expect(max(k1)).toBeGreaterThan(0.9 * he); // 384 draws: the largest is close to the limit
    expect(max(k2)).toBeLessThanOrEqual(glorot);
    expect(max(k2)).toBeGreaterThan(0.9 * glorot);
    model.dispose();
  });

  it('ends a regressor with a linear layer of outputSize units', () => {
    const model = buildMlp(tf, { ...spec, task: 'regression', outputSize: 1, activation: 'tanh' }, 1);
    const configs = model.layers.map((l) => l.getConfig() as { activation: string; units: number });
    expect(configs.at(-1)).toMatchObject({ activation: 'linear', units: 1 });
    expect(configs[0].activation).toBe('tanh');
    model.dispose();
  });

  it('adds a Dropout layer after each hidden layer and an L2 kernel regulariser on every Dense layer', () => {
    const model = buildMlp(tf, { ...spec, dropout: 0.25, l2: 0.01 }, 1);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
    const regs = model.layers
      .filter((l) => l.getClassName() === 'Dense')
      .map((l) => (l.getConfig() as { kernelRegularizer: { config: { l2: number } } }).kernelRegularizer.config.l2);
    expect(regs).toEqual([0.01, 0.01, 0.01]);
    model.dispose();
  });

  it('names layers and weights independently of other models in the process', () => {
    const a = buildMlp(tf, spec, 1);
    const b = buildMlp(tf, spec, 1);
    expect(b.layers.map((l) => l.name)).toEqual(['dense_1', 'dense_2', 'dense_3']);
    expect(b.weights.map((w) => w.originalName)).toEqual(a.weights.map((w) => w.originalName));
    a.dispose();
    b.dispose();
  });

  it('rejects an impossible spec with a USAGE error', () => {
    const bad: Partial<MlpSpec>[] = [
      { inputSize: 0 },
      { outputSize: 1 }, // a classifier needs 2 classes
      { hidden: [8, 0] },
      { dropout: 1 },
      { l2: -1 },
      { activation: 'swish' as MlpSpec['activation'] },
    ];
    for (const patch of bad) {
      const call = (): LayersModel => buildMlp(tf, { ...spec, ...patch }, 1);
      expect(call).toThrow(MlctlError);
      try {
        call();
      } catch (e) {
        expect((e as MlctlError).code).toBe('USAGE');
      }
    }
  });

  it('does not leak tensors', () => {
    const before = tf.memory().numTensors;
    const model = buildMlp(tf, { ...spec, dropout: 0.1, l2: 0.1 }, 1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('describeMlp', () => {
  it('reads back the plan of a built MLP', () => {
    const model = buildMlp(tf, { ...spec, dropout: 0.5, l2: 0.001, activation: 'elu' }, 1);
    expect(describeMlp(model)).toEqual({
      task: 'classification',
      inputSize: 6,
      outputSize: 3,
      layers: [
        { inputSize: 6, units: 8, activation: 'elu', l2: 0.001, dropout: 0.5 },
        { inputSize: 8, units: 5, activation: 'elu', l2: 0.001, dropout: 0.5 },
        { inputSize: 5, units: 3, activation: 'softmax', l2: 0.001, dropout: 0 },
      ],
    });
    model.dispose();
  });

  it('rejects a model with layers other than Dense and Dropout as INVALID_MODEL', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 4 }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    expect(() => describeMlp(model)).toThrow(expect.objectContaining({ code: 'INVALID_MODEL' }));
    model.dispose();
  });
});
