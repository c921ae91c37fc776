/**
 * mlctl as a library: `import { train, evaluate, openVersion, Registry } from 'mlctl'`.
 * The same core the CLI calls: typed options in, typed results out, errors as MlctlError.
 * Importing this module does not load TensorFlow.js; the verbs that run models load it on use.
 */

// the registry: versions, aliases, records
export { Registry } from './registry/registry.js';
export type { PublishOptions, PublishResult, VersionSelector, VerifyIssue } from './registry/registry.js';
// any registry by location: a folder or postgres://… (the PostgreSQL client loads only for the latter)
export { openRegistryStore } from './registry/open-registry.js';
export type { AliasMove, RegistryStore } from './registry/store.js';
export type {
  ClassificationMetricsSection,
  CrossValidationSection,
  DatasetFingerprint,
  FileEntry,
  HistorySection,
  FineTuneSection,
  IoSection,
  LayerSparsity,
  MetricChange,
  MetricComparison,
  MetricsSection,
  OutputDifference,
  PruningSection,
  QuantizationSection,
  SizeChange,
  TensorChange,
  RegressionMetricsSection,
  RungScore,
  SearchMember,
  SearchSection,
  SourceSection,
  SplitSection,
  TargetSection,
  TemplateSection,
  TrialRecord,
  VersionRecord,
} from './registry/version-record.js';
export { isClassificationMetrics, taskOf } from './registry/version-record.js';

// lifecycle verbs
export { train, type TrainOptions, type TrainProgress, type TrainResult } from './lifecycle/train.js';
export { tune, loadSearchSpace, type TuneOptions, type TuneProgress, type TuneResult } from './lifecycle/tune.js';
export type { SearchSnapshot } from './lifecycle/tune/search.js';
export { DEFAULT_SEARCH_SPACE, type SearchSpace, type TrialSettings } from './options/search-space.js';
export { evaluate, checkGates, type EvaluateOptions, type EvaluateResult, type GateResult } from './lifecycle/evaluate.js';
export { predict, type PredictOptions, type PredictResult } from './lifecycle/predict.js';
export { importModel, type ImportModelOptions, type ImportModelResult } from './lifecycle/import-model.js';
export { quantize, type QuantizeOptions, type QuantizeResult } from './lifecycle/quantize.js';
export { prune, type PruneOptions, type PruneResult } from './lifecycle/prune.js';
export { exportVersion, type ExportOptions, type ExportResult } from './lifecycle/export.js';
export type { CompressProgress } from './lifecycle/compression-report.js';
export { report, type ReportOptions, type ReportResult } from './report/report.js';
export { initProject, type InitOptions, type InitResult, type PlannedFile } from './lifecycle/init-project.js';
export {
  openVersion,
  readVersion,
  requireSignature,
  type OpenedVersion,
  type OpenVersionOptions,
  type ReadVersionOptions,
  type VersionInfo,
} from './lifecycle/open-version.js';
export type { ClassPrediction, Prediction, RowPredictions, ValuePrediction } from './lifecycle/predict-rows.js';
export { listVersions, type ListVersionsResult, type ModelSummary, type VersionSummary } from './lifecycle/list-versions.js';
export { showVersion, type ShowVersionResult } from './lifecycle/show-version.js';
export { diffVersions, type DiffVersionsResult } from './lifecycle/diff-versions.js';
export { setAlias, removeAlias, removeVersion } from './lifecycle/manage-aliases.js';
export { verifyRegistry, type VerifyRegistryResult } from './lifecycle/verify-registry.js';
export { resolveModelName } from './lifecycle/resolve-model.js';
export { childRecord, importRecord, trainRecord, tuneRecord, type RecordBasics } from './lifecycle/records.js';
export type { Metrics, ClassificationMetrics, RegressionMetrics } from './lifecycle/metrics.js';

// the engine's model handle (loads TensorFlow.js when called)
export {
  openModel,
  createMlp,
  createEnsemble,
  activateBackend,
  type ModelHandle,
  type NamedWeight,
  type FitOptions,
  type EnsembleMember,
} from './engine/model-handle.js';

// data and settings
export { readCsvFile, parseCsvText, type Table } from './dataset/read-table.js';
export { encodeFeatures, type Signature, type FeatureSpec, type FeatureRows } from './dataset/signature.js';
export { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from './options/train.js';
export type { Gates } from './options/evaluate.js';
export { loadConfig, type LoadedConfig } from './config/load-config.js';
export type { MlctlConfig } from './config/schema.js';

// vocabulary and errors
export {
  ACTIVATIONS,
  BACKEND_CHOICES,
  DEFAULT_REGISTRY_DIR,
  METADATA_FILE,
  MODEL_JSON_FILE,
  OPERATIONS,
  OPTIMIZERS,
  TASKS,
  TUNE_METRICS,
  type Activation,
  type BackendChoice,
  type Operation,
  type OptimizerName,
  type Task,
  type TuneMetric,
} from './vocabulary.js';
export { MlctlError, ERROR_CODES, EXIT, isMlctlError, type ErrorCode } from './errors.js';
export { mlctlVersion } from './version.js';
