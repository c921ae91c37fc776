/**
 * `mlctl train`: data (template or CSV) → preprocessing fitted on the training split → MLP →
 * metrics on the held-out test split → a new immutable version whose record holds everything
 * needed to reproduce and re-apply it (settings, seed, dataset fingerprint, signature, test split,
 * history, optional k-fold report).
 */
import { MlctlError } from '../errors.js';
import type { Signature } from '../dataset/signature.js';
import type { BackendChoice } from '../vocabulary.js';
import type { EpochLog } from '../engine/model-handle.js';
import type { EpochSummary, VersionRecord } from '../registry/version-record.js';
import { trainRecord } from './records.js';
import { loadTrainingData, originSections, type TrainingDataOptions } from './training-data.js';
import { summarizeMetrics, type Metrics } from './metrics.js';
import { encodeTestSplit } from './test-split.js';
import type { CrossValidationReport } from './cross-validate.js';

export interface TrainOptions extends TrainingDataOptions {
  /** run stratified k-fold cross-validation first and record its report */
  folds?: number;
  backend?: BackendChoice;
  onProgress?: (event: TrainProgress) => void;
}

export type TrainProgress =
  | { phase: 'data'; rows: number; columns: number; warnings: string[] }
  | { phase: 'backend'; backend: string }
  | { phase: 'fold'; fold: number; folds: number; metrics?: Record<string, number> }
  | { phase: 'epoch'; log: EpochLog; fold?: number }
  | { phase: 'publish' };

export interface TrainResult {
  record: VersionRecord;
  warnings: string[];
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const started = Date.now();
  const data = await loadTrainingData(options, { verb: 'Training', command: 'train' });
  const { name, target, features, ignore, task, settings, table, prepared, warnings } = data;
  checkModelSize(settings.hidden, prepared.signature);
  options.onProgress?.({ phase: 'data', rows: table.rows.length, columns: table.columns.length, warnings });

  const backendChoice = options.backend ?? 'auto';
  const { activateBackend } = await import('../engine/model-handle.js');
  const { backend, tfjsVersion } = await activateBackend(backendChoice);
  options.onProgress?.({ phase: 'backend', backend });

  let crossValidation: CrossValidationReport | undefined;
  if (options.folds !== undefined) {
    const { crossValidate } = await import('./cross-validate.js');
    crossValidation = await crossValidate({
      backend: backendChoice,
      table,
      target,
      features,
      ignore,
      keep: options.keep,
      task,
      settings,
      folds: options.folds,
      onFold: (e) => options.onProgress?.({ phase: 'fold', ...e }),
      onEpoch: (fold, log) => options.onProgress?.({ phase: 'epoch', log, fold }),
    });
  }

  const { fitMlp } = await import('./fit-mlp.js');
  const fit = await fitMlp(
    {
      signature: prepared.signature,
      train: { x: prepared.x.train, y: prepared.y.train, n: prepared.n.train },
      validation: { x: prepared.x.validation, y: prepared.y.validation, n: prepared.n.validation },
      test: { x: prepared.x.test, y: prepared.y.test, n: prepared.n.test },
    },
    settings,
    settings.seed,
    backendChoice,
    (log) => options.onProgress?.({ phase: 'epoch', log }),
  );
  if (!fit.metrics) warnings.push('The test split is empty (--test-split 0): no test metrics were recorded.');

  options.onProgress?.({ phase: 'publish' });
  const sig = prepared.signature;
  try {
    const published = await options.registry.publishVersion(name, {
      writeFiles: (dir) => fit.handle.save(dir),
      buildRecord: (version, files) =>
        trainRecord(
          { model: name, version, files, tfjsVersion, backend, startedAt: started },
          {
            ...originSections(data, options.registry),
            hyperparameters: { ...settings },
            seed: settings.seed,
            signature: sig,
            metrics: fit.metrics ? summarizeMetrics(fit.metrics) : undefined,
            split: {
              train: prepared.n.train,
              validation: prepared.n.validation,
              test: prepared.n.test,
              droppedRows: prepared.droppedRows,
              droppedColumns: prepared.dropped,
              testRows: encodeTestSplit(prepared.indices.test, table.rows.length),
            },
            history: {
              epochsRun: fit.training.epochsRun,
              bestEpoch: fit.training.bestEpoch,
              stoppedEarly: fit.training.stoppedEarly,
              epochs: fit.training.history.map(roundLog),
            },
            crossValidation,
            warnings: warnings.length ? warnings : undefined,
          },
        ),
    });
    return { record: published.record, warnings };
  } finally {
    fit.handle.dispose();
  }
}

/** An epoch's figures rounded to 6 significant digits (counts and times to integers) for the record. */
export function roundLog(log: EpochLog): EpochSummary {
  const round = (v: number): number => Number(v.toPrecision(6));
  const out: EpochSummary = {
    epoch: log.epoch,
    epochs: log.epochs,
    loss: round(log.loss),
    learningRate: round(log.learningRate),
    elapsedMs: Math.round(log.elapsedMs),
  };
  for (const key of ['acc', 'mae', 'valLoss', 'valAcc', 'valMae'] as const) {
    const v = log[key];
    if (v !== undefined) out[key] = round(v);
  }
  return out;
}

export type { Metrics };

/** Most weights a trained MLP may have: far beyond what tabular data needs, well within memory. */
export const MAX_MODEL_WEIGHTS = 10_000_000;

/** A USAGE error, with the limit, for hidden layers too large to train (instead of running out of memory). */
function checkModelSize(hidden: readonly number[], signature: Signature): void {
  const sizes = [signature.inputSize, ...hidden, signature.target.task === 'classification' ? signature.target.classes.length : 1];
  let weights = 0;
  for (let i = 1; i < sizes.length; i++) weights += sizes[i - 1] * sizes[i] + sizes[i];
  if (weights > MAX_MODEL_WEIGHTS) {
    throw new MlctlError(
      'USAGE',
      `Hidden layers ${hidden.join(',')} would give a model with ${weights.toLocaleString('en-US')} weights; the limit is ${MAX_MODEL_WEIGHTS.toLocaleString('en-US')}.`,
      { hint: 'Use smaller layers, e.g. --hidden 64,64.' },
    );
  }
}
