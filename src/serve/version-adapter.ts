/**
 * The one place serve/ meets lifecycle's version API: `openVersion()` (files verified against
 * their checksums, then the engine's ModelHandle), the record's stored test split, and the
 * `mlctl predict` decoding of outputs. load-servable.ts builds a Servable from what this returns.
 */
import { MlctlError } from '../errors.js';
import { encodeFeatures, type Signature } from '../dataset/signature.js';
import type { NamedWeight } from '../engine/model-handle.js';
import type { RegistryStore } from '../registry/store.js';
import type { VersionRecord } from '../registry/version-record.js';
import type { BackendChoice } from '../vocabulary.js';
import { openVersion } from '../lifecycle/open-version.js';
import { decodeOutputs, type RowPredictions } from '../lifecycle/predict-rows.js';
import { attributeRows, type AttributionSet } from '../lifecycle/explain/attributions.js';
import { plainSignature } from '../lifecycle/plain-input.js';

export type { NamedWeight };

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
  /** integrated-gradients attributions of encoded rows (see lifecycle/explain/attributions.ts) */
  explain(x: Float32Array, n: number): AttributionSet;
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
  registry: RegistryStore;
  model: string;
  version: number;
  backend?: BackendChoice;
}): Promise<ServingVersion> {
  const opened = await openVersion({
    registry: options.registry,
    model: options.model,
    selector: { version: options.version },
    backend: options.backend,
  });
  try {
    const { handle } = opened;
    const where = `${options.model} v${options.version}`;
    if (handle.inputShapes.length !== 1 || handle.outputShapes.length !== 1) {
      throw new MlctlError(
        'INVALID_MODEL',
        `${where} has ${handle.inputShapes.length} inputs and ${handle.outputShapes.length} outputs; serving supports one of each.`,
      );
    }
    const inputShape = dims(handle.inputShapes[0], 'input', where);
    const outputShape = dims(handle.outputShapes[0], 'output', where);
    const signature = opened.signature;
    if (signature && (inputShape.length !== 1 || inputShape[0] !== signature.inputSize)) {
      throw new MlctlError(
        'INVALID_MODEL',
        `${where}: the signature encodes ${signature.inputSize} columns but the model takes [${inputShape.join(', ')}].`,
        {
          hint: 'The version metadata does not match its model; run "mlctl version verify".',
        },
      );
    }
    const inputSize = inputShape.reduce((a, b) => a * b, 1);
    const outputSize = outputShape.reduce((a, b) => a * b, 1);
    // a version without a signature is explained per input element (x1…xn), from zeros
    const explainSignature = signature ?? plainSignature({ inputShape, inputSize, outputSize });
    return {
      model: opened.model,
      version: opened.version,
      record: opened.record,
      dir: opened.dir,
      backend: opened.backend,
      signature,
      inputShape,
      outputShape,
      predict: (x, n) => handle.predict(x, n),
      explain: (x, n) => attributeRows(handle, explainSignature, x, n, { plain: !signature }),
      readWeights: () => handle.readWeights(),
      readTestRows: () => readTestRows(opened.record, signature),
      dispose: () => opened.dispose(),
    };
  } catch (e) {
    opened.dispose();
    throw e;
  }
}

/** Model outputs → labels and probabilities (or values in the target's units), as `mlctl predict` gives them. */
export function decodePredictions(signature: Signature, out: Float32Array, n: number): RowPredictions {
  return decodeOutputs(signature, out, n);
}

export type { RowPredictions };

function dims(shape: (number | null)[], what: string, where: string): number[] {
  const rest = shape.slice(1);
  if (rest.length === 0 || !rest.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${where} has an ${what} of shape [${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]; serving needs fixed sizes after the batch dimension.`,
    );
  }
  return rest;
}

async function readTestRows(record: VersionRecord, signature: Signature | null): Promise<{ x: Float32Array; n: number } | null> {
  if (!signature || !record.split?.testRows?.rows) return null;
  try {
    const { readStoredTestSplit } = await import('../lifecycle/test-split.js');
    const { table, indices } = await readStoredTestSplit(record);
    return { x: encodeFeatures(signature, table, { indices, unknownCategory: 'ignore' }), n: indices.length };
  } catch {
    return null; // the data moved or changed: the caller checks on synthetic rows instead
  }
}
