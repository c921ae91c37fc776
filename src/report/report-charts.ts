/** Which charts a report has, built from the gathered data (the HTML places them by id). */
import { isClassificationMetrics, type HistorySection, type VersionRecord } from '../registry/version-record.js';
import type { ReportData } from './gather-report.js';
import {
  confusionChart,
  curveChart,
  histogramChart,
  importanceChart,
  perClassChart,
  residualChart,
  scatterChart,
  sparsityChart,
  type CurvePoint,
  type EpochMarker,
} from './chart-specs.js';
import type { ChartSpec } from './render-charts.js';
import type { WeightStats } from './weight-stats.js';

/** Chart ids, also the `data-chart` attribute of each figure. */
export const CHART = {
  loss: 'loss',
  metric: 'metric',
  confusion: 'confusion',
  perClass: 'per-class',
  scatter: 'scatter',
  residuals: 'residuals',
  sparsity: 'sparsity',
  importance: 'importance',
  compareLoss: 'compare-loss',
  compareMetric: 'compare-metric',
  histogram: (i: number) => `weights-${i}`,
} as const;

export function planCharts(data: ReportData): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const record = data.subject.record;
  const history = record.history;
  if (history && history.epochs.length > 0) {
    charts.push({
      id: CHART.loss,
      spec: curveChart(curvePoints(record, 'loss'), { title: 'Loss per epoch', yTitle: 'loss', markers: epochMarkers(history) }),
    });
    const metric = metricCurve(record);
    if (metric) {
      charts.push({
        id: CHART.metric,
        spec: curveChart(curvePoints(record, 'metric'), {
          title: `${capitalize(metric.title)} per epoch`,
          yTitle: metric.title,
          markers: epochMarkers(history),
          labelsAt: metric.train === 'acc' ? 'bottom' : 'top',
        }),
      });
    }
  }
  const m = record.metrics;
  if (m && isClassificationMetrics(m)) {
    charts.push({ id: CHART.confusion, spec: confusionChart(m.labels, m.confusionMatrix) });
    charts.push({ id: CHART.perClass, spec: perClassChart(m.perClass) });
  }
  if (data.regression && data.regression.length > 0) {
    const target = record.target?.name ?? 'target';
    charts.push({ id: CHART.scatter, spec: scatterChart(data.regression, target) });
    charts.push({ id: CHART.residuals, spec: residualChart(data.regression, target) });
  }
  if (data.importance && data.importance.features.length > 0) {
    charts.push({
      id: CHART.importance,
      spec: importanceChart(data.importance.features, data.importance.metric, data.importance.higherIsBetter),
    });
  }
  for (const [i, w] of histogramTensors(data.weights)) {
    charts.push({
      id: CHART.histogram(i),
      spec: histogramChart(`${w.layer} ${w.kind === 'other' ? w.name.slice(w.layer.length + 1) : w.kind} (${w.shape.join(' × ')})`, w.bins),
    });
  }
  const c = data.compression;
  // sparsity bars only when something is sparse (all-zero bars say nothing the table does not)
  if (c && c.layers.some((l) => l.sparsity > 0 || (l.parentSparsity ?? 0) > 0)) {
    const parent = `v${c.parentVersion} (parent)`;
    const self = `v${record.version}`;
    const rows = c.layers.flatMap((l) => [
      ...(l.parentSparsity === null ? [] : [{ layer: l.layer, version: parent, sparsity: l.parentSparsity }]),
      { layer: l.layer, version: self, sparsity: l.sparsity },
    ]);
    charts.push({ id: CHART.sparsity, spec: sparsityChart(rows, [parent, self]) });
  }
  const other = data.compare?.record;
  if (other?.history && history) {
    const both = [other, record].sort((a, b) => a.version - b.version);
    const loss = both.flatMap((r) => curvePoints(r, 'loss', `v${r.version} `));
    charts.push({ id: CHART.compareLoss, spec: curveChart(loss, { title: 'Loss per epoch, both versions', yTitle: 'loss', width: 460 }) });
    const metric = metricCurve(record);
    if (metric && metricCurve(other)?.title === metric.title) {
      const points = both.flatMap((r) => curvePoints(r, 'metric', `v${r.version} `));
      charts.push({
        id: CHART.compareMetric,
        spec: curveChart(points, { title: `${capitalize(metric.title)} per epoch, both versions`, yTitle: metric.title, width: 460 }),
      });
    }
  }
  return charts;
}

/**
 * The tensors that get a histogram, with their index in `weights`: one per layer, its kernel (the
 * bulk of its weights; a bias is a handful of values, summarised in the table instead), or every
 * tensor of a layer that has no kernel (e.g. batch normalisation).
 */
export function histogramTensors(weights: WeightStats[]): [number, WeightStats][] {
  const withKernel = new Set(weights.filter((w) => w.kind === 'kernel').map((w) => w.layer));
  return [...weights.entries()].filter(([, w]) => w.kind === 'kernel' || (!withKernel.has(w.layer) && w.count > 1));
}

/** The per-epoch metric a version recorded: accuracy, or MAE converted to the target's units. */
export function metricCurve(
  record: VersionRecord,
): { title: string; scale: number; train: 'acc' | 'mae'; validation: 'valAcc' | 'valMae' } | null {
  const first = record.history?.epochs[0];
  if (!first) return null;
  if (first.acc !== undefined) return { title: 'accuracy', scale: 1, train: 'acc', validation: 'valAcc' };
  if (first.mae !== undefined) {
    // the training loop works on the standardised target; MAE scales back linearly by its std
    const std = record.target?.task === 'regression' ? record.target.std : 1;
    return { title: record.target?.task === 'regression' ? 'MAE (target units)' : 'MAE', scale: std, train: 'mae', validation: 'valMae' };
  }
  return null;
}

/** Train and validation points of one curve, optionally prefixed (e.g. "v2 ") for an overlay. */
export function curvePoints(record: VersionRecord, which: 'loss' | 'metric', prefix = ''): CurvePoint[] {
  const epochs = record.history?.epochs ?? [];
  const out: CurvePoint[] = [];
  if (which === 'loss') {
    for (const e of epochs) {
      if (isNum(e.loss)) out.push({ epoch: e.epoch, value: e.loss, series: `${prefix}train` });
      if (isNum(e.valLoss)) out.push({ epoch: e.epoch, value: e.valLoss, series: `${prefix}validation` });
    }
    return out;
  }
  const metric = metricCurve(record);
  if (!metric) return out;
  for (const e of epochs) {
    const t = e[metric.train];
    const v = e[metric.validation];
    if (isNum(t)) out.push({ epoch: e.epoch, value: t * metric.scale, series: `${prefix}train` });
    if (isNum(v)) out.push({ epoch: e.epoch, value: v * metric.scale, series: `${prefix}validation` });
  }
  return out;
}

/** The best epoch (whose weights the version holds) and, after early stopping, where training stopped. */
export function epochMarkers(history: HistorySection): EpochMarker[] {
  const markers: EpochMarker[] = [];
  if (history.bestEpoch > 0) markers.push({ epoch: history.bestEpoch, label: `best epoch ${history.bestEpoch}` });
  if (history.stoppedEarly && history.epochsRun !== history.bestEpoch) {
    markers.push({ epoch: history.epochsRun, label: `stopped early at ${history.epochsRun}` });
  }
  return markers;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
