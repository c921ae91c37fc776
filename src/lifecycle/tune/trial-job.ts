/**
 * One unit of a search's work, the same function on a worker thread or in the main thread:
 * - a fold job trains one trial's settings on one cross-validation fold for a rung's epochs and
 *   scores it on the fold's test part;
 * - a final job trains settings on the whole training split for a fixed number of epochs and
 *   returns the weights (the published model, or one member of an ensemble).
 * Same job + same data + same backend = same numbers, wherever it runs.
 */
import { MlctlError, isMlctlError } from '../../errors.js';
import type { EpochLog, NamedWeight } from '../../engine/model-handle.js';
import type { BackendChoice } from '../../vocabulary.js';
import type { FoldData } from '../cv-folds.js';
import { fitMlp, type EncodedSplit } from '../fit-mlp.js';
import { fitSettings, type TrialSettings } from './sample.js';
import type { Signature } from '../../dataset/signature.js';

/** What every job of a search trains on: the folds and the whole training split. */
export interface TrialData {
  folds: FoldData[];
  full: { signature: Signature; train: EncodedSplit };
}

export interface FoldJob {
  kind: 'fold';
  trial: number;
  rung: number;
  fold: number;
  settings: TrialSettings;
  epochs: number;
  seed: number;
}

export interface FinalJob {
  kind: 'final';
  /** 1-based member number (1 = the winner) */
  member: number;
  trial: number;
  settings: TrialSettings;
  epochs: number;
  seed: number;
}

export type TrialJob = FoldJob | FinalJob;

export type FoldOutcome =
  | {
      kind: 'fold';
      status: 'ok';
      /** accuracy + macroF1, or r2 + rmse + mae, on the fold's test part */
      scores: Record<string, number>;
      /** the epoch whose weights were scored (early stopping restores the best one) */
      bestEpoch: number;
      epochsRun: number;
      /** early stopping ended it before the rung's epochs: a longer rung gives the same result */
      stoppedEarly: boolean;
      ms: number;
    }
  | { kind: 'fold'; status: 'diverged'; epoch: number; ms: number };

export interface FinalOutcome {
  kind: 'final';
  weights: NamedWeight[];
  epochsRun: number;
  history: EpochLog[];
  ms: number;
}

export type JobOutcome = FoldOutcome | FinalOutcome;

/** A job stopped because the search was cancelled (budget, Ctrl-C): not a result. */
export class JobCancelled extends Error {
  constructor() {
    super('The job was cancelled.');
    this.name = 'JobCancelled';
  }
}

const EMPTY: EncodedSplit = { x: new Float32Array(0), y: new Int32Array(0), n: 0 };

export async function runTrialJob(data: TrialData, job: TrialJob, backend: BackendChoice, shouldStop: () => boolean): Promise<JobOutcome> {
  const t0 = performance.now();
  if (job.kind === 'fold') {
    const fold = data.folds[job.fold];
    try {
      const fit = await fitMlp(
        fold,
        fitSettings(job.settings, job.epochs, job.settings.patience, job.seed),
        job.seed,
        backend,
        undefined,
        shouldStop,
      );
      fit.handle.dispose();
      if (fit.training.stopReason === 'requested') throw new JobCancelled();
      const m = fit.metrics;
      if (!m) throw new MlctlError('INTERNAL', 'A cross-validation fold has no test rows (this is a bug).');
      const scores: Record<string, number> =
        m.task === 'classification' ? { accuracy: m.accuracy, macroF1: m.macroF1 } : { r2: m.r2, rmse: m.rmse, mae: m.mae };
      if (Object.values(scores).some((v) => !Number.isFinite(v))) {
        return { kind: 'fold', status: 'diverged', epoch: fit.training.epochsRun, ms: performance.now() - t0 };
      }
      return {
        kind: 'fold',
        status: 'ok',
        scores,
        bestEpoch: fit.training.bestEpoch,
        epochsRun: fit.training.epochsRun,
        stoppedEarly: fit.training.stopReason === 'early-stopping',
        ms: performance.now() - t0,
      };
    } catch (e) {
      if (isMlctlError(e) && e.details?.diverged === true) {
        return { kind: 'fold', status: 'diverged', epoch: Number(e.details.epoch), ms: performance.now() - t0 };
      }
      throw e;
    }
  }
  const fit = await fitMlp(
    { signature: data.full.signature, train: data.full.train, validation: EMPTY, test: EMPTY },
    fitSettings(job.settings, job.epochs, 0, job.seed),
    job.seed,
    backend,
    undefined,
    shouldStop,
  );
  try {
    if (fit.training.stopReason === 'requested') throw new JobCancelled();
    return {
      kind: 'final',
      weights: fit.handle.readWeights(),
      epochsRun: fit.training.epochsRun,
      history: fit.training.history,
      ms: performance.now() - t0,
    };
  } finally {
    fit.handle.dispose();
  }
}
