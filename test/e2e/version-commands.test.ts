/**
 * `mlctl version alias|unalias|rm|show|diff|list` end to end through the built binary, against
 * a fresh temp registry per test, plus the `-V` / `--version` collision STYLE.md warns about.
 * Versions that only need to exist are published in-process through the real Registry (fast);
 * versions whose import is part of the behaviour go through `mlctl import`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createTinyModelDir, type TinyModel } from '../helpers/tiny-model.js';
import { accuracyMetrics, publishDir } from '../helpers/registry-fixture.js';
import { Registry } from '../../src/registry/registry.js';

let work: string;
let seed1: TinyModel;
let seed2: TinyModel;
let small: TinyModel;
let counter = 0;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-version-');
  seed1 = await createTinyModelDir(path.join(work, 'seed1'), { seed: 1 });
  seed2 = await createTinyModelDir(path.join(work, 'seed2'), { seed: 2 });
  small = await createTinyModelDir(path.join(work, 'small'), { seed: 1, units: [5, 3] });
});
afterAll(async () => removeTmpDir(work));

/** A fresh registry holding iris v1 (seed 1), v2 (seed 2), v3 (seed 1). */
async function irisRegistry(): Promise<string> {
  const reg = path.join(work, `reg-${++counter}`);
  await mkdir(reg, { recursive: true });
  await publishDir(reg, 'iris', seed1.dir);
  await publishDir(reg, 'iris', seed2.dir);
  await publishDir(reg, 'iris', seed1.dir);
  return reg;
}

const cli = (reg: string, args: string[]) => runCli([...args, '--registry', reg], { cwd: work });
const readAliases = async (reg: string, model = 'iris') =>
  JSON.parse(await readFile(path.join(reg, model, 'aliases.json'), 'utf8')) as Record<string, number>;
const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
/** Set-up only (not under test): point an alias in-process, without spawning the CLI. */
const setAlias = (reg: string, model: string, alias: string, version: number) => new Registry(reg).setAlias(model, alias, version);

describe('version alias / unalias', () => {
  it('sets a new alias and records it in aliases.json', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'alias', 'iris', 'production', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ model: 'iris', alias: 'production', version: 1, previous: null });
    expect(await readAliases(reg)).toEqual({ production: 1 });
  });

  it('"latest" as the target points the alias at the highest version number', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'alias', 'iris', 'staging', 'latest', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().version).toBe(3);
    expect(await readAliases(reg)).toEqual({ staging: 3 });
  });

  it('refuses to move an existing alias without --force (exit 1, CONFLICT) and leaves it in place', async () => {
    const reg = await irisRegistry();
    expect((await cli(reg, ['version', 'alias', 'iris', 'production', '1'])).code).toBe(0);
    const r = await cli(reg, ['version', 'alias', 'iris', 'production', '2', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: 'CONFLICT',
      message: 'Alias "production" points to 1; pass --force to move it.',
      hint: 'Run "mlctl version alias iris production 2 --force".',
    });
    expect(await readAliases(reg)).toEqual({ production: 1 });

    const human = await cli(reg, ['version', 'alias', 'iris', 'production', '2']);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toContain('error: Alias "production" points to 1; pass --force to move it.');
  });

  it('moves an alias with --force and reports where it came from', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 1);
    const r = await cli(reg, ['version', 'alias', 'iris', 'production', '2', '--force', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ model: 'iris', alias: 'production', version: 2, previous: 1 });
    expect(await readAliases(reg)).toEqual({ production: 2 });

    const human = await cli(reg, ['version', 'alias', 'iris', 'production', '3', '--force']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('iris@production moved from v2 to v3');
  });

  it('setting an alias to the version it already points to is a no-op success without --force', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    const r = await cli(reg, ['version', 'alias', 'iris', 'production', '2', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json()).toMatchObject({ version: 2, previous: 2 });
  });

  it('refuses an all-digit alias (exit 2): it would read as a version', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'alias', 'iris', '123', '2', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error).toMatchObject({
      code: 'USAGE',
      message: 'Invalid alias "123": an alias cannot be all digits (it would read as a version).',
    });
    expect(await exists(path.join(reg, 'iris', 'aliases.json'))).toBe(false);
  });

  it('refuses "latest" as an alias name (exit 2)', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'alias', 'iris', 'latest', '2', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error).toMatchObject({ code: 'USAGE', message: 'Invalid alias "latest": it is reserved for the highest version.' });
    expect(await exists(path.join(reg, 'iris', 'aliases.json'))).toBe(false);
  });

  it('refuses an alias to a version that does not exist, saying which exist', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'alias', 'iris', 'production', '9', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Model "iris" has no version 9; it has versions 1-3 (latest is 3).',
    });
  });

  it('unalias removes the alias and reports the version it pointed to', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    await setAlias(reg, 'iris', 'canary', 3);
    const r = await cli(reg, ['version', 'unalias', 'iris', 'production', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ model: 'iris', alias: 'production', previous: 2 });
    expect(await readAliases(reg)).toEqual({ canary: 3 });
    const human = await cli(reg, ['version', 'unalias', 'iris', 'canary']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('removed iris@canary (was v3)');
  });

  it('unalias of a missing alias fails (exit 1) and lists the aliases that exist', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    const r = await cli(reg, ['version', 'unalias', 'iris', 'nope', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Model "iris" has no alias "nope"; its aliases are production → 2.',
    });
    expect(await readAliases(reg)).toEqual({ production: 2 });
  });
});

