/**
 * `mlctl import` through the built binary: the happy path (--json shape) and its exit codes
 * (1 broken input, 2 usage). What import checks and writes (checksums, shapes, stock TF.js
 * loading, every refusal, the human output) is tested in-process in
 * test/unit/lifecycle/import-model.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonDocument, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createGraphModelJson, createTinyModelDir, type TinyModel } from '../helpers/tiny-model.js';

let work: string;
let tiny: TinyModel;
const cli = (args: string[]) => runCli(args, { cwd: work });
const models = async () => readdir(path.join(work, 'model-registry')).catch(() => []);

beforeAll(async () => {
  work = await makeTmpDir('mlctl-e2e-import-');
  tiny = await createTinyModelDir(path.join(work, 'src-model'), { seed: 7 });
}, 60_000);
afterAll(async () => removeTmpDir(work));

describe('mlctl import', () => {
  it('--json: exit 0, the new version record as the one document (no TF.js banner anywhere)', async () => {
    const r = await cli(['import', tiny.modelJsonPath, '--name', 'tiny', '--json', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    const record = jsonDocument(r);
    expect(record).toMatchObject({ model: 'tiny', version: 1, operation: 'import', parent: null, backend: 'cpu' });
    const dir = path.join(work, 'model-registry/tiny/1');
    expect(record).toEqual(JSON.parse(await readFile(path.join(dir, 'mlctl.json'), 'utf8')));
    expect((await readdir(dir)).sort()).toEqual(['mlctl.json', 'model.json', 'weights.bin']);
  });

  it('an invalid model name is a usage error (exit 2)', async () => {
    const r = await cli(['import', tiny.modelJsonPath, '--name', '../evil', '--json']);
    expect(r.code).toBe(2);
    expect(jsonDocument(r).error).toMatchObject({ code: 'USAGE', message: expect.stringContaining('Invalid model name "../evil"') });
  });

  it('a missing path or a model mlctl cannot use is exit 1, and nothing is written', async () => {
    const missing = await cli(['import', 'nope/model.json', '--name', 'nope', '--json']);
    expect(missing.code).toBe(1);
    expect(jsonDocument(missing).error).toMatchObject({ code: 'NOT_FOUND', message: 'nope/model.json does not exist.' });

    await createGraphModelJson(path.join(work, 'graph'));
    const graph = await cli(['import', 'graph', '--json']);
    expect(graph.code).toBe(1);
    expect(jsonDocument(graph).error).toMatchObject({ code: 'INVALID_MODEL', message: expect.stringMatching(/graph model/) });
    expect(await models()).toEqual(['tiny']);
  });
});
