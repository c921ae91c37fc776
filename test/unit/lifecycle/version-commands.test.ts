/**
 * The `mlctl version` verbs in-process: setAlias / removeAlias / removeVersion / showVersion /
 * diffVersions / listVersions against fresh temp registries, and the human renderings of show,
 * diff and list (the lineage tree). Versions that only need to exist are published through the
 * real Registry from a tiny model; versions whose import matters go through importModel.
 * The CLI side (argument parsing, exit codes, --json, -V) is in test/e2e/version-commands.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Chalk } from 'chalk';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { createTinyModelDir, type TinyModel } from '../../helpers/tiny-model.js';
import { accuracyMetrics, publishDir } from '../../helpers/registry-fixture.js';
import { Registry } from '../../../src/registry/registry.js';
import { removeAlias, removeVersion, setAlias } from '../../../src/lifecycle/manage-aliases.js';
import { showVersion } from '../../../src/lifecycle/show-version.js';
import { diffVersions, type DiffRow } from '../../../src/lifecycle/diff-versions.js';
import { listVersions } from '../../../src/lifecycle/list-versions.js';
import { importModel } from '../../../src/lifecycle/import-model.js';
import { resolveModelName } from '../../../src/lifecycle/resolve-model.js';
import { renderShowVersion } from '../../../src/cli/render/version-show.js';
import { renderDiff } from '../../../src/cli/render/version-diff.js';
import { renderVersionList } from '../../../src/cli/render/version-list.js';
import { MlctlError } from '../../../src/errors.js';

const plain = new Chalk({ level: 0 });
let work: string;
let seed1: TinyModel;
let seed2: TinyModel;
let small: TinyModel;
let counter = 0;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-versions-');
  seed1 = await createTinyModelDir(path.join(work, 'seed1'), { seed: 1 });
  seed2 = await createTinyModelDir(path.join(work, 'seed2'), { seed: 2 });
  small = await createTinyModelDir(path.join(work, 'small'), { seed: 1, units: [5, 3] });
}, 60_000);
afterAll(async () => removeTmpDir(work));

const freshRoot = () => path.join(work, `reg-${++counter}`);

/** A fresh registry holding iris v1 (seed 1), v2 (seed 2), v3 (seed 1). */
async function irisRegistry(): Promise<Registry> {
  const root = freshRoot();
  await mkdir(root, { recursive: true });
  await publishDir(root, 'iris', seed1.dir);
  await publishDir(root, 'iris', seed2.dir);
  await publishDir(root, 'iris', seed1.dir);
  return new Registry(root);
}

const readAliases = async (registry: Registry, model = 'iris') =>
  JSON.parse(await readFile(path.join(registry.root, model, 'aliases.json'), 'utf8')) as Record<string, number>;
const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
/** the MlctlError `p` rejects with (fails the test when it resolves) */
async function rejection(p: Promise<unknown>): Promise<MlctlError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlctlError);
  return e as MlctlError;
}
const versionsOf = async (registry: Registry, model = 'iris') =>
  (await listVersions({ registry, model })).models[0].versions.map((v) => v.version);

