/** The one metric shown for a version in listings: accuracy for classifiers, R² for regressors. */
import type { VersionRecord } from '../registry/version-record.js';

export interface KeyMetric {
  name: string;
  value: number;
}

const PREFERRED = ['accuracy', 'r2', 'rmse', 'mae', 'macroF1'];

export function keyMetric(record: VersionRecord): KeyMetric | null {
  const metrics = record.metrics as Record<string, unknown> | undefined;
  if (!metrics) return null;
  for (const name of PREFERRED) {
    const value = metrics[name];
    if (typeof value === 'number' && Number.isFinite(value)) return { name, value };
  }
  return null;
}
