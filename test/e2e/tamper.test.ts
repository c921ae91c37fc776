/**
 * Damaged versions: a flipped byte, a truncated, deleted or extra file, a broken record, a model
 * that no longer loads. `mlctl version verify` must exit 1 and name the file (in --json problems
 * and in human output); `openVersion` (what evaluate/predict/serve use) must refuse to load,
 * naming the file. openVersion is tested in-process: no CLI command loads a version for inference yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdir, readFile, truncate, unlink, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createGraphModelJson, createTinyModelDir, type TinyModel } from '../helpers/tiny-model.js';
import { publishDir } from '../helpers/registry-fixture.js';
import { Registry } from '../../src/registry/registry.js';
import { openVersion } from '../../src/lifecycle/open-version.js';
import { MlctlError } from '../../src/errors.js';

let work: string;
let tiny: TinyModel;
let counter = 0;
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.1, 4.4, 1.4],
];

beforeAll(async () => {
  work = await makeTmpDir('mlctl-tamper-');
  tiny = await createTinyModelDir(path.join(work, 'src-model'), { seed: 11 });
});
afterAll(async () => removeTmpDir(work));

/** A fresh registry with tiny v1 (and `other` v1, which stays intact). */
async function registryWithTiny(): Promise<string> {
  const reg = path.join(work, `reg-${++counter}`);
  await publishDir(reg, 'tiny', tiny.dir);
  await publishDir(reg, 'other', tiny.dir);
  return reg;
}
const cli = (reg: string, args: string[]) => runCli([...args, '--registry', reg], { cwd: work });
const verifyJson = (reg: string, ...extra: string[]) => cli(reg, ['version', 'verify', '--backend', 'cpu', '--json', ...extra]);
const weights = (reg: string) => path.join(reg, 'tiny', '1', 'weights.bin');

async function flipByte(file: string, at = 10): Promise<void> {
  const buf = await readFile(file);
  buf[at] ^= 0xff;
  await writeFile(file, buf);
}

/** openVersion's rejection (fails the test if it loads). */
async function loadError(reg: string): Promise<MlctlError> {
  try {
    const loaded = await openVersion({ registry: new Registry(reg), model: 'tiny', backend: 'cpu' });
    loaded.dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(MlctlError);
    return e as MlctlError;
  }
  throw new Error('openVersion loaded a damaged version');
}

describe('an intact registry', () => {
  it('verifies clean (exit 0) and openVersion gives the original predictions', async () => {
    const reg = await registryWithTiny();
    const r = await verifyJson(reg);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      problems: [],
      versions: [
        { model: 'other', version: 1, ok: true },
        { model: 'tiny', version: 1, ok: true },
      ],
    });
    const human = await cli(reg, ['version', 'verify', '--backend', 'cpu']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`2/2 versions verified in ${reg}`);

    const loaded = await openVersion({ registry: new Registry(reg), model: 'tiny', selector: { version: 1 }, backend: 'cpu' });
    try {
      expect(loaded.record).toMatchObject({ model: 'tiny', version: 1 });
      expect(loaded.dir).toBe(path.join(reg, 'tiny', '1'));
      const out = loaded.handle.predict(Float32Array.from(ROWS.flat()), ROWS.length);
      const want = await tiny.predict(ROWS);
      expect(out.length).toBe(ROWS.length * want[0].length);
      want.forEach((row, i) => row.forEach((v, j) => expect(out[i * row.length + j]).toBeCloseTo(v, 6)));
    } finally {
      loaded.dispose();
    }
  });
});

describe('verify of a model that does not exist', () => {
  it('fails (exit 1) naming the known models instead of passing with nothing checked', async () => {
    const reg = await registryWithTiny();
    const r = await cli(reg, ['version', 'verify', 'tiyn', '--no-load', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: 'NOT_FOUND',
      message: `Model "tiyn" not found in ${reg}.`,
      hint: 'Did you mean "tiny"? Known models: other, tiny.',
    });
  });
});

