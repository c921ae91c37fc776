/**
 * The one inference path over an opened model: rows (CSV cells, JSON objects or arrays) → the
 * version's signature encoding → the model → labels and probabilities (classification) or
 * values in the target's units (regression). predict, evaluate on new data, and serve call this.
 */
import {
  classLabels,
  decodeRegression,
  encodeFeatures,
  type EncodeOptions,
  type FeatureRows,
  type Signature,
} from '../dataset/signature.js';
import type { ModelHandle } from '../engine/model-handle.js';
import type { Task } from '../vocabulary.js';
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
  task: Task;
  /** class labels in output order (classification) */
  labels: string[];
  predictions: Prediction[];
}

export function predictRows(handle: ModelHandle, signature: Signature, rows: FeatureRows, options: EncodeOptions = {}): RowPredictions {
  const x = encodeFeatures(signature, rows, options);
  const n = x.length / Math.max(1, signature.inputSize);
  return decodeOutputs(signature, handle.predict(x, n), n);
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
