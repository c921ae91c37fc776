/**
 * Where a search's jobs run. `createExecutor(parallel)` gives an in-process executor for one
 * (the jobs run one after another on the main thread) and a pool of `node:worker_threads`
 * workers for more (each worker loads TensorFlow.js once, gets the search's data once, then
 * runs one job at a time). Both run the same `runTrialJob`, so where a job ran never changes
 * its numbers; the search (search.ts) makes every decision from results in trial order, never
 * from the order jobs finish.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MlctlError, type ErrorCode } from '../../errors.js';
import type { BackendChoice } from '../../vocabulary.js';
import { JobCancelled, runTrialJob, type JobOutcome, type TrialData, type TrialJob } from './trial-job.js';

export interface TrialExecutor {
  /** how many jobs run at once */
  readonly parallel: number;
  /** queue a job; rejects with JobCancelled when `cancelAll` stops it */
  run(job: TrialJob): Promise<JobOutcome>;
  /** reject every queued job and stop the running ones soon (they reject with JobCancelled) */
  cancelAll(): void;
  /** stop the workers; the executor cannot be used afterwards */
  close(): Promise<void>;
}

export interface ExecutorOptions {
  parallel: number;
  data: TrialData;
  backend: BackendChoice;
}

export type ExecutorFactory = (options: ExecutorOptions) => TrialExecutor;

export const createExecutor: ExecutorFactory = (options) =>
  options.parallel <= 1 ? createInProcessExecutor(options) : createWorkerPool(options);

interface Pending {
  job: TrialJob;
  resolve: (outcome: JobOutcome) => void;
  reject: (error: unknown) => void;
}

/** Jobs one at a time on this thread (--parallel 1: no worker start-up, no copies of the data). */
export function createInProcessExecutor({ data, backend }: ExecutorOptions): TrialExecutor {
  const queue: Pending[] = [];
  let running = false;
  let cancelled = false;
  let closed = false;
  const pump = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      while (queue.length > 0) {
        // a macrotask turn between jobs: timers (the time budget) and signals (Ctrl-C) get their turn
        await new Promise<void>((resolve) => setImmediate(resolve));
        const item = queue.shift(); // cancelAll may have emptied the queue meanwhile
        if (!item) break;
        cancelled = false;
        try {
          item.resolve(await runTrialJob(data, item.job, backend, () => cancelled));
        } catch (e) {
          item.reject(e);
        }
      }
    } finally {
      running = false;
    }
  };
  return {
    parallel: 1,
    run(job) {
      if (closed) return Promise.reject(new JobCancelled());
      return new Promise<JobOutcome>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        void pump();
      });
    },
    cancelAll() {
      cancelled = true;
      for (const item of queue.splice(0)) item.reject(new JobCancelled());
    },
    async close() {
      closed = true;
      this.cancelAll();
    },
  };
}

/** The compiled worker entry beside this file (dist/lifecycle/tune/trial-worker.js). */
function workerUrl(): URL {
  const url = new URL('./trial-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    throw new MlctlError('INTERNAL', `The trial worker ${fileURLToPath(url)} is missing; worker threads need the built mlctl.`, {
      hint: 'Run "npm run build", or use --parallel 1.',
    });
  }
  return url;
}

interface Slot {
  worker: Worker;
  current: (Pending & { id: number }) | null;
}

/** Messages from a worker (see trial-worker.ts). */
export type WorkerReply =
  | { type: 'result'; id: number; outcome: JobOutcome }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id: number; error: { code: ErrorCode; message: string; hint?: string } };

export function createWorkerPool({ parallel, data, backend }: ExecutorOptions): TrialExecutor {
  const url = workerUrl();
  const queue: (Pending & { id: number })[] = [];
  let nextId = 1;
  let broken: unknown = null;
  let closed = false;
  const slots: Slot[] = [];

  const fail = (error: unknown): void => {
    broken ??= error;
    for (const slot of slots) {
      slot.current?.reject(error);
      slot.current = null;
    }
    for (const item of queue.splice(0)) item.reject(error);
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.current || queue.length === 0) continue;
      const item = queue.shift()!;
      slot.current = item;
      slot.worker.postMessage({ type: 'job', id: item.id, job: item.job });
    }
  };

  for (let i = 0; i < parallel; i++) {
    const worker = new Worker(url, { workerData: { data, backend } });
    const slot: Slot = { worker, current: null };
    worker.on('message', (reply: WorkerReply) => {
      const item = slot.current;
      if (!item || item.id !== reply.id) return;
      slot.current = null;
      if (reply.type === 'result') item.resolve(reply.outcome);
      else if (reply.type === 'cancelled') item.reject(new JobCancelled());
      else item.reject(new MlctlError(reply.error.code, reply.error.message, reply.error.hint ? { hint: reply.error.hint } : {}));
      pump();
    });
    worker.on('error', (e) => {
      if (!closed) fail(new MlctlError('INTERNAL', `A trial worker failed: ${e.message}`, { cause: e }));
    });
    worker.on('exit', (code) => {
      if (!closed) fail(new MlctlError('INTERNAL', `A trial worker exited unexpectedly (code ${code}).`));
    });
    slots.push(slot);
  }

  return {
    parallel,
    run(job) {
      if (broken) return Promise.reject(broken);
      if (closed) return Promise.reject(new JobCancelled());
      return new Promise<JobOutcome>((resolve, reject) => {
        queue.push({ job, resolve, reject, id: nextId++ });
        pump();
      });
    },
    cancelAll() {
      for (const item of queue.splice(0)) item.reject(new JobCancelled());
      for (const slot of slots) if (slot.current) slot.worker.postMessage({ type: 'cancel', id: slot.current.id });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const item of queue.splice(0)) item.reject(new JobCancelled());
      for (const slot of slots) {
        slot.current?.reject(new JobCancelled());
        slot.current = null;
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
