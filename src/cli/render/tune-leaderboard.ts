/** The leaderboard table shared by the live view, the final summary and `version show`. */
import type { TrialRecord } from '../../registry/version-record.js';
import { describeSettings } from '../../lifecycle/tune/describe.js';
import type { TuneMetric } from '../../vocabulary.js';
import type { Style } from '../output.js';
import { formatDuration, table } from './format.js';

const STATUS: Record<TrialRecord['status'], string> = {
  completed: 'done',
  stopped: 'stopped',
  diverged: 'diverged',
  unfinished: 'running',
};

export function formatScore(mean: number, std: number): string {
  const digits = Math.abs(mean) >= 100 ? 2 : 4;
  return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}

export function leaderboardTable(
  trials: readonly TrialRecord[],
  metric: TuneMetric,
  rungCount: number,
  s: Style,
  options: { limit?: number; unfinished?: string } = {},
): string {
  const shown = trials.slice(0, options.limit ?? trials.length);
  const rows = shown.map((t, i) => {
    const last = t.rungs[t.rungs.length - 1];
    return [
      String(i + 1),
      `#${t.trial}`,
      last ? `${last.rung + 1}/${rungCount} · ${last.epochs}` : '-',
      last ? formatScore(last.mean, last.std) : t.status === 'diverged' ? 'diverged' : '-',
      formatDuration(t.ms),
      t.status === 'unfinished' ? (options.unfinished ?? STATUS.unfinished) : STATUS[t.status],
      describeSettings(t.settings),
    ];
  });
  return table(['', 'TRIAL', 'RUNG · EPOCHS', `${metric} (mean ± std)`, 'TIME', 'STATUS', 'SETTINGS'], rows, s);
}
