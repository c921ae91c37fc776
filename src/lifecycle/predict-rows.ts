/**
 * The one inference path over a loaded version: rows (CSV cells, JSON objects or arrays) →
 * the version's signature encoding → the model → labels and probabilities (classification) or
 * values in the target's units (regression). predict, evaluate on new data, and serve call this.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import {
  classLabels,
  decodeRegression,
  encodeFeatures,
  type FeatureRows,
  type Signature,
  type EncodeOptions,
} from '../dataset/signature.js';
import type { Tf } from '../engine/tf.js';
import type { VersionRecord } from '../registry/version-record.js';
import { argmaxRows } from './metrics.js';

export interface ClassPrediction {
  label: string;
  probabilities: Record<string, number>;
}

export interface ValuePrediction {
  value: number;
}

export type Prediction = ClassPrediction | ValuePrediction;

export interface RowPredictions {
  task: 'classification' | 'regression';
  /** class labels in output order (classification) */
  labels: string[];
  predictions: Prediction[];
}

export function signatureOf(record: VersionRecord): Signature {
  if (!record.signature) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${record.model} v${record.version} has no input signature (it was ${record.operation}ed, not trained by mlctl).`,
      {
        hint: 'Predict and evaluate need a version trained with "mlctl train" (or derived from one).',
      },
    );
  }
  return record.signature as unknown as Signature;
}

export async function predictRows(
  tf: Tf,
  model: LayersModel,
  signature: Signature,
  rows: FeatureRows,
  options: EncodeOptions = {},
): Promise<RowPredictions> {
  const { predictBatch } = await import('../engine/predict.js');
  const x = encodeFeatures(signature, rows, options);
  const n = x.length / Math.max(1, signature.inputSize);
  const out = predictBatch(tf, model, x, n, signature.inputSize);
  return decodeOutputs(signature, out, n);
}

export function decodeOutputs(signature: Signature, out: Float32Array, n: number): RowPredictions {
  if (signature.target.task === 'regression') {
    const values = decodeRegression(signature, out);
    return { task: 'regression', labels: [], predictions: values.map((value) => ({ value })) };
  }
  const labels = classLabels(signature);
  const k = labels.length;
  const best = argmaxRows(out, k);
  const predictions: ClassPrediction[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const probabilities: Record<string, number> = {};
    for (let c = 0; c < k; c++) probabilities[labels[c]] = out[i * k + c];
    predictions[i] = { label: labels[best[i]], probabilities };
  }
  return { task: 'classification', labels, predictions };
}
