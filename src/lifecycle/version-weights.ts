/**
 * A version's weights exactly as its weights manifest stores them, for the compression verbs
 * (quantize, prune, export): read (any layers model, shards of any name, quantized or not) and
 * written back as packed shards next to the same topology. No TensorFlow.js: the bytes are split
 * and decoded by engine/compress, models are run through the engine's model handle elsewhere.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlctlError } from '../errors.js';
import type { ManifestTensor } from '../engine/compress/manifest-tensors.js';
import type { PackedWeights } from '../engine/compress/pack-weights.js';
import { MODEL_JSON_FILE, checkShards, fsError, readModelJson, type ModelJson } from '../engine/model-files.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { FileEntry, VersionRecord } from '../registry/version-record.js';
import { assertVersionFiles, readVersion } from './open-version.js';

/** A registry version opened for compression: its record and its weights as the manifest stores them. */
export interface SourceVersion {
  model: string;
  version: number;
  record: VersionRecord;
  dir: string;
  modelJson: ModelJson;
  tensors: ManifestTensor[];
  /** the weight files (manifest order) with their registry sizes */
  shards: FileEntry[];
}

/** Resolve, verify (checksums and sizes) and read a version's weights; no tensors involved. */
export async function openSourceVersion(registry: RegistryStore, model: string, selector: VersionSelector = {}): Promise<SourceVersion> {
  const info = await readVersion({ registry, model, selector });
  await assertVersionFiles(registry, info);
  const { modelJson, tensors, shardPaths } = await readModelDir(info.dir);
  const byPath = new Map(info.record.files.map((f) => [f.path, f]));
  const shards = shardPaths.map((p) => {
    const entry = byPath.get(path.posix.normalize(p));
    if (!entry) throw new MlctlError('INVALID_MODEL', `${model} v${info.version}: weight file ${p} is not in the version record.`);
    return entry;
  });
  return { model, version: info.version, record: info.record, dir: info.dir, modelJson, tensors, shards };
}

/** model.json and its weight tensors from any layers-model directory (shards of any name). */
export async function readModelDir(dir: string): Promise<{ modelJson: ModelJson; tensors: ManifestTensor[]; shardPaths: string[] }> {
  const { splitManifestTensors } = await import('../engine/compress/manifest-tensors.js');
  const modelJson = await readModelJson(path.join(dir, MODEL_JSON_FILE));
  const check = await checkShards(dir, modelJson);
  const groups: Uint8Array[] = [];
  let i = 0;
  for (const group of modelJson.weightsManifest) {
    const parts: Buffer[] = [];
    for (let p = 0; p < group.paths.length; p++, i++) {
      const file = check.shards[i].absolutePath;
      try {
        parts.push(await readFile(file));
      } catch (e) {
        throw fsError(e, file, 'read');
      }
    }
    groups.push(new Uint8Array(Buffer.concat(parts)));
  }
  return { modelJson, tensors: splitManifestTensors(modelJson.weightsManifest, groups), shardPaths: check.shards.map((s) => s.path) };
}

/**
 * Write `packed` weight shards and a model.json holding the source's topology (and its other
 * fields) with the new manifest into `dir` (which exists). Shards first, model.json last.
 */
export async function writeModelDir(dir: string, source: ModelJson, packed: PackedWeights): Promise<void> {
  for (const shard of packed.shards) {
    const file = path.join(dir, shard.path);
    await writeFile(file, shard.data).catch((e) => {
      throw fsError(e, file, 'write');
    });
  }
  const modelJson: ModelJson = { ...source, weightsManifest: packed.weightsManifest };
  const file = path.join(dir, MODEL_JSON_FILE);
  await writeFile(file, JSON.stringify(modelJson)).catch((e) => {
    throw fsError(e, file, 'write');
  });
}
