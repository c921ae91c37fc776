/**
 * The successive-halving scheduler with a fake executor (the seam between the search and where
 * jobs run): synthetic scores, jobs finishing in a shuffled order, so the tests check the
 * decisions themselves and that they never depend on completion order.
 */
import { describe, expect, it } from 'vitest';
import { mergeSpace } from '../../../../src/options/search-space.js';
import { createRng } from '../../../../src/random.js';
import type { TrialExecutor } from '../../../../src/lifecycle/tune/executor.js';
import { rankTrials, runSearch, type SearchOptions } from '../../../../src/lifecycle/tune/search.js';
import { JobCancelled, type FoldJob, type JobOutcome } from '../../../../src/lifecycle/tune/trial-job.js';
import type { TrialRecord } from '../../../../src/registry/version-record.js';

interface FakeOptions {
  /** seed of the shuffled completion delays */
  order: number;
  /** ms per job (upper bound of the random delay) */
  delay?: number;
  /** trials whose every job diverges */
  diverge?: number[];
  /** folds stop early (early stopping) at this epoch */
  stopAt?: (job: FoldJob) => number | null;
}

/** A trial's "quality" in [0.5, 1), fixed by its learning rate (so it depends on the settings only). */
const quality = (job: FoldJob): number => 0.5 + 0.5 * ((job.settings.learningRate * 7919) % 1);

function fakeExecutor(opts: FakeOptions): TrialExecutor & { jobs: FoldJob[] } {
  const rng = createRng(opts.order);
  const pending = new Set<{ reject: (e: unknown) => void; timer: NodeJS.Timeout }>();
  const jobs: FoldJob[] = [];
  return {
    parallel: 4,
    jobs,
    run(job) {
      if (job.kind !== 'fold') throw new Error('fold jobs only');
      jobs.push(job);
      return new Promise<JobOutcome>((resolve, reject) => {
        const entry = {
          reject,
          timer: setTimeout(
            () => {
              pending.delete(entry);
              if (opts.diverge?.includes(job.trial)) return resolve({ kind: 'fold', status: 'diverged', epoch: 2, ms: 1 });
              const stop = opts.stopAt?.(job) ?? null;
              const epochs = stop !== null && stop < job.epochs ? stop : job.epochs;
              const score = quality(job) * (1 - Math.exp(-epochs / 10)) + job.fold * 1e-4;
              resolve({
                kind: 'fold',
                status: 'ok',
                scores: { accuracy: score, macroF1: score },
                bestEpoch: epochs,
                epochsRun: epochs,
                stoppedEarly: epochs < job.epochs,
                ms: 1,
              });
            },
            Math.floor(rng.float() * (opts.delay ?? 3)),
          ),
        };
        pending.add(entry);
      });
    },
    cancelAll() {
      for (const p of pending) {
        clearTimeout(p.timer);
        p.reject(new JobCancelled());
      }
      pending.clear();
    },
    async close() {
      this.cancelAll();
    },
  };
}

const space = mergeSpace({ epochs: { min: 3, max: 27 } });
const base = (executor: TrialExecutor, extra: Partial<SearchOptions> = {}): SearchOptions => ({
  space,
  metric: 'accuracy',
  folds: 3,
  seed: 11,
  trials: 9,
  keep: 1,
  executor,
  ...extra,
});
const withoutTimes = (trials: TrialRecord[]) => trials.map((t) => ({ ...t, ms: 0, rungs: t.rungs.map((r) => ({ ...r, ms: 0 })) }));

