/**
 * THE adapter between serving and today's loading/predict APIs (lifecycle/load-version.ts,
 * lifecycle/predict-rows.ts, engine/predict.ts, the record's split/dataset sections). Nothing
 * else in serve/ touches them, so moving serving onto `openVersion()` / `ModelHandle` (the seams
 * refactor) rewires this one file: `ServingVersion` is shaped like openVersion's result and
 * ModelHandle (`inputShape`, `outputSize`, `predict(x, n)`, `readWeights()`, `dispose()`).
 */
import { MlctlError } from '../errors.js';
import type { BackendChoice } from '../engine/backend-choices.js';
import { encodeFeatures, type Signature } from '../dataset/signature.js';
import type { Registry } from '../registry/registry.js';
import type { VersionRecord } from '../registry/version-record.js';
import { decodeOutputs, signatureOf, type RowPredictions } from '../lifecycle/predict-rows.js';
import type { NamedWeight } from './plain-forward.js';

export interface ServingVersion {
  model: string;
  version: number;
  record: VersionRecord;
  dir: string;
  /** the active TF.js backend: 'tensorflow' | 'wasm' | 'cpu' */
  backend: string;
  signature: Signature | null;
  /** one input row without the batch dimension */
  inputShape: number[];
  /** one output row without the batch dimension */
  outputShape: number[];
  /** TF.js forward pass: n × prod(inputShape) → n × prod(outputShape) */
  predict(x: Float32Array, n: number): Float32Array;
  /** every weight by its manifest name, as float32 values (dequantized) */
  readWeights(): NamedWeight[];
  /** the version's held-out test rows, encoded; null when they cannot be recovered */
  readTestRows(): Promise<{ x: Float32Array; n: number } | null>;
  dispose(): void;
}

/**
 * Load one version for serving: checksums of every file are verified before TF.js sees them
 * (a corrupt version fails here with INVALID_MODEL naming the file).
 */
export async function openServingVersion(options: {
  registry: Registry;
  model: string;
  version: number;
  backend?: BackendChoice;
}): Promise<ServingVersion> {
  const { loadVersion } = await import('../lifecycle/load-version.js');
  const loaded = await loadVersion({
    registry: options.registry,
    model: options.model,
    selector: { version: options.version },
    backend: options.backend,
  });
  const { model, record, backend, dir } = loaded;
  try {
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new MlctlError(
        'INVALID_MODEL',
        `${options.model} v${options.version} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; serving supports one of each.`,
      );
    }
    const inputShape = dims(model.inputs[0].shape, 'input', options);
    const outputShape = dims(model.outputs[0].shape, 'output', options);
    const signature = record.signature ? signatureOf(record) : null;
    const inputSize = product(inputShape);
    if (signature && (inputShape.length !== 1 || inputShape[0] !== signature.inputSize)) {
      throw new MlctlError(
        'INVALID_MODEL',
        `${options.model} v${options.version}: the signature encodes ${signature.inputSize} columns but the model takes [${inputShape.join(', ')}].`,
        { hint: 'The version metadata does not match its model; run "mlctl version verify".' },
      );
    }
    const { loadTf } = await import('../engine/tf.js');
    const { predictBatch } = await import('../engine/predict.js');
    const { tf } = await loadTf(options.backend ?? 'auto');
    return {
      model: options.model,
      version: options.version,
      record,
      dir,
      backend,
      signature,
      inputShape,
      outputShape,
      predict: (x, n) => predictBatch(tf, model, x, n, inputSize, { rowShape: inputShape }),
      readWeights: () =>
        model.weights.map((w) => ({
          name: w.originalName,
          shape: w.shape.map((d) => d ?? 0),
          values: Float32Array.from(w.read().dataSync() as ArrayLike<number>),
        })),
      readTestRows: () => readTestRows(record, signature),
      dispose: () => model.dispose(),
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Model outputs → labels and probabilities (or values in the target's units), as `mlctl predict` gives them. */
export function decodePredictions(signature: Signature, out: Float32Array, n: number): RowPredictions {
  return decodeOutputs(signature, out, n);
}

export type { RowPredictions };

function dims(shape: (number | null)[], what: string, v: { model: string; version: number }): number[] {
  const rest = shape.slice(1);
  if (rest.length === 0 || !rest.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${v.model} v${v.version} has an ${what} of shape [${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]; serving needs fixed sizes after the batch dimension.`,
    );
  }
  return rest;
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Today's record keeps the test split as a bitmap over the training CSV (split.testRows + dataset). */
async function readTestRows(record: VersionRecord, signature: Signature | null): Promise<{ x: Float32Array; n: number } | null> {
  if (!signature) return null;
  const split = (record.split as { testRows?: { encoding: 'bitmap-base64'; datasetRows: number; rows: number; data: string } } | undefined)
    ?.testRows;
  if (!split || split.rows === 0 || !record.dataset) return null;
  try {
    const { decodeTestSplit } = await import('../lifecycle/test-split.js');
    const { resolveStoredPath } = await import('../lifecycle/train.js');
    const { readCsvFile } = await import('../dataset/read-table.js');
    const table = await readCsvFile(resolveStoredPath(record.dataset.path));
    if (table.source.sha256 !== record.dataset.sha256) return null;
    const indices = decodeTestSplit(split);
    return { x: encodeFeatures(signature, table, { indices, unknownCategory: 'ignore' }), n: indices.length };
  } catch {
    return null; // the data moved or changed: the caller checks on synthetic rows instead
  }
}
