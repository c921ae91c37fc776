/**
 * A search shared by several machines (`mlctl tune --study NAME` on a PostgreSQL registry):
 * Optuna's distributed mode, with the registry database as the storage.
 *
 * Every worker runs the same search loop (search.ts): the trials' settings come from the seed and
 * the trial number, and every successive-halving decision waits for its whole rung and sorts by
 * (score, trial number). So when the fold results come from one shared table, every worker takes
 * the same decisions from the same results, without electing anyone. The study executor below
 * is the seam: a fold job becomes a task row (the same key on every worker); the worker claims
 * tasks one at a time with FOR UPDATE SKIP LOCKED while its own threads are free, runs them, and
 * stores each result; a job another worker claimed resolves when its result is in. A claim is a
 * lease renewed by a heartbeat while the job runs: a worker that dies (SIGKILL, power cut) stops
 * renewing it and its task goes to whoever asks next. When the budget is spent, one worker claims
 * the study's 'publish' task (the same lease) and publishes the winner; the others wait for the
 * version and report it. A version names its study, and the database refuses a second one.
 *
 * Scores never depend on which worker ran a job (same job + same data = same numbers), so a
 * fixed --trials budget gives the same trials, scores and winner on one worker or on ten.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { MlctlError } from '../../errors.js';
import type { StudyInfo, StudyProgress, StudyStore, StudyWorker } from '../../registry/store.js';
import type { TrialRecord } from '../../registry/version-record.js';
import type { TuneMetric } from '../../vocabulary.js';
import type { TrialExecutor } from './executor.js';
import type { SearchSnapshot } from './search.js';
import { JobCancelled, type FoldJob, type JobOutcome, type TrialData, type TrialJob } from './trial-job.js';

/** a worker that stops renewing its claim for this long loses its task to another worker */
export const DEFAULT_LEASE_MS = 60_000;
/** jobs a worker claims beyond its threads (queued locally, under the same lease) */
const PREFETCH = 1;
/** the study's one publishing task */
export const PUBLISH_TASK = 'publish';