describe('version rm', () => {
  it('refuses to remove an aliased version without --force (exit 1) and keeps it', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    const r = await cli(reg, ['version', 'rm', 'iris', '2', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: 'CONFLICT',
      message: 'Version 2 of "iris" is aliased as production; pass --force to remove it and its aliases.',
    });
    expect(await exists(path.join(reg, 'iris', '2', 'mlctl.json'))).toBe(true);
    expect(await readAliases(reg)).toEqual({ production: 2 });
  });

  it('with --force removes the version and the aliases that pointed to it', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    await setAlias(reg, 'iris', 'canary', 2);
    await setAlias(reg, 'iris', 'stable', 1);
    const r = await cli(reg, ['version', 'rm', 'iris', '2', '--force', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ model: 'iris', version: 2, aliasesRemoved: ['canary', 'production'] });
    expect(await exists(path.join(reg, 'iris', '2'))).toBe(false);
    expect(await readAliases(reg)).toEqual({ stable: 1 });
    const list = await cli(reg, ['version', 'list', 'iris', '--json']);
    expect(list.json().models[0].versions.map((v: { version: number }) => v.version)).toEqual([1, 3]);
  });

  it('removes an unaliased version without --force', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'rm', 'iris', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('removed iris v1');
    expect(await exists(path.join(reg, 'iris', '1'))).toBe(false);
  });

  it('never reuses a number: after removing the latest version the next import gets a new one', async () => {
    const reg = await irisRegistry();
    expect((await cli(reg, ['version', 'rm', 'iris', '3'])).code).toBe(0);
    const r = await cli(reg, ['import', seed2.modelJsonPath, '--name', 'iris', '--backend', 'cpu', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().version).toBe(4);
    const list = await cli(reg, ['version', 'list', 'iris', '--json']);
    expect(list.json().models[0].versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 4]);
  });

  it('refuses "latest" (exit 2) and a missing version (exit 1, naming what exists)', async () => {
    const reg = await irisRegistry();
    const latest = await cli(reg, ['version', 'rm', 'iris', 'latest', '--json']);
    expect(latest.code).toBe(2);
    expect(latest.json().error.message).toBe('rm needs an explicit version number, not "latest".');
    const missing = await cli(reg, ['version', 'rm', 'iris', '7', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json().error.message).toBe('Model "iris" has no version 7; it has versions 1-3 (latest is 3).');
    expect(await exists(path.join(reg, 'iris', '3'))).toBe(true);
  });
});

