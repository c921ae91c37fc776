/**
 * importModel in-process: a real TF.js layers model built by the test is published with checksums
 * of the copied files, listed, shown and verified, and loads back with stock tf.loadLayersModel
 * giving the same predictions; broken input is refused before anything is written.
 * The CLI side (exit codes, --json, human output) is in test/e2e/import.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile, stat, truncate, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { createGraphModelJson, createTinyModelDir, type TinyModel } from '../../helpers/tiny-model.js';
import { serveDirectory } from '../../helpers/static-server.js';
import { loadTf } from '../../../src/engine/tf.js';
import { Registry } from '../../../src/registry/registry.js';
import { importModel, type ImportModelOptions, type ImportModelResult } from '../../../src/lifecycle/import-model.js';
import { listVersions } from '../../../src/lifecycle/list-versions.js';
import { showVersion } from '../../../src/lifecycle/show-version.js';
import { verifyRegistry } from '../../../src/lifecycle/verify-registry.js';
import { MlctlError } from '../../../src/errors.js';
import { renderPublished } from '../../../src/cli/render/published.js';
import { formatBytes } from '../../../src/cli/render/format.js';
import { Chalk } from 'chalk';

let work: string;
let tiny: TinyModel;
let registry: Registry;
let imported: ImportModelResult;
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.2, 2.9, 4.3, 1.3],
  [7.7, 3.0, 6.1, 2.3],
];

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

beforeAll(async () => {
  work = await makeTmpDir('mlctl-import-');
  tiny = await createTinyModelDir(path.join(work, 'src-model'), { seed: 7 });
  registry = new Registry(path.join(work, 'model-registry'));
  imported = await importModel({ registry, source: tiny.modelJsonPath, name: 'tiny', backend: 'cpu' });
}, 60_000);
afterAll(async () => removeTmpDir(work));

describe('import a real TF.js layers model', () => {
  it('publishes version 1 with checksums of the copied files', async () => {
    const { record, dir } = imported;
    expect(record).toMatchObject({ model: 'tiny', version: 1, operation: 'import', parent: null, backend: 'cpu' });
    expect(dir).toBe(path.join(registry.root, 'tiny', '1'));
    expect(record.source).toMatchObject({ path: tiny.modelJsonPath, sha256: await sha256(tiny.modelJsonPath) });
    // dense 4→8→3
    expect(record.io).toEqual({ inputShape: [[null, 4]], outputShape: [[null, 3]], parameters: 4 * 8 + 8 + 8 * 3 + 3 });
    const files = Object.fromEntries(record.files.map((f) => [f.path, f]));
    expect(Object.keys(files).sort()).toEqual(['model.json', 'weights.bin']);
    for (const name of ['model.json', 'weights.bin']) {
      expect(files[name].sha256, name).toBe(await sha256(path.join(tiny.dir, name)));
      expect(files[name].bytes, name).toBe((await stat(path.join(tiny.dir, name))).size);
    }
    // gzip of 67 random float32s barely shrinks them; never more than the file plus a header
    expect(files['weights.bin'].gzipBytes).toBeGreaterThan(200);
    expect(files['weights.bin'].gzipBytes).toBeLessThan(files['weights.bin'].bytes + 64);
    // the version directory holds exactly the stock files plus the metadata file
    expect((await readdir(dir)).sort()).toEqual(['mlctl.json', 'model.json', 'weights.bin']);
  });

  it('human output (what `mlctl import` prints) names the new version, its size and backend', () => {
    const bytes = imported.record.files.reduce((n, f) => n + f.bytes, 0);
    const gz = imported.record.files.reduce((n, f) => n + f.gzipBytes, 0);
    const text = renderPublished(imported.record, new Chalk({ level: 0 }));
    expect(text).toMatch(/^✔ tiny v1 imported · \S+ (B|KiB) \(\S+ (B|KiB) gzipped\) · backend cpu · \S+ m?s$/);
    expect(text).toContain(`· ${formatBytes(bytes)} (${formatBytes(gz)} gzipped) ·`);
  });

  it('lists, shows and verifies the imported version', async () => {
    const list = await listVersions({ registry });
    expect(list.models.map((m) => m.name)).toEqual(['tiny']);
    expect(list.models[0].versions).toMatchObject([{ version: 1, operation: 'import', parent: null, metric: null }]);
    const show = await showVersion({ registry, model: 'tiny', selector: { version: 1 } });
    expect(show.record).toEqual(imported.record);
    const verify = await verifyRegistry({ registry, model: 'tiny', backend: 'cpu' });
    expect(verify).toMatchObject({ ok: true, problems: [], staging: [] });
    expect(verify.versions).toEqual([{ model: 'tiny', version: 1, ok: true }]);
  });

  it('the version loads with stock tf.loadLayersModel and predicts like the original', async () => {
    const server = await serveDirectory(imported.dir);
    try {
      const { tf } = await loadTf('cpu');
      const model = await tf.loadLayersModel(`${server.url}/model.json`);
      const x = tf.tensor2d(ROWS);
      const y = model.predict(x) as Tensor;
      const got = (await y.array()) as number[][];
      tf.dispose([x, y]);
      model.dispose();
      const want = await tiny.predict(ROWS);
      expect(got).toHaveLength(3);
      got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 6)));
    } finally {
      await server.close();
    }
  });

  it('derives the model name from the folder when no name is given, and numbers on', async () => {
    const other = new Registry(path.join(work, 'reg-names'));
    const byDir = await importModel({ registry: other, source: tiny.dir, backend: 'cpu' });
    expect(byDir.record).toMatchObject({ model: 'src-model', version: 1 });
    const next = await importModel({ registry: other, source: tiny.modelJsonPath, backend: 'cpu' });
    expect(next.record).toMatchObject({ model: 'src-model', version: 2 });
  });
});

describe('import refuses broken input and writes nothing', () => {
  let counter = 0;
  /** importModel's rejection into a fresh registry, which must stay empty */
  async function importError(options: Omit<ImportModelOptions, 'registry'>): Promise<MlctlError> {
    const reg = new Registry(path.join(work, `reg-bad-${++counter}`));
    const e = await importModel({ registry: reg, backend: 'cpu', ...options }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(MlctlError);
    expect(await readdir(reg.root).catch(() => [])).toEqual([]);
    return e as MlctlError;
  }

  it('an invalid model name is a usage error', async () => {
    for (const bad of ['../evil', 'Upper', '/abs', 'a/b', '.hidden']) {
      const e = await importError({ source: tiny.modelJsonPath, name: bad });
      expect(e.code, bad).toBe('USAGE');
      expect(e.message, bad).toContain(`Invalid model name "${bad}"`);
    }
  });

  it('a missing path says so', async () => {
    const e = await importError({ source: path.join(work, 'nope/model.json'), name: 'nope' });
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe(`${path.join(work, 'nope/model.json')} does not exist.`);
  });

  it('unreadable JSON is named', async () => {
    const dir = path.join(work, 'badjson');
    await createTinyModelDir(dir);
    await writeFile(path.join(dir, 'model.json'), '{"modelTopology": ');
    const e = await importError({ source: dir, name: 'badjson' });
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.message).toMatch(/model\.json.*not valid JSON/);
  });

  it('a graph model is refused: mlctl needs a layers model', async () => {
    const dir = path.join(work, 'graph');
    await createGraphModelJson(dir);
    const e = await importError({ source: dir, name: 'graph' });
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.message).toMatch(/graph model/);
  });

  it('a short shard is refused, naming the file', async () => {
    const dir = path.join(work, 'short');
    await createTinyModelDir(dir);
    const weights = path.join(dir, 'weights.bin');
    await truncate(weights, (await stat(weights)).size - 8);
    const e = await importError({ source: dir, name: 'short' });
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.message).toContain('weights.bin');
  });

  it('a missing shard is refused, naming the file', async () => {
    const dir = path.join(work, 'noshard');
    await createTinyModelDir(dir);
    await unlink(path.join(dir, 'weights.bin'));
    const e = await importError({ source: dir, name: 'noshard' });
    expect(e.message).toContain('weights.bin');
  });
});
