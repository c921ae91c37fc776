/**
 * Fast registry set-up for e2e tests: publishes a model directory (model.json + shards, e.g. from
 * `createTinyModelDir`) into a registry in-process through the real `Registry.publishVersion`, with
 * a record that can claim any operation/parent/metrics. Use the CLI (`mlctl import`) where the
 * import itself is under test; use this where a test only needs versions to exist (no TF.js
 * start-up per version).
 */
import { copyFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { openRegistryStore } from '../../src/registry/open-registry.js';
import type { PublishResult } from '../../src/registry/store.js';
import type { VersionRecord } from '../../src/registry/version-record.js';

export type RecordExtras = Partial<Omit<VersionRecord, 'model' | 'version' | 'files'>>;

/** Publishes every file of `modelDir` as the next version of `name` in the registry at `root` (a folder or postgres://…). */
export async function publishDir(root: string, name: string, modelDir: string, extras: RecordExtras = {}): Promise<PublishResult> {
  const registry = await openRegistryStore(root, { cwd: process.cwd() });
  const files = (await readdir(modelDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  try {
    return await publishWith(registry, name, files, modelDir, extras);
  } finally {
    await registry.close();
  }
}

async function publishWith(
  registry: Awaited<ReturnType<typeof openRegistryStore>>,
  name: string,
  files: string[],
  modelDir: string,
  extras: RecordExtras,
): Promise<PublishResult> {
  return registry.publishVersion(name, {
    writeFiles: async (staging) => {
      for (const f of files) await copyFile(path.join(modelDir, f), path.join(staging, f));
    },
    buildRecord: (version, entries) => ({
      schema: 1,
      model: name,
      version,
      createdAt: new Date().toISOString(),
      operation: 'import',
      parent: null,
      files: entries,
      mlctlVersion: '0.0.0-test',
      tfjsVersion: null,
      backend: 'cpu',
      durationMs: 1,
      ...extras,
    }),
  });
}

/** A complete classification metrics section with the given accuracy (for records made by tests). */
export function accuracyMetrics(accuracy: number): NonNullable<VersionRecord['metrics']> {
  return {
    accuracy,
    macroF1: accuracy,
    macroPrecision: accuracy,
    macroRecall: accuracy,
    rows: 30,
    perClass: [],
    confusionMatrix: [],
    labels: [],
  };
}
