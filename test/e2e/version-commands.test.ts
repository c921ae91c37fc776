/**
 * `mlctl version list|show|diff|alias|unalias|rm|verify` through the built binary: per subcommand
 * one happy path (--json shape, human output) and its exit codes (1 not found / conflict / damaged,
 * 2 usage), plus the `-V` / `--version` collision STYLE.md warns about. What the verbs do (every
 * selector, message, lineage, damage case) is tested in-process in
 * test/unit/lifecycle/version-commands.test.ts and verify-registry.test.ts.
 * Versions are published in-process through the real Registry (no TF.js start-up per version).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonDocument, REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createTinyModelDir, type TinyModel } from '../helpers/tiny-model.js';
import { accuracyMetrics, publishDir } from '../helpers/registry-fixture.js';
import { Registry } from '../../src/registry/registry.js';

let work: string;
let seed1: TinyModel;
let seed2: TinyModel;
let counter = 0;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-e2e-version-');
  seed1 = await createTinyModelDir(path.join(work, 'seed1'), { seed: 1 });
  seed2 = await createTinyModelDir(path.join(work, 'seed2'), { seed: 2 });
}, 60_000);
afterAll(async () => removeTmpDir(work));

/** A fresh registry holding iris v1 (seed 1, trained, accuracy 0.9667), v2 (seed 2, quantized from 1), v3 (seed 1). */
async function irisRegistry(): Promise<string> {
  const reg = path.join(work, `reg-${++counter}`);
  await mkdir(reg, { recursive: true });
  await publishDir(reg, 'iris', seed1.dir, { operation: 'train', metrics: accuracyMetrics(0.9667) });
  await publishDir(reg, 'iris', seed2.dir, { operation: 'quantize', parent: 1 });
  await publishDir(reg, 'iris', seed1.dir);
  return reg;
}

const cli = (reg: string, args: string[]) => runCli([...args, '--registry', reg], { cwd: work });
const readAliases = async (reg: string) =>
  JSON.parse(await readFile(path.join(reg, 'iris', 'aliases.json'), 'utf8')) as Record<string, number>;
const record = async (reg: string, n: number) => JSON.parse(await readFile(path.join(reg, 'iris', String(n), 'mlctl.json'), 'utf8'));
const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
/** Set-up only (not under test): point an alias in-process, without spawning the CLI. */
const setAlias = (reg: string, alias: string, version: number) => new Registry(reg).setAlias('iris', alias, version);
const NOT_FOUND_7 = 'Model "iris" has no version 7; it has versions 1-3 (latest is 3).';

describe.concurrent('version list', () => {
  it('--json: every model with versions, aliases, lineage and key metric', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'production', 2);
    const r = await cli(reg, ['version', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonDocument(r);
    expect(Object.keys(doc)).toEqual(['registry', 'models']);
    expect(doc.registry).toBe(reg);
    expect(doc.models).toHaveLength(1);
    expect(doc.models[0]).toMatchObject({ name: 'iris', latest: 3, aliases: { production: 2 } });
    expect(doc.models[0].versions).toMatchObject([
      { version: 1, parent: null, operation: 'train', aliases: [], metric: { name: 'accuracy', value: 0.9667 } },
      { version: 2, parent: 1, operation: 'quantize', aliases: ['production'], metric: null },
      { version: 3, parent: null, operation: 'import', aliases: [], metric: null },
    ]);
    expect(Object.keys(doc.models[0].versions[0])).toEqual([
      'version',
      'parent',
      'operation',
      'aliases',
      'createdAt',
      'bytes',
      'gzipBytes',
      'metric',
      'backend',
    ]);
  });

  it('human output is the lineage table; an unknown model is exit 1', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'list']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('iris  3 versions, latest 3');
    expect(lines[2]).toMatch(/^1 +train +- +accuracy 0\.9667 /);
    expect(lines[3]).toMatch(/^└─ 2 +quantize +1 /);
    const unknown = await cli(reg, ['version', 'list', 'nope', '--json']);
    expect(unknown.code).toBe(1);
    expect(jsonDocument(unknown).error).toMatchObject({ code: 'NOT_FOUND', message: `Model "nope" not found in ${reg}.` });
  });
});

