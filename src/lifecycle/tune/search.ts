/**
 * Random search with successive halving (synchronous, Hyperband-style rungs on epochs).
 *
 * A bracket draws n trials from the space and trains each on every cross-validation fold for
 * the first rung's epochs; the best ceil(n / eta) (at least `keep`, the ensemble size) go on to
 * the next rung, eta× longer, and so on up to the last rung; the others stop there. A rung is a
 * barrier: its jobs run in parallel, in any order, on any worker, and the decision is taken only
 * when all of them are in, from the scores sorted by (score, trial number). So the decisions, the
 * scores and the winner never depend on how many threads ran or which job finished first.
 *
 * A trial at a longer rung is retrained from scratch with the same seed: the learning-rate
 * schedule depends only on the epoch number and the shuffles come from the trial's own stream, so
 * its first epochs are the same as at the shorter rung, and a fold that early stopping already
 * ended at a shorter rung would end the same way: its result is reused instead of retrained.
 *
 * With --trials: one bracket of that many trials. With --time-budget: brackets of eta^R trials
 * (R + 1 rungs) one after another until the budget ends the search (trials then run in the same
 * order with the same results; how many fit depends on the machine). A search stopped by the
 * budget or the abort signal keeps every rung that finished.
 */
import { MlctlError } from '../../errors.js';
import { HALVING_ETA, rungEpochs, type SearchSpace } from '../../options/search-space.js';
import { deriveSeed } from '../../random.js';
import type { RungScore, TrialRecord } from '../../registry/version-record.js';
import { TUNE_METRIC_INFO, type TuneMetric } from '../../vocabulary.js';
import type { TrialExecutor } from './executor.js';
import { sampleTrial, SEED_PURPOSE } from './sample.js';
import { JobCancelled, type FoldOutcome } from './trial-job.js';

export interface SearchOptions {
  space: SearchSpace;
  metric: TuneMetric;
  folds: number;
  seed: number;
  /** trials in the (one) bracket; without it, brackets run until the time budget ends */
  trials?: number;
  timeBudgetMs?: number;
  /** this many trials reach the last rung (the ensemble size; 1 for the best alone) */
  keep: number;
  executor: TrialExecutor;
  signal?: AbortSignal;
  onProgress?: (snapshot: SearchSnapshot) => void;
  eta?: number;
}

export interface SearchSnapshot {
  elapsedMs: number;
  /** estimated time to the end of the search, or null before the first job is in */
  etaMs: number | null;
  /** share of the planned work done, in [0, 1] */
  progress: number;
  rungs: number[];
  /** the rung running now (index into rungs) and how many trials it holds */
  rung: number;
  rungTrials: number;
  trialsStarted: number;
  /** --trials, or null for a time budget alone */
  trialsPlanned: number | null;
  /** every trial so far, best first */
  leaderboard: TrialRecord[];
}

export interface SearchOutcome {
  /** every trial, by number */
  trials: TrialRecord[];
  /** trial numbers, best first */
  leaderboard: number[];
  rungs: number[];
  eta: number;
  stoppedBy: 'trials' | 'time' | 'interrupted';
  elapsedMs: number;
}

/** Best first: the furthest rung reached, then the score there, then the lower trial number. */
export function rankTrials(trials: readonly TrialRecord[], metric: TuneMetric): TrialRecord[] {
  const higher = TUNE_METRIC_INFO[metric].higherIsBetter;
  const reached = (t: TrialRecord): number => (t.status === 'diverged' || t.rungs.length === 0 ? -1 : t.rungs[t.rungs.length - 1].rung);
  const score = (t: TrialRecord): number => t.rungs[t.rungs.length - 1].mean;
  return [...trials].sort((a, b) => {
    const byRung = reached(b) - reached(a);
    if (byRung !== 0) return byRung;
    if (reached(a) >= 0) {
      const diff = higher ? score(b) - score(a) : score(a) - score(b);
      if (diff !== 0) return diff;
    }
    return a.trial - b.trial;
  });
}

