/**
 * Live search progress on stderr. At a terminal: a leaderboard redrawn in place (best trials,
 * their settings, mean ± std, time) under a progress bar with the elapsed time and ETA. Elsewhere
 * (CI logs, pipes): one line per trial per finished rung. Nothing under --json.
 */
import type { TuneProgress } from '../../lifecycle/tune.js';
import type { SearchSnapshot } from '../../lifecycle/tune/search.js';
import { describeSettings } from '../../lifecycle/tune/describe.js';
import type { TuneMetric } from '../../vocabulary.js';
import type { Reporter } from '../output.js';
import { formatDuration } from './format.js';
import { formatScore, leaderboardTable } from './tune-leaderboard.js';

/** redraw at most this often at a terminal */
const REDRAW_MS = 200;
const BAR_WIDTH = 24;

export function progressBar(share: number, width = BAR_WIDTH): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export interface TuneProgressView {
  onProgress(event: TuneProgress): void;
  /** the last snapshot (the best so far when the search is stopped) */
  last(): SearchSnapshot | null;
  metric(): TuneMetric | null;
  stop(): void;
}

export function createTuneProgress(reporter: Reporter): TuneProgressView {
  let metric: TuneMetric | null = null;
  let snapshot: SearchSnapshot | null = null;
  let lastDraw = 0;
  let timer: NodeJS.Timeout | null = null;
  let header = '';
  const logged = new Set<string>();
  const s = reporter.errStyle;

  const statusLine = (snap: SearchSnapshot): string => {
    const pct = `${Math.round(snap.progress * 100)}%`.padStart(4);
    const eta = snap.etaMs === null ? 'ETA …' : `ETA ${formatDuration(snap.etaMs)}`;
    const trials = snap.trialsPlanned ? `${snap.trialsStarted}/${snap.trialsPlanned} trials` : `${snap.trialsStarted} trials`;
    return `${progressBar(snap.progress)} ${pct}  ${formatDuration(snap.elapsedMs)} elapsed, ${eta}  ·  rung ${snap.rung + 1}/${snap.rungs.length} (${snap.rungs[snap.rung]} epochs, ${snap.rungTrials} trials)  ·  ${trials}`;
  };

  const draw = (force = false): void => {
    if (!snapshot || !metric) return;
    const now = Date.now();
    if (!force && now - lastDraw < REDRAW_MS) return;
    lastDraw = now;
    const top = snapshot.leaderboard.filter((t) => t.rungs.length > 0 || t.status === 'diverged');
    const board = top.length ? leaderboardTable(top, metric, snapshot.rungs.length, s, { limit: 8 }) : s.dim('waiting for the first rung…');
    reporter.board([header, board, statusLine(snapshot)].join('\n'));
  };

  const logLines = (snap: SearchSnapshot): void => {
    if (!metric) return;
    const byNumber = [...snap.leaderboard].sort((a, b) => a.trial - b.trial);
    for (const t of byNumber) {
      for (const r of t.rungs) {
        const key = `${t.trial}:${r.rung}`;
        if (logged.has(key)) continue;
        logged.add(key);
        const eta = snap.etaMs === null ? '' : `, ETA ${formatDuration(snap.etaMs)}`;
        reporter.info(
          `trial ${t.trial} rung ${r.rung + 1}/${snap.rungs.length} (${r.epochs} epochs): ${metric} ${formatScore(r.mean, r.std)}  ${describeSettings(t.settings)}  [${Math.round(snap.progress * 100)}%${eta}]`,
        );
      }
      if (t.status === 'diverged' && !logged.has(`${t.trial}:diverged`)) {
        logged.add(`${t.trial}:diverged`);
        reporter.info(`trial ${t.trial} diverged  ${describeSettings(t.settings)}`);
      }
    }
  };

  return {
    onProgress(event) {
      switch (event.phase) {
        case 'data':
          for (const w of event.warnings) reporter.warn(w);
          reporter.info(
            `Read ${event.rows} rows × ${event.columns} columns: ${event.trainingRows} training rows, ${event.testRows} held out for the test.`,
          );
          break;
        case 'start': {
          metric = event.metric;
          const budget = [
            event.trials !== null ? `${event.trials} trials` : null,
            event.timeBudgetMs !== null ? `time budget ${formatDuration(event.timeBudgetMs)}` : null,
          ]
            .filter(Boolean)
            .join(', ');
          header = `Tuning ${event.metric} by ${event.folds}-fold CV on the training rows · ${budget} · rungs ${event.rungs.join(' → ')} epochs · ${event.parallel} thread${event.parallel === 1 ? '' : 's'} (${event.backend})`;
          if (!reporter.live) reporter.info(header);
          else timer = setInterval(() => draw(true), 1000);
          break;
        }
        case 'search':
          snapshot = event.snapshot;
          if (reporter.live) draw();
          else logLines(event.snapshot);
          break;
        case 'final':
          if (timer) clearInterval(timer);
          timer = null;
          if (reporter.live) draw(true);
          reporter.info(
            event.members === 1
              ? `Training the winner on every training row (${event.epochs[0]} epochs)…`
              : `Training the ${event.members} best trials on every training row (${event.epochs.join(', ')} epochs) for the ensemble…`,
          );
          break;
        case 'study':
          reporter.info(
            `${event.created ? 'Created' : 'Joined'} study "${event.name}" as worker ${event.worker}: trials are shared with every worker of the study.`,
          );
          break;
        case 'publish':
          break;
      }
    },
    last: () => snapshot,
    metric: () => metric,
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
