/** Short texts for a trial's settings and score (leaderboards, messages). */
import type { TrialRecord } from '../../registry/version-record.js';
import type { TuneMetric } from '../../vocabulary.js';
import type { TrialSettings } from './sample.js';

const num = (v: number): string => (v === 0 ? '0' : Math.abs(v) < 0.001 ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** "64,32 relu adam lr 0.00412 decay 0 batch 32 l2 1.2e-5 dropout 0.1 patience 20" */
export function describeSettings(s: TrialSettings): string {
  return [
    s.hidden.length ? s.hidden.join(',') : 'linear',
    s.hidden.length ? s.activation : null,
    s.optimizer,
    `lr ${num(s.learningRate)}`,
    s.decay ? `decay ${num(s.decay)}` : null,
    `batch ${s.batchSize}`,
    `l2 ${num(s.l2)}`,
    s.dropout && s.hidden.length ? `dropout ${num(s.dropout)}` : null,
    `patience ${s.patience}`,
  ]
    .filter((p): p is string => p !== null)
    .join(' ');
}

/** "accuracy 0.9583 ± 0.0204 at 81 epochs", or why there is no score. */
export function describeScore(t: TrialRecord, metric: TuneMetric): string {
  if (t.status === 'diverged') return `diverged (rung ${(t.diverged?.rung ?? 0) + 1})`;
  const last = t.rungs[t.rungs.length - 1];
  if (!last) return 'no finished rung';
  const digits = Math.abs(last.mean) >= 100 ? 2 : 4;
  return `${metric} ${last.mean.toFixed(digits)} ± ${last.std.toFixed(digits)} at ${last.epochs} epochs`;
}