describe('setAlias / removeAlias', () => {
  it('sets a new alias and records it in aliases.json', async () => {
    const registry = await irisRegistry();
    expect(await setAlias({ registry, model: 'iris', alias: 'production', version: 1 })).toEqual({
      model: 'iris',
      alias: 'production',
      version: 1,
      previous: null,
    });
    expect(await readAliases(registry)).toEqual({ production: 1 });
  });

  it('"latest" as the target points the alias at the highest version number', async () => {
    const registry = await irisRegistry();
    expect((await setAlias({ registry, model: 'iris', alias: 'staging', version: 'latest' })).version).toBe(3);
    expect(await readAliases(registry)).toEqual({ staging: 3 });
  });

  it('refuses to move an existing alias without force (CONFLICT, exit 1) and leaves it in place', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 1 });
    const e = await rejection(setAlias({ registry, model: 'iris', alias: 'production', version: 2 }));
    expect(e.toJSON()).toEqual({
      code: 'CONFLICT',
      message: 'Alias "production" points to 1; pass --force to move it.',
      hint: 'Run "mlctl version alias iris production 2 --force".',
    });
    expect(e.exitCode).toBe(1);
    expect(await readAliases(registry)).toEqual({ production: 1 });
  });

  it('moves an alias with force and reports where it came from', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 1 });
    expect(await setAlias({ registry, model: 'iris', alias: 'production', version: 2, force: true })).toEqual({
      model: 'iris',
      alias: 'production',
      version: 2,
      previous: 1,
    });
    expect(await readAliases(registry)).toEqual({ production: 2 });
  });

  it('setting an alias to the version it already points to is a no-op success without force', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    expect(await setAlias({ registry, model: 'iris', alias: 'production', version: 2 })).toMatchObject({ version: 2, previous: 2 });
    expect(await readAliases(registry)).toEqual({ production: 2 });
  });

  it('refuses an all-digit alias and "latest" (USAGE, exit 2) without writing aliases.json', async () => {
    const registry = await irisRegistry();
    const digits = await rejection(setAlias({ registry, model: 'iris', alias: '123', version: 2 }));
    expect(digits).toMatchObject({
      code: 'USAGE',
      message: 'Invalid alias "123": an alias cannot be all digits (it would read as a version).',
    });
    expect(digits.exitCode).toBe(2);
    const latest = await rejection(setAlias({ registry, model: 'iris', alias: 'latest', version: 2 }));
    expect(latest).toMatchObject({ code: 'USAGE', message: 'Invalid alias "latest": it is reserved for the highest version.' });
    expect(await exists(path.join(registry.root, 'iris', 'aliases.json'))).toBe(false);
  });

  it('refuses an alias to a version that does not exist, saying which exist', async () => {
    const registry = await irisRegistry();
    const e = await rejection(setAlias({ registry, model: 'iris', alias: 'production', version: 9 }));
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: 'Model "iris" has no version 9; it has versions 1-3 (latest is 3).' });
    expect(await exists(path.join(registry.root, 'iris', 'aliases.json'))).toBe(false);
  });

  it('removeAlias removes the alias and reports the version it pointed to', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    await setAlias({ registry, model: 'iris', alias: 'canary', version: 3 });
    expect(await removeAlias({ registry, model: 'iris', alias: 'production' })).toEqual({
      model: 'iris',
      alias: 'production',
      previous: 2,
    });
    expect(await readAliases(registry)).toEqual({ canary: 3 });
  });

  it('removeAlias of a missing alias fails (NOT_FOUND) and lists the aliases that exist', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    const e = await rejection(removeAlias({ registry, model: 'iris', alias: 'nope' }));
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: 'Model "iris" has no alias "nope"; its aliases are production → 2.' });
    expect(await readAliases(registry)).toEqual({ production: 2 });
  });
});

describe('removeVersion', () => {
  it('refuses to remove an aliased version without force (CONFLICT) and keeps it', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    const e = await rejection(removeVersion({ registry, model: 'iris', version: 2 }));
    expect(e).toMatchObject({
      code: 'CONFLICT',
      message: 'Version 2 of "iris" is aliased as production; pass --force to remove it and its aliases.',
    });
    expect(await exists(path.join(registry.root, 'iris', '2', 'mlctl.json'))).toBe(true);
    expect(await readAliases(registry)).toEqual({ production: 2 });
  });

  it('with force removes the version and the aliases that pointed to it', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    await setAlias({ registry, model: 'iris', alias: 'canary', version: 2 });
    await setAlias({ registry, model: 'iris', alias: 'stable', version: 1 });
    expect(await removeVersion({ registry, model: 'iris', version: 2, force: true })).toEqual({
      model: 'iris',
      version: 2,
      aliasesRemoved: ['canary', 'production'],
    });
    expect(await exists(path.join(registry.root, 'iris', '2'))).toBe(false);
    expect(await readAliases(registry)).toEqual({ stable: 1 });
    expect(await versionsOf(registry)).toEqual([1, 3]);
  });

  it('removes an unaliased version without force', async () => {
    const registry = await irisRegistry();
    expect(await removeVersion({ registry, model: 'iris', version: 1 })).toEqual({ model: 'iris', version: 1, aliasesRemoved: [] });
    expect(await exists(path.join(registry.root, 'iris', '1'))).toBe(false);
    expect(await versionsOf(registry)).toEqual([2, 3]);
  });

  it('never reuses a number: after removing the latest version the next import gets a new one', async () => {
    const registry = await irisRegistry();
    await removeVersion({ registry, model: 'iris', version: 3 });
    const next = await importModel({ registry, source: seed2.modelJsonPath, name: 'iris', backend: 'cpu' });
    expect(next.record.version).toBe(4);
    expect(await versionsOf(registry)).toEqual([1, 2, 4]);
  });

  it('a missing version is NOT_FOUND, naming what exists, and removes nothing', async () => {
    const registry = await irisRegistry();
    const e = await rejection(removeVersion({ registry, model: 'iris', version: 7 }));
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: 'Model "iris" has no version 7; it has versions 1-3 (latest is 3).' });
    expect(await versionsOf(registry)).toEqual([1, 2, 3]);
  });
});

