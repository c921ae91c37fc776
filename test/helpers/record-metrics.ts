/** A version record's recorded test metrics, narrowed to their task (throws when absent or of the other task). */
import type { ClassificationMetricsSection, RegressionMetricsSection, VersionRecord } from '../../src/registry/version-record.js';
import { isClassificationMetrics } from '../../src/registry/version-record.js';

export function classificationMetrics(record: VersionRecord): ClassificationMetricsSection {
  const m = record.metrics;
  if (!m || !isClassificationMetrics(m)) throw new Error(`${record.model} v${record.version} has no classification metrics`);
  return m;
}

export function regressionMetrics(record: VersionRecord): RegressionMetricsSection {
  const m = record.metrics;
  if (!m || isClassificationMetrics(m)) throw new Error(`${record.model} v${record.version} has no regression metrics`);
  return m;
}
