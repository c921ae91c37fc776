import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALIASES_FILE, TRASH_PREFIX } from '../../../src/registry/layout.js';
import { caught, publish, tmpRegistry } from './registry-fixtures.js';

async function irisWith(versions: number) {
  const registry = await tmpRegistry();
  for (let i = 0; i < versions; i++) await publish(registry, 'iris');
  return registry;
}

describe('Registry aliases', () => {
  it('sets an alias, writes aliases.json and resolves through it', async () => {
    const registry = await irisWith(3);
    expect(await registry.setAlias('iris', 'production', 2)).toEqual({ alias: 'production', version: 2, previous: null });
    expect(await registry.readAliases('iris')).toEqual({ production: 2 });
    expect(JSON.parse(await readFile(path.join(registry.root, 'iris', ALIASES_FILE), 'utf8'))).toEqual({ production: 2 });
    expect(await registry.resolveVersion('iris', { alias: 'production' })).toBe(2);
  });

  it('refuses to move an alias without force (CONFLICT) and moves it with force', async () => {
    const registry = await irisWith(3);
    await registry.setAlias('iris', 'production', 2);
    const err = await caught(() => registry.setAlias('iris', 'production', 3));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('Alias "production" points to 2; pass --force to move it.');
    expect(await registry.readAliases('iris')).toEqual({ production: 2 });

    expect(await registry.setAlias('iris', 'production', 3, { force: true })).toEqual({
      alias: 'production',
      version: 3,
      previous: 2,
    });
    expect(await registry.readAliases('iris')).toEqual({ production: 3 });
  });

  it('accepts setting an alias to the version it already points to', async () => {
    const registry = await irisWith(2);
    await registry.setAlias('iris', 'production', 2);
    expect(await registry.setAlias('iris', 'production', 2)).toEqual({ alias: 'production', version: 2, previous: 2 });
  });

  it('refuses an alias to a version that does not exist', async () => {
    const registry = await irisWith(2);
    const err = await caught(() => registry.setAlias('iris', 'production', 7));
    expect(err.code).toBe('NOT_FOUND');
    expect(await registry.readAliases('iris')).toEqual({});
  });

  it('refuses an all-digit alias and "latest"', async () => {
    const registry = await irisWith(1);
    expect((await caught(() => registry.setAlias('iris', '2', 1))).code).toBe('USAGE');
    expect((await caught(() => registry.setAlias('iris', 'latest', 1))).code).toBe('USAGE');
  });

  it('removes an alias and returns the version it pointed to', async () => {
    const registry = await irisWith(2);
    await registry.setAlias('iris', 'production', 1);
    await registry.setAlias('iris', 'staging', 2);
    expect(await registry.removeAlias('iris', 'production')).toBe(1);
    expect(await registry.readAliases('iris')).toEqual({ staging: 2 });
  });

  it('gives NOT_FOUND when removing an alias that does not exist', async () => {
    const registry = await irisWith(1);
    const err = await caught(() => registry.removeAlias('iris', 'production'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Model "iris" has no alias "production"; it has no aliases.');
  });

  it('reports a corrupt aliases.json as INVALID_DATA naming the file', async () => {
    const registry = await irisWith(1);
    const file = path.join(registry.root, 'iris', ALIASES_FILE);
    await writeFile(file, '{"production": 2,');
    const err = await caught(() => registry.readAliases('iris'));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(file);
  });

  it('reports an aliases.json with a non-version value as INVALID_DATA', async () => {
    const registry = await irisWith(1);
    await writeFile(path.join(registry.root, 'iris', ALIASES_FILE), '{"production": "two"}');
    expect((await caught(() => registry.resolveVersion('iris', { alias: 'production' }))).code).toBe('INVALID_DATA');
  });
});

describe('Registry.removeVersion', () => {
  it('removes a version directory without leaving trash behind', async () => {
    const registry = await irisWith(3);
    expect(await registry.removeVersion('iris', 2)).toEqual({ removed: 2, aliasesRemoved: [] });
    expect(await registry.listVersions('iris')).toEqual([1, 3]);
    expect((await readdir(path.join(registry.root, 'iris'))).filter((n) => n.startsWith(TRASH_PREFIX))).toEqual([]);
  });

  it('refuses an aliased version without force (CONFLICT) and keeps it', async () => {
    const registry = await irisWith(3);
    await registry.setAlias('iris', 'production', 2);
    const err = await caught(() => registry.removeVersion('iris', 2));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('Version 2 of "iris" is aliased as production; pass --force to remove it and its aliases.');
    expect(await registry.listVersions('iris')).toEqual([1, 2, 3]);
  });

  it('with force removes the version and the aliases pointing to it', async () => {
    const registry = await irisWith(3);
    await registry.setAlias('iris', 'production', 2);
    await registry.setAlias('iris', 'canary', 2);
    await registry.setAlias('iris', 'staging', 3);
    expect(await registry.removeVersion('iris', 2, { force: true })).toEqual({
      removed: 2,
      aliasesRemoved: ['canary', 'production'],
    });
    expect(await registry.listVersions('iris')).toEqual([1, 3]);
    expect(await registry.readAliases('iris')).toEqual({ staging: 3 });
  });

  it('gives NOT_FOUND for a version that does not exist', async () => {
    const registry = await irisWith(1);
    const err = await caught(() => registry.removeVersion('iris', 5));
    expect(err.code).toBe('NOT_FOUND');
  });
});
