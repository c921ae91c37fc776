/**
 * The registry contract, one suite run against both stores: the folder store in a temp dir and
 * the PostgreSQL store in a fresh database on the run's real PostgreSQL server. Same calls, same
 * results, same error messages (apart from the registry location they name).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/registry/registry.js';
import { PgRegistry } from '../../../src/registry/postgres/pg-registry.js';
import type { RegistryStore } from '../../../src/registry/store.js';
import type { ImportanceSection } from '../../../src/registry/version-record.js';
import { createTestDatabase, query } from '../../helpers/pg.js';
import { DEFAULT_FILES, caught, publish } from './registry-fixtures.js';

interface StoreFactory {
  name: string;
  /** a fresh, empty registry */
  make(): Promise<RegistryStore>;
  /** overwrite the stored bytes of one file behind the registry's back */
  tamper(store: RegistryStore, model: string, version: number, file: string, bytes: Buffer): Promise<void>;
}

const tmpDirs: string[] = [];
const stores: RegistryStore[] = [];
let pgDbCount = 0;

const FOLDER: StoreFactory = {
  name: 'folder',
  async make() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mlctl-contract-'));
    tmpDirs.push(dir);
    return new Registry(path.join(dir, 'model-registry'));
  },
  async tamper(store, model, version, file, bytes) {
    await writeFile(path.join((store as Registry).versionDir(model, version), file), bytes);
  },
};

const urls = new Map<RegistryStore, string>();
const POSTGRES: StoreFactory = {
  name: 'postgres',
  async make() {
    const url = await createTestDatabase(`contract${pgDbCount++}`);
    const store = new PgRegistry(url, { cacheDir: await mkdtemp(path.join(os.tmpdir(), 'mlctl-contract-cache-')) });
    urls.set(store, url);
    return store;
  },
  async tamper(store, model, version, file, bytes) {
    await query(urls.get(store)!, 'UPDATE mlctl_file_chunks SET data = $4 WHERE model = $1 AND version = $2 AND path = $3', [
      model,
      version,
      file,
      bytes,
    ]);
  },
};

