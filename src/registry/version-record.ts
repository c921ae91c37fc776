/**
 * The metadata file mlctl writes into every version directory (`mlctl.json`). Everything mlctl
 * knows about a version lives here; model.json + weight shards stay stock TF.js.
 * Fields are camelCase like TF.js's own model.json.
 *
 * Every section is typed here, and `parseVersionRecord` (record-schema.ts) checks them when a
 * record is read, so readers use the fields as typed without casting. Builders for each
 * operation live in lifecycle/records.ts.
 */
import type { Signature } from '../dataset/signature.js';
import type { SearchSpace, TrialSettings } from '../options/search-space.js';
import type { TrainSettings } from '../options/train.js';
import type { Operation, PruneSchedule, QuantizeDtype, Task, TuneMetric } from '../vocabulary.js';

export type { Operation } from '../vocabulary.js';

export interface FileEntry {
  /** path relative to the version directory, POSIX separators */
  path: string;
  bytes: number;
  gzipBytes: number;
  sha256: string;
}

export interface DatasetFingerprint {
  /** the training data: `<templates>/…` (a built-in template's CSV), `<project>/…` (inside the folder that holds the registry), or absolute */
  path: string;
  sha256: string;
  rows: number;
  /** how the CSV was read (absent in older records: comma, UTF-8, decimal point) */
  format?: { encoding: string; delimiter: string; decimal: '.' | ',' | 'auto' };
}

/** The template a version was trained from. */
export interface TemplateSection {
  name: string;
  builtin: boolean;
  /** the template file (`<templates>/…` for a built-in), null when unknown */
  path: string | null;
}

/** What the model predicts, in the user's terms. */
export type TargetSection =
  { name: string; task: 'classification'; classes: string[] } | { name: string; task: 'regression'; mean: number; std: number };

export interface ClassMetricsSummary {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** rows whose true class is this one */
  support: number;
}

export interface ClassificationMetricsSection {
  accuracy: number;
  macroF1: number;
  macroPrecision: number;
  macroRecall: number;
  rows: number;
  perClass: ClassMetricsSummary[];
  /** confusionMatrix[true][predicted] counts, in the order of `labels` */
  confusionMatrix: number[][];
  labels: string[];
}

export interface RegressionMetricsSection {
  mae: number;
  rmse: number;
  r2: number;
  rows: number;
}

/** Metrics on the held-out test split (in the target's units for regression). */
export type MetricsSection = ClassificationMetricsSection | RegressionMetricsSection;

/** The held-out test split as a bitmap over the dataset's rows, so evaluate re-runs exactly those rows. */
export interface StoredTestSplit {
  encoding: 'bitmap-base64';
  /** rows in the dataset file (the bitmap's length in bits) */
  datasetRows: number;
  /** rows in the split */
  rows: number;
  data: string;
}

export interface SplitSection {
  train: number;
  validation: number;
  test: number;
  droppedRows: number;
  droppedColumns: string[];
  testRows: StoredTestSplit;
}

/** One epoch's figures as recorded (rounded to 6 significant digits). */
export interface EpochSummary {
  epoch: number;
  epochs: number;
  loss: number;
  acc?: number;
  mae?: number;
  valLoss?: number;
  valAcc?: number;
  valMae?: number;
  learningRate: number;
  elapsedMs: number;
}

export interface HistorySection {
  epochsRun: number;
  /** the epoch whose weights the version holds */
  bestEpoch: number;
  stoppedEarly: boolean;
  epochs: EpochSummary[];
}

export interface MetricSpread {
  mean: number;
  /** population standard deviation over folds */
  std: number;
  folds: number[];
}

export interface CrossValidationSection {
  folds: number;
  seed: number;
  rows: number;
  /** e.g. {accuracy: {mean, std, folds}, macroF1: …} or {r2, rmse, mae} */
  metrics: Record<string, MetricSpread>;
}

/** A trial's cross-validated score at one rung of successive halving. */
export interface RungScore {
  /** index into SearchSection.rungs */
  rung: number;
  epochs: number;
  /** the metric's mean and population std over the folds */
  mean: number;
  std: number;
  folds: number[];
  /** per fold: the epoch whose weights were scored (early stopping restores the best) */
  bestEpochs: number[];
  /** per fold: epochs trained */
  epochsRun: number[];
  /** training time of the rung's folds, summed */
  ms: number;
}

