/**
 * `quantize` in-process on real registries: every dtype on a trained MLP (record, sizes, metric
 * changes, and the files loaded by STOCK tf.loadLayersModel through a plain handler matching the
 * parent within the quantization error), an imported convolutional model with --data rows, a
 * pruned-then-quantized chain keeping the zero pattern, and each refusal writing nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantize } from '../../../src/lifecycle/quantize.js';
import { prune } from '../../../src/lifecycle/prune.js';
import { loadTf } from '../../../src/engine/tf.js';
import type { Registry } from '../../../src/registry/registry.js';
import { createConvModelDir, stockHandler, type LayerModel } from '../../helpers/layer-models.js';
import { importedVersion, trainedVersion } from '../../helpers/compress-fixture.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { rejectionOf } from '../../helpers/error-of.js';

let work: string;
let registry: Registry;
let conv: LayerModel;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-quantize-');
  ({ registry } = await trainedVersion(path.join(work, 'registry')));
  conv = await createConvModelDir(path.join(work, 'conv-src'), 2);
  await importedVersion(path.join(work, 'registry'), conv.dir, 'convnet');
});
afterAll(async () => removeTmpDir(work));

const ROWS = Float32Array.from([-1, 0.5, -1.2, -1.3, 1, -0.2, 0.6, 0.4, 0.1, 1.1, 1.2, 1.5]); // 3 encoded iris rows

async function stockPredict(dir: string, x: Float32Array, shape: number[]) {
  const { tf } = await loadTf('cpu');
  const model = await tf.loadLayersModel(stockHandler(dir));
  try {
    const weights = new Map(model.weights.map((w) => [w.originalName, Float32Array.from(w.read().dataSync())]));
    const out = tf.tidy(() => Float32Array.from((model.predict(tf.tensor(x, shape)) as tfTypes.Tensor).dataSync()));
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

describe.each([
  ['uint8', 0.26, 0.05],
  ['uint16', 0.51, 1e-3],
  ['float16', 0.51, 5e-3],
] as const)('quantize a trained MLP to %s', (dtype, maxRatio, outputTolerance) => {
  it('publishes a child version that stock TF.js loads, within the quantization error of the parent', async () => {
    const r = await quantize({ registry, model: 'iris', selector: { version: 1 }, dtype, backend: 'cpu' });
    expect(r.parent).toBe(1);
    expect(r.record).toMatchObject({ operation: 'quantize', parent: 1, quantization: { dtype } });
    const parent = await registry.readRecord('iris', 1);
    // the child carries what the parent was trained on and how
    for (const key of ['signature', 'target', 'dataset', 'split', 'hyperparameters', 'seed', 'template'] as const) {
      expect(r.record[key], key).toEqual(parent[key]);
    }
    expect(r.weightBytes.ratio).toBeLessThanOrEqual(maxRatio);
    expect(r.weightBytes.parent).toBe(parent.files.filter((f) => f.path !== 'model.json').reduce((a, f) => a + f.bytes, 0));
    expect(r.gzipBytes.child).toBe(r.record.files.filter((f) => f.path !== 'model.json').reduce((a, f) => a + f.gzipBytes, 0));
    // metric changes on the stored test split, and the child's own test metrics
    expect(r.evaluation?.data).toMatchObject({ source: 'test-split', rows: parent.metrics!.rows });
    const accuracy = r.evaluation!.changes.find((c) => c.metric === 'accuracy')!;
    expect(accuracy.parent).toBe((parent.metrics as { accuracy: number }).accuracy);
    expect(accuracy.delta).toBeCloseTo(accuracy.child - accuracy.parent, 12);
    expect((r.record.metrics as { accuracy: number }).accuracy).toBe(accuracy.child);

    const manifest = JSON.parse(await readFile(path.join(registry.versionDir('iris', r.version), 'model.json'), 'utf8')).weightsManifest;
    for (const w of manifest[0].weights) expect(w).toMatchObject({ dtype: 'float32', quantization: { dtype } });

    const before = await stockPredict(registry.versionDir('iris', 1), ROWS, [3, 4]);
    const after = await stockPredict(registry.versionDir('iris', r.version), ROWS, [3, 4]);
    let worst = 0;
    for (const [name, values] of before.weights) worst = Math.max(worst, maxDiff(values, after.weights.get(name)!));
    expect(worst).toBe(r.maxWeightError);
    expect(r.maxWeightError).toBeGreaterThan(0);
    expect(maxDiff(before.out, after.out)).toBeLessThanOrEqual(outputTolerance);
  });
});

describe('quantize an imported convolutional model', () => {
  it('works on conv, depthwise and batch-norm weights with shards of any name, and measures the output change on --data rows', async () => {
    const n = 4;
    const x = conv.sample(n, 5);
    const header = Array.from({ length: x.length / n }, (_, i) => `x${i}`).join(',');
    const lines = Array.from({ length: n }, (_, r) => Array.from(x.subarray(r * (x.length / n), (r + 1) * (x.length / n))).join(','));
    const data = path.join(work, 'conv-rows.csv');
    await writeFile(data, `${header}\n${lines.join('\n')}\n`);
    const r = await quantize({ registry, model: 'convnet', dtype: 'uint8', data, backend: 'cpu' });
    expect(r.evaluation).toBeNull();
    expect(r.outputDifference).toMatchObject({ path: data, rows: n });
    const before = await stockPredict(registry.versionDir('convnet', 1), x, [n, ...conv.inputShape]);
    const after = await stockPredict(registry.versionDir('convnet', r.version), x, [n, ...conv.inputShape]);
    expect(r.outputDifference!.maxAbs).toBeCloseTo(maxDiff(before.out, after.out), 6);
    expect(r.outputDifference!.maxAbs).toBeLessThan(0.1);
    expect(r.tensors.map((t) => t.name)).toEqual(expect.arrayContaining(['depthwise/depthwise_kernel', 'bn/moving_variance']));
    expect(r.record.io).toEqual((await registry.readRecord('convnet', 1)).io);
  });

  it('without --data it says why nothing was measured', async () => {
    const r = await quantize({ registry, model: 'convnet', selector: { version: 1 }, dtype: 'float16', backend: 'cpu' });
    expect(r.outputDifference).toBeNull();
    expect(r.notMeasured).toMatch(/pass --data/);
  });

  it('--skip keeps the named layers byte for byte', async () => {
    const r = await quantize({
      registry,
      model: 'convnet',
      selector: { version: 1 },
      dtype: 'uint8',
      skip: ['conv', 'head'],
      backend: 'cpu',
    });
    const manifest = JSON.parse(await readFile(path.join(registry.versionDir('convnet', r.version), 'model.json'), 'utf8')).weightsManifest;
    const byName = new Map(manifest[0].weights.map((w: { name: string }) => [w.name, w]));
    expect(byName.get('conv/kernel')).toEqual({ name: 'conv/kernel', shape: [3, 3, 2, 4], dtype: 'float32' });
    expect(byName.get('head/bias')).toEqual({ name: 'head/bias', shape: [3], dtype: 'float32' });
    expect(byName.get('depthwise/depthwise_kernel')).toMatchObject({ quantization: { dtype: 'uint8' } });
    expect(r.tensors.map((t) => t.name)).not.toContain('conv/kernel');
    expect(r.record.quantization!.skipped).toEqual(['conv', 'head']);
  });
});

describe('pruned, then quantized', () => {
  it('keeps exactly the same zero pattern in every dtype', async () => {
    const pruned = await prune({ registry, model: 'iris', selector: { version: 1 }, sparsity: 0.7, backend: 'cpu' });
    const zeros = (await stockPredict(registry.versionDir('iris', pruned.version), ROWS, [3, 4])).weights;
    for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
      const q = await quantize({ registry, model: 'iris', selector: { version: pruned.version }, dtype, backend: 'cpu' });
      const loaded = (await stockPredict(registry.versionDir('iris', q.version), ROWS, [3, 4])).weights;
      for (const [name, values] of zeros) {
        expect(
          Array.from(loaded.get(name)!, (v) => v === 0),
          `${dtype} ${name}`,
        ).toEqual(Array.from(values, (v) => v === 0));
      }
    }
  });
});

describe('refusals write nothing', () => {
  it.each([
    [{ dtype: 'int4' }, 'USAGE', /Unknown --dtype "int4": use uint8, uint16 or float16/],
    [{ dtype: 'float16', step: 0.01 }, 'USAGE', /--step applies to --dtype uint8 or uint16/],
    [{ dtype: 'uint8', step: -1 }, 'USAGE', /--step must be a positive number/],
    [{ dtype: 'uint8', step: 1e-6 }, 'USAGE', /needs \d+ levels for weight .*, but uint8 holds 256/],
    [{ dtype: 'uint8', skip: ['dense_9'] }, 'USAGE', /--skip names no layer with weights: "dense_9"/],
    [{ dtype: 'uint8', skip: ['dense_1', 'dense_2'] }, 'USAGE', /no float32 weights left to quantize after --skip/],
    [{ dtype: 'uint8', data: '/nonexistent/rows.csv' }, 'NOT_FOUND', /does not exist/],
  ])('%j → %s', async (opts, code, message) => {
    const before = await registry.listVersions('iris');
    const err = await rejectionOf(
      quantize({ registry, model: 'iris', selector: { version: 1 }, backend: 'cpu', ...(opts as { dtype: 'uint8' }) }),
    );
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(await registry.listVersions('iris')).toEqual(before);
    expect(await registry.listStaging('iris')).toEqual([]);
  });

  it('quantizing an already quantized version to a wider dtype', async () => {
    const q = await quantize({ registry, model: 'iris', selector: { version: 1 }, dtype: 'uint8', backend: 'cpu' });
    const before = await registry.listVersions('iris');
    for (const dtype of ['uint16', 'float16'] as const) {
      const err = await rejectionOf(quantize({ registry, model: 'iris', selector: { version: q.version }, dtype, backend: 'cpu' }));
      expect(err.code).toBe('USAGE');
      expect(err.message).toMatch(new RegExp(`already quantized: weight "dense_1/kernel" is stored as uint8, narrower than ${dtype}`));
      expect(err.hint).toContain('quantize the float32 parent (v1)');
    }
    expect(await registry.listVersions('iris')).toEqual(before);
  });
});