describe('version show', () => {
  it('selects by --alias', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    const r = await cli(reg, ['version', 'show', 'iris', '--alias', 'production', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().record).toMatchObject({ model: 'iris', version: 2 });
    expect(r.json().aliases).toEqual(['production']);
    expect(r.json().dir).toBe(path.join(reg, 'iris', '2'));
  });

  it('selects by --version, by a positional number, and defaults to latest', async () => {
    const reg = await irisRegistry();
    const byFlag = await cli(reg, ['version', 'show', 'iris', '--version', '2', '--json']);
    expect(byFlag.code, byFlag.stderr).toBe(0);
    expect(byFlag.json().record.version).toBe(2);
    const byArg = await cli(reg, ['version', 'show', 'iris', '1', '--json']);
    expect(byArg.json().record.version).toBe(1);
    const latest = await cli(reg, ['version', 'show', 'iris', '--json']);
    expect(latest.json().record.version).toBe(3);
    const latestWord = await cli(reg, ['version', 'show', 'iris', '--version', 'latest', '--json']);
    expect(latestWord.json().record.version).toBe(3);
  });

  it('human output names the version, its aliases and its files', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    const r = await cli(reg, ['version', 'show', 'iris', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^iris v2 {2}production/);
    expect(r.stdout).toContain('weights.bin');
    expect(r.stdout).toContain('model.json');
  });

  it('a missing version says which versions exist (exit 1)', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'show', 'iris', '--version', '7', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Model "iris" has no version 7; it has versions 1-3 (latest is 3).',
    });
    await cli(reg, ['version', 'rm', 'iris', '2']);
    const gap = await cli(reg, ['version', 'show', 'iris', '2']);
    expect(gap.code).toBe(1);
    expect(gap.stderr).toContain('Model "iris" has no version 2; it has versions 1, 3 (latest is 3).');
  });

  it('a missing alias lists the aliases that exist (exit 1)', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    await setAlias(reg, 'iris', 'canary', 3);
    const r = await cli(reg, ['version', 'show', 'iris', '--alias', 'nope', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Model "iris" has no alias "nope"; its aliases are canary → 3, production → 2.',
    });
  });

  it('a missing alias on a model without aliases says it has none', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'show', 'iris', '--alias', 'production', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.message).toBe('Model "iris" has no alias "production"; it has no aliases.');
  });

  it('an unknown model lists the known models (exit 1)', async () => {
    const reg = await irisRegistry();
    await publishDir(reg, 'churn', seed1.dir);
    const r = await cli(reg, ['version', 'show', 'nope', '1', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: 'NOT_FOUND',
      message: `Model "nope" not found in ${reg}.`,
      hint: 'Known models: churn, iris.',
    });
    const human = await cli(reg, ['version', 'show', 'nope', '1']);
    expect(human.stderr.trim()).toBe(`error: Model "nope" not found in ${reg}. Known models: churn, iris.`);
  });

  it('an invalid model name is a usage error (exit 2)', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'show', '../iris', '1', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toContain('Invalid model name "../iris"');
  });

  it('--version and --alias together are a usage error (exit 2)', async () => {
    const reg = await irisRegistry();
    await setAlias(reg, 'iris', 'production', 2);
    const r = await cli(reg, ['version', 'show', 'iris', '--version', '2', '--alias', 'production', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.code).toBe('USAGE');
    expect(r.json().error.message).toContain("option '--alias <name>' cannot be used with option '--version <n|latest>'");
    const both = await cli(reg, ['version', 'show', 'iris', '2', '--alias', 'production', '--json']);
    expect(both.code).toBe(2);
    expect(both.json().error.message).toBe('Give the version once: either as an argument ("2") or with --version/--alias.');
  });

  it('a malformed version is a usage error (exit 2)', async () => {
    const reg = await irisRegistry();
    for (const bad of ['0', '02', '1.5', 'abc']) {
      const r = await cli(reg, ['version', 'show', 'iris', '--version', bad, '--json']);
      expect(r.code, bad).toBe(2);
      expect(r.json().error.code, bad).toBe('USAGE');
      expect(r.json().error.message, bad).toContain(`got "${bad}"`);
    }
  });
});

