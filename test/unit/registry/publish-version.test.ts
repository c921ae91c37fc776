import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import lockfile from 'proper-lockfile';
import { describe, expect, it, vi } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import { isVersionDirName, LOCK_DIR, METADATA_FILE, STAGING_PREFIX } from '../../../src/registry/layout.js';
import { Registry } from '../../../src/registry/registry.js';
import { errorOf } from '../../helpers/error-of.js';
import { caught, publish, record, tmpRegistry } from './registry-fixtures.js';

/** a pid above Linux's pid_max (2^22), so no process can have it */
const DEAD_PID = 4_194_304 + 4242;

function sanitizedHost(): string {
  return (
    os
      .hostname()
      .replace(/[^A-Za-z0-9.]/g, '_')
      .slice(0, 64) || 'host'
  );
}

describe('Registry.publishVersion', () => {
  it('numbers versions 1, 2, 3 and lists them ascending', async () => {
    const registry = await tmpRegistry();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await publish(registry, 'iris'));
    expect(results.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(await registry.listVersions('iris')).toEqual([1, 2, 3]);
    expect(await registry.listModels()).toEqual(['iris']);
    expect(results[2].dir).toBe(path.join(registry.root, 'iris', '3'));
  });

  it('stores the files and a record whose FileEntries match the bytes', async () => {
    const registry = await tmpRegistry();
    const weights = Buffer.alloc(5000, 7);
    const { dir, record: rec } = await publish(registry, 'iris', { 'model.json': '{"a":1}', 'shards/weights.bin': weights });

    expect((await readdir(dir)).sort()).toEqual([METADATA_FILE, 'model.json', 'shards']);
    const entry = rec.files.find((f) => f.path === 'shards/weights.bin');
    expect(entry).toEqual({
      path: 'shards/weights.bin',
      bytes: 5000,
      gzipBytes: gzipSync(weights, { level: 6 }).length,
      sha256: createHash('sha256').update(weights).digest('hex'),
    });
    expect(rec.files.map((f) => f.path)).toEqual(['model.json', 'shards/weights.bin']);
    const onDisk = JSON.parse(await readFile(path.join(dir, METADATA_FILE), 'utf8'));
    expect(onDisk).toEqual(rec);
    expect(await registry.readRecord('iris', 1)).toEqual(rec);
  });

  it('sets model, version and files in the record itself', async () => {
    const registry = await tmpRegistry();
    const result = await registry.publishVersion('iris', {
      writeFiles: async (dir) => writeFile(path.join(dir, 'model.json'), '{}'),
      buildRecord: () => record('wrong', 99, []),
    });
    expect(result.record.model).toBe('iris');
    expect(result.record.version).toBe(1);
    expect(result.record.files.map((f) => f.path)).toEqual(['model.json']);
  });

  it('gives 8 concurrent publishers the distinct numbers 1..8', async () => {
    const registry = await tmpRegistry();
    const results = await Promise.all(Array.from({ length: 8 }, () => publish(registry, 'iris')));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await registry.listVersions('iris')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await registry.listStaging('iris')).toEqual([]);
  });

  it('serialises publishers that do not share an in-process queue through the file lock', async () => {
    const registry = await tmpRegistry();
    vi.resetModules();
    const other = await import('../../../src/registry/registry.js');
    const twin = new other.Registry(registry.root);
    expect(twin.constructor).not.toBe(registry.constructor);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => publish(i % 2 === 0 ? registry : twin, 'iris')));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('leaves no numeric dir and no staging dir when writeFiles throws', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const err = await caught(() =>
      registry.publishVersion('iris', {
        writeFiles: async (dir) => {
          await writeFile(path.join(dir, 'model.json'), '{}');
          throw Object.assign(new Error('no space'), { code: 'ENOSPC', syscall: 'write' });
        },
        buildRecord: (v, files) => record('iris', v, files),
      }),
    );
    expect(err.code).toBe('IO');
    const entries = await readdir(path.join(registry.root, 'iris'));
    expect(entries.filter(isVersionDirName)).toEqual(['1']);
    expect(entries.filter((n) => n.startsWith(STAGING_PREFIX))).toEqual([]);
    expect((await publish(registry, 'iris')).version).toBe(2);
  });

  it('keeps an MlctlError thrown by writeFiles as it is', async () => {
    const registry = await tmpRegistry();
    const err = await caught(() =>
      registry.publishVersion('iris', {
        writeFiles: async () => {
          throw new MlctlError('INVALID_MODEL', 'bad model');
        },
        buildRecord: (v, files) => record('iris', v, files),
      }),
    );
    expect(err).toMatchObject({ code: 'INVALID_MODEL', message: 'bad model' });
  });

  it('refuses a writeFiles that writes mlctl.json itself', async () => {
    const registry = await tmpRegistry();
    const err = await caught(() => publish(registry, 'iris', { [METADATA_FILE]: '{}' }));
    expect(err.code).toBe('INTERNAL');
    expect(await registry.listVersions('iris')).toEqual([]);
  });

  it('never reuses a number after the latest version is removed', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    await publish(registry, 'iris');
    await registry.removeVersion('iris', 2);
    expect((await publish(registry, 'iris')).version).toBe(3);
    expect(await registry.listVersions('iris')).toEqual([1, 3]);
  });

  it('never reuses a number after the latest version directory is deleted by hand', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    await publish(registry, 'iris');
    await rm(path.join(registry.root, 'iris', '2'), { recursive: true });
    expect((await publish(registry, 'iris')).version).toBe(3);
  });

  it('does not count numeric dirs without mlctl.json as versions, but never reuses their number', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    await mkdir(path.join(registry.root, 'iris', '2'));
    await mkdir(path.join(registry.root, 'iris', '007'));
    expect(await registry.listVersions('iris')).toEqual([1]);
    expect((await publish(registry, 'iris')).version).toBe(3);
  });

  it('lists and sweeps a staging dir left by a dead process, then publishes the next number', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const name = `.staging-${sanitizedHost()}-${DEAD_PID}-${Date.now().toString(36)}-deadbeef`;
    await mkdir(path.join(registry.root, 'iris', name));
    await writeFile(path.join(registry.root, 'iris', name, 'model.json'), '{}');

    const listed = await registry.listStaging();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ model: 'iris', kind: 'staging', name, ownerGone: true, owner: { pid: DEAD_PID } });

    const swept = await registry.sweepStaging('iris');
    expect(swept.map((s) => s.name)).toEqual([name]);
    expect(await registry.listStaging()).toEqual([]);
    expect((await publish(registry, 'iris')).version).toBe(2);
  });

  it('keeps a staging dir whose owner is alive', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const name = `.staging-${sanitizedHost()}-${process.pid}-${Date.now().toString(36)}-0badf00d`;
    await mkdir(path.join(registry.root, 'iris', name));
    expect((await registry.listStaging('iris'))[0]).toMatchObject({ name, ownerGone: false });
    expect(await registry.sweepStaging()).toEqual([]);
    expect((await stat(path.join(registry.root, 'iris', name))).isDirectory()).toBe(true);
  });

  it('sweeps any staging dir older than 24 hours', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const old = (Date.now() - 25 * 3600_000).toString(36);
    const name = `.staging-some.other.host-${process.pid}-${old}-0badf00d`;
    await mkdir(path.join(registry.root, 'iris', name));
    expect((await registry.sweepStaging()).map((s) => s.name)).toEqual([name]);
  });

  it('waits for a lock held by someone else', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const modelDir = path.join(registry.root, 'iris');
    const release = await lockfile.lock(modelDir, { lockfilePath: path.join(modelDir, LOCK_DIR), realpath: false });
    let done = false;
    const pending = publish(registry, 'iris').then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    await release();
    expect((await pending).version).toBe(2);
  });

  it('takes over a stale lock left by a killed process', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const lockDir = path.join(registry.root, 'iris', LOCK_DIR);
    await mkdir(lockDir);
    const past = new Date(Date.now() - 60_000);
    await utimes(lockDir, past, past);
    const started = Date.now();
    expect((await publish(registry, 'iris')).version).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('lockStaleMs (a Registry option) shortens how long an untouched lock blocks; the default stays 10 s', async () => {
    const registry = await tmpRegistry();
    await publish(registry, 'iris');
    const lockDir = path.join(registry.root, 'iris', LOCK_DIR);
    const leaveLock = async (ageMs: number) => {
      await mkdir(lockDir);
      const past = new Date(Date.now() - ageMs);
      await utimes(lockDir, past, past);
    };
    // untouched for 3 s: stale for a registry that considers 2 s enough, taken over at once
    await leaveLock(3_000);
    const short = new Registry(registry.root, { lockStaleMs: 2_000 });
    const started = Date.now();
    expect((await publish(short, 'iris')).version).toBe(2);
    // (with the default it would wait for the remaining 7 s)
    expect(Date.now() - started).toBeLessThan(5_000);
    // the same lock still holds off a registry with the default (10 s)
    await leaveLock(3_000);
    let done = false;
    const pending = publish(registry, 'iris').then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(done).toBe(false);
    await rm(lockDir, { recursive: true });
    expect((await pending).version).toBe(3);
  });

  it('refuses a lock stale timeout the lock library would not honour (under 2 s, not whole ms)', () => {
    for (const bad of [1_999, 1.5, Number.NaN]) {
      const err = errorOf(() => new Registry('/tmp/x', { lockStaleMs: bad }));
      expect(err.code, String(bad)).toBe('USAGE');
      expect(err.message, String(bad)).toBe(`The lock stale timeout must be a whole number of milliseconds ≥ 2000, got ${bad}.`);
    }
    expect(() => new Registry('/tmp/x', { lockStaleMs: 2_000 })).not.toThrow();
  });

  it('refuses an invalid model name before touching the disk', async () => {
    const registry = await tmpRegistry();
    const err = await caught(() => publish(registry, '../x'));
    expect(err.code).toBe('USAGE');
    expect(await registry.exists()).toBe(false);
  });
});
