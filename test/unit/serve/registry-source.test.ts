/**
 * The registry source over a real temp registry (fake servables, no TF.js): version policies,
 * change events from a pluggable feed, --all with an alias some models lack, and the filesystem
 * feed noticing a publish and an alias move.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/registry/registry.js';
import { createFsChangeFeed, type ChangeFeed } from '../../../src/serve/change-feed.js';
import { RegistrySource, readAspired } from '../../../src/serve/registry-source.js';
import { ServableManager } from '../../../src/serve/servable-manager.js';
import { publishDir } from '../../helpers/registry-fixture.js';
import { fakeServable } from '../../helpers/fake-servable.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let work: string;
let files: string;
let counter = 0;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-serve-source-');
  files = path.join(work, 'files');
  await mkdir(files);
  await writeFile(path.join(files, 'model.json'), '{}');
});
afterAll(async () => removeTmpDir(work));

async function registryWith(models: Record<string, number>): Promise<Registry> {
  const root = path.join(work, `reg-${++counter}`);
  for (const [name, versions] of Object.entries(models)) for (let i = 0; i < versions; i++) await publishDir(root, name, files);
  return new Registry(root);
}

/** A feed the test fires by hand: the seam a PostgreSQL LISTEN/NOTIFY feed would fill. */
function manualFeed(): ChangeFeed & { fire(model: string | null): void } {
  let listener: ((model: string | null) => void) | null = null;
  return {
    subscribe(_models, onChange) {
      listener = onChange;
      return () => (listener = null);
    },
    fire(model) {
      listener?.(model);
    },
  };
}

const managerFor = () => new ServableManager({ load: async (model, version) => fakeServable({ model, version }) });

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('readAspired', () => {
  it('resolves latest, a pinned version and an alias; reports what does not resolve', async () => {
    const registry = await registryWith({ iris: 3 });
    await registry.setAlias('iris', 'production', 2);
    expect(await readAspired(registry, 'iris', { kind: 'latest' })).toEqual({ model: 'iris', version: 3, aliases: { production: 2 } });
    expect(await readAspired(registry, 'iris', { kind: 'pinned', version: 1 })).toMatchObject({ version: 1 });
    expect(await readAspired(registry, 'iris', { kind: 'alias', alias: 'production' })).toMatchObject({ version: 2 });
    const missing = await readAspired(registry, 'iris', { kind: 'alias', alias: 'canary' });
    expect(missing.version).toBeNull();
    expect(missing.error).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('RegistrySource', () => {
  it('follows a new version and a moved alias when its feed says something changed', async () => {
    const registry = await registryWith({ iris: 1 });
    await registry.setAlias('iris', 'production', 1);
    const manager = managerFor();
    const feed = manualFeed();
    const source = new RegistrySource({ registry, models: ['iris'], policy: { kind: 'alias', alias: 'production' }, manager, feed });
    await source.start();
    expect(manager.servingVersion('iris')).toBe(1);
    await publishDir(registry.root, 'iris', files);
    feed.fire('iris');
    await settle();
    expect(manager.servingVersion('iris')).toBe(1); // the alias did not move
    await registry.setAlias('iris', 'production', 2, { force: true });
    feed.fire('iris');
    await settle();
    expect(manager.servingVersion('iris')).toBe(2);
    source.stop();
  });

  it('without a feed it reads once', async () => {
    const registry = await registryWith({ iris: 1 });
    const manager = managerFor();
    const source = new RegistrySource({ registry, models: ['iris'], policy: { kind: 'latest' }, manager });
    await source.start();
    await publishDir(registry.root, 'iris', files);
    await settle();
    expect(manager.servingVersion('iris')).toBe(1);
  });

  it('--all with an alias: models without it wait (not served, not holding readiness back) until it appears', async () => {
    const registry = await registryWith({ iris: 2, wine: 1 });
    await registry.setAlias('iris', 'production', 1);
    const manager = managerFor();
    const feed = manualFeed();
    const left: string[] = [];
    const source = new RegistrySource({
      registry,
      models: 'all',
      policy: { kind: 'alias', alias: 'production' },
      manager,
      feed,
      onError: (model, e) => left.push(`${model}: ${e.code}`),
    });
    await source.start();
    expect(manager.models()).toEqual(['iris']);
    expect(source.models()).toEqual(['iris']);
    expect(manager.isReady()).toBe(true);
    expect(left).toEqual(['wine: NOT_FOUND']);
    await registry.setAlias('wine', 'production', 1);
    feed.fire(null);
    await settle();
    expect(manager.servingVersion('wine')).toBe(1);
    // a model published after start-up is picked up too
    await publishDir(registry.root, 'beer', files);
    await registry.setAlias('beer', 'production', 1);
    feed.fire(null);
    await settle();
    expect(manager.models()).toEqual(['beer', 'iris', 'wine']);
    source.stop();
  });

  it('an empty registry is an error naming it', async () => {
    const registry = new Registry(path.join(work, 'empty'));
    const source = new RegistrySource({ registry, models: 'all', policy: { kind: 'latest' }, manager: managerFor() });
    await expect(source.start()).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('has no models to serve') });
  });
});

describe('createFsChangeFeed', () => {
  it('notices a publish and an alias move in a watched model folder', async () => {
    const registry = await registryWith({ iris: 1 });
    const events: (string | null)[] = [];
    const stop = createFsChangeFeed({ root: registry.root, pollMs: 0, debounceMs: 10 }).subscribe(['iris'], (m) => events.push(m));
    try {
      await publishDir(registry.root, 'iris', files);
      await waitFor(() => events.includes('iris'));
      events.length = 0;
      await registry.setAlias('iris', 'production', 2);
      await waitFor(() => events.includes('iris'));
    } finally {
      stop();
    }
  });

  it('polls when asked to (the safety net for filesystems without notifications)', async () => {
    const registry = await registryWith({ iris: 1 });
    const events: (string | null)[] = [];
    const stop = createFsChangeFeed({ root: registry.root, pollMs: 20 }).subscribe(['nope'], (m) => events.push(m));
    try {
      await waitFor(() => events.filter((e) => e === null).length >= 2);
    } finally {
      stop();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