describe('version diff', () => {
  it('shows that the weights differ between two imports of the same architecture with different seeds', async () => {
    const reg = path.join(work, `reg-${++counter}`);
    for (const m of [seed1, seed2]) {
      const r = await cli(reg, ['import', m.modelJsonPath, '--name', 'tiny', '--backend', 'cpu', '--json']);
      expect(r.code, r.stderr).toBe(0);
    }
    const r = await cli(reg, ['version', 'diff', 'tiny', '1', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json();
    expect(result).toMatchObject({ model: 'tiny', a: 1, b: 2 });
    const byKey = Object.fromEntries(result.changes.map((c: { key: string }) => [c.key, c]));
    const [v1, v2] = await Promise.all(
      [1, 2].map(async (n) => JSON.parse(await readFile(path.join(reg, 'tiny', String(n), 'mlctl.json'), 'utf8'))),
    );
    const sha = (rec: { files: { path: string; sha256: string }[] }) => rec.files.find((f) => f.path === 'weights.bin')!.sha256;
    expect(byKey['files.weights.bin.sha256']).toEqual({ key: 'files.weights.bin.sha256', a: sha(v1), b: sha(v2) });
    expect(byKey['source.path']).toMatchObject({ a: seed1.modelJsonPath, b: seed2.modelJsonPath });
    // same architecture: same sizes, so those rows are not changes
    expect(byKey['files.weights.bin.bytes']).toBeUndefined();
    expect(byKey['io.parameters']).toBeUndefined();

    const human = await cli(reg, ['version', 'diff', 'tiny', '1', 'latest']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('tiny: v1 → v2');
    expect(human.stdout).toContain('files.weights.bin.sha256');
  });

  it('shows size and parameter changes with their delta', async () => {
    const reg = await irisRegistry();
    await publishDir(reg, 'iris', small.dir);
    const r = await cli(reg, ['version', 'diff', 'iris', '1', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const byKey = Object.fromEntries(r.json().changes.map((c: { key: string }) => [c.key, c]));
    // dense 4→8→3 has 4*8+8+8*3+3 = 67 params, 4→5→3 has 43; float32 weights: 4 bytes each
    expect(byKey['files.weights.bin.bytes']).toEqual({ key: 'files.weights.bin.bytes', a: 268, b: 172, delta: -96 });
    expect(byKey['size.bytes'].delta).toBe(byKey['size.bytes'].b - byKey['size.bytes'].a);
  });

  it('two identical versions have no differences', async () => {
    const reg = await irisRegistry();
    const r = await cli(reg, ['version', 'diff', 'iris', '1', '3', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().changes).toEqual([]);
    expect(r.json().same).toBeGreaterThan(0);
    const human = await cli(reg, ['version', 'diff', 'iris', '1', '3']);
    expect(human.stdout).toMatch(/no differences \(\d+ fields compared\)/);
  });

  it('a missing version is named (exit 1); a malformed one is a usage error (exit 2)', async () => {
    const reg = await irisRegistry();
    const missing = await cli(reg, ['version', 'diff', 'iris', '1', '9', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json().error.message).toBe('Model "iris" has no version 9; it has versions 1-3 (latest is 3).');
    const bad = await cli(reg, ['version', 'diff', 'iris', '1', 'x', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json().error.code).toBe('USAGE');
  });
});

describe('version list', () => {
  it('human output has the columns, the aliases and the lineage tree', async () => {
    const reg = path.join(work, `reg-${++counter}`);
    await publishDir(reg, 'iris', seed1.dir, { operation: 'train', metrics: accuracyMetrics(0.9667) });
    await publishDir(reg, 'iris', seed2.dir, { operation: 'quantize', parent: 1, metrics: accuracyMetrics(0.95) });
    await publishDir(reg, 'iris', seed1.dir, { operation: 'prune', parent: 1 });
    await publishDir(reg, 'iris', small.dir, { operation: 'quantize', parent: 3 });
    await setAlias(reg, 'iris', 'production', 2);
    await setAlias(reg, 'iris', 'canary', 2);
    const r = await cli(reg, ['version', 'list']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.trimEnd());
    expect(lines[0]).toBe('iris  4 versions, latest 4');
    expect(lines[1].split(/\s{2,}/)).toEqual(['VERSION', 'ALIASES', 'OPERATION', 'PARENT', 'METRIC', 'SIZE', 'CREATED']);
    // lineage order: 1, its children 2 and 3, then 3's child 4, drawn as a tree
    expect(lines.slice(2)).toHaveLength(4);
    expect(lines[2]).toMatch(/^1 +train +- +accuracy 0\.9667 /);
    expect(lines[3]).toMatch(/^├─ 2 +canary, production +quantize +1 +accuracy 0\.9500 /);
    expect(lines[4]).toMatch(/^└─ 3 +prune +1 +- /);
    expect(lines[5]).toMatch(/^ {2}└─ 4 +quantize +3 +- /);
    // the aliases sit in the ALIASES column
    expect(lines[3].indexOf('canary')).toBe(lines[1].indexOf('ALIASES'));
  });

  it('--json gives every model with versions, aliases, lineage and key metric', async () => {
    const reg = path.join(work, `reg-${++counter}`);
    await publishDir(reg, 'iris', seed1.dir, { operation: 'train', metrics: accuracyMetrics(0.9667) });
    await publishDir(reg, 'iris', seed2.dir, { operation: 'quantize', parent: 1 });
    await publishDir(reg, 'churn', seed1.dir);
    await setAlias(reg, 'iris', 'production', 2);
    const r = await cli(reg, ['version', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json();
    expect(result.registry).toBe(reg);
    expect(result.models.map((m: { name: string }) => m.name)).toEqual(['churn', 'iris']);
    const iris = result.models[1];
    expect(iris).toMatchObject({ name: 'iris', latest: 2, aliases: { production: 2 } });
    expect(iris.versions).toMatchObject([
      { version: 1, parent: null, operation: 'train', aliases: [], metric: { name: 'accuracy', value: 0.9667 } },
      { version: 2, parent: 1, operation: 'quantize', aliases: ['production'], metric: null },
    ]);
    const one = await cli(reg, ['version', 'list', 'churn', '--json']);
    expect(one.json().models.map((m: { name: string }) => m.name)).toEqual(['churn']);
  });

  it('an empty registry lists nothing (exit 0); an unknown model is named (exit 1)', async () => {
    const reg = path.join(work, `reg-${++counter}`);
    const empty = await cli(reg, ['version', 'list', '--json']);
    expect(empty.code).toBe(0);
    expect(empty.json()).toEqual({ registry: reg, models: [] });
    const human = await cli(reg, ['version', 'list']);
    expect(human.stdout).toContain(`No models in ${reg} yet.`);
    const unknown = await cli(reg, ['version', 'list', 'nope', '--json']);
    expect(unknown.code).toBe(1);
    // the registry folder does not exist yet: the first-run message
    expect(unknown.json().error.message).toBe(`No model registry at ${reg} yet.`);
    await mkdir(reg, { recursive: true });
    const inEmpty = await cli(reg, ['version', 'list', 'nope', '--json']);
    expect(inEmpty.code).toBe(1);
    expect(inEmpty.json().error.message).toBe(`Model "nope" not found in ${reg}.`);
  });
});

describe("mlctl's own version vs a model version", () => {
  const pkgVersion = async () => (JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  it("mlctl -V and mlctl --version print package.json's version", async () => {
    const want = await pkgVersion();
    for (const flag of ['-V', '--version']) {
      const r = await runCli([flag], { cwd: work });
      expect(r.code, flag).toBe(0);
      expect(r.stdout.trim(), flag).toBe(want);
    }
  });

  it('after a subcommand --version selects a model version, never prints the tool version', async () => {
    const reg = await irisRegistry();
    const want = await pkgVersion();
    const r = await cli(reg, ['version', 'show', 'iris', '--version', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).not.toBe(want);
    expect(r.stdout).toMatch(/^iris v2\b/);
    // for a model that does not exist it is an error about the model, not the tool's version
    const x = await cli(reg, ['version', 'show', 'x', '--version', '2']);
    expect(x.code).toBe(1);
    expect(x.stdout).toBe('');
    expect(x.stderr).toContain('Model "x" not found');
  });
});
