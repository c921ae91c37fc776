/** Predictions as CSV (label + one probability column per class, or value) or a JSON array. */
import type { PredictResult } from '../../lifecycle/predict.js';
import type { ClassPrediction, ValuePrediction } from '../../lifecycle/predict-rows.js';

export function formatPredictions(result: PredictResult, format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(result.predictions)}\n`;
  const lines: string[] = [];
  if (result.task === 'classification') {
    lines.push(['label', ...result.labels.map((l) => `p_${l}`)].map(csvCell).join(','));
    for (const p of result.predictions as ClassPrediction[]) {
      lines.push([csvCell(p.label), ...result.labels.map((l) => exact(p.probabilities[l]))].join(','));
    }
  } else {
    lines.push('prediction');
    for (const p of result.predictions as ValuePrediction[]) lines.push(exact(p.value));
  }
  return `${lines.join('\n')}\n`;
}

/** Shortest round-trip form, as JSON writes numbers: parsing it gives back exactly the same value. */
function exact(v: number): string {
  return String(v);
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