/**
 * completed: reached the last rung; stopped: successive halving dropped it after its last rung;
 * diverged: its loss became NaN/Infinity (ranked last); unfinished: the budget ran out (or the
 * search was stopped) before its next rung finished.
 */
export type TrialStatus = 'completed' | 'stopped' | 'diverged' | 'unfinished';

export interface TrialRecord {
  /** 1-based; trial i's settings depend only on the search seed and i */
  trial: number;
  /** successive-halving bracket (1 unless a time budget ran several) */
  bracket: number;
  settings: TrialSettings;
  rungs: RungScore[];
  status: TrialStatus;
  /** where it diverged */
  diverged?: { rung: number; epoch: number };
  /** training time of all its folds, summed */
  ms: number;
}

/** A model trained on the whole training split for the published version (the winner, or an ensemble member). */
export interface SearchMember {
  trial: number;
  /** epochs trained (the mean best epoch of the trial's folds at its last rung) */
  epochs: number;
  seed: number;
  /** the trial's cross-validated score at its last rung */
  mean: number;
  std: number;
}

/** How `mlctl tune` found the version: the space, every trial and its scores, the budget and the winner. */
export interface SearchSection {
  strategy: 'successive-halving';
  metric: TuneMetric;
  higherIsBetter: boolean;
  /** stratified k-fold cross-validation on the training rows (never the test split) */
  folds: number;
  /** training rows the folds cover */
  rows: number;
  /** share of each fold's training rows held out for early stopping */
  validationShare: number;
  seed: number;
  /** reduction factor: each rung keeps the best 1/eta and trains eta× longer */
  eta: number;
  /** epochs of each rung */
  rungs: number[];
  space: SearchSpace;
  budget: {
    trials: number | null;
    timeBudgetMs: number | null;
    parallel: number;
    /** what ended the search */
    stoppedBy: 'trials' | 'time';
    elapsedMs: number;
  };
  /** every trial, by number */
  trials: TrialRecord[];
  /** trial numbers, best first: the furthest rung reached, then the score there */
  leaderboard: number[];
  winner: SearchMember;
  /** with --ensemble k > 1: the k best trials, averaged into one model (the winner first) */
  ensemble?: SearchMember[];
  /** a search shared by several workers (`tune --study`): its name, the workers that ran trials, the one that published */
  study?: { name: string; workers: string[]; publishedBy: string };
}

/** Where an imported model came from. */
export interface SourceSection {
  path: string;
  sha256: string;
  generatedBy: string | null;
  convertedBy: string | null;
}

/** The input and output shapes of a model (as TF.js reports them; null = any size). */
export interface IoSection {
  inputShape: (number | null)[][];
  outputShape: (number | null)[][];
  parameters: number;
}

/** A size before (the parent) and after (this version); ratio = child / parent. */
export interface SizeChange {
  parent: number;
  child: number;
  ratio: number;
}

/** One metric of the parent and of this version on the same rows. */
export interface MetricChange {
  /** e.g. "accuracy", "macroF1", "f1[setosa]", "r2" */
  metric: string;
  parent: number;
  child: number;
  /** child − parent */
  delta: number;
}

/** Every metric's change against the parent, both scored on the same rows through the evaluate path. */
export interface MetricComparison {
  /** the parent's stored test split, or a --data file */
  data: { source: 'test-split' | 'file'; path: string; rows: number };
  changes: MetricChange[];
}

/** For a model without a signature: how far its outputs moved on --data rows. */
export interface OutputDifference {
  path: string;
  rows: number;
  /** largest |child − parent| over every output of every row */
  maxAbs: number;
}

/** How one weight's storage changed. */
export interface TensorChange {
  name: string;
  /** storage dtype in the parent and in this version (float32, float16, uint8, uint16) */
  from: string;
  to: string;
  maxError: number;
}

/** `mlctl quantize`: how the weights are stored now and what it cost. */
export interface QuantizationSection {
  dtype: QuantizeDtype;
  /** affine: each tensor's nudged min/max range; step: round(x/step)·step; float16: IEEE half */
  method: 'affine' | 'step' | 'float16';
  step: number | null;
  /** layers left as they were */
  skipped: string[];
  /** weight shards only (model.json excluded) */
  weightBytes: SizeChange;
  gzipBytes: SizeChange;
  maxWeightError: number;
  tensors: TensorChange[];
  evaluation: MetricComparison | null;
  outputDifference: OutputDifference | null;
}