describe('showVersion', () => {
  it('selects by alias, by version number and "latest", and defaults to latest', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    const byAlias = await showVersion({ registry, model: 'iris', selector: { alias: 'production' } });
    expect(byAlias.record).toMatchObject({ model: 'iris', version: 2 });
    expect(byAlias.aliases).toEqual(['production']);
    expect(byAlias.dir).toBe(path.join(registry.root, 'iris', '2'));
    expect((await showVersion({ registry, model: 'iris', selector: { version: 1 } })).record.version).toBe(1);
    expect((await showVersion({ registry, model: 'iris', selector: { version: 'latest' } })).record.version).toBe(3);
    expect((await showVersion({ registry, model: 'iris', selector: {} })).record.version).toBe(3);
    // the record as stored on disk
    const stored = JSON.parse(await readFile(path.join(registry.root, 'iris', '2', 'mlctl.json'), 'utf8'));
    expect(byAlias.record).toEqual(stored);
  });

  it('human output names the version, its aliases and its files', async () => {
    const registry = await irisRegistry();
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    await setAlias({ registry, model: 'iris', alias: 'canary', version: 2 });
    const result = await showVersion({ registry, model: 'iris', selector: { version: 2 } });
    const text = renderShowVersion(result, plain);
    expect(text.split('\n')[0]).toBe('iris v2  canary, production');
    expect(text).toMatch(/^operation +import$/m);
    expect(text).toContain(`directory     ${result.dir}`);
    for (const f of result.record.files)
      expect(text).toMatch(new RegExp(`^${f.path.replace('.', '\\.')} +.*${f.sha256.slice(0, 16)}$`, 'm'));
  });

  it('a missing version says which versions exist, also with gaps', async () => {
    const registry = await irisRegistry();
    const e = await rejection(showVersion({ registry, model: 'iris', selector: { version: 7 } }));
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: 'Model "iris" has no version 7; it has versions 1-3 (latest is 3).' });
    expect(e.hint).toBe('Run "mlctl version list iris".');
    await removeVersion({ registry, model: 'iris', version: 2 });
    const gap = await rejection(showVersion({ registry, model: 'iris', selector: { version: 2 } }));
    expect(gap.message).toBe('Model "iris" has no version 2; it has versions 1, 3 (latest is 3).');
  });

  it('a missing alias lists the aliases that exist, or says there are none', async () => {
    const registry = await irisRegistry();
    const none = await rejection(showVersion({ registry, model: 'iris', selector: { alias: 'production' } }));
    expect(none).toMatchObject({ code: 'NOT_FOUND', message: 'Model "iris" has no alias "production"; it has no aliases.' });
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    await setAlias({ registry, model: 'iris', alias: 'canary', version: 3 });
    const e = await rejection(showVersion({ registry, model: 'iris', selector: { alias: 'nope' } }));
    expect(e.message).toBe('Model "iris" has no alias "nope"; its aliases are canary → 3, production → 2.');
  });

  it('an unknown model lists the known models; an invalid name is a usage error', async () => {
    const registry = await irisRegistry();
    await publishDir(registry.root, 'churn', seed1.dir);
    const e = await rejection(showVersion({ registry, model: 'nope', selector: { version: 1 } }));
    expect(e.toJSON()).toEqual({
      code: 'NOT_FOUND',
      message: `Model "nope" not found in ${registry.root}.`,
      hint: 'Known models: churn, iris.',
    });
    const bad = await rejection(showVersion({ registry, model: '../iris', selector: { version: 1 } }));
    expect(bad.code).toBe('USAGE');
    expect(bad.message).toContain('Invalid model name "../iris"');
  });

  it('the model may be left out when the registry holds one (or a default names it)', async () => {
    const registry = await irisRegistry();
    expect(await resolveModelName(registry, undefined)).toBe('iris');
    await publishDir(registry.root, 'churn', seed1.dir);
    expect(await resolveModelName(registry, undefined, 'churn')).toBe('churn');
    expect(await resolveModelName(registry, 'iris', 'churn')).toBe('iris');
    const e = await rejection(resolveModelName(registry, undefined));
    expect(e).toMatchObject({ code: 'USAGE', message: 'Name a model: the registry has 2 (churn, iris).' });
    const empty = await rejection(resolveModelName(new Registry(freshRoot()), undefined));
    expect(empty.code).toBe('NOT_FOUND');
  });
});

