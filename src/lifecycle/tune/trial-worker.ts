/**
 * The entry of a search's worker thread (see executor.ts): gets the search's data once
 * (workerData), then runs the jobs the pool sends, one at a time, and answers each with its
 * outcome, "cancelled" or the error. A "cancel" message stops the running job at its next
 * check (the training loop polls about every 50 ms).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toMlctlError } from '../../errors.js';
import type { BackendChoice } from '../../vocabulary.js';
import type { WorkerReply } from './executor.js';
import { JobCancelled, runTrialJob, type TrialData, type TrialJob } from './trial-job.js';

const { data, backend } = workerData as { data: TrialData; backend: BackendChoice };
const port = parentPort!;
const cancelled = new Set<number>();
// load TensorFlow.js at once, so the first job does not pay for it (a failure surfaces with that job)
let chain: Promise<void> = import('../../engine/model-handle.js')
  .then((engine) => engine.activateBackend(backend))
  .then(
    () => undefined,
    () => undefined,
  );

port.on('message', (msg: { type: 'job'; id: number; job: TrialJob } | { type: 'cancel'; id: number }) => {
  if (msg.type === 'cancel') {
    cancelled.add(msg.id);
    return;
  }
  chain = chain.then(() => run(msg.id, msg.job));
});

async function run(id: number, job: TrialJob): Promise<void> {
  let reply: WorkerReply;
  try {
    const outcome = await runTrialJob(data, job, backend, () => cancelled.has(id));
    reply = { type: 'result', id, outcome };
  } catch (e) {
    if (e instanceof JobCancelled) {
      reply = { type: 'cancelled', id };
    } else {
      const err = toMlctlError(e);
      reply = { type: 'error', id, error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } };
    }
  }
  cancelled.delete(id);
  const transfer = reply.type === 'result' && reply.outcome.kind === 'final' ? reply.outcome.weights.map((w) => w.values.buffer) : [];
  port.postMessage(reply, transfer as ArrayBuffer[]);
}
