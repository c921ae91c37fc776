/**
 * mlctl's filesystem IOHandler for TF.js, the equivalent of tfjs-node's `file://` handler
 * (`tfjs-node/src/io/file_system.ts`), so the wasm, cpu and tfjs-node backends read and write
 * identical files: `model.json` (TF.js's `ModelJSON`, compact JSON) and one `weights.bin`.
 *
 * It needs no runtime TF.js: `save` takes and `load` returns plain `ModelArtifacts`; TF.js's own
 * `decodeWeights` turns the bytes into tensors (and dequantizes quantized entries) afterwards.
 * `load` validates everything (JSON, layers topology, manifest paths, shard sizes) before it
 * returns, so a broken directory fails with one clear MlctlError before any tensor is built.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MlctlError } from '../errors.js';
import {
  MODEL_JSON_FILE,
  WEIGHTS_FILE,
  checkShards,
  fsError,
  readModelJson,
  weightSpecBytes,
  type ModelJson,
  type WeightSpec,
} from './model-files.js';

type ModelArtifacts = tfTypes.io.ModelArtifacts;
type SaveResult = tfTypes.io.SaveResult;
type IOHandler = tfTypes.io.IOHandler;

/**
 * An IOHandler over a model directory: `save` creates `dir` (and parents) and writes
 * `model.json` + `weights.bin`; `load` reads `dir/model.json` and the shards its manifest names.
 * Use with `model.save(fileSystemIOHandler(dir))` and `tf.loadLayersModel(fileSystemIOHandler(dir))`.
 */
export function fileSystemIOHandler(dir: string): IOHandler {
  const root = resolve(dir);
  return {
    save: (artifacts: ModelArtifacts) => saveModelArtifacts(root, artifacts),
    load: () => loadModelArtifacts(root),
  };
}

/**
 * Write `artifacts` to `dir` exactly as TF.js's handlers shape them: `weights.bin` holds the
 * concatenated weight data, `model.json` = {modelTopology, format, generatedBy, convertedBy,
 * weightsManifest: [{paths: ['weights.bin'], weights}], + signature / userDefinedMetadata /
 * trainingConfig when present}. Both files are fsynced.
 */
export async function saveModelArtifacts(dir: string, artifacts: ModelArtifacts): Promise<SaveResult> {
  const root = resolve(dir);
  const topology = artifacts.modelTopology;
  if (topology instanceof ArrayBuffer || ArrayBuffer.isView(topology)) {
    throw new MlctlError('INVALID_MODEL', `Cannot save a binary (GraphDef) model topology to ${root}; mlctl stores layers models only.`, {
      hint: 'Save a TF.js layers model (tf.LayersModel), whose topology is JSON.',
    });
  }
  if (topology === undefined || topology === null) {
    throw new MlctlError('INVALID_MODEL', `Cannot save a model without a topology to ${root}.`, {
      hint: 'Save a complete tf.LayersModel.',
    });
  }
  const weightSpecs = (artifacts.weightSpecs ?? []) as WeightSpec[];
  const weightData = concatWeightData(artifacts.weightData);
  const modelJsonFile = join(root, MODEL_JSON_FILE);
  let needed = 0;
  for (const spec of weightSpecs) needed += weightSpecBytes(spec, modelJsonFile);
  if (needed !== weightData.byteLength) {
    throw new MlctlError(
      'INVALID_MODEL',
      `Cannot save to ${root}: the weight specs need ${needed} bytes but the weight data has ${weightData.byteLength}.`,
      { hint: 'This is a bug in the code that built the model artifacts.' },
    );
  }

  const modelJson: Record<string, unknown> = {
    modelTopology: topology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs }],
  };
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;

  try {
    await mkdir(root, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new MlctlError('IO', `Cannot save the model to ${root}: it (or a parent) exists and is not a directory.`, {
        hint: 'Choose another output directory.',
        cause: e,
      });
    }
    throw fsError(e, root, 'write');
  }
  // weights first: a model.json is only ever next to the complete weights it describes
  await writeFileSynced(join(root, WEIGHTS_FILE), weightData);
  await writeFileSynced(modelJsonFile, Buffer.from(JSON.stringify(modelJson), 'utf8'));
  await syncDirectory(root);

  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: Buffer.byteLength(JSON.stringify(topology), 'utf8'),
      weightSpecsBytes: Buffer.byteLength(JSON.stringify(weightSpecs), 'utf8'),
      weightDataBytes: weightData.byteLength,
    },
  };
}

/**
 * Read the layers model in `dir` as ModelArtifacts: model.json and every shard are checked first
 * (see `readModelJson`, `checkShards`), then the shards are read in manifest order into one
 * ArrayBuffer and the groups' weight specs flattened in the same order. Quantized specs are
 * returned as they are; TF.js dequantizes them when it decodes the weights.
 */
export async function loadModelArtifacts(dir: string): Promise<ModelArtifacts> {
  const root = resolve(dir);
  const modelJson = await readModelJson(join(root, MODEL_JSON_FILE));
  const { totalBytes, shards } = await checkShards(root, modelJson);

  const weightData = new Uint8Array(totalBytes);
  let offset = 0;
  for (const shard of shards) {
    let bytes: Buffer;
    try {
      bytes = await readFile(shard.absolutePath);
    } catch (e) {
      throw fsError(e, shard.absolutePath, 'read');
    }
    if (bytes.byteLength !== shard.bytes) {
      throw new MlctlError('IO', `Weight file ${shard.absolutePath} changed while it was being read.`, {
        hint: 'Something else is writing to the model directory; try again when it has finished.',
      });
    }
    weightData.set(bytes, offset);
    offset += bytes.byteLength;
  }

  return toModelArtifacts(modelJson, weightData.buffer);
}

export function toModelArtifacts(modelJson: ModelJson, weightData: ArrayBuffer): ModelArtifacts {
  const artifacts: ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights) as tfTypes.io.WeightsManifestEntry[],
    weightData,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
  };
  if (modelJson.trainingConfig != null) {
    artifacts.trainingConfig = modelJson.trainingConfig as unknown as tfTypes.io.TrainingConfig;
  }
  if (modelJson.userDefinedMetadata != null) {
    artifacts.userDefinedMetadata = modelJson.userDefinedMetadata as Record<string, object>;
  }
  if (modelJson.signature != null) artifacts.signature = modelJson.signature;
  return artifacts;
}

/** tfjs 4.x `WeightData` is one ArrayBuffer or a list of them (CompositeArrayBuffer); join them. */
function concatWeightData(data: ModelArtifacts['weightData']): Buffer {
  if (data === undefined || data === null) return Buffer.alloc(0);
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((part) => toBuffer(part)));
}

function toBuffer(part: ArrayBuffer | ArrayBufferView): Buffer {
  if (ArrayBuffer.isView(part)) return Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  return Buffer.from(part);
}

async function writeFileSynced(file: string, data: Uint8Array): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'w');
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    throw fsError(e, file, 'write');
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** fsync the directory so the new entries survive a crash (not possible on every platform). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; the files themselves are synced
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