describe('successive halving', () => {
  it('keeps the best third at each rung: 9 trials at 3 epochs, 3 at 9, 1 at 27', async () => {
    const out = await runSearch(base(fakeExecutor({ order: 1 })));
    expect(out.rungs).toEqual([3, 9, 27]);
    const atRung = (r: number) => out.trials.filter((t) => t.rungs.some((s) => s.rung === r));
    expect(atRung(0)).toHaveLength(9);
    expect(atRung(1)).toHaveLength(3);
    expect(atRung(2)).toHaveLength(1);
    expect(out.trials.filter((t) => t.status === 'stopped')).toHaveLength(8);
    expect(out.trials.filter((t) => t.status === 'completed').map((t) => t.trial)).toEqual([out.leaderboard[0]]);
    // every trial stopped at a rung scored below every trial promoted from it
    for (const r of [0, 1]) {
      const promoted = atRung(r + 1).map((t) => t.rungs.find((s) => s.rung === r)!.mean);
      const stopped = atRung(r)
        .filter((t) => t.rungs.length === r + 1)
        .map((t) => t.rungs[r].mean);
      expect(Math.max(...stopped)).toBeLessThan(Math.min(...promoted));
    }
    // poor trials were stopped early: they trained fewer epochs than the winner
    const winner = out.trials[out.leaderboard[0] - 1];
    const epochsOf = (t: TrialRecord) => t.rungs[t.rungs.length - 1].epochs;
    for (const t of out.trials) if (t.status === 'stopped') expect(epochsOf(t)).toBeLessThan(epochsOf(winner));
  });

  it('decides the same whatever order the jobs finish in', async () => {
    const a = await runSearch(base(fakeExecutor({ order: 1 })));
    const b = await runSearch(base(fakeExecutor({ order: 99, delay: 8 })));
    expect(withoutTimes(b.trials)).toEqual(withoutTimes(a.trials));
    expect(b.leaderboard).toEqual(a.leaderboard);
  });

  it('brings `keep` trials (the ensemble size) to the last rung', async () => {
    const out = await runSearch(base(fakeExecutor({ order: 2 }), { keep: 2 }));
    expect(out.trials.filter((t) => t.status === 'completed')).toHaveLength(2);
    expect(out.trials.filter((t) => t.rungs.some((s) => s.rung === 1))).toHaveLength(3);
  });

  it('as few trials as the ensemble go straight to the last rung', async () => {
    const exec = fakeExecutor({ order: 3 });
    const out = await runSearch(base(exec, { trials: 2, keep: 2 }));
    expect(out.trials.map((t) => t.rungs.map((r) => r.epochs))).toEqual([[27], [27]]);
    expect(exec.jobs).toHaveLength(6);
  });

  it('a fold that early stopping ended at a shorter rung is reused, not retrained', async () => {
    // fold 0 of every trial stops at epoch 2 (before the first rung's 3 epochs)
    const exec = fakeExecutor({ order: 4, stopAt: (job) => (job.fold === 0 ? 2 : null) });
    const out = await runSearch(base(exec));
    const promotedJobs = exec.jobs.filter((j) => j.rung > 0);
    expect(promotedJobs.length).toBeGreaterThan(0);
    expect(promotedJobs.every((j) => j.fold !== 0)).toBe(true);
    const winner = out.trials[out.leaderboard[0] - 1];
    expect(winner.rungs.map((r) => r.epochsRun[0])).toEqual([2, 2, 2]);
  });

  it('a diverged trial is never promoted and ranks last', async () => {
    const clean = await runSearch(base(fakeExecutor({ order: 5 })));
    const best = clean.leaderboard[0];
    const out = await runSearch(base(fakeExecutor({ order: 5, diverge: [best] })));
    const t = out.trials[best - 1];
    expect(t.status).toBe('diverged');
    expect(t.diverged).toEqual({ rung: 0, epoch: 2 });
    expect(out.leaderboard[out.leaderboard.length - 1]).toBe(best);
    expect(out.leaderboard[0]).not.toBe(best);
  });

  it('for rmse lower is better', () => {
    const trial = (n: number, mean: number): TrialRecord => ({
      trial: n,
      bracket: 1,
      settings: {} as TrialRecord['settings'],
      rungs: [{ rung: 0, epochs: 3, mean, std: 0, folds: [mean], bestEpochs: [3], epochsRun: [3], ms: 0 }],
      status: 'stopped',
      ms: 0,
    });
    const ranked = rankTrials([trial(1, 5), trial(2, 3), trial(3, 4)], 'rmse').map((t) => t.trial);
    expect(ranked).toEqual([2, 3, 1]);
    expect(rankTrials([trial(1, 5), trial(2, 3), trial(3, 4)], 'r2').map((t) => t.trial)).toEqual([1, 3, 2]);
  });
});

describe('stopping', () => {
  it('the abort signal stops the search and keeps the rungs that finished', async () => {
    const controller = new AbortController();
    let seen = 0;
    const out = await runSearch(
      base(fakeExecutor({ order: 6 }), {
        signal: controller.signal,
        onProgress: (s) => {
          if (s.rung === 1 && ++seen === 1) controller.abort();
        },
      }),
    );
    expect(out.stoppedBy).toBe('interrupted');
    expect(out.trials.filter((t) => t.rungs.length === 1)).toHaveLength(9);
    expect(out.trials.some((t) => t.status === 'completed')).toBe(false);
  });

  it('a time budget ends a search of brackets', async () => {
    const out = await runSearch(base(fakeExecutor({ order: 7, delay: 5 }), { trials: undefined, timeBudgetMs: 250 }));
    expect(out.stoppedBy).toBe('time');
    expect(out.trials.filter((t) => t.rungs.length > 0).length).toBeGreaterThan(0);
    expect(out.elapsedMs).toBeLessThan(2000);
  });

  it('progress: the snapshot reaches 100% with an ETA, the leaderboard best first', async () => {
    const snaps: { progress: number; etaMs: number | null; best: number | undefined }[] = [];
    const out = await runSearch(
      base(fakeExecutor({ order: 8 }), {
        onProgress: (s) => snaps.push({ progress: s.progress, etaMs: s.etaMs, best: s.leaderboard[0]?.trial }),
      }),
    );
    const last = snaps[snaps.length - 1];
    expect(last.progress).toBeCloseTo(1, 5);
    expect(last.best).toBe(out.leaderboard[0]);
    expect(snaps.some((s) => s.etaMs !== null && s.etaMs > 0)).toBe(true);
    for (let i = 1; i < snaps.length; i++) expect(snaps[i].progress).toBeGreaterThanOrEqual(snaps[i - 1].progress - 1e-9);
  });
});
