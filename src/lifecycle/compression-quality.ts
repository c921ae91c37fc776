/**
 * What a compression cost in quality, measured before the derived version is published: the
 * parent and the child model directory are both scored through the evaluate path on the same
 * rows, the parent's stored test split or `--data` (labelled, for a version with a signature),
 * or, for a model without a signature (imported), both are run on the `--data` rows and the
 * largest output difference is reported.
 */
import type { BackendChoice } from '../engine/backend-choices.js';
import type { VersionRecord } from '../registry/version-record.js';
import { compareMetrics, type MetricComparison } from './compare-metrics.js';
import type { Metrics } from './metrics.js';
import type { SourceVersion } from './version-weights.js';

export interface OutputDifference {
  path: string;
  rows: number;
  /** largest |child − parent| over every output of every row */
  maxAbs: number;
}

export interface QualityReport {
  /** metric changes (a version with a signature and a test split or --data) */
  evaluation: MetricComparison | null;
  /** the child's metrics on the parent's stored test split (what its record's `metrics` holds) */
  childTestMetrics: Metrics | null;
  /** output change on --data rows (a version without a signature) */
  outputDifference: OutputDifference | null;
  /** why nothing was measured, when nothing was */
  notMeasured: string | null;
  backend: string;
  tfjsVersion: string;
}

export interface MeasureOptions {
  /** labelled CSV (with a signature) or numeric input rows (without) */
  data?: string;
  backend?: BackendChoice;
}

export function hasTestSplit(record: VersionRecord): boolean {
  const split = (record.split as { testRows?: { rows?: number } } | undefined)?.testRows;
  return Boolean(record.signature && record.dataset && split && (split.rows ?? 0) > 0);
}

export async function measureQuality(parent: SourceVersion, childDir: string, options: MeasureOptions): Promise<QualityReport> {
  const { openRunnableModel } = await import('./version-weights.js');
  const backend = options.backend ?? 'auto';
  const parentModel = await openRunnableModel(parent.dir, backend);
  let childModel: Awaited<ReturnType<typeof openRunnableModel>> | undefined;
  try {
    childModel = await openRunnableModel(childDir, backend);
    const base = { backend: parentModel.backend, tfjsVersion: parentModel.tfjsVersion };
    const record = parent.record;
    if (record.signature && (options.data || hasTestSplit(record))) {
      const { loadEvaluationSet } = await import('./evaluate.js');
      const { signatureOf } = await import('./predict-rows.js');
      const signature = signatureOf(record);
      const set = await loadEvaluationSet(record, options.data);
      const split = { x: set.prepared.x, y: set.prepared.y, n: set.prepared.rows.length };
      const before = await parentModel.score(signature, split);
      const after = await childModel.score(signature, split);
      return {
        ...base,
        evaluation: {
          // the record keeps the dataset path as stored (e.g. <templates>/iris/iris.csv), not this machine's
          data: { source: set.source, path: set.source === 'test-split' ? record.dataset!.path : set.path, rows: split.n },
          changes: compareMetrics(before, after),
        },
        childTestMetrics: set.source === 'test-split' ? after : null,
        outputDifference: null,
        notMeasured: null,
      };
    }
    if (options.data) {
      const { readNumericRows } = await import('../dataset/numeric-rows.js');
      const rows = await readNumericRows(options.data, parentModel.inputSize);
      const a = parentModel.predict(rows.x, rows.n);
      const b = childModel.predict(rows.x, rows.n);
      let maxAbs = 0;
      for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
      return {
        ...base,
        evaluation: null,
        childTestMetrics: null,
        outputDifference: { path: options.data, rows: rows.n, maxAbs },
        notMeasured: null,
      };
    }
    const why = record.signature
      ? `${parent.model} v${parent.version} has no stored test split; pass --data <labelled.csv> to measure the metric change.`
      : `${parent.model} v${parent.version} has no test split (it was ${record.operation}ed); pass --data <rows.csv> to measure the output change.`;
    return { ...base, evaluation: null, childTestMetrics: null, outputDifference: null, notMeasured: why };
  } finally {
    parentModel.dispose();
    childModel?.dispose();
  }
}
