/** Tabular data without tensors: reading, type inference, the signature, splits. Never imports TF.js. */
export { cellBoolean, cellNumber, cellText, isMissingCell, MISSING_TOKENS, type Cell } from './cell.js';
export {
  classLabelOf,
  DEFAULT_MAX_CATEGORIES,
  inferSchema,
  MAX_INTEGER_CLASSES,
  type ColumnSchema,
  type ColumnType,
  type DroppedColumn,
  type InferSchemaOptions,
  type InferSchemaResult,
  type Schema,
  type TargetSchema,
  type Task,
} from './infer-schema.js';
export {
  prepareEvaluationData,
  prepareTrainingData,
  type PreparedEvaluationData,
  type PreparedTrainingData,
  type PrepareEvaluationOptions,
  type PrepareTrainingOptions,
  type SplitParts,
} from './prepare.js';
export { parseCsvText, readCsvFile, readJsonRows, type CsvTable, type ReadCsvOptions, type Table, type TableSource } from './read-table.js';
export {
  classLabels,
  decodeRegression,
  encodeFeatures,
  encodeTargets,
  fitSignature,
  MISSING_CATEGORY,
  type EncodeOptions,
  type FeatureRows,
  type RowList,
  type TableRows,
  type FeatureSpec,
  type Signature,
  type TargetSpec,
} from './signature.js';
export { splitDataset, stratifiedKFold, type Fold, type Split, type SplitOptions } from './split.js';
