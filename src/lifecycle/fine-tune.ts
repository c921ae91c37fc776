/**
 * Fine-tuning after pruning: the version's own training rows (re-derived from its record: the
 * same dataset file, seed and split fractions give the same split, checked against the stored
 * test split) or a `--data` file, encoded with the parent's signature; then training with the
 * pruned weights held at exactly zero. With the `polynomial` schedule the target sparsity rises
 * from 0 on Zhu & Gupta's cubic curve over the first 70% of the epochs (masks recomputed from the
 * current weights' magnitudes each epoch) and the rest train at the target.
 */
import { MlctlError } from '../errors.js';
import { applyMasks, magnitudePrune, type PruneOptions as MaskOptions } from '../engine/compress/magnitude-prune.js';
import type { NamedWeight } from '../engine/compress/named-weight.js';
import { polynomialSparsity, type ScheduleKind } from '../engine/compress/sparsity-schedule.js';
import type { Signature } from '../dataset/signature.js';
import type { FineTuneSection } from '../registry/version-record.js';
import { OPERATION_PAST, type BackendChoice, type OptimizerName } from '../vocabulary.js';
import type { EncodedSplit } from './fit-mlp.js';
import type { SourceVersion } from './version-weights.js';

export interface FineTuneData {
  source: 'record' | 'file';
  path: string;
  train: EncodedSplit;
  /** the version's own validation rows (when re-derived from its record): the best epoch is kept */
  validation: EncodedSplit | null;
  task: 'classification' | 'regression';
  signature: Signature | null;
}

/**
 * A model without a signature (imported) has no training rows of its own: `--data` must give
 * numeric rows (input values, then the target: a class index when the model has several outputs,
 * the output value(s) otherwise). Without --data it is a clear USAGE error.
 */
async function numericFineTuneData(source: SourceVersion, dataPath: string | undefined): Promise<FineTuneData> {
  const record = source.record;
  const label = `${source.model} v${source.version}`;
  if (!dataPath) {
    throw new MlctlError(
      'USAGE',
      `${label} was ${OPERATION_PAST[record.operation]} without training data, so there is nothing to fine-tune it on.`,
      {
        hint: 'Pass --data <train.csv> (numeric input columns, then the target), or prune without --fine-tune-epochs.',
      },
    );
  }
  const dims = (shape: (number | null)[] | undefined) => (shape ? shape.slice(1) : []);
  const input = dims(record.io?.inputShape?.[0]);
  const output = dims(record.io?.outputShape?.[0]);
  if (!record.io || input.length === 0 || output.length === 0 || ![...input, ...output].every((d) => typeof d === 'number')) {
    throw new MlctlError('USAGE', `${label} does not record fixed input and output shapes, so mlctl cannot read training rows for it.`, {
      hint: 'Prune it without --fine-tune-epochs.',
    });
  }
  const width = (input as number[]).reduce((a, b) => a * b, 1);
  const outputs = (output as number[]).reduce((a, b) => a * b, 1);
  const task = outputs > 1 ? 'classification' : 'regression';
  const { readNumericTrainingRows } = await import('../dataset/numeric-rows.js');
  const rows = await readNumericTrainingRows(
    dataPath,
    width,
    task === 'classification' ? { kind: 'class', classes: outputs } : { kind: 'values', width: outputs },
  );
  return { source: 'file', path: dataPath, train: { x: rows.x, y: rows.y, n: rows.n }, validation: null, task, signature: null };
}

export type FineTuneReport = FineTuneSection;

/** Fraction of the epochs over which the polynomial schedule ramps up (the rest run at the target). */
export const RAMP_FRACTION = 0.7;

/** The target sparsity for each epoch of a fine-tuning run. */
export function fineTuneSchedule(kind: ScheduleKind, target: number, epochs: number): number[] {
  if (kind === 'constant' || epochs <= 1) return new Array<number>(epochs).fill(target);
  const endStep = Math.max(1, Math.ceil(RAMP_FRACTION * epochs) - 1);
  return Array.from({ length: epochs }, (_, e) =>
    polynomialSparsity(e, { initialSparsity: 0, finalSparsity: target, beginStep: 0, endStep }),
  );
}

