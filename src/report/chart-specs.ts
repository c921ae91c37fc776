/**
 * The report's charts as Vega-Lite specs: plain data in, a spec out (render-charts.ts turns them
 * into SVG). Colours and fonts that depend on light/dark mode are left to the page's CSS; marks
 * keep Vega's accessible `aria-label`s ("epoch: 12; loss: 0.31"), which screen readers and the
 * tests read.
 */
import type { TopLevelSpec } from 'vega-lite';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Shared look: transparent background (the page's shows through), no frame, muted grid. */
const CONFIG = {
  font: FONT,
  background: null,
  view: { stroke: null },
  axis: {
    labelColor: '#444',
    titleColor: '#222',
    gridColor: '#e3e3e3',
    domainColor: '#888',
    tickColor: '#888',
    labelFontSize: 11,
    titleFontSize: 12,
  },
  legend: { labelColor: '#444', titleColor: '#222', labelFontSize: 11, titleFontSize: 12, orient: 'bottom' },
  title: { color: '#222', fontSize: 13, anchor: 'start' },
} as const;

/** Series colours (Tableau 10, readable on light and dark backgrounds). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function spec(body: Record<string, unknown>): TopLevelSpec {
  return { config: CONFIG, ...body } as unknown as TopLevelSpec;
}

const HEIGHT = 220;

export interface CurvePoint {
  epoch: number;
  value: number;
  /** legend entry, e.g. "train", "validation", "v2 validation" */
  series: string;
}

export interface EpochMarker {
  epoch: number;
  label: string;
}

/** A per-epoch curve (loss or a metric), one line per series, with vertical markers. */
export function curveChart(
  points: CurvePoint[],
  opts: { title: string; yTitle: string; markers?: EpochMarker[]; width?: number; labelsAt?: 'top' | 'bottom' },
): TopLevelSpec {
  const series = [...new Set(points.map((p) => p.series))];
  const dashed = series.map((s) => (s.includes('validation') ? [1, 0] : [5, 3]));
  const layers: Record<string, unknown>[] = [
    {
      data: { values: points },
      mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: opts.yTitle, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: PALETTE.slice(0, series.length) } },
        strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: dashed } },
      },
    },
  ];
  const lastEpoch = Math.max(1, ...points.map((p) => p.epoch));
  for (const [i, m] of (opts.markers ?? []).entries()) {
    const right = m.epoch > 0.7 * lastEpoch;
    const bottom = opts.labelsAt === 'bottom';
    layers.push({
      data: { values: [m] },
      mark: { type: 'rule', color: '#e15759', strokeDash: [4, 3], strokeWidth: 1.5 },
      encoding: { x: { field: 'epoch', type: 'quantitative' } },
    });
    layers.push({
      data: { values: [m] },
      mark: {
        type: 'text',
        align: right ? 'right' : 'left',
        baseline: bottom ? 'bottom' : 'top',
        dx: right ? -4 : 4,
        color: '#e15759',
        fontSize: 11,
      },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' },
        y: { value: bottom ? HEIGHT - 4 - i * 14 : 2 + i * 14 },
        text: { field: 'label' },
      },
    });
  }
  return spec({ title: opts.title, width: opts.width ?? 380, height: HEIGHT, layer: layers });
}

/** Confusion matrix heat map: rows = true class, columns = predicted, counts written in the cells. */
export function confusionChart(labels: string[], matrix: number[][]): TopLevelSpec {
  const values: { true: string; predicted: string; count: number }[] = [];
  let max = 0;
  matrix.forEach((row, i) =>
    row.forEach((count, j) => {
      values.push({ true: labels[i], predicted: labels[j], count });
      max = Math.max(max, count);
    }),
  );
  const side = Math.min(420, Math.max(160, labels.length * 56));
  const x = {
    field: 'predicted',
    type: 'nominal',
    sort: labels,
    title: 'predicted class',
    axis: { labelAngle: labels.some((l) => l.length > 6) ? -40 : 0 },
  };
  const y = { field: 'true', type: 'nominal', sort: labels, title: 'true class' };
  return spec({
    title: 'Confusion matrix (test split)',
    width: side,
    height: side,
    data: { values },
    layer: [
      {
        mark: { type: 'rect', stroke: '#fff', strokeWidth: 1 },
        encoding: { x, y, color: { field: 'count', type: 'quantitative', title: 'rows', scale: { scheme: 'blues', domainMin: 0 } } },
      },
      {
        mark: { type: 'text', fontSize: 13, fontWeight: 'bold' },
        encoding: {
          x,
          y,
          text: { field: 'count', type: 'quantitative', title: 'rows' },
          color: { condition: { test: `datum.count > ${max / 2}`, value: '#ffffff' }, value: '#1b1b1b' },
        },
      },
    ],
  });
}

