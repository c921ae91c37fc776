/**
 * `mlctl import`: register an existing TF.js layers model (e.g. converted from Keras) as a new
 * version. Everything is checked before anything is written: the JSON, that it is a layers model,
 * that every shard exists with the byte count its manifest needs, and that TF.js can build it.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { checkShards, readModelJson } from '../engine/model-files.js';
import { MODEL_JSON_FILE, type BackendChoice } from '../vocabulary.js';
import { assertModelName } from '../registry/layout.js';
import { modelNameFrom } from './model-name.js';
import type { RegistryStore } from '../registry/store.js';
import { hashFile } from '../registry/file-entries.js';
import type { VersionRecord } from '../registry/version-record.js';
import { importRecord } from './records.js';

export interface ImportModelOptions {
  registry: RegistryStore;
  /** model.json, or the directory that holds it */
  source: string;
  name?: string;
  backend?: BackendChoice;
}

export interface ImportModelResult {
  record: VersionRecord;
  dir: string;
}

export async function importModel(options: ImportModelOptions): Promise<ImportModelResult> {
  const started = Date.now();
  const modelJsonPath = await locateModelJson(options.source);
  const sourceDir = path.dirname(modelJsonPath);
  const name = options.name ?? modelNameFrom(sourceDir);
  assertModelName(name);

  const modelJson = await readModelJson(modelJsonPath);
  const shards = await checkShards(sourceDir, modelJson);
  await options.registry.checkWritable();

  // Prove TF.js can build it (and learn its input/output shapes) before publishing anything.
  const { openModel } = await import('../engine/model-handle.js');
  const handle = await openModel(sourceDir, options.backend ?? 'auto');
  const { backend, tfjsVersion } = handle;
  const io = { inputShape: handle.inputShapes, outputShape: handle.outputShapes, parameters: handle.parameters };
  handle.dispose();
  const sourceHash = await hashFile(modelJsonPath);

  const published = await options.registry.publishVersion(name, {
    writeFiles: async (stagingDir) => {
      await copyFile(modelJsonPath, path.join(stagingDir, MODEL_JSON_FILE));
      for (const shard of shards.shards) {
        const target = path.join(stagingDir, shard.path);
        await mkdir(path.dirname(target), { recursive: true });
        await copyFile(shard.absolutePath, target);
      }
    },
    buildRecord: (version, files) =>
      importRecord(
        { model: name, version, files, tfjsVersion, backend, startedAt: started },
        {
          source: {
            path: modelJsonPath,
            sha256: sourceHash.sha256,
            generatedBy: modelJson.generatedBy ?? null,
            convertedBy: modelJson.convertedBy ?? null,
          },
          io,
        },
      ),
  });
  return { record: published.record, dir: published.dir };
}

async function locateModelJson(source: string): Promise<string> {
  const { stat } = await import('node:fs/promises');
  const resolved = path.resolve(source);
  try {
    const info = await stat(resolved);
    return info.isDirectory() ? path.join(resolved, MODEL_JSON_FILE) : resolved;
  } catch {
    throw new MlctlError('NOT_FOUND', `${source} does not exist.`, {
      hint: 'Pass the path of a TF.js model.json or of the folder that holds it.',
    });
  }
}
