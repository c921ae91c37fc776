/**
 * The TF.js layers model as it lies on disk: `model.json` (topology + weights manifest) beside its
 * weight shards. This module reads and checks those files without TensorFlow.js (the registry's
 * verify and the import path use it and must stay light): every way a model directory can be
 * broken — bad JSON, a graph model, a manifest path that escapes the directory, a missing or
 * truncated shard — is found here, before any tensor is built.
 *
 * Formats follow `ModelJSON` / `WeightsManifestEntry` in tfjs-core `src/io/types.ts` and the byte
 * layout of `decodeWeights` in `src/io/io_utils.ts` (shards read in manifest order, concatenated,
 * each tensor `prod(shape) × bytes(storage dtype)` with no padding).
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MlctlError, toMlctlError } from '../errors.js';
import { MODEL_JSON_FILE } from '../vocabulary.js';

/** The file names tfjs-node's `file://` handler uses (MODEL_JSON_FILE from vocabulary.ts); mlctl writes the same. */
export { MODEL_JSON_FILE };
export const WEIGHTS_FILE = 'weights.bin';

/** Logical dtype of a weight after decoding. */
export type WeightDtype = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
/** Storage dtype of quantized bytes. */
export type QuantizationDtype = 'uint8' | 'uint16' | 'float16';

/**
 * TF.js's `quantization` block: stored values q decode to `q * scale + min` (uint8/uint16) or from
 * IEEE half floats (float16). `original_dtype` is written by the Python converter; TF.js ignores it.
 */
export interface WeightQuantization {
  dtype: QuantizationDtype;
  scale?: number;
  min?: number;
  original_dtype?: string;
}

/** One entry of a manifest group (`WeightsManifestEntry`). */
export interface WeightSpec {
  /** e.g. 'dense_1/kernel' */
  name: string;
  shape: number[];
  dtype: WeightDtype;
  /** 'optimizer' marks optimizer state saved with includeOptimizer */
  group?: 'model' | 'optimizer';
  quantization?: WeightQuantization;
}

/** One manifest group: its files are concatenated in order and hold its weights in order. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** `model.json` of a TF.js layers model (`ModelJSON` in tfjs-core). */
export interface ModelJson {
  /** Keras-style JSON: `{class_name, config, …}` or `{model_config: {class_name, config}, …}` */
  modelTopology: Record<string, unknown>;
  /** 'layers-model' for layers models saved by TF.js (absent in some older files) */
  format?: string;
  generatedBy?: string;
  /** null when TF.js saved the model directly */
  convertedBy?: string | null;
  weightsManifest: WeightsManifestGroup[];
  trainingConfig?: Record<string, unknown>;
  userDefinedMetadata?: Record<string, unknown>;
  signature?: Record<string, unknown>;
}

/** One weight file as found on disk. */
export interface ShardInfo {
  /** the path as written in the manifest (relative to the model directory) */
  path: string;
  /** the resolved absolute path */
  absolutePath: string;
  bytes: number;
}

export interface ShardCheck {
  /** sum of all shard sizes */
  totalBytes: number;
  /** every shard, in manifest order (groups in order, paths in order) */
  shards: ShardInfo[];
}

const WEIGHT_DTYPES: readonly string[] = ['float32', 'int32', 'bool', 'string', 'complex64'];
const QUANTIZATION_DTYPES: readonly string[] = ['uint8', 'uint16', 'float16'];

/** Bytes per element of each storage dtype (tfjs-core `DTYPE_VALUE_SIZE_MAP`). */
const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

const LAYERS_HINT = 'Export a TF.js layers model (model.json + weight files, e.g. LayersModel.save()).';
const GRAPH_HINT =
  'Convert the original Keras model (.h5/.keras) with "tensorflowjs_converter --input_format keras ' +
  '--output_format tfjs_layers_model" and use that directory; graph models (SavedModel, frozen graphs) cannot be used.';

/**
 * Read and check a `model.json`. `path` is the model.json file, or a directory that holds one.
 * Checks that it is JSON, a layers model (not a graph model), and that its weights manifest is
 * well-formed. Does not look at the weight files (see `checkShards`).
 */
export async function readModelJson(path: string): Promise<ModelJson> {
  const file = await resolveModelJsonPath(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new MlctlError('INVALID_MODEL', `model.json at ${file} is not valid JSON (${firstLine(reason)}).`, {
      hint: 'The file is damaged or not a TF.js model; re-export the model.',
      cause: e,
    });
  }
  return validateModelJson(parsed, file);
}

/**
 * Check an already-parsed model.json (the part of `readModelJson` after parsing); `source` names
 * the file in messages.
 */