describe.concurrent('version show', () => {
  it('--json: the record, its aliases and its directory, selected by --alias or a positional number', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'production', 2);
    const byAlias = await cli(reg, ['version', 'show', 'iris', '--alias', 'production', '--json']);
    expect(byAlias.code, byAlias.stderr).toBe(0);
    expect(jsonDocument(byAlias)).toEqual({ record: await record(reg, 2), aliases: ['production'], dir: path.join(reg, 'iris', '2') });
    // (--version: below; every selector against showVersion in-process, and their parsing in test/cli)
    expect(jsonDocument(await cli(reg, ['version', 'show', 'iris', '1', '--json'])).record.version).toBe(1);
  });

  it('human output names the version, its aliases and its files', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'production', 2);
    const r = await cli(reg, ['version', 'show', 'iris', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^iris v2 {2}production\n/);
    expect(r.stdout).toMatch(/^weights\.bin +/m);
    expect(r.stdout).toMatch(/^model\.json +/m);
  });

  it('a missing version is exit 1; a version given twice is a usage error (exit 2)', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'production', 2);
    const missing = await cli(reg, ['version', 'show', 'iris', '--version', '7', '--json']);
    expect(missing.code).toBe(1);
    expect(jsonDocument(missing).error).toEqual({ code: 'NOT_FOUND', message: NOT_FOUND_7, hint: 'Run "mlctl version list iris".' });
    const twice = await cli(reg, ['version', 'show', 'iris', '2', '--alias', 'production', '--json']);
    expect(twice.code).toBe(2);
    expect(jsonDocument(twice).error).toEqual({
      code: 'USAGE',
      message: 'Give the version once: either as an argument ("2") or with --version/--alias.',
    });
  });
});

describe.concurrent('version diff', () => {
  it('--json and human: what changed between two versions', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'diff', 'iris', '1', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonDocument(r);
    expect(Object.keys(doc)).toEqual(['model', 'a', 'b', 'changes', 'perClass', 'signature', 'same']);
    expect(doc).toMatchObject({ model: 'iris', a: 1, b: 2 });
    const [v1, v2] = [await record(reg, 1), await record(reg, 2)];
    expect(doc.changes).toContainEqual({ key: 'operation', a: 'train', b: 'quantize' });
    expect(doc.changes).toContainEqual({ key: 'parent', a: null, b: 1 });
    const sha = (rec: { files: { path: string; sha256: string }[] }) => rec.files.find((f) => f.path === 'weights.bin')!.sha256;
    expect(doc.changes).toContainEqual({ key: 'files.weights.bin.sha256', a: sha(v1), b: sha(v2) });

    const human = await cli(reg, ['version', 'diff', 'iris', '1', 'latest']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^iris: v1 → v3\n/);
    expect(human.stdout).toMatch(/^operation +train +import/m);
  });

  it('a missing version is exit 1; a malformed one or a missing argument is a usage error (exit 2)', async () => {
    const reg = await irisRegistry();
    const missing = await cli(reg, ['version', 'diff', 'iris', '1', '7', '--json']);
    expect(missing.code).toBe(1);
    expect(jsonDocument(missing).error.message).toBe(NOT_FOUND_7);
    const bad = await cli(reg, ['version', 'diff', 'iris', '1', 'x', '--json']);
    expect(bad.code).toBe(2);
    expect(jsonDocument(bad).error).toMatchObject({ code: 'USAGE', message: expect.stringContaining('got "x"') });
    const short = await cli(reg, ['version', 'diff', 'iris', '1']);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("error: missing required argument 'b'");
  });
});