describe('diffVersions', () => {
  it('shows that the weights differ between two imports of the same architecture with different seeds', async () => {
    const registry = new Registry(freshRoot());
    for (const m of [seed1, seed2]) await importModel({ registry, source: m.modelJsonPath, name: 'tiny', backend: 'cpu' });
    const result = await diffVersions({ registry, model: 'tiny', a: { version: 1 }, b: { version: 'latest' } });
    expect(result).toMatchObject({ model: 'tiny', a: 1, b: 2 });
    const byKey = Object.fromEntries(result.changes.map((c) => [c.key, c]));
    const [v1, v2] = await Promise.all(
      [1, 2].map(async (n) => JSON.parse(await readFile(path.join(registry.root, 'tiny', String(n), 'mlctl.json'), 'utf8'))),
    );
    const sha = (rec: { files: { path: string; sha256: string }[] }) => rec.files.find((f) => f.path === 'weights.bin')!.sha256;
    expect(sha(v1)).not.toBe(sha(v2));
    expect(byKey['files.weights.bin.sha256']).toEqual({ key: 'files.weights.bin.sha256', a: sha(v1), b: sha(v2) });
    expect(byKey['source.path']).toMatchObject({ a: seed1.modelJsonPath, b: seed2.modelJsonPath });
    // same architecture: same sizes, so those rows are not changes
    expect(byKey['files.weights.bin.bytes']).toBeUndefined();
    expect(byKey['io.parameters']).toBeUndefined();

    const text = renderDiff(result, plain);
    expect(text.split('\n')[0]).toBe('tiny: v1 → v2');
    expect(text).toContain('files.weights.bin.sha256');
  });

  it('shows size and parameter changes with their delta', async () => {
    const registry = await irisRegistry();
    await publishDir(registry.root, 'iris', small.dir);
    const result = await diffVersions({ registry, model: 'iris', a: { version: 1 }, b: { version: 4 } });
    const byKey: Record<string, DiffRow> = Object.fromEntries(result.changes.map((c) => [c.key, c]));
    // dense 4→8→3 has 4*8+8+8*3+3 = 67 params, 4→5→3 has 43; float32 weights: 4 bytes each
    expect(byKey['files.weights.bin.bytes']).toEqual({ key: 'files.weights.bin.bytes', a: 268, b: 172, delta: -96 });
    const size = byKey['size.bytes'] as { a: number; b: number; delta: number };
    expect(size.delta).toBe(size.b - size.a);
    expect(size.delta).toBeLessThan(0);
    const text = renderDiff(result, plain);
    expect(text).toMatch(/^files\.weights\.bin\.bytes +268 +172 +-96 *$/m);
  });

  it('two identical versions have no differences, every field compared counted as the same', async () => {
    const registry = await irisRegistry();
    const identical = await diffVersions({ registry, model: 'iris', a: { version: 1 }, b: { version: 3 } });
    expect(identical.changes).toEqual([]);
    // 1 vs 2 compares the same fields (same record shape), some of them different
    const differing = await diffVersions({ registry, model: 'iris', a: { version: 1 }, b: { version: 2 } });
    expect(differing.changes.length).toBeGreaterThanOrEqual(1);
    expect(identical.same).toBe(differing.same + differing.changes.length);
    expect(renderDiff(identical, plain)).toBe(`iris: v1 → v3\nno differences (${identical.same} fields compared)`);
  });

  it('a missing version is named', async () => {
    const registry = await irisRegistry();
    const e = await rejection(diffVersions({ registry, model: 'iris', a: { version: 1 }, b: { version: 9 } }));
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: 'Model "iris" has no version 9; it has versions 1-3 (latest is 3).' });
  });
});

