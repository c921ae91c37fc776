import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALIASES_FILE, METADATA_FILE } from '../../../src/registry/layout.js';
import { caught, publish, tmpRegistry } from './registry-fixtures.js';

describe('Registry.resolveVersion', () => {
  it('defaults to the latest version', async () => {
    const registry = await tmpRegistry();
    for (let i = 0; i < 3; i++) await publish(registry, 'iris');
    expect(await registry.resolveVersion('iris')).toBe(3);
    expect(await registry.resolveVersion('iris', { version: 'latest' })).toBe(3);
    expect(await registry.resolveVersion('iris', { version: 2 })).toBe(2);
  });

  it('says which versions exist when the requested one does not', async () => {
    const registry = await tmpRegistry();
    for (let i = 0; i < 9; i++) await publish(registry, 'iris');
    for (const v of [4, 6, 7]) await registry.removeVersion('iris', v);
    const err = await caught(() => registry.resolveVersion('iris', { version: 12 }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Model "iris" has no version 12; it has versions 1-3, 5, 8-9 (latest is 9).');
    expect(err.hint).toBe('Run "mlctl version list iris".');
  });

  it('says which aliases exist when the requested one does not', async () => {
    const registry = await tmpRegistry();
    for (let i = 0; i < 3; i++) await publish(registry, 'iris');
    await registry.setAlias('iris', 'production', 2);
    await registry.setAlias('iris', 'canary', 3);
    const err = await caught(() => registry.resolveVersion('iris', { alias: 'prod' }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Model "iris" has no alias "prod"; its aliases are canary → 3, production → 2.');
    expect(err.hint).toBe('Did you mean "production"? Run "mlctl version list iris".');
  });

  it('says so when a model has no aliases at all', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const err = await caught(() => registry.resolveVersion('iris', { alias: 'production' }));
    expect(err.message).toBe('Model "iris" has no alias "production"; it has no aliases.');
  });

  it('names the known models for an unknown model', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    await publish(registry, 'wine');
    const err = await caught(() => registry.resolveVersion('irs'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe(`Model "irs" not found in ${registry.root}.`);
    expect(err.hint).toBe('Did you mean "iris"? Known models: iris, wine.');
    const far = await caught(() => registry.resolveVersion('churn'));
    expect(far.hint).toBe('Known models: iris, wine.');
  });

  it('says there is no registry yet (and to train iris) when its folder does not exist', async () => {
    const registry = await tmpRegistry();
    const err = await caught(() => registry.resolveVersion('iris'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe(`No model registry at ${registry.root} yet.`);
    expect(err.hint).toMatch(/^Train a first model with "mlctl train iris"/);
  });

  it('says the registry is empty when its folder has no models', async () => {
    const registry = await tmpRegistry();
    await mkdir(registry.root, { recursive: true });
    const err = await caught(() => registry.resolveVersion('iris'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.hint).toBe('The registry is empty; train a model first ("mlctl train iris") or import one ("mlctl import model.json").');
  });

  it('says a model has no versions when its directory is empty', async () => {
    const registry = await tmpRegistry();
    await mkdir(path.join(registry.root, 'iris'), { recursive: true });
    const err = await caught(() => registry.resolveVersion('iris'));
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: 'Model "iris" has no versions.' });
  });

  it('reports an alias that points to a removed version', async () => {
    const registry = await tmpRegistry();
    for (let i = 0; i < 2; i++) await publish(registry, 'iris');
    await writeFile(path.join(registry.root, 'iris', ALIASES_FILE), '{"production": 1}');
    await rm(path.join(registry.root, 'iris', '1'), { recursive: true });
    const err = await caught(() => registry.resolveVersion('iris', { alias: 'production' }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Alias "production" of model "iris" points to version 1, which no longer exists.');
  });

  it('refuses version and alias together', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    expect((await caught(() => registry.resolveVersion('iris', { version: 1, alias: 'production' }))).code).toBe('USAGE');
  });

  it('refuses a non-positive version number', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    expect((await caught(() => registry.resolveVersion('iris', { version: 0 }))).code).toBe('USAGE');
  });
});

describe('Registry.readRecord and listings', () => {
  it('reports a corrupt mlctl.json as INVALID_MODEL naming the version and the file', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const file = path.join(registry.root, 'iris', '1', METADATA_FILE);
    await writeFile(file, '{"schema": 1, "model": ');
    const err = await caught(() => registry.readRecord('iris', 1));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toMatch(/^iris v1: /);
    expect(err.message).toContain(file);
  });

  it('reports a record without its fields as INVALID_MODEL naming the first missing field', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const file = path.join(registry.root, 'iris', '1', METADATA_FILE);
    await writeFile(file, '{"schema": 1, "model": "iris", "version": 1}');
    const err = await caught(() => registry.readRecord('iris', 1));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toBe('iris v1: mlctl.json field "createdAt" is missing: expected a string.');
  });

  it('gives NOT_FOUND listing the versions for a missing record', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const err = await caught(() => registry.readRecord('iris', 4));
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: 'Model "iris" has no version 4; it has version 1 (latest is 1).' });
  });

  it('lists nothing for a registry that does not exist', async () => {
    const registry = await tmpRegistry();
    expect(await registry.exists()).toBe(false);
    expect(await registry.listModels()).toEqual([]);
    expect(await registry.listVersions('iris')).toEqual([]);
    expect(await registry.readAliases('iris')).toEqual({});
    expect(await registry.listStaging()).toEqual([]);
  });

  it('lists only directories with valid model names, sorted', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'wine');
    await publish(registry, 'iris');
    await mkdir(path.join(registry.root, 'Upper'));
    await mkdir(path.join(registry.root, '.hidden'));
    await writeFile(path.join(registry.root, 'notes.txt'), 'x');
    expect(await registry.listModels()).toEqual(['iris', 'wine']);
  });
});

describe('Registry paths', () => {
  it('builds paths under the root and refuses escapes', async () => {
    const registry = await tmpRegistry();
    expect(registry.versionFile('iris', 2, 'weights.bin')).toBe(path.join(registry.root, 'iris', '2', 'weights.bin'));
    expect((await caught(() => registry.versionFile('iris', 2, '../1/weights.bin'))).code).toBe('USAGE');
    expect((await caught(() => registry.versionFile('iris', 2, '/etc/passwd'))).code).toBe('USAGE');
    expect((await caught(() => registry.modelDir('../x'))).code).toBe('USAGE');
    expect((await caught(() => registry.versionDir('iris', 0))).code).toBe('USAGE');
  });
});
