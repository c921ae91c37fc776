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
import type { TrainSettings } from '../options/train.js';
import type { Operation, Task } from '../vocabulary.js';

export type { Operation } from '../vocabulary.js';

export interface FileEntry {
  /** path relative to the version directory, POSIX separators */
  path: string;
  bytes: number;
  gzipBytes: number;
  sha256: string;
}

export interface DatasetFingerprint {
  /** the training data: absolute, or `<templates>/…` for a built-in template's CSV */
  path: string;
  sha256: string;
  rows: number;
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
  source?: SourceSection;
  io?: IoSection;
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