describe('a flipped byte in weights.bin', () => {
  it('makes version verify exit 1 naming weights.bin in the --json problems', async () => {
    const reg = await registryWithTiny();
    await flipByte(weights(reg));
    const r = await verifyJson(reg);
    expect(r.code).toBe(1);
    const report = r.json();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        model: 'tiny',
        version: 1,
        file: 'weights.bin',
        problem: 'checksum',
        message: 'tiny/1/weights.bin: sha256 mismatch (file was modified after publishing)',
      },
    ]);
    // the intact model is still reported fine
    expect(report.versions).toEqual([
      { model: 'other', version: 1, ok: true },
      { model: 'tiny', version: 1, ok: false },
    ]);
  });

  it('names weights.bin in human output and fails with one error line on stderr', async () => {
    const reg = await registryWithTiny();
    await flipByte(weights(reg));
    const r = await cli(reg, ['version', 'verify', '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ tiny v1: tiny/1/weights.bin: sha256 mismatch (file was modified after publishing)');
    expect(r.stdout).toContain('1/2 versions verified');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('error: Verification failed: 1 problem found.');
  });

  it('is caught by the checksum pass alone (--no-load) and by verifying just that model', async () => {
    const reg = await registryWithTiny();
    await flipByte(weights(reg));
    const r = await cli(reg, ['version', 'verify', 'tiny', '--no-load', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().problems.map((p: { file: string }) => p.file)).toEqual(['weights.bin']);
    expect(r.json().versions).toEqual([{ model: 'tiny', version: 1, ok: false }]);
    const other = await cli(reg, ['version', 'verify', 'other', '--no-load', '--json']);
    expect(other.code).toBe(0);
  });

  it('makes openVersion fail with a message naming the file', async () => {
    const reg = await registryWithTiny();
    await flipByte(weights(reg));
    const e = await loadError(reg);
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.message).toBe('tiny/1/weights.bin: sha256 mismatch (file was modified after publishing)');
    expect(e.hint).toContain('mlctl version verify tiny');
  });
});

