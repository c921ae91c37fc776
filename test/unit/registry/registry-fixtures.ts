/** Shared set-up for the registry tests: a temp registry per test and a one-call publish. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { Registry } from '../../../src/registry/registry.js';
import type { PublishResult, RegistryStore } from '../../../src/registry/store.js';
import type { VersionRecord } from '../../../src/registry/version-record.js';

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh registry in its own temp dir (removed after the test). */
export async function tmpRegistry(): Promise<Registry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mlctl-registry-'));
  created.push(dir);
  return new Registry(path.join(dir, 'model-registry'));
}

export const DEFAULT_FILES: Record<string, string | Buffer> = {
  'model.json': '{"format":"layers-model"}',
  'weights.bin': Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]),
};

/** Publishes a version whose files are `files` (path → content). */
export function publish(
  registry: RegistryStore,
  name: string,
  files: Record<string, string | Buffer> = DEFAULT_FILES,
): Promise<PublishResult> {
  return registry.publishVersion(name, {
    writeFiles: async (dir) => {
      for (const [rel, content] of Object.entries(files)) {
        const target = path.join(dir, ...rel.split('/'));
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    },
    buildRecord: (version, entries) => record(name, version, entries),
  });
}

export function record(name: string, version: number, files: VersionRecord['files']): VersionRecord {
  return {
    schema: 1,
    model: name,
    version,
    createdAt: new Date().toISOString(),
    operation: 'train',
    parent: null,
    files,
    mlctlVersion: '0.0.0-test',
    tfjsVersion: null,
    backend: null,
    durationMs: null,
  };
}

/** Runs `fn` and returns the MlctlError-like thing it threw (fails if it did not throw). */
export async function caught(fn: () => unknown): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await fn();
  } catch (e) {
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error('expected an error, but none was thrown');
}
