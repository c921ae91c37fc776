/**
 * Loading a registry version as a Servable (real TF.js, cpu backend, temp registry): checksums
 * first, the plain pass only when it matches TF.js (else TF.js with a log line), raw versions in
 * their own input shape, the files kept for the model-file routes.
 */
import { createHash } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/engine/tf.js';
import { saveLayersModelToDir } from '../../../src/engine/load-model.js';
import type { Signature } from '../../../src/dataset/signature.js';
import { Registry } from '../../../src/registry/registry.js';
import { buildServable, createServableLoader } from '../../../src/serve/load-servable.js';
import { openServingVersion } from '../../../src/serve/version-adapter.js';
import { publishDir } from '../../helpers/registry-fixture.js';
import { createTinyModelDir, type TinyModel } from '../../helpers/tiny-model.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let work: string;
let reg: string;
let tiny: TinyModel;

const signature: Signature = {
  features: ['f1', 'f2', 'f3', 'f4'].map((name) => ({ name, type: 'numeric' as const, mean: 0, std: 1, fill: 0 })),
  target: { name: 'y', task: 'classification', classes: ['a', 'b', 'c'] },
  inputSize: 4,
  encodedNames: ['f1', 'f2', 'f3', 'f4'],
};

beforeAll(async () => {
  work = await makeTmpDir('mlctl-serve-load-');
  reg = path.join(work, 'reg');
  tiny = await createTinyModelDir(path.join(work, 'tiny'), { seed: 5, units: [8, 3] });
  await publishDir(reg, 'tiny', tiny.dir, { operation: 'train', signature }); // v1
  await publishDir(reg, 'tiny', tiny.dir); // v2: imported, no signature
  // v1 of "conv": an imported convolutional model
  const { tf } = await loadTf('cpu');
  const conv = tf.sequential();
  conv.add(tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [5, 1], activation: 'relu' }));
  conv.add(tf.layers.flatten());
  conv.add(tf.layers.dense({ units: 2 }));
  await saveLayersModelToDir(conv, path.join(work, 'conv'));
  await publishDir(reg, 'conv', path.join(work, 'conv'));
});

afterAll(async () => {
  await removeTmpDir(work);
});

const rows = [
  [0.1, 0.2, -0.3, 0.4],
  [1.5, -2, 0.7, 0],
];

describe('createServableLoader', () => {
  it('uses the plain pass when it matches TF.js, and gives the same answers', async () => {
    const logs: string[] = [];
    const load = createServableLoader({ registry: new Registry(reg), backend: 'cpu', log: (_l, m) => logs.push(m) });
    const s = await load('tiny', 1);
    try {
      expect(s.fastPath).toMatchObject({ enabled: true, checkSource: 'synthetic', checkRows: 64 });
      expect(s.fastPath.maxAbsDiff!).toBeLessThanOrEqual(1e-5);
      expect(s.signature?.target).toEqual(signature.target);
      const out = s.forward(Float32Array.from(rows.flat()), 2);
      const expected = (await tiny.predict(rows)).flat();
      out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
      expect(logs.filter((l) => l.includes('fast path off'))).toEqual([]);
    } finally {
      s.dispose();
    }
  });

  it('--fast-path off keeps TF.js', async () => {
    const s = await createServableLoader({ registry: new Registry(reg), backend: 'cpu', fastPath: 'off' })('tiny', 1);
    try {
      expect(s.fastPath).toMatchObject({ enabled: false, reason: 'turned off (--fast-path off)' });
      const expected = (await tiny.predict(rows)).flat();
      Array.from(s.forward(Float32Array.from(rows.flat()), 2)).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    } finally {
      s.dispose();
    }
  });

  it('keeps the files: ETag from the recorded sha256, gzip, and an unversioned model.json naming its weights by version', async () => {
    const registry = new Registry(reg);
    const s = await createServableLoader({ registry, backend: 'cpu' })('tiny', 2);
    try {
      const record = await registry.readRecord('tiny', 2);
      const weights = s.files.get('weights.bin')!;
      const entry = record.files.find((f) => f.path === 'weights.bin')!;
      expect(weights.etag).toBe(`"${entry.sha256.slice(0, 40)}"`);
      expect(createHash('sha256').update(weights.body).digest('hex')).toBe(entry.sha256);
      const json = s.files.get('model.json')!;
      expect(gunzipSync(json.gzip!).equals(json.body)).toBe(true);
      const unversioned = JSON.parse(s.unversionedModelJson!.body.toString());
      expect(unversioned.weightsManifest[0].paths).toEqual(['versions/2/weights.bin']);
      expect(s.signature).toBeNull();
      expect(s.inputShape).toEqual([4]);
    } finally {
      s.dispose();
    }
  });

  it('a convolutional (imported) model runs on TF.js in its input shape, saying why', async () => {
    const logs: string[] = [];
    const s = await createServableLoader({ registry: new Registry(reg), backend: 'cpu', log: (_l, m) => logs.push(m) })('conv', 1);
    try {
      expect(s.inputShape).toEqual([5, 1]);
      expect(s.outputShape).toEqual([2]);
      expect(s.fastPath).toMatchObject({ enabled: false, reason: 'not compiled: the input is not a flat vector' });
      expect(logs).toContain('conv v1: fast path off (not compiled: the input is not a flat vector); using TF.js');
      const out = s.forward(Float32Array.from([1, 2, 3, 4, 5, 0, 0, 0, 0, 1]), 2);
      expect(out).toHaveLength(4);
      expect(Array.from(out).every(Number.isFinite)).toBe(true);
    } finally {
      s.dispose();
    }
  });

  it('falls back to TF.js, with a log line, when the plain pass differs by more than 1e-5', async () => {
    const opened = await openServingVersion({ registry: new Registry(reg), model: 'tiny', version: 1, backend: 'cpu' });
    const tfPredict = opened.predict;
    // TF.js answering 1e-4 away from what the weights compute: the check must catch it
    const skewed = { ...opened, predict: (x: Float32Array, n: number) => tfPredict(x, n).map((v) => v + 1e-4) };
    const logs: string[] = [];
    const s = await buildServable(skewed, { log: (level, m) => logs.push(`${level}: ${m}`) });
    try {
      expect(s.fastPath.enabled).toBe(false);
      expect(s.fastPath.maxAbsDiff!).toBeGreaterThan(1e-5);
      expect(
        logs.some((l) =>
          /^warn: tiny v1: fast path off \(outputs differ from TF.js by 1.0\de-4 \(> 0.00001\) on 64 synthetic rows\); using TF.js$/.test(
            l,
          ),
        ),
      ).toBe(true);
      // and it answers with TF.js
      expect(Array.from(s.forward(Float32Array.from(rows[0]), 1))).toEqual(Array.from(skewed.predict(Float32Array.from(rows[0]), 1)));
    } finally {
      s.dispose();
    }
  });

  it('refuses a version whose files do not match their checksums, naming the file', async () => {
    await publishDir(reg, 'broken', tiny.dir);
    await appendFile(path.join(reg, 'broken', '1', 'weights.bin'), Buffer.from([1, 2, 3, 4]));
    await expect(createServableLoader({ registry: new Registry(reg), backend: 'cpu' })('broken', 1)).rejects.toMatchObject({
      code: 'INVALID_MODEL',
      message: expect.stringContaining('broken/1/weights.bin'),
    });
  });
});