describe('listVersions', () => {
  it('human output has the columns, the aliases and the lineage tree', async () => {
    const root = freshRoot();
    await publishDir(root, 'iris', seed1.dir, { operation: 'train', metrics: accuracyMetrics(0.9667) });
    await publishDir(root, 'iris', seed2.dir, { operation: 'quantize', parent: 1, metrics: accuracyMetrics(0.95) });
    await publishDir(root, 'iris', seed1.dir, { operation: 'prune', parent: 1 });
    await publishDir(root, 'iris', small.dir, { operation: 'quantize', parent: 3 });
    const registry = new Registry(root);
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    await setAlias({ registry, model: 'iris', alias: 'canary', version: 2 });
    const lines = renderVersionList(await listVersions({ registry }), plain)
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

  it('gives every model with versions, aliases, lineage and key metric; or just the one asked for', async () => {
    const root = freshRoot();
    await publishDir(root, 'iris', seed1.dir, { operation: 'train', metrics: accuracyMetrics(0.9667) });
    await publishDir(root, 'iris', seed2.dir, { operation: 'quantize', parent: 1 });
    await publishDir(root, 'churn', seed1.dir);
    const registry = new Registry(root);
    await setAlias({ registry, model: 'iris', alias: 'production', version: 2 });
    const result = await listVersions({ registry });
    expect(result.registry).toBe(root);
    expect(result.models.map((m) => m.name)).toEqual(['churn', 'iris']);
    const iris = result.models[1];
    expect(iris).toMatchObject({ name: 'iris', latest: 2, aliases: { production: 2 } });
    expect(iris.versions).toMatchObject([
      { version: 1, parent: null, operation: 'train', aliases: [], metric: { name: 'accuracy', value: 0.9667 } },
      { version: 2, parent: 1, operation: 'quantize', aliases: ['production'], metric: null },
    ]);
    // sizes are the sums of the version's files
    const record = (await showVersion({ registry, model: 'iris', selector: { version: 1 } })).record;
    expect(iris.versions[0].bytes).toBe(record.files.reduce((n, f) => n + f.bytes, 0));
    expect((await listVersions({ registry, model: 'churn' })).models.map((m) => m.name)).toEqual(['churn']);
  });

  it('an empty registry lists nothing; an unknown model is named', async () => {
    const registry = new Registry(freshRoot());
    const empty = await listVersions({ registry });
    expect(empty).toEqual({ registry: registry.root, models: [] });
    expect(renderVersionList(empty, plain)).toBe(`No models in ${registry.root} yet. Train one with "mlctl train iris".`);
    // no registry folder yet: the first-run message; once it exists, the model is named
    expect(await rejection(listVersions({ registry, model: 'nope' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: `No model registry at ${registry.root} yet.`,
    });
    await mkdir(registry.root, { recursive: true });
    const e = await rejection(listVersions({ registry, model: 'nope' }));
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: `Model "nope" not found in ${registry.root}.` });
  });

  it('an unreadable mlctl.json does not break the listing: the version is marked, the rest listed', async () => {
    const registry = await irisRegistry();
    await writeFile(path.join(registry.root, 'iris', '1', 'mlctl.json'), '{"model": ');
    const [v1, v2] = (await listVersions({ registry, model: 'iris' })).models[0].versions;
    expect(v1).toMatchObject({ version: 1, operation: null });
    expect(v1.error).toMatch(/mlctl\.json is not valid JSON.*mlctl version verify/);
    expect(v2).toMatchObject({ version: 2, operation: 'import' });
    expect(v2.error).toBeUndefined();
    const lines = renderVersionList(await listVersions({ registry }), plain).split('\n');
    expect(lines[2]).toMatch(/^1 +unreadable /);
  });
});
