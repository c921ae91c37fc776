/**
 * Fine-tuning after pruning: the version's own training rows (re-derived from its record: the
 * same dataset file, seed and split fractions give the same split, checked against the stored
 * test split) or a `--data` file, encoded with the parent's signature; then training with the
 * pruned weights held at exactly zero. With the `polynomial` schedule the target sparsity rises
 * from 0 on Zhu & Gupta's cubic curve over the first 70% of the epochs (masks recomputed from the
 * current weights' magnitudes each epoch) and the rest train at the target.
 */
import { MlctlError } from '../errors.js';
import type { BackendChoice } from '../engine/backend-choices.js';
import { applyMasks, magnitudePrune, type PruneOptions as MaskOptions } from '../engine/compress/magnitude-prune.js';
import type { NamedWeight } from '../engine/compress/named-weight.js';
import { polynomialSparsity, type ScheduleKind } from '../engine/compress/sparsity-schedule.js';
import type { Signature } from '../dataset/signature.js';
import type { EncodedSplit } from './fit-mlp.js';
import type { SourceVersion } from './version-weights.js';

export interface FineTuneData {
  source: 'record' | 'file';
  path: string;
  train: EncodedSplit;
  task: 'classification' | 'regression';
  signature: Signature | null;
}

export interface FineTuneReport {
  epochs: number;
  schedule: ScheduleKind;
  /** the target sparsity the masks were computed for, per epoch */
  sparsityPerEpoch: number[];
  rows: number;
  data: { source: 'record' | 'file'; path: string };
  optimizer: string;
  learningRate: number;
  batchSize: number;
  /** training loss of the last epoch */
  finalLoss: number | null;
}

/** Fraction of the epochs over which the polynomial schedule ramps up (the rest run at the target). */
export const RAMP_FRACTION = 0.7;

/** The target sparsity for each epoch of a fine-tuning run. */
export function fineTuneSchedule(kind: ScheduleKind, target: number, epochs: number): number[] {
  if (kind === 'constant' || epochs <= 1) return new Array<number>(epochs).fill(target);
  const endStep = Math.max(1, Math.ceil(RAMP_FRACTION * epochs) - 1);
  return Array.from({ length: epochs }, (_, e) => polynomialSparsity(e, { initialSparsity: 0, finalSparsity: target, beginStep: 0, endStep }));
}

/** The training rows to fine-tune on, or a clear error when there are none. */
export async function resolveFineTuneData(source: SourceVersion, dataPath: string | undefined): Promise<FineTuneData> {
  const record = source.record;
  const { readCsvFile } = await import('../dataset/read-table.js');
  const { prepareEvaluationData, prepareTrainingData } = await import('../dataset/prepare.js');
  const label = `${source.model} v${source.version}`;
  if (!record.signature) {
    throw new MlctlError(
      'USAGE',
      `${label} has no signature (it was ${record.operation}ed), so mlctl cannot encode training rows for it.`,
      { hint: 'Prune it without --fine-tune-epochs, or prune a version trained with "mlctl train".' },
    );
  }
  const signature = record.signature as unknown as Signature;
  const task = signature.target.task;
  if (dataPath) {
    const table = await readCsvFile(dataPath);
    const prepared = prepareEvaluationData(signature, table);
    return { source: 'file', path: dataPath, train: { x: prepared.x, y: prepared.y, n: prepared.rows.length }, task, signature };
  }
  const hp = record.hyperparameters as { seed?: number; testSplit?: number; validationSplit?: number; maxCategories?: number } | undefined;
  if (!record.dataset || !hp || typeof hp.seed !== 'number') {
    throw new MlctlError('USAGE', `${label} does not record the training data it came from, so there is nothing to fine-tune on.`, {
      hint: 'Pass --data <train.csv> (labelled, with the training columns), or prune without --fine-tune-epochs.',
    });
  }
  const { resolveStoredPath } = await import('./train.js');
  const { decodeTestSplit } = await import('./test-split.js');
  const path = resolveStoredPath(record.dataset.path);
  let table;
  try {
    table = await readCsvFile(path);
  } catch (e) {
    if (e instanceof MlctlError && e.code === 'NOT_FOUND') {
      throw new MlctlError('NOT_FOUND', `The training data of ${label}, ${path}, is gone, so there is nothing to fine-tune on.`, {
        hint: 'Restore the file, pass --data <train.csv>, or prune without --fine-tune-epochs.',
        cause: e,
      });
    }
    throw e;
  }
  if (table.source.sha256 !== record.dataset.sha256) {
    throw new MlctlError('INVALID_DATA', `The training data ${path} changed since ${label} was trained (sha256 differs), so its training rows cannot be recovered.`, {
      hint: 'Restore the original file, or pass --data <train.csv>.',
    });
  }
  const prepared = prepareTrainingData(table, {
    target: signature.target.name,
    features: signature.features.map((f) => f.name),
    task,
    seed: hp.seed,
    testFraction: hp.testSplit,
    validationFraction: hp.validationSplit,
    maxCategories: hp.maxCategories,
  });
  const stored = (record.split as { testRows?: Parameters<typeof decodeTestSplit>[0] } | undefined)?.testRows;
  if (stored) {
    const expected = decodeTestSplit(stored);
    const got = Int32Array.from(prepared.indices.test).sort();
    if (expected.length !== got.length || expected.some((v, i) => v !== got[i])) {
      throw new MlctlError('INVALID_DATA', `Re-splitting ${path} does not give ${label}'s test split, so its training rows cannot be recovered.`, {
        hint: 'Pass --data <train.csv>, or prune without --fine-tune-epochs.',
      });
    }
  }
  // the parent's own encoding (the refitted signature would be the same; this makes sure)
  const train = prepareEvaluationData(signature, table, { indices: prepared.indices.train });
  return { source: 'record', path: record.dataset.path, train: { x: train.x, y: train.y, n: train.rows.length }, task, signature };
}

