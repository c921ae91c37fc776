/**
 * The one reader of version records: checks the structure of every section a record has before
 * anyone uses it, so a damaged or hand-edited mlctl.json fails with the version and the field
 * named (INVALID_MODEL, exit 1) instead of a crash or a silently wrong prediction later.
 * Unknown top-level keys are kept and not checked (a newer mlctl may write more sections).
 */
import {
  arrayOf,
  boolean,
  finiteNumber,
  isPlainObject,
  literal,
  nonEmptyText,
  nonNegativeInt,
  nullable,
  numberOrNull,
  object,
  positiveInt,
  recordOf,
  text,
  type Problem,
  type Validator,
} from '../checks.js';
import { checkSignature, targetSpec } from '../dataset/signature-check.js';
import { MlctlError } from '../errors.js';
import { findSpaceProblem, TRIAL_KEYS } from '../options/search-space.js';
import { TRAIN_SETTINGS_OPTIONS } from '../options/train.js';
import { EXPLANATION_FILE, METADATA_FILE, OPERATIONS, PRUNE_SCHEDULES, QUANTIZE_DTYPES, TUNE_METRICS } from '../vocabulary.js';
import type { ExplanationRecord, VersionRecord } from './version-record.js';

const fileEntry = object({ path: nonEmptyText, bytes: nonNegativeInt, gzipBytes: nonNegativeInt, sha256: nonEmptyText });

const classMetrics = object({ label: text, precision: finiteNumber, recall: finiteNumber, f1: finiteNumber, support: nonNegativeInt });

const metrics: Validator = (v, path) => {
  if (isPlainObject(v) && 'accuracy' in v) {
    return object({
      accuracy: finiteNumber,
      macroF1: finiteNumber,
      macroPrecision: finiteNumber,
      macroRecall: finiteNumber,
      rows: nonNegativeInt,
      perClass: arrayOf(classMetrics),
      confusionMatrix: arrayOf(arrayOf(nonNegativeInt)),
      labels: arrayOf(text),
    })(v, path);
  }
  return object({ mae: numberOrNull, rmse: numberOrNull, r2: numberOrNull, rows: nonNegativeInt })(v, path);
};

/** Hyperparameters: each value against its train option's own check. */
const hyperparameters: Validator = (v, path) => {
  if (!isPlainObject(v)) return { path, expected: 'an object' };
  for (const [key, spec] of Object.entries(TRAIN_SETTINGS_OPTIONS)) {
    if (v[key] === undefined) return { path: `${path}.${key}`, expected: spec.kind.expected, missing: true };
    const expected = spec.kind.check(v[key]);
    if (expected) return { path: `${path}.${key}`, expected: expected.replace(/^expected /, '') };
  }
  return null;
};

const epochSummary = object(
  {
    epoch: positiveInt,
    epochs: positiveInt,
    loss: numberOrNull,
    acc: numberOrNull,
    mae: numberOrNull,
    valLoss: numberOrNull,
    valAcc: numberOrNull,
    valMae: numberOrNull,
    learningRate: finiteNumber,
    elapsedMs: finiteNumber,
  },
  ['acc', 'mae', 'valLoss', 'valAcc', 'valMae'],
);

const shape = arrayOf(arrayOf(nullable(nonNegativeInt)));

const sizeChange = object({ parent: nonNegativeInt, child: nonNegativeInt, ratio: finiteNumber });
const evaluation = nullable(
  object({
    data: object({ source: literal('test-split', 'file'), path: text, rows: nonNegativeInt }),
    changes: arrayOf(object({ metric: text, parent: numberOrNull, child: numberOrNull, delta: numberOrNull })),
  }),
);
const outputDifference = nullable(object({ path: text, rows: nonNegativeInt, maxAbs: finiteNumber }));
const criterion: Validator = (v, path) =>
  isPlainObject(v) && 'threshold' in v ? object({ threshold: finiteNumber })(v, path) : object({ sparsity: finiteNumber })(v, path);

/** A trial's settings: each value against its train option's own check. */
const trialSettings: Validator = (v, path) => {
  if (!isPlainObject(v)) return { path, expected: 'an object' };
  for (const key of TRIAL_KEYS) {
    const spec = TRAIN_SETTINGS_OPTIONS[key];
    if (v[key] === undefined) return { path: `${path}.${key}`, expected: spec.kind.expected, missing: true };
    const expected = spec.kind.check(v[key]);
    if (expected) return { path: `${path}.${key}`, expected: expected.replace(/^expected /, '') };
  }
  return null;
};

