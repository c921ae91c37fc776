/**
 * Local attributions: why the model gave one row its answer. Integrated gradients (engine) from
 * the baseline of the training means (the signature's `inputMeans`) to the row, on the
 * predicted class's probability (classification) or the predicted value (regression, in the
 * target's units); each encoded input's attribution is summed back onto the raw column it came
 * from (a one-hot category or a date's parts count for their column). Completeness: the
 * attributions of a row sum to prediction − baseline prediction; the engine adds steps until
 * that holds within `tolerance` for every row, and each row reports its error.
 */
import { baselineRow, classLabels, featureSlices, type Signature } from '../../dataset/signature.js';
import type { ModelHandle } from '../../engine/model-handle.js';
import type { Task } from '../../vocabulary.js';
import { argmaxRows } from '../metrics.js';

export interface RowAttribution {
  /** which row: its 1-based position in the rows given (or in the evaluation rows) */
  row: number;
  /** what is explained: the predicted class, or the target's name for a regressor */
  explained: string;
  /** the explained output for this row and for the baseline row (probability, or target units) */
  prediction: number;
  baselinePrediction: number;
  /** per raw column, in signature order: its share of prediction − baselinePrediction */
  attributions: Record<string, number>;
  /** per encoded input (e.g. "color=red", "date.month") */
  inputs: Record<string, number>;
  /** Σ attributions */
  sum: number;
  /** |sum − (prediction − baselinePrediction)| relative to |prediction − baselinePrediction| (at least 0.001) */
  error: number;
  /** integration steps used for this row */
  steps: number;
}

export interface AttributionSet {
  task: Task;
  /** what the numbers are in: "probability" of the predicted class, or the target's units */
  unit: 'probability' | 'value';
  /** the raw columns, in signature order */
  features: string[];
  /** 'training-means' (recorded with the version), 'signature' (what an older signature implies), 'zeros' (imported model) */
  baseline: 'training-means' | 'signature' | 'zeros';
  tolerance: number;
  rows: RowAttribution[];
  completeness: { maxError: number; passed: boolean; maxSteps: number };
}

export interface AttributeOptions {
  /** the row labels shown for each encoded row (default 1…n) */
  rowNumbers?: ArrayLike<number>;
  /** completeness tolerance (default 0.01) */
  tolerance?: number;
  /** the signature is the plain one of an imported model (baseline zeros) */
  plain?: boolean;
}

export const COMPLETENESS_TOLERANCE = 0.01;

export function attributeRows(
  handle: ModelHandle,
  signature: Signature,
  x: Float32Array,
  n: number,
  options: AttributeOptions = {},
): AttributionSet {
  const tolerance = options.tolerance ?? COMPLETENESS_TOLERANCE;
  const width = signature.inputSize;
  const classification = signature.target.task === 'classification';
  const labels = classLabels(signature);
  const outputs = classification ? argmaxRows(handle.predict(x, n), labels.length) : new Int32Array(n);
  const baseline = baselineRow(signature);
  const ig = handle.integratedGradients(x, n, { baseline, outputs, tolerance });
  // a regressor's output is standardised: its units are the target's std (the mean cancels in differences)
  const scale = signature.target.task === 'regression' ? signature.target.std : 1;
  const offset = signature.target.task === 'regression' ? signature.target.mean : 0;
  const slices = featureSlices(signature);
  const rows: RowAttribution[] = [];
  for (let r = 0; r < n; r++) {
    const inputs: Record<string, number> = {};
    for (let i = 0; i < width; i++) inputs[signature.encodedNames[i]] = ig.attributions[r * width + i] * scale;
    const attributions: Record<string, number> = {};
    let sum = 0;
    for (const slice of slices) {
      let a = 0;
      for (let i = slice.start; i < slice.start + slice.width; i++) a += ig.attributions[r * width + i];
      attributions[slice.name] = a * scale;
      sum += a * scale;
    }
    rows.push({
      row: options.rowNumbers ? options.rowNumbers[r] : r + 1,
      explained: classification ? labels[outputs[r]] : signature.target.name,
      prediction: ig.prediction[r] * scale + offset,
      baselinePrediction: ig.baselinePrediction[r] * scale + offset,
      attributions,
      inputs,
      sum,
      error: ig.error[r],
      steps: ig.steps[r],
    });
  }
  const maxError = rows.reduce((m, r) => Math.max(m, r.error), 0);
  return {
    task: signature.target.task,
    unit: classification ? 'probability' : 'value',
    features: slices.map((s) => s.name),
    baseline: options.plain ? 'zeros' : signature.inputMeans ? 'training-means' : 'signature',
    tolerance,
    rows,
    completeness: { maxError, passed: maxError <= tolerance, maxSteps: rows.reduce((m, r) => Math.max(m, r.steps), 0) },
  };
}
