/** Human summary of a newly trained version. */
import { isClassificationMetrics, type EpochSummary, type HistorySection, type VersionRecord } from '../../registry/version-record.js';
import type { Style } from '../output.js';
import { formatDuration, formatMetric } from './format.js';
import { markedSparkline } from './sparkline.js';
import { plural } from '../../vocabulary.js';

export interface RenderTrainOptions {
  /** draw the validation curve (only at a terminal) */
  curve?: boolean;
}

export function renderTrain(record: VersionRecord, s: Style, options: RenderTrainOptions = {}): string {
  const lines: string[] = [];
  const { history, split } = record;
  const stop = history
    ? history.stoppedEarly
      ? `early stop at epoch ${history.epochsRun}, best ${history.bestEpoch}`
      : plural(history.epochsRun, 'epoch')
    : '';
  lines.push(
    `${s.green('✔')} ${s.bold(`${record.model} v${record.version}`)} trained in ${formatDuration(record.durationMs ?? 0)} on ${record.backend}${stop ? ` (${stop})` : ''}`,
  );
  const m = record.metrics;
  if (m) {
    const test = isClassificationMetrics(m)
      ? `accuracy ${s.bold(formatMetric(m.accuracy))} · macro F1 ${formatMetric(m.macroF1)}`
      : `R² ${s.bold(formatMetric(m.r2))} · RMSE ${formatMetric(m.rmse)} · MAE ${formatMetric(m.mae)}`;
    lines.push(`  test      ${test} ${s.dim(`(${plural(m.rows, 'row')})`)}`);
  }
  if (options.curve && history) lines.push(...validationCurve(history, s));
  const cv = record.crossValidation;
  if (cv) {
    const parts = Object.entries(cv.metrics).map(([k, v]) => `${k} ${formatMetric(v.mean)} ± ${formatMetric(v.std)}`);
    lines.push(`  ${cv.folds}-fold CV ${parts.join(' · ')}`);
  }
  if (record.dataset && split) {
    lines.push(
      s.dim(
        `  data      ${record.dataset.path}: ${plural(record.dataset.rows, 'row')} → ${split.train} train / ${split.validation} validation / ${split.test} test`,
      ),
    );
    if (split.droppedColumns.length) lines.push(s.dim(`  left out  ${split.droppedColumns.join(', ')}`));
  }
  lines.push(
    s.dim(
      `  next      mlctl evaluate ${record.model} --version ${record.version}  ·  mlctl version show ${record.model} ${record.version}`,
    ),
  );
  return lines.join('\n');
}

/** Validation loss (and accuracy or MAE) per epoch as sparklines, the best epoch marked. */
export function validationCurve(history: HistorySection, s: Style): string[] {
  const epochs = history.epochs;
  const best = epochs.findIndex((e) => e.epoch === history.bestEpoch);
  const lines: string[] = [];
  const series: [string, (e: EpochSummary) => number | undefined][] = [
    ['val loss', (e) => e.valLoss],
    ['val acc', (e) => e.valAcc],
    ['val mae', (e) => e.valMae],
  ];
  for (const [label, get] of series) {
    const values = epochs.map(get);
    if (values.length < 2 || !values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) continue;
    const at = best >= 0 ? ` ${s.dim(`${formatMetric(values[best])} at best epoch ${history.bestEpoch}`)}` : '';
    lines.push(`  ${label.padEnd(9)} ${markedSparkline(values, best >= 0 ? best : null, s)}${at}`);
  }
  if (lines.length > 0) lines.push(s.dim(`            epochs 1–${history.epochsRun}${history.stoppedEarly ? ' (stopped early)' : ''}`));
  return lines;
}
