/**
 * Small non-MLP layers models for compression tests: a convolutional network (Conv2D,
 * DepthwiseConv2D, BatchNormalization, Dense) and an embedding model, with weights drawn from
 * mlctl's seeded generator (TF.js initialisers ignore seeds) and saved the way the Python
 * converter shards them: `group1-shardNofM.bin` files cut at an arbitrary byte size, so code
 * under test must follow the manifest rather than assume `weights.bin`.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRng } from '../../src/random.js';
import { loadTf } from '../../src/engine/tf.js';

export interface LayerModel {
  dir: string;
  modelJsonPath: string;
  /** the model's input shape without the batch dimension */
  inputShape: number[];
  /** `n` example inputs, row-major */
  sample(n: number, seed?: number): Float32Array;
  /** outputs of the in-memory model that was saved */
  predict(x: Float32Array, n: number): Float32Array;
}

export async function createConvModelDir(dir: string, seed = 1): Promise<LayerModel> {
  const { tf } = await loadTf('cpu');
  const inputShape = [8, 8, 2];
  const model = tf.sequential({ name: 'convnet' });
  model.add(tf.layers.conv2d({ name: 'conv', inputShape, filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' }));
  model.add(tf.layers.depthwiseConv2d({ name: 'depthwise', kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.batchNormalization({ name: 'bn' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'head', units: 3, activation: 'softmax' }));
  return finish(tf, model, dir, inputShape, seed, (rng) => rng.uniform(-1, 1));
}

export async function createEmbeddingModelDir(dir: string, seed = 1): Promise<LayerModel> {
  const { tf } = await loadTf('cpu');
  const inputShape = [5];
  const model = tf.sequential({ name: 'embed' });
  model.add(tf.layers.embedding({ name: 'emb', inputDim: 20, outputDim: 4, inputLength: 5 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'out', units: 2 }));
  return finish(tf, model, dir, inputShape, seed, (rng) => rng.int(20));
}

async function finish(
  tf: typeof import('@tensorflow/tfjs'),
  model: tfTypes.Sequential,
  dir: string,
  inputShape: number[],
  seed: number,
  draw: (rng: ReturnType<typeof createRng>) => number,
): Promise<LayerModel> {
  const rng = createRng(seed);
  const values = model.weights.map((w) => {
    const n = w.shape.reduce((a: number, b) => a * (b as number), 1);
    const positive = w.name.includes('moving_variance') || w.name.includes('gamma');
    return tf.tensor(
      Float32Array.from({ length: n }, () => (positive ? rng.uniform(0.5, 1.5) : rng.uniform(-0.5, 0.5))),
      w.shape as number[],
    );
  });
  model.setWeights(values);
  tf.dispose(values);

  let artifacts: tfTypes.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const abs = resolve(dir);
  await mkdir(abs, { recursive: true });
  const data = new Uint8Array(artifacts!.weightData as ArrayBuffer);
  const cut = Math.ceil(data.byteLength / 2) + 3; // an arbitrary split inside a tensor
  const paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
  await writeFile(join(abs, paths[0]), data.subarray(0, cut));
  await writeFile(join(abs, paths[1]), data.subarray(cut));
  const modelJson = {
    modelTopology: artifacts!.modelTopology,
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    weightsManifest: [{ paths, weights: artifacts!.weightSpecs }],
  };
  await writeFile(join(abs, 'model.json'), JSON.stringify(modelJson));

  const size = inputShape.reduce((a, b) => a * b, 1);
  return {
    dir: abs,
    modelJsonPath: join(abs, 'model.json'),
    inputShape,
    sample: (n, sampleSeed = 99) => {
      const r = createRng(sampleSeed);
      return Float32Array.from({ length: n * size }, () => draw(r));
    },
    predict: (x, n) =>
      tf.tidy(() => (model.predict(tf.tensor(x, [n, ...inputShape])) as tfTypes.Tensor).dataSync() as Float32Array).slice(),
  };
}

/**
 * A plain IOHandler over a model directory for tests: reads model.json and the files its
 * manifest names, nothing else (no mlctl code), so `tf.loadLayersModel(stockHandler(dir))` is
 * exactly what any TF.js user would do.
 */
export function stockHandler(dir: string): tfTypes.io.IOHandler {
  return {
    load: async () => {
      const { readFile } = await import('node:fs/promises');
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) for (const p of group.paths) buffers.push(await readFile(join(dir, p)));
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}