afterAll(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(tmpDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Messages with the registry's own location replaced, so both stores can be compared. */
function plain(store: RegistryStore, text: string): string {
  return text.split(store.location).join('<registry>');
}

describe.each([FOLDER, POSTGRES])('registry contract: $name store', (factory) => {
  let store: RegistryStore;
  beforeAll(async () => {
    store = await factory.make();
    stores.push(store);
  });

  async function fresh(): Promise<RegistryStore> {
    const s = await factory.make();
    stores.push(s);
    return s;
  }

  it('an empty registry has no models; a missing model is NOT_FOUND naming what to do', async () => {
    const s = await fresh();
    expect(await s.listModels()).toEqual([]);
    expect(await s.listVersions('iris')).toEqual([]);
    const err = await caught(() => s.resolveVersion('iris'));
    expect(err.code).toBe('NOT_FOUND');
  });

  it('publishes versions 1, 2, 3 with their files described, and reads them back', async () => {
    const s = await fresh();
    const first = await publish(s, 'iris');
    const second = await publish(s, 'iris', { 'model.json': '{"v":2}', 'weights.bin': Buffer.alloc(40, 7), 'sub/extra.bin': 'x' });
    await publish(s, 'iris');
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(await s.listModels()).toEqual(['iris']);
    expect(await s.listVersions('iris')).toEqual([1, 2, 3]);
    expect(await s.hasVersion('iris', 2)).toBe(true);
    expect(await s.hasVersion('iris', 9)).toBe(false);
    const rec = await s.readRecord('iris', 2);
    expect(rec.model).toBe('iris');
    expect(rec.version).toBe(2);
    expect(rec.files.map((f) => [f.path, f.bytes])).toEqual([
      ['model.json', 7],
      ['sub/extra.bin', 1],
      ['weights.bin', 40],
    ]);
    expect(rec.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect((await s.readVersionFile('iris', 2, 'weights.bin')).equals(Buffer.alloc(40, 7))).toBe(true);
    expect((await s.readVersionFile('iris', 1, 'weights.bin')).equals(DEFAULT_FILES['weights.bin'] as Buffer)).toBe(true);
    expect(await s.resolveVersion('iris')).toBe(3);
    expect(await s.resolveVersion('iris', { version: 'latest' })).toBe(3);
    expect(await s.resolveVersion('iris', { version: 2 })).toBe(2);
    const dir = await s.localVersionDir('iris', 2);
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(path.join(dir, 'sub', 'extra.bin'), 'utf8')).toString()).toBe('x');
  });

  it('says which versions exist when one does not (same message on both stores)', async () => {
    const s = await fresh();
    await publish(s, 'iris');
    await publish(s, 'iris');
    const err = await caught(() => s.resolveVersion('iris', { version: 7 }));
    expect(err.code).toBe('NOT_FOUND');
    expect(plain(s, err.message)).toBe('Model "iris" has no version 7; it has versions 1-2 (latest is 2).');
    const model = await caught(() => s.resolveVersion('irsi'));
    expect(plain(s, model.message)).toBe('Model "irsi" not found in <registry>.');
  });

  it('aliases: set, refuse to move without force, move with force, compare-and-set, remove; history records every move', async () => {
    const s = await fresh();
    for (let i = 0; i < 3; i++) await publish(s, 'iris');
    expect(await s.setAlias('iris', 'production', 1, { by: 'ci@runner-1' })).toEqual({ alias: 'production', version: 1, previous: null });
    expect(await s.setAlias('iris', 'production', 1)).toEqual({ alias: 'production', version: 1, previous: 1 });
    const conflict = await caught(() => s.setAlias('iris', 'production', 2));
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.message).toBe('Alias "production" points to 1; pass --force to move it.');
    expect(await s.setAlias('iris', 'production', 2, { force: true, by: 'ci@runner-2' })).toEqual({
      alias: 'production',
      version: 2,
      previous: 1,
    });
    const cas = await caught(() => s.setAlias('iris', 'production', 3, { expected: 1 }));
    expect(cas.code).toBe('CONFLICT');
    expect(cas.message).toBe('Alias "production" of "iris" was moved by someone else: it points to 2, expected it to point to 1.');
    expect(await s.setAlias('iris', 'production', 3, { expected: 2, by: 'ops@laptop' })).toEqual({
      alias: 'production',
      version: 3,
      previous: 2,
    });
    const notNew = await caught(() => s.setAlias('iris', 'production', 1, { expected: null }));
    expect(notNew.code).toBe('CONFLICT');
    expect(await s.readAliases('iris')).toEqual({ production: 3 });
    expect(await s.resolveVersion('iris', { alias: 'production' })).toBe(3);
    await s.setAlias('iris', 'staging', 1);
    expect(await s.removeAlias('iris', 'staging', { by: 'ops@laptop' })).toBe(1);
    const missing = await caught(() => s.resolveVersion('iris', { alias: 'staging' }));
    expect(missing.message).toBe('Model "iris" has no alias "staging"; its aliases are production → 3.');

    const history = await s.aliasHistory('iris', 'production');
    expect(history.map((m) => [m.from, m.to, m.by])).toEqual([
      [2, 3, 'ops@laptop'],
      [1, 2, 'ci@runner-2'],
      [null, 1, 'ci@runner-1'],
    ]);
    expect(history.every((m) => !Number.isNaN(Date.parse(m.at)))).toBe(true);
    expect((await s.aliasHistory('iris')).map((m) => [m.alias, m.from, m.to])[0]).toEqual(['staging', 1, null]);
  });

  it('removes a version (refusing an aliased one without force); numbers are never reused', async () => {
    const s = await fresh();
    for (let i = 0; i < 3; i++) await publish(s, 'iris');
    await s.setAlias('iris', 'production', 3);
    const refused = await caught(() => s.removeVersion('iris', 3));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toBe('Version 3 of "iris" is aliased as production; pass --force to remove it and its aliases.');
    expect(await s.removeVersion('iris', 3, { force: true })).toEqual({ removed: 3, aliasesRemoved: ['production'] });
    expect(await s.readAliases('iris')).toEqual({});
    expect(await s.listVersions('iris')).toEqual([1, 2]);
    expect((await publish(s, 'iris')).version).toBe(4);
  });

  it('verify recomputes sizes and checksums from the stored bytes', async () => {
    const s = await fresh();
    await publish(s, 'iris');
    expect(await s.verifyFiles('iris', 1)).toEqual([]);
    await factory.tamper(s, 'iris', 1, 'weights.bin', Buffer.from([9, 9, 9, 9, 9, 9, 9, 9]));
    const issues = await s.verifyFiles('iris', 1);
    expect(issues.map((i) => [i.file, i.problem])).toEqual([['weights.bin', 'checksum']]);
    expect(issues[0].message).toMatch(/^iris\/1\/weights\.bin: sha256 mismatch/);
    await factory.tamper(s, 'iris', 1, 'weights.bin', Buffer.from([1, 2]));
    expect((await s.verifyFiles('iris', 1)).map((i) => i.problem)).toEqual(['size']);
  });

  it('stores an explanation beside a version: read back checked, replaced, gone with the version; the record is untouched', async () => {
    const s = await fresh();
    await publish(s, 'iris');
    await publish(s, 'iris');
    const recordBefore = await s.readRecord('iris', 1);
    expect(await s.readExplanation('iris', 1)).toBeNull();
    const importance = (score: number): ImportanceSection => ({
      method: 'permutation',
      metric: 'accuracy',
      higherIsBetter: true,
      score,
      repeats: 2,
      seed: 42,
      data: { source: 'test-split', path: 'iris.csv', rows: 30 },
      features: [{ feature: 'petal_width', mean: 0.3, std: 0.05, drops: [0.25, 0.35] }],
      createdAt: '2026-12-02T00:00:00.000Z',
      mlctlVersion: '0.1.0',
      durationMs: 12,
    });
    await s.writeExplanation('iris', 1, importance(0.9));
    await s.writeExplanation('iris', 1, importance(0.95));
    expect(await s.readExplanation('iris', 1)).toEqual({ schema: 1, model: 'iris', version: 1, importance: importance(0.95) });
    expect(await s.readExplanation('iris', 2)).toBeNull();
    expect(await s.readRecord('iris', 1)).toEqual(recordBefore);
    expect(await s.verifyFiles('iris', 1)).toEqual([]);
    const missing = await caught(() => s.writeExplanation('iris', 7, importance(0.9)));
    expect(missing.code).toBe('NOT_FOUND');
    expect(plain(s, missing.message)).toMatch(/version 7/i);
    await s.removeVersion('iris', 1);
    await publish(s, 'iris');
    expect(await s.readExplanation('iris', 3)).toBeNull();
  });

  it('copies a version as it is into another store of either kind, refusing a different version under the same number', async () => {
    const s = await fresh();
    await publish(s, 'iris');
    await publish(s, 'iris', { 'model.json': '{"v":2}', 'weights.bin': Buffer.alloc(16, 3) });
    for (const other of [FOLDER, POSTGRES]) {
      const target = await other.make();
      stores.push(target);
      const rec = await s.readRecord('iris', 2);
      expect(await target.importVersion(rec, (p) => s.readVersionFile('iris', 2, p))).toBe(true);
      expect(await target.importVersion(rec, (p) => s.readVersionFile('iris', 2, p))).toBe(false);
      expect(await target.readRecord('iris', 2)).toEqual(rec);
      expect(await target.verifyFiles('iris', 2)).toEqual([]);
      // the copied number is never handed out again there
      expect((await publish(target, 'iris')).version).toBe(3);
      const different = { ...(await target.readRecord('iris', 3)), version: 2 };
      const err = await caught(() => s.importVersion({ ...different, model: 'iris' }, (p) => target.readVersionFile('iris', 3, p)));
      expect(err.code).toBe('ALREADY_EXISTS');
      const bad = await caught(() => target.importVersion({ ...rec, version: 5 }, async () => Buffer.from('not the bytes')));
      expect(bad.code).toBe('INVALID_MODEL');
      expect(await target.hasVersion('iris', 5)).toBe(false);
    }
  });
});
