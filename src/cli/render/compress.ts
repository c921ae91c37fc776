/** Human rendering of `mlctl quantize` and `mlctl prune`: sizes, weight error, metric changes, sparsity. */
import { isHeadlineMetric } from '../../lifecycle/compare-metrics.js';
import type { MetricComparison, OutputDifference, SizeChange } from '../../registry/version-record.js';
import type { PruneResult } from '../../lifecycle/prune.js';
import type { QuantizeResult } from '../../lifecycle/quantize.js';
import type { Style } from '../output.js';
import { formatBytes, formatMetric, table } from './format.js';

export function renderQuantize(r: QuantizeResult, s: Style): string {
  const how = r.step !== null ? `${r.dtype}, step ${r.step}` : r.dtype;
  const lines = [
    `${s.green('✔')} ${s.bold(`${r.model} v${r.version}`)} published: v${r.parent} quantized to ${how}` +
      (r.skipped.length ? s.dim(` (kept as they were: ${r.skipped.join(', ')})`) : ''),
    '',
    sizeTable(r.weightBytes, r.gzipBytes, s),
    `largest weight error ${formatError(r.maxWeightError)}`,
  ];
  lines.push(...quality(r.evaluation, r.outputDifference, r.notMeasured, s));
  return lines.join('\n');
}

export function renderPrune(r: PruneResult, s: Style): string {
  const what = 'sparsity' in r.criterion ? `to sparsity ${r.criterion.sparsity}` : `below |w| < ${r.criterion.threshold}`;
  const lines = [
    `${s.green('✔')} ${s.bold(`${r.model} v${r.version}`)} published: v${r.parent} pruned ${what} (${r.scope})` +
      (r.fineTune ? `, fine-tuned ${r.fineTune.epochs} epoch${r.fineTune.epochs === 1 ? '' : 's'} (${r.fineTune.schedule})` : ''),
    '',
    table(
      ['LAYER', 'KERNEL WEIGHTS', 'ZEROS', 'SPARSITY'],
      [
        ...r.sparsity.layers.map((l) => [l.layer, l.weights, l.zeros, percent(l.sparsity)]),
        [s.bold('all kernels'), r.sparsity.overall.weights, r.sparsity.overall.zeros, s.bold(percent(r.sparsity.overall.sparsity))],
      ],
      s,
    ),
    '',
    sizeTable(r.weightBytes, r.gzipBytes, s),
  ];
  lines.push(...quality(r.evaluation, r.outputDifference, r.notMeasured, s));
  return lines.join('\n');
}

function sizeTable(weights: SizeChange, gzip: SizeChange, s: Style): string {
  return table(
    ['', 'PARENT', 'NEW', 'RATIO'],
    [
      ['weight bytes', formatBytes(weights.parent), formatBytes(weights.child), ratio(weights.ratio, s)],
      ['gzipped', formatBytes(gzip.parent), formatBytes(gzip.child), ratio(gzip.ratio, s)],
    ],
    s,
  );
}

function quality(evaluation: MetricComparison | null, output: OutputDifference | null, notMeasured: string | null, s: Style): string[] {
  const lines: string[] = [];
  if (evaluation) {
    const where = evaluation.data.source === 'test-split' ? 'the stored test split' : evaluation.data.path;
    lines.push('', s.dim(`against the parent on ${where} (${evaluation.data.rows} rows)`));
    lines.push(
      table(
        ['METRIC', 'PARENT', 'NEW', 'CHANGE'],
        evaluation.changes
          .filter((c) => isHeadlineMetric(c.metric))
          .map((c) => [c.metric, formatMetric(c.parent), formatMetric(c.child), signed(c.delta, c.metric, s)]),
        s,
      ),
    );
  } else if (output) {
    lines.push(`largest output change ${formatError(output.maxAbs)} on ${output.rows} rows of ${output.path}`);
  } else if (notMeasured) {
    lines.push(s.dim(notMeasured));
  }
  return lines;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function ratio(x: number, s: Style): string {
  return x < 1 ? s.green(`${x.toFixed(3)}×`) : `${x.toFixed(3)}×`;
}

function formatError(x: number): string {
  return x === 0 ? '0' : x.toPrecision(3);
}

/** A change coloured by whether it is better: higher is better except for errors (mae, rmse). */
function signed(delta: number, metric: string, s: Style): string {
  const text = `${delta >= 0 ? '+' : ''}${formatMetric(delta)}`;
  if (delta === 0) return s.dim(text);
  const lowerIsBetter = metric === 'mae' || metric === 'rmse';
  return delta > 0 !== lowerIsBetter ? s.green(text) : s.red(text);
}