export interface FineTuneOptions {
  source: SourceVersion;
  /** the parent's float weights */
  weights: NamedWeight[];
  data: FineTuneData;
  prune: Omit<MaskOptions, 'criterion'> & { criterion: MaskOptions['criterion'] };
  epochs: number;
  schedule: ScheduleKind;
  backend?: BackendChoice;
  onEpoch?: (e: { epoch: number; epochs: number; sparsity: number; loss?: number }) => void;
}

export async function fineTune(options: FineTuneOptions): Promise<{ weights: NamedWeight[]; report: FineTuneReport }> {
  const { fitWithMasks, fineTuneSettings } = await import('./version-weights.js');
  const { criterion } = options.prune;
  const target = 'sparsity' in criterion ? criterion.sparsity : null;
  const perEpoch = target === null ? new Array<number>(options.epochs).fill(NaN) : fineTuneSchedule(options.schedule, target, options.epochs);
  const settings = fineTuneSettings(options.source.record);
  let weights = options.weights;
  let masks = new Map<string, Uint8Array>();
  let finalLoss: number | null = null;
  // one fit call per run of epochs with the same masks: the constant schedule is one call
  let e = 0;
  while (e < options.epochs) {
    const start = e;
    const same = (i: number) => (Number.isNaN(perEpoch[start]) ? Number.isNaN(perEpoch[i]) : perEpoch[i] === perEpoch[start]);
    let run = 1;
    while (start + run < options.epochs && same(start + run)) run++;
    const pruned = magnitudePrune(weights, target === null ? options.prune : { ...options.prune, criterion: { sparsity: perEpoch[e] } });
    masks = pruned.masks;
    const fitted = await fitWithMasks({
      dir: options.source.dir,
      backend: options.backend,
      weights: pruned.weights,
      data: options.data,
      masks,
      settings: { ...settings, epochs: run, seed: settings.seed + e },
      onEpoch: (i, loss) => {
        finalLoss = loss ?? finalLoss;
        options.onEpoch?.({ epoch: e + i + 1, epochs: options.epochs, sparsity: perEpoch[e + i], loss });
      },
    });
    weights = fitted;
    e += run;
  }
  // pruned weights are exactly zero by construction; applying the masks again costs nothing and guards it
  weights = applyMasks(weights, masks);
  return {
    weights,
    report: {
      epochs: options.epochs,
      schedule: options.schedule,
      sparsityPerEpoch: perEpoch.map((s) => (Number.isNaN(s) ? null : Number(s.toPrecision(6)))) as number[],
      rows: options.data.train.n,
      data: { source: options.data.source, path: options.data.path },
      optimizer: settings.optimizer,
      learningRate: settings.learningRate,
      batchSize: settings.batchSize,
      finalLoss,
    },
  };
}
