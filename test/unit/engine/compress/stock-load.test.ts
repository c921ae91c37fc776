/**
 * The compression maths end to end on real layers models (an MLP, a convolutional network with
 * depthwise and batch-norm layers, an embedding model): pack every dtype, write the files, load
 * them with STOCK tf.loadLayersModel through a plain IOHandler written here (no mlctl loader),
 * and compare weights and predictions with the parent.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { magnitudePrune } from '../../../../src/engine/compress/magnitude-prune.js';
import {
  decodeFloatTensor,
  floatWeightsOf,
  isFloatTensor,
  splitManifestTensors,
  type ManifestTensor,
} from '../../../../src/engine/compress/manifest-tensors.js';
import { packWeights, type TensorEncoding } from '../../../../src/engine/compress/pack-weights.js';
import { readModelJson, shardPaths } from '../../../../src/engine/model-files.js';
import { loadTf } from '../../../../src/engine/tf.js';
import { createConvModelDir, createEmbeddingModelDir, stockHandler, type LayerModel } from '../../../helpers/layer-models.js';
import { createTinyModelDir } from '../../../helpers/tiny-model.js';
import { makeTmpDir, removeTmpDir } from '../../../helpers/tmp-dir.js';

let work: string;
let counter = 0;
const models: Record<string, LayerModel> = {};

beforeAll(async () => {
  work = await makeTmpDir('mlctl-stock-load-');
  models.conv = await createConvModelDir(path.join(work, 'conv'), 3);
  models.embedding = await createEmbeddingModelDir(path.join(work, 'embedding'), 4);
  const tiny = await createTinyModelDir(path.join(work, 'mlp'), { seed: 5, inputSize: 6, units: [16, 8, 3] });
  models.mlp = {
    dir: tiny.dir,
    modelJsonPath: tiny.modelJsonPath,
    inputShape: [6],
    sample: (n) => Float32Array.from({ length: n * 6 }, (_, i) => Math.sin(i * 1.7) * 2),
    predict: () => {
      throw new Error('unused');
    },
  };
});
afterAll(async () => removeTmpDir(work));

async function readTensors(dir: string): Promise<ManifestTensor[]> {
  const { readFile } = await import('node:fs/promises');
  const json = await readModelJson(dir);
  const groups = await Promise.all(
    json.weightsManifest.map(
      async (g) => new Uint8Array(Buffer.concat(await Promise.all(g.paths.map((p) => readFile(path.join(dir, p)))))),
    ),
  );
  return splitManifestTensors(json.weightsManifest, groups);
}

/** Packs `tensors` (float ones with `encoding`, the rest copied) next to the parent's topology. */
async function writeChild(parentDir: string, tensors: ManifestTensor[], encoding: TensorEncoding, values?: Map<string, Float32Array>) {
  const json = await readModelJson(parentDir);
  const packed = packWeights(
    tensors.map((t) =>
      isFloatTensor(t)
        ? { spec: t.spec, values: values?.get(t.spec.name) ?? decodeFloatTensor(t), encoding }
        : { spec: t.spec, bytes: t.bytes, encoding: { kind: 'copy' as const } },
    ),
    { shardBytes: 256 },
  );
  const dir = path.join(work, `child-${++counter}`);
  await mkdir(dir);
  for (const s of packed.shards) await writeFile(path.join(dir, s.path), s.data);
  await writeFile(path.join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest: packed.weightsManifest }));
  return { dir, packed };
}

async function predictStock(dir: string, x: Float32Array, n: number, inputShape: number[]) {
  const { tf } = await loadTf('cpu');
  const model = await tf.loadLayersModel(stockHandler(dir));
  try {
    const weights = new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
    const out = tf.tidy(() => (model.predict(tf.tensor(x, [n, ...inputShape])) as tfTypes.Tensor).dataSync() as Float32Array).slice();
    return { out, weights };
  } finally {
    model.dispose();
  }
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** per dtype: largest output change allowed on these small, well-conditioned models */
const OUTPUT_TOLERANCE = { float16: 5e-3, uint16: 1e-3, uint8: 0.08 } as const;
const ENCODINGS: Record<keyof typeof OUTPUT_TOLERANCE, TensorEncoding> = {
  float16: { kind: 'float16' },
  uint16: { kind: 'affine', dtype: 'uint16' },
  uint8: { kind: 'affine', dtype: 'uint8' },
};

describe.each(['mlp', 'conv', 'embedding'])('%s model quantized, loaded by stock tf.loadLayersModel', (kind) => {
  it.each(Object.keys(ENCODINGS) as (keyof typeof ENCODINGS)[])(
    '%s: weights are what mlctl packed and predictions stay close',
    async (dtype) => {
      const m = models[kind];
      const parent = await readTensors(m.dir);
      const { dir, packed } = await writeChild(m.dir, parent, ENCODINGS[dtype]);
      expect(
        (await readModelJson(dir)).weightsManifest[0].weights.every((w) => w.dtype === 'float32' && w.quantization?.dtype === dtype),
      ).toBe(true);
      expect(shardPaths(await readModelJson(dir)).length).toBe(Math.ceil(packed.totalBytes / 256));

      const n = 16;
      const x = m.sample(n);
      const before = await predictStock(m.dir, x, n, m.inputShape);
      const after = await predictStock(dir, x, n, m.inputShape);
      // stock TF.js decoded exactly the values mlctl reports
      for (const t of packed.tensors) expect(Array.from(after.weights.get(t.name)!), t.name).toEqual(Array.from(t.decoded!));
      // each weight moved by at most half a step (affine) or a half-ulp of float16
      for (const w of floatWeightsOf(parent)) {
        const q = packed.weightsManifest[0].weights.find((s) => s.name === w.name)!.quantization!;
        const bound = q.dtype === 'float16' ? maxAbs(w.values) * 2 ** -11 + 2 ** -25 : q.scale! / 2 + maxAbs(w.values) * 2 ** -23;
        expect(maxDiff(after.weights.get(w.name)!, w.values), w.name).toBeLessThanOrEqual(bound);
      }
      const diff = maxDiff(after.out, before.out);
      expect(diff).toBeLessThanOrEqual(OUTPUT_TOLERANCE[dtype]);
      if (dtype === 'uint8') expect(diff).toBeGreaterThan(0); // the change is real, not a copy
    },
  );
});

describe('pruned then quantized', () => {
  it.each(['uint8', 'uint16', 'float16'] as const)('keeps exactly the same zero pattern after %s (conv model)', async (dtype) => {
    const m = models.conv;
    const parent = await readTensors(m.dir);
    const { weights, masks } = magnitudePrune(floatWeightsOf(parent), { criterion: { sparsity: 0.7 } });
    const pruned = await writeChild(m.dir, parent, { kind: 'float32' }, new Map(weights.map((w) => [w.name, w.values])));
    const quantized = await writeChild(
      pruned.dir,
      await readTensors(pruned.dir),
      dtype === 'float16' ? { kind: 'float16' } : { kind: 'affine', dtype },
    );
    const loaded = await predictStock(quantized.dir, m.sample(2), 2, m.inputShape);
    expect(masks.size).toBe(3); // conv, depthwise and head kernels
    for (const [name, mask] of masks) {
      const values = loaded.weights.get(name)!;
      const zeroPattern = Array.from(values, (v) => (v === 0 ? 0 : 1));
      expect(zeroPattern, name).toEqual(Array.from(mask));
    }
  });
});

function maxAbs(v: Float32Array): number {
  return v.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
}
