/**
 * Damaged versions, in-process: a flipped byte, a truncated, deleted or extra file, a broken
 * record, a model that no longer loads. verifyRegistry must report the file (and the human
 * rendering name it); openVersion (what evaluate/predict/serve use) must refuse to load, naming
 * the file. The CLI side (exit 1, the one error line) is in test/e2e/version-commands.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdir, readFile, truncate, unlink, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Chalk } from 'chalk';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { createGraphModelJson, createTinyModelDir, type TinyModel } from '../../helpers/tiny-model.js';
import { publishDir } from '../../helpers/registry-fixture.js';
import { Registry } from '../../../src/registry/registry.js';
import { openVersion } from '../../../src/lifecycle/open-version.js';
import { verifyRegistry, type VerifyRegistryOptions } from '../../../src/lifecycle/verify-registry.js';
import { renderVerify } from '../../../src/cli/render/version-verify.js';
import { MlctlError } from '../../../src/errors.js';

const plain = new Chalk({ level: 0 });
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
}, 60_000);
afterAll(async () => removeTmpDir(work));

/** A fresh registry with tiny v1 (and `other` v1, which stays intact). */
async function registryWithTiny(): Promise<Registry> {
  const root = path.join(work, `reg-${++counter}`);
  await publishDir(root, 'tiny', tiny.dir);
  await publishDir(root, 'other', tiny.dir);
  return new Registry(root);
}
const verify = (registry: Registry, options: Omit<VerifyRegistryOptions, 'registry'> = {}) =>
  verifyRegistry({ registry, backend: 'cpu', ...options });
const weights = (registry: Registry) => path.join(registry.root, 'tiny', '1', 'weights.bin');

async function flipByte(file: string, at = 10): Promise<void> {
  const buf = await readFile(file);
  buf[at] ^= 0xff;
  await writeFile(file, buf);
}

/** openVersion's rejection (fails the test if it loads). */
async function loadError(registry: Registry): Promise<MlctlError> {
  const e = await openVersion({ registry, model: 'tiny', backend: 'cpu' }).then(
    (loaded) => {
      loaded.dispose();
      return null;
    },
    (err: unknown) => err,
  );
  expect(e, 'openVersion loaded a damaged version').toBeInstanceOf(MlctlError);
  return e as MlctlError;
}

describe('an intact registry', () => {
  it('verifies clean and openVersion gives the original predictions', async () => {
    const registry = await registryWithTiny();
    const result = await verify(registry);
    expect(result).toEqual({
      ok: true,
      registry: registry.root,
      problems: [],
      staging: [],
      versions: [
        { model: 'other', version: 1, ok: true },
        { model: 'tiny', version: 1, ok: true },
      ],
    });
    expect(renderVerify(result, plain)).toBe(`✔ 2/2 versions verified in ${registry.root}`);

    const loaded = await openVersion({ registry, model: 'tiny', selector: { version: 1 }, backend: 'cpu' });
    try {
      expect(loaded.record).toMatchObject({ model: 'tiny', version: 1 });
      expect(loaded.dir).toBe(path.join(registry.root, 'tiny', '1'));
      const out = loaded.handle.predict(Float32Array.from(ROWS.flat()), ROWS.length);
      const want = await tiny.predict(ROWS);
      expect(out.length).toBe(ROWS.length * want[0].length);
      want.forEach((row, i) => row.forEach((v, j) => expect(out[i * row.length + j]).toBeCloseTo(v, 6)));
    } finally {
      loaded.dispose();
    }
  });

  it('verify of a model that does not exist fails naming the known models instead of passing with nothing checked', async () => {
    const registry = await registryWithTiny();
    const e = await verify(registry, { model: 'tiyn', load: false }).then(
      () => null,
      (err: unknown) => err as MlctlError,
    );
    expect(e).toBeInstanceOf(MlctlError);
    expect(e!.toJSON()).toEqual({
      code: 'NOT_FOUND',
      message: `Model "tiyn" not found in ${registry.root}.`,
      hint: 'Did you mean "tiny"? Known models: other, tiny.',
    });
  });
});

describe('a flipped byte in weights.bin', () => {
  it('is reported as a checksum problem naming weights.bin; the intact model is still fine', async () => {
    const registry = await registryWithTiny();
    await flipByte(weights(registry));
    const result = await verify(registry);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        model: 'tiny',
        version: 1,
        file: 'weights.bin',
        problem: 'checksum',
        message: 'tiny/1/weights.bin: sha256 mismatch (file was modified after publishing)',
      },
    ]);
    expect(result.versions).toEqual([
      { model: 'other', version: 1, ok: true },
      { model: 'tiny', version: 1, ok: false },
    ]);
    expect(renderVerify(result, plain).split('\n')).toEqual([
      '✖ tiny v1: tiny/1/weights.bin: sha256 mismatch (file was modified after publishing)',
      `✖ 1/2 versions verified in ${registry.root}; 1 problem`,
    ]);
  });

  it('is caught by the checksum pass alone (load: false) and by verifying just that model', async () => {
    const registry = await registryWithTiny();
    await flipByte(weights(registry));
    const result = await verify(registry, { model: 'tiny', load: false });
    expect(result.problems.map((p) => `${p.file}:${p.problem}`)).toEqual(['weights.bin:checksum']);
    expect(result.versions).toEqual([{ model: 'tiny', version: 1, ok: false }]);
    expect((await verify(registry, { model: 'other', load: false })).ok).toBe(true);
  });

  it('makes openVersion fail with a message naming the file', async () => {
    const registry = await registryWithTiny();
    await flipByte(weights(registry));
    const e = await loadError(registry);
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.message).toBe('tiny/1/weights.bin: sha256 mismatch (file was modified after publishing)');
    expect(e.hint).toContain('mlctl version verify tiny');
  });
});