/** This process's name in a study's tables: host and pid. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

export function foldTaskKey(job: Pick<FoldJob, 'trial' | 'rung' | 'fold'>): string {
  return `fold/${job.trial}/${job.rung}/${job.fold}`;
}

/** sha256 of everything the trials train on: the encoded folds and the whole training split. */
export function dataFingerprint(data: TrialData): string {
  const h = createHash('sha256');
  const add = (a: ArrayBufferView): void => {
    h.update(String(a.byteLength));
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  };
  for (const f of data.folds) {
    for (const part of [f.train, f.validation, f.test]) {
      add(part.x);
      add(part.y);
    }
  }
  add(data.full.train.x);
  add(data.full.train.y);
  h.update(JSON.stringify(data.full.signature));
  return h.digest('hex');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Renews this worker's leases (and its last_seen) every third of a lease until stopped. */
export function startHeartbeat(store: StudyStore, study: string, worker: string, leaseMs: number): { stop(): void } {
  const timer = setInterval(
    () => {
      store.heartbeat(study, worker, leaseMs).catch(() => undefined); // a missed beat: the next one renews
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export interface StudyExecutorOptions {
  store: StudyStore;
  study: string;
  worker: string;
  leaseMs: number;
  /** how often to look for claimable tasks and others' results (default 200 ms) */
  pollMs?: number;
}

export interface StudyExecutor extends TrialExecutor {
  /** fold jobs this worker ran (the others' results came from the database) */
  readonly ranHere: number;
}

interface Waiter {
  resolve: (outcome: JobOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Fold jobs through the study's task table, run on `local` when this worker claims them; final
 * jobs straight on `local`. `parallel` claims at a time (local's threads).
 */
export function createStudyExecutor(local: TrialExecutor, options: StudyExecutorOptions): StudyExecutor {
  const { store, study, worker, leaseMs } = options;
  const pollMs = options.pollMs ?? Math.min(200, Math.max(20, Math.floor(leaseMs / 4)));
  const waiters = new Map<string, Waiter>();
  const toAdd: { key: string; rung: number; trial: number; fold: number; job: FoldJob }[] = [];
  const runningHere = new Map<string, Promise<void>>();
  let looping = false;
  let cancelled = false;
  let closed = false;
  let ranHere = 0;
  let wake: (() => void) | null = null;
  const releases: Promise<void>[] = [];

  const poke = (): void => {
    wake?.();
    wake = null;
  };
  const settle = (key: string, outcome: JobOutcome): void => {
    const w = waiters.get(key);
    if (!w) return;
    waiters.delete(key);
    w.resolve(outcome);
  };
  const fail = (error: unknown): void => {
    for (const w of waiters.values()) w.reject(error);
    waiters.clear();
    cancelled = true;
    local.cancelAll();
  };

  const runHere = (key: string, job: TrialJob): void => {
    const p = local
      .run(job)
      .then(
        async (outcome) => {
          ranHere++;
          settle(key, outcome); // this worker goes on at once; the others see it once stored
          await store.finishTask(study, worker, key, outcome);
        },
        (e) => {
          if (!(e instanceof JobCancelled)) throw e;
        },
      )
      .catch(fail)
      .finally(() => {
        runningHere.delete(key);
        poke();
      });
    runningHere.set(key, p);
  };

  const loop = async (): Promise<void> => {
    while (waiters.size > 0 && !cancelled) {
      if (toAdd.length > 0) await store.addTasks(study, toAdd.splice(0));
      // one claim ahead of the threads: the next job is here when a thread frees up (no round trip between jobs)
      while (runningHere.size < local.parallel + PREFETCH && !cancelled) {
        const task = await store.claimTask(study, worker, leaseMs);
        if (!task) break;
        runHere(task.key, task.job as TrialJob);
      }
      const others = [...waiters.keys()].filter((k) => !runningHere.has(k));
      if (others.length > 0) {
        for (const [key, result] of await store.results(study, others)) settle(key, result as JobOutcome);
      }
      if (waiters.size === 0 || cancelled) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, pollMs);
      });
      wake = null;
    }
  };
  const kick = (): void => {
    if (looping) return poke();
    looping = true;
    loop()
      .catch(fail)
      .finally(() => {
        looping = false;
        if (waiters.size > 0 && !cancelled) kick();
      });
  };

  return {
    get parallel() {
      return local.parallel;
    },
    get ranHere() {
      return ranHere;
    },
    run(job) {
      if (job.kind !== 'fold') return local.run(job);
      if (closed || cancelled) return Promise.reject(new JobCancelled());
      const key = foldTaskKey(job);
      return new Promise<JobOutcome>((resolve, reject) => {
        waiters.set(key, { resolve, reject });
        toAdd.push({ key, rung: job.rung, trial: job.trial, fold: job.fold, job });
        kick();
      });
    },
    cancelAll() {
      cancelled = true;
      for (const w of waiters.values()) w.reject(new JobCancelled());
      waiters.clear();
      local.cancelAll();
      poke();
      // what this worker holds goes back to the others at once (not after the lease)
      releases.push(store.releaseTasks(study, worker).catch(() => undefined));
    },
    async close() {
      closed = true;
      poke();
      await local.close();
      await Promise.allSettled([...runningHere.values()]);
      await Promise.all(releases);
    },
  };
}

/** The snapshot workers write for `tune status` (the most complete one is kept). */
export interface StudySnapshot {
  rungs: number[];
  rung: number;
  trialsStarted: number;
  trialsPlanned: number | null;
  progress: number;
  leaderboard: TrialRecord[];
  /** fold results the leaderboard was computed from */
  done: number;
}

/** Writes the live leaderboard at most once a second (and when forced). */
export function snapshotWriter(store: StudyStore, study: string): { write(s: SearchSnapshot, force?: boolean): Promise<void> } {
  let last = 0;
  let inFlight: Promise<void> = Promise.resolve();
  return {
    write(s, force = false) {
      const now = Date.now();
      if (!force && now - last < 1000) return inFlight;
      last = now;
      const done = s.leaderboard.reduce((a, t) => a + t.rungs.reduce((b, r) => b + r.folds.length, 0), 0);
      const snapshot: Omit<StudySnapshot, 'done'> = {
        rungs: s.rungs,
        rung: s.rung,
        trialsStarted: s.trialsStarted,
        trialsPlanned: s.trialsPlanned,
        progress: s.progress,
        leaderboard: s.leaderboard.map((t) => ({
          ...t,
          ms: Math.round(t.ms),
          rungs: t.rungs.map((r) => ({ ...r, ms: Math.round(r.ms) })),
        })),
      };
      inFlight = inFlight.then(() => store.writeSnapshot(study, done, snapshot)).catch(() => undefined);
      return inFlight;
    },
  };
}

export type PublishTurn = { publish: true } | { publish: false; published: NonNullable<StudyInfo['published']> };

/**
 * After the search: claim the study's publish task, or wait until another worker has published
 * (a publisher that dies loses the task when its lease runs out, and a waiting worker takes it).
 */
export async function waitForPublishTurn(
  store: StudyStore,
  study: string,
  worker: string,
  leaseMs: number,
  signal?: AbortSignal,
): Promise<PublishTurn> {
  await store.addTasks(study, [{ key: PUBLISH_TASK, rung: 1_000_000, trial: 0, fold: 0, job: { kind: 'publish' } }]);
  const pollMs = Math.min(250, Math.max(20, Math.floor(leaseMs / 4)));
  for (;;) {
    const info = await store.readStudy(study);
    if (!info) throw new MlctlError('NOT_FOUND', `Study "${study}" was removed during the search.`);
    if (info.published) return { publish: false, published: info.published };
    if (await store.claimTask(study, worker, leaseMs, PUBLISH_TASK)) return { publish: true };
    await store.heartbeat(study, worker, leaseMs, 'waiting');
    if (signal?.aborted) throw new JobCancelled();
    await sleep(pollMs);
  }
}

/** `mlctl tune status NAME`: the study, its workers, its task counts and the latest leaderboard. */
export interface StudyStatus extends StudyProgress {
  metric: TuneMetric;
  snapshot: StudySnapshot | null;
}

export async function studyStatus(store: StudyStore, name: string, location: string): Promise<StudyStatus> {
  const progress = await store.progress(name);
  if (!progress) {
    const known = await store.listStudies();
    throw new MlctlError('NOT_FOUND', `Study "${name}" not found in ${location}.`, {
      hint:
        known.length > 0
          ? `Studies there: ${known.join(', ')}.`
          : 'Start one with "mlctl tune <source> --study NAME --registry postgres://…".',
    });
  }
  return {
    ...progress,
    metric: (progress.info.settings as { metric: TuneMetric }).metric,
    snapshot: (progress.info.snapshot as StudySnapshot | null) ?? null,
  };
}

export type { StudyWorker };
