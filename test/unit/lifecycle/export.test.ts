/**
 * `export`: the folder is a stock TF.js model (loaded by tf.loadLayersModel through a plain
 * handler, same predictions as the registry version), `signature.json` is enough to encode raw
 * rows without mlctl (a small encoder written here from its description alone reproduces
 * `mlctl predict`), `model-card.md` has the key facts, and an existing non-empty folder is only
 * replaced with force, through a temporary sibling that never stays behind.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportVersion } from '../../../src/lifecycle/export.js';
import { predict } from '../../../src/lifecycle/predict.js';
import { quantize } from '../../../src/lifecycle/quantize.js';
import { train } from '../../../src/lifecycle/train.js';
import { loadTf } from '../../../src/engine/tf.js';
import { readCsvFile } from '../../../src/dataset/read-table.js';
import { Registry } from '../../../src/registry/registry.js';
import { stockHandler, createConvModelDir } from '../../helpers/layer-models.js';
import { importedVersion } from '../../helpers/compress-fixture.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { rejectionOf } from '../../helpers/error-of.js';

let work: string;
let registry: Registry;
const CHURN = path.resolve('test/fixtures/churn.csv');

beforeAll(async () => {
  work = await makeTmpDir('mlctl-export-');
  registry = new Registry(path.join(work, 'registry'));
  await train({
    registry,
    source: CHURN,
    target: 'churned',
    ignore: ['customer_id'],
    settings: { epochs: 30, patience: 0 },
    backend: 'cpu',
  });
  await quantize({ registry, model: 'churn', dtype: 'uint8', backend: 'cpu' });
});
afterAll(async () => removeTmpDir(work));

/** Encodes raw CSV cells using nothing but signature.json's description. */
function encodeFromSignature(sig: any, columns: string[], rows: string[][]): Float32Array {
  const missing = (c: string) => ['', 'na', 'n/a', 'nan', 'null', '?'].includes(c.trim().toLowerCase());
  const width = sig.input.shape[1];
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    let o = r * width;
    for (const f of sig.features) {
      const cell = row[columns.indexOf(f.name)];
      if (f.type === 'numeric') out[o++] = ((missing(cell) ? f.fill : Number(cell)) - f.mean) / f.std;
      else if (f.type === 'boolean') out[o++] = missing(cell) ? f.fill : ['true', 'yes', '1'].includes(cell.trim().toLowerCase()) ? 1 : 0;
      else {
        const value = missing(cell) ? '__missing__' : cell;
        f.categories.forEach((c: string) => (out[o++] = c === value ? 1 : 0));
      }
    }
  });
  return out;
}

