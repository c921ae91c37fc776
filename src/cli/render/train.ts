/** Human summary of a newly trained version. */
import { isClassificationMetrics, type VersionRecord } from '../../registry/version-record.js';
import type { Style } from '../output.js';
import { formatDuration, formatMetric } from './format.js';
import { plural } from '../../vocabulary.js';

export function renderTrain(record: VersionRecord, s: Style): string {
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
