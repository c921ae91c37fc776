/**
 * Evaluation metrics, plain numbers in and out (no tensors): classification accuracy,
 * per-class precision/recall/F1, macro F1 and the confusion matrix; regression MAE, RMSE, R².
 */
import type { MetricsSection } from '../registry/version-record.js';
import type { TuneMetric } from '../vocabulary.js';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** rows whose true class is this one */
  support: number;
}

export interface ClassificationMetrics {
  task: 'classification';
  rows: number;
  accuracy: number;
  macroF1: number;
  macroPrecision: number;
  macroRecall: number;
  perClass: ClassMetrics[];
  /** confusionMatrix[true][predicted] counts; order of `labels` */
  confusionMatrix: number[][];
  labels: string[];
}

export interface RegressionMetrics {
  task: 'regression';
  rows: number;
  mae: number;
  rmse: number;
  r2: number;
}

export type Metrics = ClassificationMetrics | RegressionMetrics;

/** Index of the largest probability in each row (first maximum wins). */
export function argmaxRows(probabilities: Float32Array, classes: number): Int32Array {
  const n = probabilities.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = probabilities[i * classes];
    for (let c = 1; c < classes; c++) {
      const v = probabilities[i * classes + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

export function classificationMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, labels: string[]): ClassificationMetrics {
  const k = labels.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    matrix[truth[i]][predicted[i]]++;
    if (truth[i] === predicted[i]) correct++;
  }
  const perClass: ClassMetrics[] = labels.map((label, c) => {
    const tp = matrix[c][c];
    let predictedAs = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) {
      predictedAs += matrix[j][c];
      actual += matrix[c][j];
    }
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = actual === 0 ? 0 : tp / actual;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: actual };
  });
  // macro averages over classes present in the truth (as scikit-learn does with labels=present)
  const present = perClass.filter((c) => c.support > 0);
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    task: 'classification',
    rows: truth.length,
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    macroF1: mean(present.map((c) => c.f1)),
    macroPrecision: mean(present.map((c) => c.precision)),
    macroRecall: mean(present.map((c) => c.recall)),
    perClass,
    confusionMatrix: matrix,
    labels,
  };
}

export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = truth.length;
  let absSum = 0;
  let sqSum = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i];
  mean /= n || 1;
  let totSum = 0;
  for (let i = 0; i < n; i++) {
    const e = predicted[i] - truth[i];
    absSum += Math.abs(e);
    sqSum += e * e;
    totSum += (truth[i] - mean) ** 2;
  }
  return {
    task: 'regression',
    rows: n,
    mae: n === 0 ? 0 : absSum / n,
    rmse: n === 0 ? 0 : Math.sqrt(sqSum / n),
    r2: totSum === 0 ? 0 : 1 - sqSum / totSum,
  };
}

/** The metric summary stored in a version record (scalars first, details after). */
export function summarizeMetrics(m: Metrics): MetricsSection {
  if (m.task === 'regression') return { mae: m.mae, rmse: m.rmse, r2: m.r2, rows: m.rows };
  return {
    accuracy: m.accuracy,
    macroF1: m.macroF1,
    macroPrecision: m.macroPrecision,
    macroRecall: m.macroRecall,
    rows: m.rows,
    perClass: m.perClass,
    confusionMatrix: m.confusionMatrix,
    labels: m.labels,
  };
}

/** One metric by name (accuracy, macroF1, r2, rmse, mae); NaN when it belongs to the other task. */
export function metricScore(m: Metrics, metric: TuneMetric): number {
  if (m.task === 'classification') return metric === 'accuracy' || metric === 'macroF1' ? m[metric] : NaN;
  return metric === 'r2' || metric === 'rmse' || metric === 'mae' ? m[metric] : NaN;
}