/** The scores of one trial at one rung, from its folds in order. */
function rungScore(
  rung: number,
  epochs: number,
  outcomes: Extract<FoldOutcome, { status: 'ok' }>[],
  metric: TuneMetric,
  ms: number,
): RungScore {
  const values = outcomes.map((o) => o.scores[metric]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return {
    rung,
    epochs,
    mean,
    std,
    folds: values,
    bestEpochs: outcomes.map((o) => o.bestEpoch),
    epochsRun: outcomes.map((o) => o.epochsRun),
    ms,
  };
}

export async function runSearch(options: SearchOptions): Promise<SearchOutcome> {
  const { executor, metric, folds: k, keep } = options;
  const eta = options.eta ?? HALVING_ETA;
  const rungs = rungEpochs(options.space.epochs, eta);
  const R = rungs.length - 1;
  if (options.trials === undefined && options.timeBudgetMs === undefined) {
    throw new MlctlError('INTERNAL', 'runSearch needs trials or a time budget (this is a bug).');
  }
  const start = performance.now();
  const trials: TrialRecord[] = [];
  /** the latest fold outcome of each trial (trial → fold → outcome), for reuse at longer rungs */
  const latest = new Map<number, FoldOutcome[]>();

  // an object, so TypeScript does not narrow it across the awaits that a timer or the signal interrupts
  const state: { stopReason: 'time' | 'interrupted' | null } = { stopReason: null };
  const stop = (why: 'time' | 'interrupted'): void => {
    if (state.stopReason) return;
    state.stopReason = why;
    executor.cancelAll();
  };
  const timer = options.timeBudgetMs !== undefined ? setTimeout(() => stop('time'), options.timeBudgetMs) : null;
  const onAbort = (): void => stop('interrupted');
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) stop('interrupted');

  // progress, in fold-epochs planned
  let done = 0;
  let total = 0;
  let rungNow = 0;
  let rungTrials = 0;
  const remainingUnits = (n: number, r: number): number => {
    let units = 0;
    for (;;) {
      units += n * rungs[r] * k;
      if (r === R) return units;
      const next = Math.min(n, Math.max(keep, Math.ceil(n / eta)));
      r = next <= keep ? R : r + 1;
      n = next;
    }
  };
  const report = (): void => {
    if (!options.onProgress) return;
    const elapsedMs = performance.now() - start;
    const byWork = total > 0 ? done / total : 0;
    const byTime = options.timeBudgetMs !== undefined ? Math.min(1, elapsedMs / options.timeBudgetMs) : 0;
    const timeOnly = options.trials === undefined;
    const progress = timeOnly ? byTime : Math.max(byWork, byTime);
    let etaMs: number | null = null;
    if (timeOnly) etaMs = Math.max(0, (options.timeBudgetMs as number) - elapsedMs);
    else if (done > 0) {
      etaMs = (elapsedMs * (total - done)) / done;
      if (options.timeBudgetMs !== undefined) etaMs = Math.min(etaMs, Math.max(0, options.timeBudgetMs - elapsedMs));
    }
    options.onProgress({
      elapsedMs,
      etaMs,
      progress,
      rungs,
      rung: rungNow,
      rungTrials,
      trialsStarted: trials.length,
      trialsPlanned: options.trials ?? null,
      leaderboard: rankTrials(trials, metric),
    });
  };

  /**
   * Runs every fold of `current` at rung r. A trial's rung score is recorded as soon as its own
   * folds are in (the live leaderboard); the decision on the rung waits for all of them.
   */
  const runRung = async (current: TrialRecord[], r: number): Promise<void> => {
    const epochs = rungs[r];
    rungNow = r;
    rungTrials = current.length;
    total = done + remainingUnits(current.length, r);
    const results = current.map(() => Array.from({ length: k }, (): FoldOutcome | undefined => undefined));
    const spent = current.map(() => 0);
    const missing = current.map(() => k);
    /** all of trial i's folds are in: its score at this rung (or that it diverged) */
    const finish = (i: number): void => {
      const t = current[i];
      const outcomes = results[i] as FoldOutcome[];
      const diverged = outcomes.find((o) => o.status === 'diverged');
      if (diverged && diverged.status === 'diverged') {
        t.status = 'diverged';
        t.diverged = { rung: r, epoch: diverged.epoch };
        return;
      }
      const ok = outcomes as Extract<FoldOutcome, { status: 'ok' }>[];
      t.rungs.push(rungScore(r, epochs, ok, metric, spent[i]));
      latest.set(t.trial, ok);
    };
    const jobs: Promise<void>[] = [];
    current.forEach((t, i) => {
      const previous = latest.get(t.trial);
      for (let f = 0; f < k; f++) {
        const prev = previous?.[f];
        if (prev && prev.status === 'ok' && prev.stoppedEarly) {
          results[i][f] = prev; // early stopping ended it before: a longer rung ends the same way
          done += epochs;
          if (--missing[i] === 0) finish(i);
          continue;
        }
        const job = executor.run({
          kind: 'fold',
          trial: t.trial,
          rung: r,
          fold: f,
          settings: t.settings,
          epochs,
          seed: deriveSeed(options.seed, SEED_PURPOSE.fold, t.trial, f),
        });
        jobs.push(
          job.then(
            (outcome) => {
              if (outcome.kind !== 'fold')
                throw new MlctlError('INTERNAL', 'A fold job answered with another kind of outcome (this is a bug).');
              results[i][f] = outcome;
              spent[i] += outcome.ms;
              t.ms += outcome.ms;
              done += epochs;
              if (--missing[i] === 0) finish(i);
              report();
            },
            (e) => {
              if (!(e instanceof JobCancelled)) throw e;
            },
          ),
        );
      }
    });
    report();
    try {
      await Promise.all(jobs);
    } catch (e) {
      executor.cancelAll();
      await Promise.allSettled(jobs);
      throw e;
    }
    report();
  };

  try {
    for (let bracket = 1; !state.stopReason; bracket++) {
      const size = options.trials ?? Math.max(keep, eta ** R);
      let current: TrialRecord[] = [];
      for (let i = 0; i < size; i++) {
        const trial = trials.length + 1;
        const record: TrialRecord = {
          trial,
          bracket,
          settings: sampleTrial(options.space, options.seed, trial),
          rungs: [],
          status: 'unfinished',
          ms: 0,
        };
        trials.push(record);
        current.push(record);
      }
      let r = current.length <= keep ? R : 0;
      for (;;) {
        // the timer is the budget; this check backs it up should a long job keep the timer from firing
        if (options.timeBudgetMs !== undefined && performance.now() - start >= options.timeBudgetMs) stop('time');
        if (state.stopReason) break;
        await runRung(current, r);
        if (state.stopReason) break;
        if (r === R) {
          for (const t of current) if (t.status !== 'diverged') t.status = 'completed';
          break;
        }
        const alive = rankTrials(
          current.filter((t) => t.status !== 'diverged'),
          metric,
        );
        const n = Math.min(alive.length, Math.max(keep, Math.ceil(current.length / eta)));
        for (const t of alive.slice(n)) t.status = 'stopped';
        current = alive.slice(0, n);
        if (current.length === 0) break;
        r = current.length <= keep ? R : r + 1;
      }
      if (options.trials !== undefined) break;
    }
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  report();
  return {
    trials,
    leaderboard: rankTrials(trials, metric).map((t) => t.trial),
    rungs,
    eta,
    stoppedBy: state.stopReason ?? 'trials',
    elapsedMs: performance.now() - start,
  };
}