/** The training rows to fine-tune on, or a clear error when there are none. */
export async function resolveFineTuneData(source: SourceVersion, dataPath: string | undefined): Promise<FineTuneData> {
  const record = source.record;
  const { readCsvFile } = await import('../dataset/read-table.js');
  const { prepareEvaluationData, prepareTrainingData } = await import('../dataset/prepare.js');
  const label = `${source.model} v${source.version}`;
  if (!record.signature) return numericFineTuneData(source, dataPath);
  const signature: Signature = record.signature;
  const task = signature.target.task;
  if (dataPath) {
    const table = await readCsvFile(dataPath);
    const prepared = prepareEvaluationData(signature, table);
    return {
      source: 'file',
      path: dataPath,
      train: { x: prepared.x, y: prepared.y, n: prepared.rows.length },
      validation: null,
      task,
      signature,
    };
  }
  const hp = record.hyperparameters;
  if (!record.dataset || !hp) {
    throw new MlctlError('USAGE', `${label} does not record the training data it came from, so there is nothing to fine-tune on.`, {
      hint: 'Pass --data <train.csv> (labelled, with the training columns), or prune without --fine-tune-epochs.',
    });
  }
  const { resolveStoredPath } = await import('./templates.js');
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
    throw new MlctlError(
      'INVALID_DATA',
      `The training data ${path} changed since ${label} was trained (sha256 differs), so its training rows cannot be recovered.`,
      {
        hint: 'Restore the original file, or pass --data <train.csv>.',
      },
    );
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
  const stored = record.split?.testRows;
  if (stored) {
    const expected = decodeTestSplit(stored);
    const got = Int32Array.from(prepared.indices.test).sort();
    if (expected.length !== got.length || expected.some((v, i) => v !== got[i])) {
      throw new MlctlError(
        'INVALID_DATA',
        `Re-splitting ${path} does not give ${label}'s test split, so its training rows cannot be recovered.`,
        {
          hint: 'Pass --data <train.csv>, or prune without --fine-tune-epochs.',
        },
      );
    }
  }
  // the parent's own encoding (the refitted signature would be the same; this makes sure)
  const train = prepareEvaluationData(signature, table, { indices: prepared.indices.train });
  const validation =
    prepared.indices.validation.length > 0 ? prepareEvaluationData(signature, table, { indices: prepared.indices.validation }) : null;
  return {
    source: 'record',
    path: record.dataset.path,
    train: { x: train.x, y: train.y, n: train.rows.length },
    validation: validation ? { x: validation.x, y: validation.y, n: validation.rows.length } : null,
    task,
    signature,
  };
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

/** Optimizer settings for fine-tuning: the parent's own optimizer, learning rate and batch size. */
export function fineTuneSettings(record: SourceVersion['record']): {
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  seed: number;
} {
  const hp = record.hyperparameters;
  return {
    optimizer: hp?.optimizer ?? 'adam',
    learningRate: hp?.learningRate ?? 0.003,
    batchSize: hp?.batchSize ?? 32,
    seed: record.seed ?? hp?.seed ?? 42,
  };
}

/**
 * Fine-tune the pruned parent: masks from magnitude pruning (recomputed from the current weights
 * whenever the schedule's target changes), training with `ModelHandle.fit({mask})`, which holds
 * masked weights at exactly zero before training and after every update.
 */
export async function fineTune(options: FineTuneOptions): Promise<{ weights: NamedWeight[]; report: FineTuneReport }> {
  const { openModel } = await import('../engine/model-handle.js');
  const { criterion } = options.prune;
  const target = 'sparsity' in criterion ? criterion.sparsity : null;
  const perEpoch =
    target === null ? new Array<number>(options.epochs).fill(NaN) : fineTuneSchedule(options.schedule, target, options.epochs);
  const settings = fineTuneSettings(options.source.record);
  const handle = await openModel(options.source.dir, options.backend ?? 'auto');
  try {
    const floatNames = new Set(options.weights.map((w) => w.name));
    let weights = options.weights;
    let masks = new Map<string, Uint8Array>();
    let finalLoss: number | null = null;
    let bestEpoch: number | null = null;
    let e = 0;
    while (e < options.epochs) {
      // one fit call per run of epochs with the same target: the constant schedule is one call
      const start = e;
      const same = (i: number) => (Number.isNaN(perEpoch[start]) ? Number.isNaN(perEpoch[i]) : perEpoch[i] === perEpoch[start]);
      let run = 1;
      while (start + run < options.epochs && same(start + run)) run++;
      const pruned = magnitudePrune(
        weights,
        target === null ? options.prune : { ...options.prune, criterion: { sparsity: perEpoch[start] } },
      );
      masks = pruned.masks;
      handle.writeWeights(pruned.weights.filter((w, i) => w !== weights[i]));
      // the last run trains at the final sparsity: with validation rows it keeps its best epoch
      const last = start + run === options.epochs;
      const validation = last ? options.data.validation : null;
      const result = await handle.fit(validation ? { ...options.data.train, validation } : options.data.train, {
        epochs: run,
        ...(validation ? { earlyStopping: { patience: run } } : {}),
        batchSize: Math.min(settings.batchSize, options.data.train.n),
        optimizer: settings.optimizer,
        learningRate: settings.learningRate,
        seed: settings.seed + start,
        task: options.data.task,
        mask: Object.fromEntries([...masks].map(([name, m]) => [name, Float32Array.from(m)])),
        onEpoch: (log) => {
          finalLoss = log.loss;
          options.onEpoch?.({
            epoch: start + log.epoch,
            epochs: options.epochs,
            sparsity: perEpoch[start + log.epoch - 1],
            loss: log.loss,
          });
        },
      });
      if (validation) bestEpoch = start + result.bestEpoch;
      weights = handle.readWeights().filter((w) => floatNames.has(w.name));
      e += run;
    }
    // masked weights are exactly zero by construction; applying the masks again costs nothing and guards it
    weights = applyMasks(weights, masks);
    return {
      weights,
      report: {
        epochs: options.epochs,
        schedule: options.schedule,
        sparsityPerEpoch: perEpoch.map((s) => (Number.isNaN(s) ? null : Number(s.toPrecision(6)))),
        rows: options.data.train.n,
        data: { source: options.data.source, path: options.data.path },
        optimizer: settings.optimizer,
        learningRate: settings.learningRate,
        batchSize: settings.batchSize,
        finalLoss,
        bestEpoch,
      },
    };
  } finally {
    handle.dispose();
  }
}