describe('other damage', () => {
  it('a truncated weights.bin is named with its sizes (verify and load)', async () => {
    const registry = await registryWithTiny();
    const size = (await stat(weights(registry))).size;
    await truncate(weights(registry), size - 4);
    const result = await verify(registry, { model: 'tiny' });
    expect(result.problems).toMatchObject([
      {
        file: 'weights.bin',
        problem: 'size',
        message: `tiny/1/weights.bin: ${size - 4} bytes, expected ${size} (file was truncated or modified after publishing)`,
      },
    ]);
    expect((await loadError(registry)).message).toContain('tiny/1/weights.bin');
  });

  it('a deleted file is named as missing (verify, its human output, and load)', async () => {
    const registry = await registryWithTiny();
    await unlink(weights(registry));
    const result = await verify(registry, { model: 'tiny' });
    expect(result.problems).toEqual([
      { model: 'tiny', version: 1, file: 'weights.bin', problem: 'missing', message: 'tiny/1/weights.bin: missing' },
    ]);
    expect(renderVerify(result, plain)).toContain('✖ tiny v1: tiny/1/weights.bin: missing');
    expect((await loadError(registry)).message).toBe('tiny/1/weights.bin: missing');
  });

  it('a deleted model.json is named as missing', async () => {
    const registry = await registryWithTiny();
    await unlink(path.join(registry.root, 'tiny', '1', 'model.json'));
    const result = await verify(registry, { model: 'tiny' });
    expect(result.problems).toMatchObject([{ file: 'model.json', problem: 'missing', message: 'tiny/1/model.json: missing' }]);
    expect((await loadError(registry)).message).toBe('tiny/1/model.json: missing');
  });

  it('an extra file is reported by verify; loading ignores it', async () => {
    const registry = await registryWithTiny();
    await writeFile(path.join(registry.root, 'tiny', '1', 'notes.txt'), 'hello');
    await mkdir(path.join(registry.root, 'tiny', '1', 'sub'));
    await writeFile(path.join(registry.root, 'tiny', '1', 'sub', 'x.bin'), 'x');
    const result = await verify(registry, { model: 'tiny' });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
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
    const loaded = await openVersion({ registry, model: 'tiny', backend: 'cpu' });
    expect(loaded.version).toBe(1);
    loaded.dispose();
  });

  it('several problems are all listed, and load names the first and counts the rest', async () => {
    const registry = await registryWithTiny();
    await flipByte(weights(registry));
    await appendFile(path.join(registry.root, 'tiny', '1', 'model.json'), ' ');
    const result = await verify(registry, { model: 'tiny' });
    expect(result.problems.map((p) => `${p.file}:${p.problem}`).sort()).toEqual(['model.json:size', 'weights.bin:checksum']);
    expect((await loadError(registry)).message).toMatch(/^tiny\/1\/model\.json: .* \(and 1 more problem\)$/);
  });

  it('an unreadable mlctl.json is named', async () => {
    const registry = await registryWithTiny();
    await writeFile(path.join(registry.root, 'tiny', '1', 'mlctl.json'), '{"model": ');
    const result = await verify(registry, { model: 'tiny' });
    expect(result.problems).toHaveLength(1);
    const [problem] = result.problems;
    expect(problem).toMatchObject({ model: 'tiny', version: 1, file: 'mlctl.json', problem: 'record' });
    expect(problem.message).toMatch(/^tiny\/1\/mlctl\.json: unreadable \(.*not valid JSON/);
  });

  it('a version whose files match their checksums but do not load fails the load check only', async () => {
    const root = path.join(work, `reg-${++counter}`);
    const graphDir = path.join(work, `graph-${counter}`);
    await createGraphModelJson(graphDir);
    await publishDir(root, 'graph', graphDir);
    const registry = new Registry(root);
    const result = await verify(registry);
    expect(result.problems).toMatchObject([{ model: 'graph', version: 1, file: null, problem: 'load' }]);
    expect(result.problems[0].message).toMatch(/graph model/);
    // checksums alone are fine
    expect((await verify(registry, { load: false })).ok).toBe(true);
  });
});
