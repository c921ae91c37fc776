/** The one metric shown for a version in listings: accuracy for classifiers, R² for regressors. */
import { isClassificationMetrics, type VersionRecord } from '../registry/version-record.js';

export interface KeyMetric {
  name: string;
  value: number;
}

export function keyMetric(record: VersionRecord): KeyMetric | null {
  const m = record.metrics;
  if (!m) return null;
  const candidates: [string, number | null][] = isClassificationMetrics(m)
    ? [
        ['accuracy', m.accuracy],
        ['macroF1', m.macroF1],
      ]
    : [
        ['r2', m.r2],
        ['rmse', m.rmse],
        ['mae', m.mae],
      ];
  for (const [name, value] of candidates) {
    if (typeof value === 'number' && Number.isFinite(value)) return { name, value };
  }
  return null;
}
