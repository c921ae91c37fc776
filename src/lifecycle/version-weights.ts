/**
 * The adapter between the compression verbs (quantize, prune, export) and today's registry and
 * engine APIs: reading a version's model files as manifest tensors, writing packed weights next
 * to a topology, running a model directory (predict, score through the evaluate path), and the
 * record sections a derived version inherits from its parent. It is the only compression code
 * that knows how models are loaded (`loadLayersModelFromDir`, `predictBatch`, `scoreSplit`), so
 * moving to the engine's `openModel()/ModelHandle` and lifecycle's `openVersion()` /
 * `deriveChildRecord()` changes this file only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlctlError } from '../errors.js';
import type { BackendChoice } from '../engine/backend-choices.js';
import type { ManifestTensor } from '../engine/compress/manifest-tensors.js';
import type { NamedWeight } from '../engine/compress/named-weight.js';
import type { PackedWeights } from '../engine/compress/pack-weights.js';
import { MODEL_JSON_FILE, checkShards, fsError, readModelJson, type ModelJson } from '../engine/model-files.js';
import type { Signature } from '../dataset/signature.js';
import type { Registry, VersionSelector } from '../registry/registry.js';
import type { FileEntry, VersionRecord } from '../registry/version-record.js';
import type { EncodedSplit } from './fit-mlp.js';
import type { Metrics } from './metrics.js';

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

/** Resolve, verify (checksums and sizes) and read a version's weights. */
export async function openSourceVersion(registry: Registry, model: string, selector: VersionSelector = {}): Promise<SourceVersion> {
  const version = await registry.resolveVersion(model, selector);
  const record = await registry.readRecord(model, version);
  const fatal = (await registry.verifyFiles(model, version)).filter((i) => i.problem !== 'extra');
  if (fatal.length > 0) {
    throw new MlctlError('INVALID_MODEL', `${fatal[0].message}${fatal.length > 1 ? ` (and ${fatal.length - 1} more problem(s))` : ''}`, {
      hint: `Run "mlctl version verify ${model}" for the full list; restore the files or remove the version.`,
    });
  }
  const dir = registry.versionDir(model, version);
  const { modelJson, tensors, shardPaths } = await readModelDir(dir);
  const byPath = new Map(record.files.map((f) => [f.path, f]));
  const shards = shardPaths.map((p) => {
    const entry = byPath.get(path.posix.normalize(p));
    if (!entry) throw new MlctlError('INVALID_MODEL', `${model} v${version}: weight file ${p} is not in the version record.`);
    return entry;
  });
  return { model, version, record, dir, modelJson, tensors, shards };
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

/** A model directory loaded for inference on one backend. */
export interface RunnableModel {
  backend: string;
  tfjsVersion: string;
  /** input shape without the batch dimension */
  inputShape: number[];
  /** values per row of input (product of inputShape) */
  inputSize: number;
  /** outputs per row */
  outputSize: number;
  /** row-major outputs for n row-major inputs */
  predict(x: Float32Array, n: number): Float32Array;
  /** metrics of a labelled encoded split, exactly as `mlctl evaluate` computes them */
  score(signature: Signature, split: EncodedSplit): Promise<Metrics>;
  /** the model's float weights by manifest name */
  readWeights(): NamedWeight[];
  /** replace weights by manifest name (same shapes) */
  writeWeights(weights: readonly NamedWeight[]): void;
  dispose(): void;
}

export async function openRunnableModel(dir: string, backend: BackendChoice = 'auto'): Promise<RunnableModel> {
  const [{ loadLayersModelFromDir }, { loadTf }, { predictBatch }, { scoreSplit }] = await Promise.all([
    import('../engine/load-model.js'),
    import('../engine/tf.js'),
    import('../engine/predict.js'),
    import('./fit-mlp.js'),
  ]);
  const { tf, tfjsVersion } = await loadTf(backend);
  const { model, backend: active } = await loadLayersModelFromDir(dir, backend);
  const inputs = model.inputs;
  if (inputs.length !== 1 || model.outputs.length !== 1) {
    model.dispose();
    throw new MlctlError('INVALID_MODEL', `The model in ${dir} has ${inputs.length} inputs and ${model.outputs.length} outputs; mlctl runs models with one of each.`);
  }
  const inputShape = inputs[0].shape.slice(1).map((d) => d ?? 1);
  const outputShape = model.outputs[0].shape.slice(1).map((d) => d ?? 1);
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const outputSize = outputShape.reduce((a, b) => a * b, 1);
  const flat = inputShape.length === 1;
  const variables = () => new Map(model.weights.map((w) => [w.originalName, w]));
  return {
    backend: active,
    tfjsVersion,
    inputShape,
    inputSize,
    outputSize,
    predict: (x, n) =>
      flat
        ? predictBatch(tf, model, x, n, inputSize)
        : tf.tidy(() => (model.predict(tf.tensor(x, [n, ...inputShape])) as { dataSync(): Float32Array }).dataSync()).slice(),
    score: (signature, split) => scoreSplit(tf, model, signature, split),
    readWeights: () =>
      model.weights
        .filter((w) => w.dtype === 'float32')
        .map((w) => ({ name: w.originalName, shape: [...w.shape] as number[], values: (w.read().dataSync() as Float32Array).slice() })),
    writeWeights: (weights) => {
      const byName = variables();
      for (const w of weights) {
        const variable = byName.get(w.name);
        if (!variable) throw new MlctlError('INTERNAL', `The model has no weight "${w.name}" (this is a bug).`);
        const t = tf.tensor(w.values, w.shape);
        variable.write(t);
        t.dispose();
      }
    },
    dispose: () => model.dispose(),
  };
}

/**
 * The record sections a derived version (prune, quantize) carries from its parent unchanged:
 * what it was trained on and how (template, hyperparameters, seed, dataset, split), what goes in
 * and out (signature, target), and an imported model's source and shapes.
 */
export function inheritedSections(parent: VersionRecord): Partial<VersionRecord> {
  const out: Partial<VersionRecord> = {};
  for (const key of ['template', 'hyperparameters', 'seed', 'dataset', 'signature', 'target', 'split', 'source', 'io'] as const) {
    if (parent[key] !== undefined) (out as Record<string, unknown>)[key] = parent[key];
  }
  return out;
}

/** Optimizer settings for fine-tuning: the parent's own (a tenth of its learning rate), or defaults. */
export interface FineTuneSettings {
  optimizer: 'sgd' | 'momentum' | 'adam' | 'rmsprop';
  learningRate: number;
  batchSize: number;
  seed: number;
  epochs: number;
}

export function fineTuneSettings(record: VersionRecord): FineTuneSettings {
  const hp = (record.hyperparameters ?? {}) as Partial<FineTuneSettings>;
  return {
    optimizer: hp.optimizer ?? 'adam',
    learningRate: (hp.learningRate ?? 0.003) / 10,
    batchSize: hp.batchSize ?? 32,
    seed: typeof record.seed === 'number' ? record.seed : 42,
    epochs: 1,
  };
}

export interface FitWithMasksOptions {
  /** the parent's model directory (topology) */
  dir: string;
  backend?: BackendChoice;
  /** starting weights (already pruned) */
  weights: NamedWeight[];
  data: import('./fine-tune.js').FineTuneData;
  /** weight name → 1 keep / 0 held at zero */
  masks: ReadonlyMap<string, Uint8Array>;
  settings: FineTuneSettings;
  onEpoch?: (epoch: number, loss?: number) => void;
}

/** Train `weights` for `settings.epochs` epochs with masked weights held at zero; returns the new weights. */
export async function fitWithMasks(options: FitWithMasksOptions): Promise<NamedWeight[]> {
  void options;
  throw new MlctlError('UNAVAILABLE', 'Fine-tuning needs the engine model handle (fit with a mask), which this build does not have yet.', {
    hint: 'Prune without --fine-tune-epochs for now.',
  });
}
