/** Human summary of a version published by `mlctl tune`: the winner, the test score, the leaderboard. */
import type { MlctlError } from '../../errors.js';
import { describeSettings } from '../../lifecycle/tune/describe.js';
import type { SearchSnapshot } from '../../lifecycle/tune/search.js';
import type { TuneMetric } from '../../vocabulary.js';
import { isClassificationMetrics, type SearchSection, type VersionRecord } from '../../registry/version-record.js';
import type { Style } from '../output.js';
import { formatDuration, formatMetric } from './format.js';
import { formatScore, leaderboardTable } from './tune-leaderboard.js';

/** The search block (also shown by `version show`). */
export function renderSearch(search: SearchSection, s: Style, limit = 10): string[] {
  const lines: string[] = [];
  const scored = search.trials.filter((t) => t.rungs.length > 0).length;
  const stopped = search.trials.filter((t) => t.status === 'stopped').length;
  const budget = [
    search.budget.trials !== null ? `${search.budget.trials} trials` : null,
    search.budget.timeBudgetMs !== null ? `time budget ${formatDuration(search.budget.timeBudgetMs)}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  lines.push(
    `  search    ${scored} trials scored by ${search.folds}-fold CV on ${search.rows} training rows in ${formatDuration(search.budget.elapsedMs)} on ${search.budget.parallel} thread${search.budget.parallel === 1 ? '' : 's'} (budget: ${budget}${search.budget.stoppedBy === 'time' ? ', stopped by the time budget' : ''})`,
  );
  lines.push(
    `  halving   rungs ${search.rungs.join(' → ')} epochs (eta ${search.eta}); ${stopped} trial${stopped === 1 ? '' : 's'} stopped early by successive halving`,
  );
  const byNumber = new Map(search.trials.map((t) => [t.trial, t]));
  const winner = byNumber.get(search.winner.trial);
  if (winner) {
    lines.push(
      `  winner    trial ${winner.trial}: ${search.metric} ${s.bold(formatScore(search.winner.mean, search.winner.std))} · final model ${search.winner.epochs} epochs`,
    );
    lines.push(`            ${describeSettings(winner.settings)}`);
  }
  if (search.ensemble) {
    lines.push(
      `  ensemble  ${search.ensemble.length} models averaged: trials ${search.ensemble.map((m) => `${m.trial} (${m.epochs} epochs)`).join(', ')}`,
    );
  }
  const ranked = search.leaderboard.map((n) => byNumber.get(n)).filter((t) => t !== undefined);
  lines.push('', s.bold(`leaderboard (${Math.min(limit, ranked.length)} of ${ranked.length})`));
  lines.push(leaderboardTable(ranked, search.metric, search.rungs.length, s, { limit, unfinished: 'unfinished' }));
  return lines;
}

export function renderTune(record: VersionRecord, s: Style): string {
  const lines: string[] = [];
  lines.push(
    `${s.green('✔')} ${s.bold(`${record.model} v${record.version}`)} tuned and published in ${formatDuration(record.durationMs ?? 0)} on ${record.backend}`,
  );
  const m = record.metrics;
  if (m) {
    const test = isClassificationMetrics(m)
      ? `accuracy ${s.bold(formatMetric(m.accuracy))} · macro F1 ${formatMetric(m.macroF1)}`
      : `R² ${s.bold(formatMetric(m.r2))} · RMSE ${formatMetric(m.rmse)} · MAE ${formatMetric(m.mae)}`;
    lines.push(`  test      ${test} ${s.dim(`(${m.rows} rows, never seen by the search)`)}`);
  }
  if (record.search) lines.push(...renderSearch(record.search, s));
  lines.push(
    '',
    s.dim(
      `  next      mlctl evaluate ${record.model} --version ${record.version}  ·  mlctl version show ${record.model} ${record.version}`,
    ),
  );
  return lines.join('\n');
}

/** After Ctrl-C (stderr): the best trials so far, from the last progress snapshot. */
export function renderInterrupted(_error: MlctlError, metric: TuneMetric | null, last: SearchSnapshot | null, s: Style): string {
  if (!metric || !last) return '';
  const scored = last.leaderboard.filter((t) => t.rungs.length > 0);
  if (scored.length === 0) return '';
  return [
    s.bold('best so far (nothing was published)'),
    leaderboardTable(scored, metric, last.rungs.length, s, { limit: 5, unfinished: 'stopped by Ctrl-C' }),
  ].join('\n');
}
