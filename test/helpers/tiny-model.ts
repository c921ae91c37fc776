/**
 * Small real TF.js models on disk for tests (unit and e2e). `createTinyModelDir` builds a Dense
 * network on the cpu backend with weights set explicitly from mlctl's seeded generator (TF.js
 * initialisers ignore seeds), so the same seed always writes byte-identical files, and saves it
 * through mlctl's filesystem handler: `dir/model.json` + `dir/weights.bin`.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRng } from '../../src/random.js';
import { loadTf } from '../../src/engine/tf.js';
import { saveLayersModelToDir } from '../../src/engine/load-model.js';

export interface TinyModelOptions {
  /** seed of the weight values (default 1) */
  seed?: number;
  /** number of input features (default 4) */
  inputSize?: number;
  /**
   * units per Dense layer (default [8, 3]); hidden layers use relu; the last layer uses softmax
   * when it has more than one unit (a classifier), linear otherwise (a regressor)
   */
  units?: number[];
}

export interface TinyModel {
  /** absolute path of the model directory */
  dir: string;
  modelJsonPath: string;
  /** outputs of the in-memory model that was saved (on the currently active TF.js backend) */
  predict(rows: number[][]): Promise<number[][]>;
}

export async function createTinyModelDir(dir: string, options: TinyModelOptions = {}): Promise<TinyModel> {
  const { seed = 1, inputSize = 4, units = [8, 3] } = options;
  const { tf } = await loadTf('cpu');
  const rng = createRng(seed);
  const model = tf.sequential({ name: 'tiny' });
  units.forEach((n, i) => {
    const last = i === units.length - 1;
    model.add(
      tf.layers.dense({
        name: `dense_${i + 1}`,
        units: n,
        activation: last ? (n > 1 ? 'softmax' : 'linear') : 'relu',
        ...(i === 0 ? { inputShape: [inputSize] } : {}),
      }),
    );
  });

  // Glorot-uniform-like values from the seeded stream; small non-zero biases
  const weights = model.layers.flatMap((layer) => {
    // layer.weights are the variables; their shapes are all we need (getWeights() would hand
    // out the live tensors, which must not be disposed)
    const [rows, cols] = layer.weights[0].shape as [number, number];
    const limit = Math.sqrt(6 / (rows + cols));
    const k = Float32Array.from({ length: rows * cols }, () => rng.uniform(-limit, limit));
    const b = Float32Array.from({ length: cols }, () => rng.uniform(-0.1, 0.1));
    return [tf.tensor2d(k, [rows, cols]), tf.tensor1d(b)];
  });
  model.setWeights(weights);
  tf.dispose(weights);

  const abs = resolve(dir);
  await saveLayersModelToDir(model, abs);
  return {
    dir: abs,
    modelJsonPath: join(abs, 'model.json'),
    predict: async (rows) => {
      const x = tf.tensor2d(rows, [rows.length, inputSize]);
      const y = model.predict(x) as tfTypes.Tensor;
      const out = (await y.array()) as number[][];
      tf.dispose([x, y]);
      return out;
    },
  };
}

/** Write a minimal TF.js graph-model model.json (a converted GraphDef) for negative tests. */
export async function createGraphModelJson(dir: string): Promise<string> {
  const abs = resolve(dir);
  await mkdir(abs, { recursive: true });
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    signature: {
      inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: '4' }] } } },
      outputs: { y: { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: '1' }] } } },
    },
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '4' }] } } } },
        { name: 'Identity', op: 'Identity', input: ['x'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      library: {},
      versions: { producer: 1395 },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
  };
  const path = join(abs, 'model.json');
  await writeFile(path, JSON.stringify(modelJson));
  await writeFile(join(abs, 'group1-shard1of1.bin'), new Uint8Array(0));
  return path;
}