export interface LayerSparsity {
  layer: string;
  /** kernel weights of the layer */
  weights: number;
  /** of which exactly zero */
  zeros: number;
  sparsity: number;
}

/** Fine-tuning after pruning (pruned weights held at zero). */
export interface FineTuneSection {
  epochs: number;
  schedule: PruneSchedule;
  /** the target sparsity of each epoch's masks (null: a threshold, not a target) */
  sparsityPerEpoch: (number | null)[];
  rows: number;
  /** the version's own training rows (re-derived from its record) or a --data file */
  data: { source: 'record' | 'file'; path: string };
  optimizer: string;
  learningRate: number;
  batchSize: number;
  finalLoss: number | null;
  /** the epoch whose weights were kept (lowest validation loss at the final sparsity); null without validation rows */
  bestEpoch: number | null;
}

/** `mlctl prune`: what was zeroed and what it cost. */
export interface PruningSection {
  criterion: { sparsity: number } | { threshold: number };
  scope: 'global' | 'per-layer';
  skipped: string[];
  /** zero kernel weights / all kernel weights, after pruning */
  sparsity: number;
  layers: LayerSparsity[];
  parentSparsity: number;
  weightBytes: SizeChange;
  gzipBytes: SizeChange;
  maxWeightError: number;
  fineTune: FineTuneSection | null;
  evaluation: MetricComparison | null;
  outputDifference: OutputDifference | null;
}

/** One raw column's permutation importance: how much the metric worsens when its values are shuffled across rows. */
export interface FeatureImportance {
  /** the raw column (a one-hot category or a date's parts are shuffled together, as one column) */
  feature: string;
  /** mean worsening of the metric over the repeats (positive: the model relies on the column) */
  mean: number;
  /** population standard deviation over the repeats */
  std: number;
  /** the worsening in each repeat */
  drops: number[];
}

/** `mlctl explain`'s global importance: permutation feature importance on raw columns. */
export interface ImportanceSection {
  method: 'permutation';
  metric: TuneMetric;
  higherIsBetter: boolean;
  /** the metric on the rows as they are */
  score: number;
  repeats: number;
  seed: number;
  data: { source: 'test-split' | 'file'; path: string; rows: number };
  /** ranked, most important first */
  features: FeatureImportance[];
  createdAt: string;
  mlctlVersion: string;
  durationMs: number;
}

/**
 * `explanation.json` beside a version's record: what `mlctl explain` measured. Unlike mlctl.json
 * (written once at publish) it is replaced, atomically, by each importance run; verify checks it.
 */
export interface ExplanationRecord {
  schema: 1;
  model: string;
  version: number;
  importance: ImportanceSection;
}

export interface VersionRecord {
  /** schema version of this record */
  schema: 1;
  model: string;
  version: number;
  createdAt: string;
  operation: Operation;
  parent: number | null;
  /** files of the version (model.json + shards), excluding this record itself */
  files: FileEntry[];
  mlctlVersion: string;
  tfjsVersion: string | null;
  backend: string | null;
  durationMs: number | null;
  /** operation-specific sections; each operation adds its own */
  template?: TemplateSection;
  hyperparameters?: TrainSettings;
  seed?: number;
  dataset?: DatasetFingerprint;
  /** the input signature: how raw rows become the model's inputs (dataset/signature.ts) */
  signature?: Signature;
  target?: TargetSection;
  metrics?: MetricsSection;
  split?: SplitSection;
  history?: HistorySection;
  crossValidation?: CrossValidationSection;
  /** how `mlctl tune` found this version */
  search?: SearchSection;
  source?: SourceSection;
  io?: IoSection;
  quantization?: QuantizationSection;
  pruning?: PruningSection;
  warnings?: string[];
}

/** The sections a child version (prune, quantize, …) inherits from its parent. */
export type InheritedSections = Pick<
  VersionRecord,
  'template' | 'hyperparameters' | 'seed' | 'dataset' | 'signature' | 'target' | 'split' | 'source' | 'io'
>;

export function isClassificationMetrics(m: MetricsSection): m is ClassificationMetricsSection {
  return 'accuracy' in m;
}

/** The task of a version: from its target, else its metrics; null for an imported model. */
export function taskOf(record: VersionRecord): Task | null {
  if (record.target) return record.target.task;
  if (record.metrics) return isClassificationMetrics(record.metrics) ? 'classification' : 'regression';
  return null;
}