/** The recorded space: complete, every key checked as a --space file is. */
const searchSpace: Validator = (v, path) => {
  const p = findSpaceProblem(v, { partial: false });
  return p ? { path: p.key === '(root)' ? path : `${path}.${p.key}`, expected: `a search space (${p.key} ${p.problem})` } : null;
};

const rungScore = object({
  rung: nonNegativeInt,
  epochs: positiveInt,
  mean: numberOrNull,
  std: numberOrNull,
  folds: arrayOf(numberOrNull),
  bestEpochs: arrayOf(nonNegativeInt),
  epochsRun: arrayOf(nonNegativeInt),
  ms: finiteNumber,
});

const searchMember = object({ trial: positiveInt, epochs: positiveInt, seed: nonNegativeInt, mean: numberOrNull, std: numberOrNull });

const search = object(
  {
    strategy: literal('successive-halving'),
    metric: literal(...TUNE_METRICS),
    higherIsBetter: boolean,
    folds: positiveInt,
    rows: nonNegativeInt,
    validationShare: finiteNumber,
    seed: nonNegativeInt,
    eta: positiveInt,
    rungs: arrayOf(positiveInt),
    space: searchSpace,
    budget: object({
      trials: nullable(positiveInt),
      timeBudgetMs: nullable(finiteNumber),
      parallel: positiveInt,
      stoppedBy: literal('trials', 'time'),
      elapsedMs: finiteNumber,
    }),
    trials: arrayOf(
      object(
        {
          trial: positiveInt,
          bracket: positiveInt,
          settings: trialSettings,
          rungs: arrayOf(rungScore),
          status: literal('completed', 'stopped', 'diverged', 'unfinished'),
          diverged: object({ rung: nonNegativeInt, epoch: nonNegativeInt }),
          ms: finiteNumber,
        },
        ['diverged'],
      ),
    ),
    leaderboard: arrayOf(positiveInt),
    winner: searchMember,
    ensemble: arrayOf(searchMember),
    study: object({ name: nonEmptyText, workers: arrayOf(text), publishedBy: nonEmptyText }),
  },
  ['ensemble', 'study'],
);

/** Every section mlctl writes, by key. */
const SECTIONS: Readonly<Record<string, Validator>> = {
  template: object({ name: nonEmptyText, builtin: boolean, path: nullable(text) }),
  hyperparameters,
  seed: nonNegativeInt,
  dataset: object(
    {
      path: nonEmptyText,
      sha256: nonEmptyText,
      rows: nonNegativeInt,
      format: object({ encoding: nonEmptyText, delimiter: nonEmptyText, decimal: literal('.', ',', 'auto') }),
    },
    ['format'],
  ),
  signature: checkSignature,
  target: targetSpec,
  metrics,
  split: object({
    train: nonNegativeInt,
    validation: nonNegativeInt,
    test: nonNegativeInt,
    droppedRows: nonNegativeInt,
    droppedColumns: arrayOf(text),
    testRows: object({ encoding: literal('bitmap-base64'), datasetRows: nonNegativeInt, rows: nonNegativeInt, data: text }),
  }),
  history: object({ epochsRun: nonNegativeInt, bestEpoch: nonNegativeInt, stoppedEarly: boolean, epochs: arrayOf(epochSummary) }),
  crossValidation: object({
    folds: positiveInt,
    seed: nonNegativeInt,
    rows: nonNegativeInt,
    metrics: recordOf(object({ mean: numberOrNull, std: numberOrNull, folds: arrayOf(numberOrNull) })),
  }),
  search,
  source: object({ path: text, sha256: text, generatedBy: nullable(text), convertedBy: nullable(text) }),
  io: object({ inputShape: shape, outputShape: shape, parameters: nonNegativeInt }),
  quantization: object({
    dtype: literal(...QUANTIZE_DTYPES),
    method: literal('affine', 'step', 'float16'),
    step: nullable(finiteNumber),
    skipped: arrayOf(text),
    weightBytes: sizeChange,
    gzipBytes: sizeChange,
    maxWeightError: finiteNumber,
    tensors: arrayOf(object({ name: text, from: text, to: text, maxError: finiteNumber })),
    evaluation,
    outputDifference,
  }),
  pruning: object({
    criterion,
    scope: literal('global', 'per-layer'),
    skipped: arrayOf(text),
    sparsity: finiteNumber,
    layers: arrayOf(object({ layer: text, weights: nonNegativeInt, zeros: nonNegativeInt, sparsity: finiteNumber })),
    parentSparsity: finiteNumber,
    weightBytes: sizeChange,
    gzipBytes: sizeChange,
    maxWeightError: finiteNumber,
    fineTune: nullable(
      object({
        epochs: nonNegativeInt,
        schedule: literal(...PRUNE_SCHEDULES),
        sparsityPerEpoch: arrayOf(numberOrNull),
        rows: nonNegativeInt,
        data: object({ source: literal('record', 'file'), path: text }),
        optimizer: text,
        learningRate: finiteNumber,
        batchSize: positiveInt,
        finalLoss: numberOrNull,
        bestEpoch: nullable(positiveInt),
      }),
    ),
    evaluation,
    outputDifference,
  }),
  warnings: arrayOf(text),
};