export function validateModelJson(parsed: unknown, source: string): ModelJson {
  if (!isObject(parsed)) {
    throw new MlctlError('INVALID_MODEL', `${source} is not a TF.js model.json (expected a JSON object).`, {
      hint: LAYERS_HINT,
    });
  }
  const topology = parsed.modelTopology;
  if (parsed.format === 'graph-model' || isGraphDef(topology)) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${source} is a TF.js graph model; mlctl needs a layers model (one that tf.loadLayersModel loads).`,
      { hint: GRAPH_HINT },
    );
  }
  if (topology === undefined || topology === null) {
    throw new MlctlError('INVALID_MODEL', `${source} has no modelTopology, so it is not a TF.js layers model.`, {
      hint: LAYERS_HINT,
    });
  }
  if (!isLayersTopology(topology)) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${source} has a modelTopology that is not a layers model (no Keras "class_name" and "config").`,
      { hint: LAYERS_HINT },
    );
  }
  if (parsed.weightsManifest === undefined || parsed.weightsManifest === null) {
    throw new MlctlError('INVALID_MODEL', `${source} has no weightsManifest, so the model has no weights.`, {
      hint: 'Save the model with its weights (LayersModel.save() writes model.json and weights.bin).',
    });
  }
  validateManifest(parsed.weightsManifest, source);
  for (const key of ['trainingConfig', 'userDefinedMetadata', 'signature'] as const) {
    const value = parsed[key];
    if (value !== undefined && value !== null && !isObject(value)) {
      throw new MlctlError('INVALID_MODEL', `${source} has a "${key}" that is not a JSON object.`, { hint: LAYERS_HINT });
    }
  }
  return parsed as unknown as ModelJson;
}

/**
 * Bytes one weight occupies in the shards: elements × bytes of its storage dtype (the quantization
 * dtype when quantized: uint8 → 1, uint16/float16 → 2; else float32/int32 → 4, bool → 1,
 * complex64 → 8). String weights have no fixed size and are refused.
 */
export function weightSpecBytes(spec: WeightSpec, source: string = MODEL_JSON_FILE): number {
  const storage = spec.quantization ? spec.quantization.dtype : spec.dtype;
  if (spec.dtype === 'string') {
    throw new MlctlError('INVALID_MODEL', `Weight "${spec.name}" in ${source} has dtype string, which mlctl does not support.`, {
      hint: 'mlctl works with numeric layers models; string weights come from text-processing models.',
    });
  }
  const perElement = BYTES_PER_ELEMENT[storage];
  if (perElement === undefined) {
    throw new MlctlError('INVALID_MODEL', `Weight "${spec.name}" in ${source} has unsupported dtype "${storage}".`, {
      hint: LAYERS_HINT,
    });
  }
  let elements = 1;
  for (const dim of spec.shape) elements *= dim;
  return elements * perElement;
}

/** Every weight file the manifest names, in load order (groups in order, paths in order). */
export function shardPaths(modelJson: ModelJson): string[] {
  return modelJson.weightsManifest.flatMap((group) => group.paths);
}

/**
 * Check the weight files of `modelJson` in `dir`: each manifest path is relative and stays inside
 * `dir`, exists as a file, and each group's files together are exactly as long as its weights need.
 */
export async function checkShards(dir: string, modelJson: ModelJson): Promise<ShardCheck> {
  const root = resolve(dir);
  const modelJsonFile = join(root, MODEL_JSON_FILE);
  const shards: ShardInfo[] = [];
  let totalBytes = 0;
  for (const group of modelJson.weightsManifest) {
    let needed = 0;
    for (const spec of group.weights) needed += weightSpecBytes(spec, modelJsonFile);
    let found = 0;
    for (const path of group.paths) {
      const absolutePath = resolveShardPath(root, path, modelJsonFile);
      let bytes: number;
      try {
        const info = await stat(absolutePath);
        if (!info.isFile()) {
          throw new MlctlError('INVALID_MODEL', `Weight file ${path} named in ${modelJsonFile} is not a file.`, {
            hint: 'Restore the model directory from its source or re-export the model.',
          });
        }
        bytes = info.size;
      } catch (e) {
        if (e instanceof MlctlError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          throw new MlctlError('INVALID_MODEL', `Weight file ${path} named in ${modelJsonFile} is missing.`, {
            hint: 'Restore the model directory from its source or re-export the model.',
            cause: e,
          });
        }
        throw fsError(e, absolutePath, 'read');
      }
      shards.push({ path, absolutePath, bytes });
      found += bytes;
    }
    if (found !== needed) {
      const names = group.paths.join(' + ');
      const message =
        group.paths.length === 0
          ? `${modelJsonFile} lists weights needing ${needed} bytes but no weight files for them.`
          : `Weight file${group.paths.length > 1 ? 's' : ''} ${names} in ${root} ${group.paths.length > 1 ? 'are' : 'is'} ` +
            `${found} bytes but model.json's manifest needs ${needed}; the file is truncated or does not belong to this model.`;
      throw new MlctlError('INVALID_MODEL', message, {
        hint: "Restore the weight files from the model's source or re-export the model.",
        details: { files: group.paths, bytes: found, expectedBytes: needed },
      });
    }
    totalBytes += found;
  }
  return { totalBytes, shards };
}

