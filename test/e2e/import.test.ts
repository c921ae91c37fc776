/**
 * `mlctl import` + `mlctl version …` end to end: a real TF.js model built in the test, imported
 * through the built binary into a temp registry, listed, shown, verified, and loaded back with
 * stock tf.loadLayersModel giving the same predictions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile, stat, truncate, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createGraphModelJson, createTinyModelDir, type TinyModel } from '../helpers/tiny-model.js';
import { serveDirectory } from '../helpers/static-server.js';
import { loadTf } from '../../src/engine/tf.js';

let work: string;
let tiny: TinyModel;
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.2, 2.9, 4.3, 1.3],
  [7.7, 3.0, 6.1, 2.3],
];

const cli = (args: string[]) => runCli(args, { cwd: work });
const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

beforeAll(async () => {
  work = await makeTmpDir();
  tiny = await createTinyModelDir(path.join(work, 'src-model'), { seed: 7 });
});
afterAll(async () => removeTmpDir(work));

describe('import a real TF.js layers model', () => {
  it('publishes version 1 with checksums of the copied files', async () => {
    const r = await cli(['import', tiny.modelJsonPath, '--name', 'tiny', '--json', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    const record = r.json();
    expect(record).toMatchObject({ model: 'tiny', version: 1, operation: 'import', parent: null, backend: 'cpu' });
    const files = Object.fromEntries(record.files.map((f: { path: string }) => [f.path, f]));
    expect(Object.keys(files).sort()).toEqual(['model.json', 'weights.bin']);
    expect(files['weights.bin'].sha256).toBe(await sha256(path.join(tiny.dir, 'weights.bin')));
    expect(files['weights.bin'].bytes).toBe((await stat(path.join(tiny.dir, 'weights.bin'))).size);
    expect(files['weights.bin'].gzipBytes).toBeGreaterThan(0);
    // the version directory holds exactly the stock files plus the metadata file
    expect((await readdir(path.join(work, 'model-registry/tiny/1'))).sort()).toEqual(['mlctl.json', 'model.json', 'weights.bin']);
  });

  it('lists, shows and verifies the imported version', async () => {
    const list = await cli(['version', 'list', '--json']);
    expect(list.code).toBe(0);
    const model = list.json().models.find((m: { name: string }) => m.name === 'tiny');
    expect(model.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(model.versions[0].operation).toBe('import');

    const show = await cli(['version', 'show', 'tiny', '1', '--json']);
    expect(show.code).toBe(0);
    expect(show.json().record.version).toBe(1);

    const verify = await cli(['version', 'verify', 'tiny', '--json', '--backend', 'cpu']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.json()).toMatchObject({ ok: true, problems: [] });
    expect(verify.json().versions).toEqual([{ model: 'tiny', version: 1, ok: true }]);
  });

  it('the version loads with stock tf.loadLayersModel and predicts like the original', async () => {
    const server = await serveDirectory(path.join(work, 'model-registry/tiny/1'));
    try {
      const { tf } = await loadTf('cpu');
      const model = await tf.loadLayersModel(`${server.url}/model.json`);
      const x = tf.tensor2d(ROWS);
      const got = (await (model.predict(x) as import('@tensorflow/tfjs').Tensor).array()) as number[][];
      const want = await tiny.predict(ROWS);
      expect(got.length).toBe(3);
      got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 6)));
      tf.dispose(x);
      model.dispose();
    } finally {
      await server.close();
    }
  });

  it('derives the model name from the folder when --name is absent', async () => {
    const r = await cli(['import', tiny.dir, '--json', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ model: 'src-model', version: 1 });
  });

  it('human output names the new version', async () => {
    const r = await cli(['import', tiny.modelJsonPath, '--name', 'tiny', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tiny v2 imported/);
    expect(r.stdout).not.toMatch(/\u001b\[/); // no colour when stdout is not a TTY
  });
});

describe('import refuses broken input and writes nothing', () => {
  const expectNothingWritten = async (name: string) => {
    const list = await cli(['version', 'list', '--json']);
    expect(list.json().models.map((m: { name: string }) => m.name)).not.toContain(name);
  };

  it('an invalid model name is a usage error (exit 2)', async () => {
    for (const bad of ['../evil', 'Upper', '/abs', 'a/b', '.hidden']) {
      const r = await cli(['import', tiny.modelJsonPath, '--name', bad, '--json']);
      expect(r.code, bad).toBe(2);
      expect(r.json().error.code).toBe('USAGE');
      expect(r.json().error.message).toContain(`Invalid model name "${bad}"`);
    }
    await expect(stat(path.join(work, 'evil'))).rejects.toThrow();
  });

  it('a missing path says so (exit 1)', async () => {
    const r = await cli(['import', 'nope/model.json', '--name', 'nope', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.message).toContain('nope/model.json does not exist');
  });

  it('unreadable JSON is named', async () => {
    const dir = path.join(work, 'badjson');
    await createTinyModelDir(dir);
    await writeFile(path.join(dir, 'model.json'), '{"modelTopology": ');
    const r = await cli(['import', dir, '--name', 'badjson', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('INVALID_MODEL');
    expect(r.json().error.message).toMatch(/model\.json.*not valid JSON/);
    await expectNothingWritten('badjson');
  });

  it('a graph model is refused: mlctl needs a layers model', async () => {
    const dir = path.join(work, 'graph');
    await createGraphModelJson(dir);
    const r = await cli(['import', dir, '--name', 'graph', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.message).toMatch(/graph model/);
    await expectNothingWritten('graph');
  });

  it('a short shard is refused, naming the file', async () => {
    const dir = path.join(work, 'short');
    await createTinyModelDir(dir);
    const weights = path.join(dir, 'weights.bin');
    await truncate(weights, (await stat(weights)).size - 8);
    const r = await cli(['import', dir, '--name', 'short', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.message).toContain('weights.bin');
    await expectNothingWritten('short');
  });

  it('a missing shard is refused, naming the file', async () => {
    const dir = path.join(work, 'noshard');
    await createTinyModelDir(dir);
    await unlink(path.join(dir, 'weights.bin'));
    const r = await cli(['import', dir, '--name', 'noshard', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.message).toContain('weights.bin');
    await expectNothingWritten('noshard');
  });
});