describe.concurrent('version alias / unalias', () => {
  it('alias --json sets it; moving it needs --force (exit 1 without, human report with)', async () => {
    const reg = await irisRegistry();
    const set = await cli(reg, ['version', 'alias', 'iris', 'production', '1', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(jsonDocument(set)).toEqual({ model: 'iris', alias: 'production', version: 1, previous: null });
    expect(await readAliases(reg)).toEqual({ production: 1 });

    const conflict = await cli(reg, ['version', 'alias', 'iris', 'production', '2', '--json']);
    expect(conflict.code).toBe(1);
    expect(jsonDocument(conflict).error).toEqual({
      code: 'CONFLICT',
      message: 'Alias "production" points to 1; pass --force to move it.',
      hint: 'Run "mlctl version alias iris production 2 --force".',
    });
    expect(await readAliases(reg)).toEqual({ production: 1 });

    const forced = await cli(reg, ['version', 'alias', 'iris', 'production', 'latest', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toBe('✔ iris@production moved from v1 to v3\n');
    const fresh = await cli(reg, ['version', 'alias', 'iris', 'canary', '2']);
    expect(fresh.stdout).toBe('✔ iris@canary → v2\n');
    expect(await readAliases(reg)).toEqual({ production: 3, canary: 2 });
  });

  it('alias refuses an invalid alias name (exit 2) and a missing version (exit 1)', async () => {
    const reg = await irisRegistry();
    const digits = await cli(reg, ['version', 'alias', 'iris', '123', '2', '--json']);
    expect(digits.code).toBe(2);
    expect(jsonDocument(digits).error).toMatchObject({
      code: 'USAGE',
      message: 'Invalid alias "123": an alias cannot be all digits (it would read as a version).',
    });
    const missing = await cli(reg, ['version', 'alias', 'iris', 'production', '9', '--json']);
    expect(missing.code).toBe(1);
    expect(jsonDocument(missing).error.code).toBe('NOT_FOUND');
    expect(await exists(path.join(reg, 'iris', 'aliases.json'))).toBe(false);
  });

  it('unalias removes the alias (--json and human); a missing alias is exit 1', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'production', 2);
    await setAlias(reg, 'canary', 3);
    const r = await cli(reg, ['version', 'unalias', 'iris', 'production', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonDocument(r)).toEqual({ model: 'iris', alias: 'production', previous: 2 });
    const human = await cli(reg, ['version', 'unalias', 'iris', 'canary']);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('✔ removed iris@canary (was v3)\n');
    expect(await readAliases(reg)).toEqual({});
    const missing = await cli(reg, ['version', 'unalias', 'iris', 'nope', '--json']);
    expect(missing.code).toBe(1);
    expect(jsonDocument(missing).error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Model "iris" has no alias "nope"; it has no aliases.',
    });
  });
});

describe.concurrent('version rm', () => {
  it('--json with --force removes the version and its aliases; human output without', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'production', 2);
    const r = await cli(reg, ['version', 'rm', 'iris', '2', '--force', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonDocument(r)).toEqual({ model: 'iris', version: 2, aliasesRemoved: ['production'] });
    expect(await exists(path.join(reg, 'iris', '2'))).toBe(false);
    const human = await cli(reg, ['version', 'rm', 'iris', '1']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe('✔ removed iris v1\n');
    expect(await exists(path.join(reg, 'iris', '1'))).toBe(false);
  });

  it('an aliased version without --force and a missing version are exit 1; "latest" is a usage error (exit 2)', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'production', 2);
    const aliased = await cli(reg, ['version', 'rm', 'iris', '2', '--json']);
    expect(aliased.code).toBe(1);
    expect(jsonDocument(aliased).error).toMatchObject({ code: 'CONFLICT' });
    const missing = await cli(reg, ['version', 'rm', 'iris', '7', '--json']);
    expect(missing.code).toBe(1);
    expect(jsonDocument(missing).error.message).toBe(NOT_FOUND_7);
    const latest = await cli(reg, ['version', 'rm', 'iris', 'latest', '--json']);
    expect(latest.code).toBe(2);
    expect(jsonDocument(latest).error).toEqual({ code: 'USAGE', message: 'rm needs an explicit version number, not "latest".' });
    for (const n of [1, 2, 3]) expect(await exists(path.join(reg, 'iris', String(n), 'mlctl.json'))).toBe(true);
  });
});

describe.concurrent('version verify', () => {
  it('an intact registry: exit 0, the report as one document (--json) or a summary line', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'verify', '--backend', 'cpu', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(jsonDocument(r)).toEqual({
      ok: true,
      registry: reg,
      versions: [1, 2, 3].map((version) => ({ model: 'iris', version, ok: true })),
      problems: [],
      staging: [],
    });
    const human = await cli(reg, ['version', 'verify', '--no-load']);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe(`✔ 3/3 versions verified in ${reg}\n`);
  });

  it('a damaged version: exit 1, the report naming the file (the one --json document), one error line (human)', async () => {
    const reg = await irisRegistry();
    const weights = path.join(reg, 'iris', '2', 'weights.bin');
    const buf = await readFile(weights);
    buf[10] ^= 0xff;
    await writeFile(weights, buf);
    const message = 'iris/2/weights.bin: sha256 mismatch (file was modified after publishing)';
    const r = await cli(reg, ['version', 'verify', 'iris', '--no-load', '--json']);
    expect(r.code).toBe(1);
    const doc = jsonDocument(r);
    expect(doc).not.toHaveProperty('error');
    expect(doc).toMatchObject({ ok: false, problems: [{ model: 'iris', version: 2, file: 'weights.bin', problem: 'checksum', message }] });
    const human = await cli(reg, ['version', 'verify', '--no-load']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`✖ iris v2: ${message}`);
    expect(human.stderr).toBe(
      'error: Verification failed: 1 problem found. See the list above; restore the files or remove the broken versions.\n',
    );
    const unknown = await cli(reg, ['version', 'verify', 'iirs', '--no-load', '--json']);
    expect(unknown.code).toBe(1);
    expect(jsonDocument(unknown).error).toEqual({
      code: 'NOT_FOUND',
      message: `Model "iirs" not found in ${reg}.`,
      hint: 'Did you mean "iris"? Known models: iris.',
    });
  });
});

describe.concurrent("mlctl's own version vs a model version", () => {
  it("mlctl -V and mlctl --version print package.json's version; after a subcommand --version selects a model version", async () => {
    const want = (JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['-V', '--version']) {
      const r = await runCli([flag], { cwd: work });
      expect(r.code, flag).toBe(0);
      expect(r.stdout, flag).toBe(`${want}\n`);
    }
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'show', 'iris', '--version', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^iris v2\n/);
    // for a model that does not exist it is an error about the model, not the tool's version
    const x = await cli(reg, ['version', 'show', 'x', '--version', '2']);
    expect(x.code).toBe(1);
    expect(x.stdout).toBe('');
    expect(x.stderr).toContain('Model "x" not found');
  });
});