/** The model.json file for a path that is the file itself or a directory holding it. */
async function resolveModelJsonPath(path: string): Promise<string> {
  const abs = resolve(path);
  try {
    const info = await stat(abs);
    return info.isDirectory() ? join(abs, MODEL_JSON_FILE) : abs;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new MlctlError('NOT_FOUND', `No model.json at ${abs}.`, {
        hint: 'Check the path; a TF.js layers model directory holds model.json and its weight files.',
        cause: e,
      });
    }
    throw fsError(e, abs, 'read');
  }
}

/** Resolve a manifest path inside `root`, refusing absolute paths and paths that escape it. */
function resolveShardPath(root: string, path: string, source: string): string {
  const refuse = (): never => {
    throw new MlctlError(
      'INVALID_MODEL',
      `${source} names weight file "${path}", which is outside the model directory; only relative paths inside it are allowed.`,
      { hint: 'Keep the weight files beside model.json and name them relative to it (e.g. "weights.bin").' },
    );
  };
  if (path.length === 0 || path.includes('\0') || isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.includes('://')) {
    refuse();
  }
  const absolutePath = resolve(root, path);
  const rel = relative(root, absolutePath);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) refuse();
  return absolutePath;
}

function validateManifest(manifest: unknown, source: string): void {
  const bad = (what: string): never => {
    throw new MlctlError('INVALID_MODEL', `${source} has a malformed weightsManifest: ${what}.`, { hint: LAYERS_HINT });
  };
  if (!Array.isArray(manifest)) bad('expected a list of {paths, weights} groups');
  (manifest as unknown[]).forEach((group, g) => {
    if (!isObject(group)) return bad(`group ${g} is not an object`);
    if (!Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string')) {
      return bad(`group ${g} has no "paths" list of file names`);
    }
    if (!Array.isArray(group.weights)) return bad(`group ${g} has no "weights" list`);
    group.weights.forEach((spec: unknown, w: number) => {
      if (!isObject(spec) || typeof spec.name !== 'string') return bad(`group ${g} weight ${w} has no name`);
      const name = `weight "${spec.name}"`;
      if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        return bad(`${name} has a shape that is not a list of non-negative integers`);
      }
      if (typeof spec.dtype !== 'string' || !WEIGHT_DTYPES.includes(spec.dtype)) {
        return bad(`${name} has unknown dtype ${JSON.stringify(spec.dtype)}`);
      }
      const q = spec.quantization;
      if (q === undefined || q === null) return;
      if (!isObject(q) || typeof q.dtype !== 'string' || !QUANTIZATION_DTYPES.includes(q.dtype)) {
        return bad(`${name} has a quantization dtype other than uint8, uint16 or float16`);
      }
      if (q.dtype === 'float16') {
        if (spec.dtype !== 'float32') return bad(`${name} is float16-quantized but its dtype is ${spec.dtype}, not float32`);
      } else {
        if (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min)) {
          return bad(`${name} is ${q.dtype}-quantized but has no numeric "scale" and "min"`);
        }
        if (spec.dtype !== 'float32' && spec.dtype !== 'int32') {
          return bad(`${name} is ${q.dtype}-quantized but its dtype is ${spec.dtype}`);
        }
      }
    });
  });
}

/** A TF GraphDef as the converter writes it: `{node: [...], library, versions}`. */
function isGraphDef(topology: unknown): boolean {
  return isObject(topology) && ('node' in topology || 'versions' in topology);
}

/** Keras JSON: `{class_name, config}`, possibly under `model_config` as Keras saves it. */
function isLayersTopology(topology: unknown): boolean {
  if (!isObject(topology)) return false;
  const candidate = isObject(topology.model_config) ? topology.model_config : topology;
  return typeof candidate.class_name === 'string' && isObject(candidate.config);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim().replace(/\.$/, '');
}

/** A filesystem failure as an MlctlError naming the file (ENOSPC/EACCES keep their own hints). */
export function fsError(e: unknown, file: string, action: 'read' | 'write'): MlctlError {
  const err = e as NodeJS.ErrnoException;
  if (err && (err.code === 'ENOSPC' || err.code === 'EACCES' || err.code === 'EPERM')) {
    return toMlctlError(e);
  }
  const reason = e instanceof Error ? firstLine(e.message) : String(e);
  return new MlctlError('IO', `Could not ${action} ${file} (${reason}).`, {
    hint: action === 'read' ? 'Check that the file is readable.' : 'Check that the directory is writable and has free space.',
    cause: e,
  });
}