describe('other damage', () => {
  it('a truncated weights.bin is named with its sizes (verify and load)', async () => {
    const reg = await registryWithTiny();
    const size = (await stat(weights(reg))).size;
    await truncate(weights(reg), size - 4);
    const r = await verifyJson(reg, 'tiny');
    expect(r.code).toBe(1);
    expect(r.json().problems).toMatchObject([
      {
        file: 'weights.bin',
        problem: 'size',
        message: `tiny/1/weights.bin: ${size - 4} bytes, expected ${size} (file was truncated or modified after publishing)`,
      },
    ]);
    expect((await loadError(reg)).message).toContain('tiny/1/weights.bin');
  });

  it('a deleted file is named as missing (verify --json, human output, and load)', async () => {
    const reg = await registryWithTiny();
    await unlink(weights(reg));
    const r = await verifyJson(reg, 'tiny');
    expect(r.code).toBe(1);
    expect(r.json().problems).toEqual([
      { model: 'tiny', version: 1, file: 'weights.bin', problem: 'missing', message: 'tiny/1/weights.bin: missing' },
    ]);
    const human = await cli(reg, ['version', 'verify', 'tiny', '--backend', 'cpu']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('✖ tiny v1: tiny/1/weights.bin: missing');
    const e = await loadError(reg);
    expect(e.message).toBe('tiny/1/weights.bin: missing');
  });

  it('a deleted model.json is named as missing', async () => {
    const reg = await registryWithTiny();
    await unlink(path.join(reg, 'tiny', '1', 'model.json'));
    const r = await verifyJson(reg, 'tiny');
    expect(r.code).toBe(1);
    expect(r.json().problems).toMatchObject([{ file: 'model.json', problem: 'missing', message: 'tiny/1/model.json: missing' }]);
    expect((await loadError(reg)).message).toBe('tiny/1/model.json: missing');
  });

  it('an extra file is reported by verify (exit 1); loading ignores it', async () => {
    const reg = await registryWithTiny();
    await writeFile(path.join(reg, 'tiny', '1', 'notes.txt'), 'hello');
    await mkdir(path.join(reg, 'tiny', '1', 'sub'));
    await writeFile(path.join(reg, 'tiny', '1', 'sub', 'x.bin'), 'x');
    const r = await verifyJson(reg, 'tiny');
    expect(r.code).toBe(1);
    expect(r.json().problems).toEqual([
      {
        model: 'tiny',
        version: 1,
        file: 'notes.txt',
        problem: 'extra',
        message: 'tiny/1/notes.txt: unexpected file (not part of the published version)',
      },
      {
        model: 'tiny',
        version: 1,
        file: 'sub/x.bin',
        problem: 'extra',
        message: 'tiny/1/sub/x.bin: unexpected file (not part of the published version)',
      },
    ]);
    const loaded = await openVersion({ registry: new Registry(reg), model: 'tiny', backend: 'cpu' });
    loaded.dispose();
  });

  it('several problems are all listed, and load names the first and counts the rest', async () => {
    const reg = await registryWithTiny();
    await flipByte(weights(reg));
    await appendFile(path.join(reg, 'tiny', '1', 'model.json'), ' ');
    const r = await verifyJson(reg, 'tiny');
    expect(r.code).toBe(1);
    expect(
      r
        .json()
        .problems.map((p: { file: string; problem: string }) => `${p.file}:${p.problem}`)
        .sort(),
    ).toEqual(['model.json:size', 'weights.bin:checksum']);
    const e = await loadError(reg);
    expect(e.message).toMatch(/^tiny\/1\/model\.json: .* \(and 1 more problem\)$/);
  });

  it('an unreadable mlctl.json is named', async () => {
    const reg = await registryWithTiny();
    await writeFile(path.join(reg, 'tiny', '1', 'mlctl.json'), '{"model": ');
    const r = await verifyJson(reg, 'tiny');
    expect(r.code).toBe(1);
    const [problem] = r.json().problems;
    expect(problem).toMatchObject({ model: 'tiny', version: 1, file: 'mlctl.json', problem: 'record' });
    expect(problem.message).toMatch(/^tiny\/1\/mlctl\.json: unreadable \(.*not valid JSON/);
  });

  it('an unreadable mlctl.json does not break `version list`: the version is marked, the rest listed', async () => {
    const reg = await registryWithTiny();
    await publishDir(reg, 'tiny', tiny.dir);
    await writeFile(path.join(reg, 'tiny', '1', 'mlctl.json'), '{"model": ');
    const r = await cli(reg, ['version', 'list', 'tiny', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [v1, v2] = r.json().models[0].versions;
    expect(v1).toMatchObject({ version: 1, operation: null });
    expect(v1.error).toMatch(/mlctl\.json is not valid JSON.*mlctl version verify/);
    expect(v2).toMatchObject({ version: 2, operation: 'import' });
    expect(v2.error).toBeUndefined();
  });

  it('a version whose files match their checksums but do not load fails the load check', async () => {
    const reg = path.join(work, `reg-${++counter}`);
    const graphDir = path.join(work, `graph-${counter}`);
    await createGraphModelJson(graphDir);
    await publishDir(reg, 'graph', graphDir);
    const r = await verifyJson(reg);
    expect(r.code).toBe(1);
    expect(r.json().problems).toMatchObject([{ model: 'graph', version: 1, file: null, problem: 'load' }]);
    expect(r.json().problems[0].message).toMatch(/graph model/);
    // checksums alone are fine
    const noLoad = await cli(reg, ['version', 'verify', '--no-load', '--json']);
    expect(noLoad.code, noLoad.stdout).toBe(0);
  });
});