/** Precision, recall and F1 per class as grouped bars. */
export function perClassChart(rows: { label: string; precision: number; recall: number; f1: number }[]): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { class: r.label, metric: 'precision', value: r.precision },
    { class: r.label, metric: 'recall', value: r.recall },
    { class: r.label, metric: 'F1', value: r.f1 },
  ]);
  const metrics = ['precision', 'recall', 'F1'];
  return spec({
    title: 'Precision, recall and F1 per class',
    width: Math.min(520, Math.max(220, rows.length * 90)),
    height: 200,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'class', type: 'nominal', sort: rows.map((r) => r.label), title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'metric', type: 'nominal', sort: metrics },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: null },
      color: { field: 'metric', type: 'nominal', sort: metrics, title: null, scale: { domain: metrics, range: PALETTE.slice(0, 3) } },
    },
  });
}

/**
 * Permutation importance: one horizontal bar per raw column (the mean drop of the metric when the
 * column is shuffled), ranked, with a ±1 std whisker over the repeats.
 */
export function importanceChart(
  features: { feature: string; mean: number; std: number }[],
  metric: string,
  higherIsBetter = true,
): TopLevelSpec {
  const values = features.map((f) => ({ column: f.feature, drop: f.mean, low: f.mean - f.std, high: f.mean + f.std }));
  const order = features.map((f) => f.feature);
  const y = { field: 'column', type: 'nominal', sort: order, title: null };
  return spec({
    title: `${higherIsBetter ? 'Drop' : 'Rise'} in ${metric} when a column is shuffled`,
    width: 420,
    height: Math.max(60, features.length * 22),
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: PALETTE[0] },
        encoding: {
          y,
          x: {
            field: 'drop',
            type: 'quantitative',
            title: 'drop',
            axis: { title: `${metric} ${higherIsBetter ? 'drop' : 'rise'} (mean ± std)` },
          },
        },
      },
      { mark: { type: 'rule', color: '#222' }, encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
    ],
  });
}

/** Predicted against actual values with the y = x line (regression). */
export function scatterChart(points: { actual: number; predicted: number }[], target: string): TopLevelSpec {
  const all = points.flatMap((p) => [p.actual, p.predicted]);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  return spec({
    title: `Predicted vs actual ${target} (test split)`,
    width: 300,
    height: 300,
    layer: [
      {
        data: {
          values: [
            { actual: lo, predicted: lo },
            { actual: hi, predicted: hi },
          ],
        },
        mark: { type: 'line', color: '#999', strokeDash: [4, 3], aria: false },
        encoding: { x: { field: 'actual', type: 'quantitative' }, y: { field: 'predicted', type: 'quantitative' } },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, opacity: 0.7, size: 30, color: PALETTE[0] },
        encoding: {
          x: { field: 'actual', type: 'quantitative', title: `actual ${target}`, scale: { domain: [lo, hi], nice: true } },
          y: { field: 'predicted', type: 'quantitative', title: `predicted ${target}`, scale: { domain: [lo, hi], nice: true } },
        },
      },
    ],
  });
}

/** Residuals (actual − predicted) against the prediction, with the zero line (regression). */
export function residualChart(points: { actual: number; predicted: number }[], target: string): TopLevelSpec {
  const values = points.map((p) => ({ predicted: p.predicted, residual: p.actual - p.predicted }));
  return spec({
    title: 'Residuals (actual − predicted)',
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', color: '#999', strokeDash: [4, 3], aria: false },
        encoding: { y: { field: 'zero', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, opacity: 0.7, size: 30, color: PALETTE[1] },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: `predicted ${target}`, scale: { zero: false } },
          y: { field: 'residual', type: 'quantitative', title: 'residual' },
        },
      },
    ],
  });
}

/** One weight tensor's histogram. */
export function histogramChart(name: string, bins: { start: number; end: number; count: number }[]): TopLevelSpec {
  return spec({
    title: { text: name, fontSize: 12 },
    width: 230,
    height: 110,
    data: { values: bins },
    mark: { type: 'bar', color: PALETTE[0], binSpacing: 0 },
    encoding: {
      x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: 'weight', axis: { tickCount: 5 } },
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', title: 'count' },
    },
  });
}

/** Kernel sparsity per layer: this version next to its parent. */
export function sparsityChart(rows: { layer: string; version: string; sparsity: number }[], versions: string[]): TopLevelSpec {
  const layers = [...new Set(rows.map((r) => r.layer))];
  return spec({
    title: 'Zero kernel weights per layer',
    width: Math.min(520, Math.max(200, layers.length * 90)),
    height: 180,
    data: { values: rows },
    encoding: {
      x: { field: 'layer', type: 'nominal', sort: layers, title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'version', type: 'nominal', sort: versions },
      y: { field: 'sparsity', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '.0%' }, title: 'sparsity' },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          color: {
            field: 'version',
            type: 'nominal',
            sort: versions,
            title: null,
            scale: { domain: versions, range: [PALETTE[9], PALETTE[0]] },
          },
        },
      },
      {
        // the value over each bar, so a 0% bar (an unpruned parent) still shows
        mark: { type: 'text', dy: -6, fontSize: 10, color: '#888' },
        encoding: { text: { field: 'sparsity', type: 'quantitative', format: '.0%' } },
      },
    ],
  });
}