const base = object({
  schema: literal(1),
  model: nonEmptyText,
  version: positiveInt,
  createdAt: text,
  operation: literal(...OPERATIONS),
  parent: nullable(positiveInt),
  files: arrayOf(fileEntry),
  mlctlVersion: text,
  tfjsVersion: nullable(text),
  backend: nullable(text),
  durationMs: nullable(finiteNumber),
});

/** The first problem of a record, or null when every field mlctl knows has the right shape. */
export function findRecordProblem(data: unknown): Problem | null {
  const p = base(data, '');
  if (p) return p;
  const record = data as Record<string, unknown>;
  for (const [key, check] of Object.entries(SECTIONS)) {
    if (record[key] === undefined) continue;
    const sp = check(record[key], key);
    if (sp) return sp;
  }
  return null;
}

/**
 * Checks a parsed mlctl.json and returns it typed; INVALID_MODEL naming the version and the field
 * when it does not have the shape mlctl wrote.
 */
export function parseVersionRecord(data: unknown, where: { model: string; version: number }): VersionRecord {
  const p = findRecordProblem(data);
  if (p) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${where.model} v${where.version}: ${METADATA_FILE} field "${p.path || '(root)'}" ${p.missing ? 'is missing' : 'is invalid'}: expected ${p.expected}.`,
      {
        hint: `The record was damaged or edited by hand; restore it from a backup, or remove the version ("mlctl version rm ${where.model} ${where.version} --force").`,
      },
    );
  }
  return data as VersionRecord;
}

const explanation = object({
  schema: literal(1),
  model: nonEmptyText,
  version: positiveInt,
  importance: object({
    method: literal('permutation'),
    metric: literal(...TUNE_METRICS),
    higherIsBetter: boolean,
    score: finiteNumber,
    repeats: positiveInt,
    seed: nonNegativeInt,
    data: object({ source: literal('test-split', 'file'), path: text, rows: nonNegativeInt }),
    features: arrayOf(object({ feature: text, mean: finiteNumber, std: finiteNumber, drops: arrayOf(finiteNumber) })),
    createdAt: text,
    mlctlVersion: text,
    durationMs: finiteNumber,
  }),
});

/**
 * Checks a parsed explanation.json and returns it typed; INVALID_MODEL naming the version and the
 * field when it does not have the shape mlctl wrote, or belongs to another version.
 */
export function parseExplanationRecord(data: unknown, where: { model: string; version: number }): ExplanationRecord {
  const p = explanation(data, '');
  const fail = (what: string): MlctlError =>
    new MlctlError('INVALID_MODEL', `${where.model} v${where.version}: ${EXPLANATION_FILE} ${what}.`, {
      hint: `Delete the file and run "mlctl explain ${where.model} --version ${where.version}" again.`,
    });
  if (p) throw fail(`field "${p.path || '(root)'}" ${p.missing ? 'is missing' : 'is invalid'}: expected ${p.expected}`);
  const e = data as ExplanationRecord;
  if (e.model !== where.model || e.version !== where.version) throw fail(`describes ${e.model} v${e.version}`);
  return e;
}