describe('export', () => {
  it('writes a stock TF.js model folder whose signature.json encodes raw rows exactly as mlctl does', async () => {
    const out = path.join(work, 'out', 'churn');
    const r = await exportVersion({ registry, model: 'churn', out });
    expect(r).toMatchObject({ model: 'churn', version: 2, replaced: false });
    const files = (await readdir(out)).sort();
    expect(files).toEqual(['group1-shard1of1.bin', 'model-card.md', 'model.json', 'signature.json']);
    // byte-identical model files
    for (const f of ['model.json', 'group1-shard1of1.bin']) {
      expect(await readFile(path.join(out, f))).toEqual(await readFile(path.join(registry.versionDir('churn', 2), f)));
    }

    const sig = JSON.parse(await readFile(path.join(out, 'signature.json'), 'utf8'));
    expect(sig).toMatchObject({
      format: 'mlctl-signature/1',
      model: 'churn',
      version: 2,
      output: { task: 'classification', labels: ['no', 'yes'] },
    });
    expect(sig.features.map((f: { name: string }) => f.name)).not.toContain('customer_id');
    const table = await readCsvFile(CHURN);
    const rows = table.rows.slice(0, 25);
    const x = encodeFromSignature(sig, table.columns, rows);

    const { tf } = await loadTf('cpu');
    const model = await tf.loadLayersModel(stockHandler(out));
    const probs = tf.tidy(() =>
      Array.from((model.predict(tf.tensor2d(x, [rows.length, sig.input.shape[1]])) as tfTypes.Tensor).dataSync()),
    );
    model.dispose();

    const csv = [table.columns.join(','), ...rows.map((r) => r.join(','))].join('\n');
    const mine = await predict({ registry, model: 'churn', input: { text: csv, name: 'rows' }, backend: 'cpu' });
    mine.predictions.forEach((p, i) => {
      const { probabilities } = p as { probabilities: Record<string, number> };
      sig.output.labels.forEach((label: string, k: number) => expect(probs[i * 2 + k]).toBeCloseTo(probabilities[label], 5));
    });

    const card = await readFile(path.join(out, 'model-card.md'), 'utf8');
    expect(card).toContain('# churn v2');
    expect(card).toMatch(/version \| 2 \(quantize of v1\)/);
    expect(card).toContain('| quantization | uint8');
    expect(card).toContain('- v1: train');
    expect(card).toMatch(/\| plan \| categorical \| one-hot over \d categories \|/);
  });

  it('exports an imported model with its shapes and no preprocessing', async () => {
    const conv = await createConvModelDir(path.join(work, 'conv-src'), 1);
    await importedVersion(registry.root, conv.dir, 'convnet');
    const out = path.join(work, 'conv-out');
    await exportVersion({ registry, model: 'convnet', out });
    const sig = JSON.parse(await readFile(path.join(out, 'signature.json'), 'utf8'));
    expect(sig.input.shape).toEqual([null, 8, 8, 2]);
    expect(sig.features).toBeNull();
    expect(sig.preprocessing).toMatch(/none recorded/);
    expect((await readdir(out)).sort()).toEqual([
      'group1-shard1of2.bin',
      'group1-shard2of2.bin',
      'model-card.md',
      'model.json',
      'signature.json',
    ]);
  });

  it('refuses a non-empty folder without force, replaces it with force, and leaves no temporary sibling', async () => {
    const parent = path.join(work, 'replace');
    const out = path.join(parent, 'site');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'keep.txt'), 'mine');
    const err = await rejectionOf(exportVersion({ registry, model: 'churn', out }));
    expect(err.code).toBe('ALREADY_EXISTS');
    expect(err.message).toContain('is not empty; pass --force to replace it');
    expect(await readdir(out)).toEqual(['keep.txt']);
    const r = await exportVersion({ registry, model: 'churn', selector: { version: 1 }, out, force: true });
    expect(r.replaced).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['model-card.md', 'model.json', 'signature.json', 'weights.bin']);
    expect(await readdir(parent)).toEqual(['site']);
  });

  it('an empty folder is used without force; a file or the registry itself is refused', async () => {
    const empty = path.join(work, 'empty');
    await mkdir(empty);
    await exportVersion({ registry, model: 'churn', out: empty });
    const file = path.join(work, 'a-file');
    await writeFile(file, 'x');
    expect((await rejectionOf(exportVersion({ registry, model: 'churn', out: file }))).message).toMatch(/is a file/);
    const inside = await rejectionOf(exportVersion({ registry, model: 'churn', out: path.join(registry.root, 'x'), force: true }));
    expect(inside.message).toMatch(/overlaps the registry/);
    const around = await rejectionOf(exportVersion({ registry, model: 'churn', out: work, force: true }));
    expect(around.message).toMatch(/overlaps the registry/);
  });

  it('a failed export (a tampered version) leaves nothing behind', async () => {
    const dir = registry.versionDir('churn', 1);
    const original = await readFile(path.join(dir, 'weights.bin'));
    const tampered = Buffer.from(original);
    tampered[0] ^= 0xff;
    await writeFile(path.join(dir, 'weights.bin'), tampered);
    try {
      const out = path.join(work, 'never');
      const err = await rejectionOf(exportVersion({ registry, model: 'churn', selector: { version: 1 }, out }));
      expect(err.code).toBe('INVALID_MODEL');
      expect(await readdir(work)).not.toContain('never');
      expect((await readdir(work)).filter((f) => f.startsWith('.never'))).toEqual([]);
    } finally {
      await writeFile(path.join(dir, 'weights.bin'), original);
    }
  });
});
