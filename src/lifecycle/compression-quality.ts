/**
 * What a compression cost in quality, measured before the derived version is published: the
 * parent and the child model directory are both scored through the evaluate path
 * (`evaluationRows` + `scoreSplit` on the engine's model handle) on the same rows, the parent's
 * stored test split or `--data` (labelled, for a version with a signature); for a model without a
 * signature (imported), both are run on the `--data` rows and the largest output difference is
 * reported.
 */
import type { ModelHandle } from '../engine/model-handle.js';
import type { MetricComparison, OutputDifference, VersionRecord } from '../registry/version-record.js';
import type { BackendChoice } from '../vocabulary.js';
import { compareMetrics } from './compare-metrics.js';
import type { Metrics } from './metrics.js';
import type { SourceVersion } from './version-weights.js';

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
  /** the command has a --data flag for measuring (quantize); prune's --data means training rows */
  dataFlagMeasures?: boolean;
  backend?: BackendChoice;
}

export function hasTestSplit(record: VersionRecord): boolean {
  return Boolean(record.signature && record.dataset && record.split && record.split.testRows.rows > 0);
}

export async function measureQuality(parent: SourceVersion, childDir: string, options: MeasureOptions): Promise<QualityReport> {
  const { openModel } = await import('../engine/model-handle.js');
  const backend = options.backend ?? 'auto';
  const record = parent.record;
  // the rows first: a bad --data fails before any model is loaded
  const rows = await measurementRows(parent, options.data);
  const parentModel = await openModel(parent.dir, backend);
  let childModel: ModelHandle | undefined;
  try {
    childModel = await openModel(childDir, backend);
    const base = { backend: parentModel.backend, tfjsVersion: parentModel.tfjsVersion };
    if (rows?.kind === 'labelled') {
      const { scoreSplit } = await import('./fit-mlp.js');
      const { set, signature } = rows;
      const split = { x: set.prepared.x, y: set.prepared.y, n: set.prepared.rows.length };
      const before = scoreSplit(parentModel, signature, split);
      const after = scoreSplit(childModel, signature, split);
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
    if (rows?.kind === 'numeric') {
      const { readNumericRows } = await import('../dataset/numeric-rows.js');
      const x = await readNumericRows(rows.path, parentModel.rowSize);
      const a = parentModel.predict(x.x, x.n);
      const b = childModel.predict(x.x, x.n);
      let maxAbs = 0;
      for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
      return {
        ...base,
        evaluation: null,
        childTestMetrics: null,
        outputDifference: { path: rows.path, rows: x.n, maxAbs },
        notMeasured: null,
      };
    }
    const how =
      options.dataFlagMeasures === false
        ? ''
        : record.signature
          ? '; pass --data <labelled.csv> to measure the metric change'
          : '; pass --data <rows.csv> to measure the output change';
    const why = record.signature
      ? `${parent.model} v${parent.version} has no stored test split${how}.`
      : `${parent.model} v${parent.version} has no test split (it was ${record.operation === 'import' ? 'imported' : 'derived from an imported model'})${how}.`;
    return { ...base, evaluation: null, childTestMetrics: null, outputDifference: null, notMeasured: why };
  } finally {
    parentModel.dispose();
    childModel?.dispose();
  }
}

type Rows =
  | {
      kind: 'labelled';
      set: Awaited<ReturnType<typeof import('./evaluate.js').evaluationRows>>;
      signature: NonNullable<VersionRecord['signature']>;
    }
  | { kind: 'numeric'; path: string }
  | null;

async function measurementRows(parent: SourceVersion, data: string | undefined): Promise<Rows> {
  const record = parent.record;
  if (record.signature && (data || hasTestSplit(record))) {
    const { evaluationRows } = await import('./evaluate.js');
    return { kind: 'labelled', set: await evaluationRows(parent, data), signature: record.signature };
  }
  if (data) return { kind: 'numeric', path: data };
  return null;
}
