/**
 * The one-call pipelines over a table: `prepareTrainingData` (infer the schema, split, fit the
 * signature on the training split only, encode all three splits) for `train`, and
 * `prepareEvaluationData` (encode features and targets with a stored signature) for `evaluate`
 * on new data. Both go through `encodeFeatures`/`encodeTargets`, the same path predict and serve use.
 */
import { MlctlError } from '../errors.js';
import { cellText, isMissingCell } from './cell.js';
import { inferSchema, type Schema, type Task } from './infer-schema.js';
import type { Table } from './read-table.js';
import {
  describeUnseen,
  encodeFeatures,
  encodeTargets,
  encodedMeans,
  fitSignature,
  MISSING_CATEGORY,
  OTHER_CATEGORY,
  type EncodeOptions,
  type Signature,
  type UnseenCategories,
} from './signature.js';
import { splitDataset } from './split.js';

export interface PrepareTrainingOptions {
  target: string;
  features?: readonly string[];
  ignore?: readonly string[];
  /** use these columns even when they look like IDs or constants */
  keep?: readonly string[];
  task?: Task;
  seed: number;
  /** default 0.2 of all rows */
  testFraction?: number;
  /** default 0.1 of all rows */
  validationFraction?: number;
  /** most categories a column keeps before the rest become "other" (default 50) */
  maxCategories?: number;
  /** stratify the split by class for classification (default true) */
  stratify?: boolean;
}

export interface SplitParts<T> {
  train: T;
  validation: T;
  test: T;
}

export interface PreparedTrainingData {
  signature: Signature;
  /** the inferred schema (column types, dropped columns, task and why) */
  schema: Schema;
  warnings: string[];
  /** names of the columns left out because they cannot carry signal */
  dropped: string[];
  /** rows left out because their target is missing */
  droppedRows: number;
  /** row-major, n × signature.inputSize */
  x: SplitParts<Float32Array>;
  /** class indices (classification) or standardised values (regression) */
  y: SplitParts<Int32Array | Float32Array>;
  /** indices into `table.rows` of each split's rows, in the order of x and y */
  indices: SplitParts<Int32Array>;
  n: SplitParts<number>;
}

/** Infer, split, fit on the training split, encode. */
export function prepareTrainingData(table: Table, options: PrepareTrainingOptions): PreparedTrainingData {
  const { schema, warnings, rows, droppedRows } = inferSchema(table, options);
  const targetIndex = schema.target.index;
  const targetCells = rows.map((r) => table.rows[r][targetIndex]);

  let labels: Int32Array | null = null;
  if (schema.target.task === 'classification') {
    const classes = schema.target.classes as string[];
    labels = encodeTargets(
      { features: [], target: { name: schema.target.name, task: 'classification', classes }, inputSize: 0, encodedNames: [] },
      targetCells,
    ) as Int32Array;
  }
  const parts = splitDataset({
    labels,
    n: rows.length,
    testFraction: options.testFraction,
    validationFraction: options.validationFraction,
    seed: options.seed,
    stratify: options.stratify,
    classNames: schema.target.classes ?? undefined,
  });
  for (const rare of parts.rareClasses) {
    warnings.push(
      rare.rows === 1
        ? `Class "${rare.name}" has only 1 row, too few to hold any out for validation or test; it is in the training split.`
        : `Class "${rare.name}" has only ${rare.rows} rows, too few to hold some out for validation and test; they are all in the training split.`,
    );
  }
  // positions among the kept rows -> row indices of the table
  const toTable = (p: Int32Array): Int32Array => p.map((i) => rows[i]);
  const indices: SplitParts<Int32Array> = {
    train: toTable(parts.train),
    validation: toTable(parts.validation),
    test: toTable(parts.test),
  };

  const trainRows = Array.from(indices.train, (r) => table.rows[r]);
  const signature = fitSignature(schema, trainRows, { maxCategories: options.maxCategories });
  warnings.push(...otherCategoryWarnings(signature, table, trainRows));
  const encode = (idx: Int32Array) => ({
    x: encodeFeatures(signature, table, { indices: idx, unknownCategory: 'ignore' }),
    y: encodeTargets(
      signature,
      Array.from(idx, (r) => table.rows[r][targetIndex]),
      idx.map((r) => r + 1),
    ),
  });
  const train = encode(indices.train);
  // the training means of the encoded inputs: the baseline `mlctl explain` attributes from
  signature.inputMeans = encodedMeans(train.x, indices.train.length, signature.inputSize);
  const validation = encode(indices.validation);
  const test = encode(indices.test);
  return {
    signature,
    schema,
    warnings,
    dropped: schema.dropped.map((d) => d.name),
    droppedRows,
    x: { train: train.x, validation: validation.x, test: test.x },
    y: { train: train.y, validation: validation.y, test: test.y },
    indices,
    n: { train: indices.train.length, validation: indices.validation.length, test: indices.test.length },
  };
}

/** For each column folded into "other": how many values and training rows went there. */
function otherCategoryWarnings(signature: Signature, table: Table, trainRows: Table['rows']): string[] {
  const out: string[] = [];
  for (const spec of signature.features) {
    if (spec.type !== 'categorical' || !spec.categories.includes(OTHER_CATEGORY)) continue;
    const index = table.columns.indexOf(spec.name);
    const known = new Set(spec.categories);
    const folded = new Set<string>();
    let rowsInOther = 0;
    for (const row of trainRows) {
      const t = cellText(row[index]);
      if (t !== null && !known.has(t)) {
        folded.add(t);
        rowsInOther++;
      }
    }
    const kept = spec.categories.filter((c) => c !== OTHER_CATEGORY && c !== MISSING_CATEGORY).length;
    const distinct = kept + folded.size;
    out.push(
      `Column "${spec.name}" has ${distinct} distinct values; the ${kept} most frequent are kept and the other ${folded.size} (${rowsInOther} of ${trainRows.length} training rows) are encoded as "other" (--max-categories sets how many are kept).`,
    );
  }
  return out;
}

export interface PrepareEvaluationOptions {
  /** default 'ignore': an unseen category encodes as all zeros */
  unknownCategory?: EncodeOptions['unknownCategory'];
  /** evaluate only these table rows (e.g. the stored test split); default all */
  indices?: ArrayLike<number>;
}

export interface PreparedEvaluationData {
  x: Float32Array;
  y: Int32Array | Float32Array;
  /** indices into `table.rows` of the rows encoded, in the order of x and y */
  rows: Int32Array;
  /** rows left out because their target is missing */
  droppedRows: number;
  /** categories the model did not know, per column */
  unseen: UnseenCategories;
  warnings: string[];
}

/** Encode a labelled table with a stored signature (rows without a target are left out). */
export function prepareEvaluationData(signature: Signature, table: Table, options: PrepareEvaluationOptions = {}): PreparedEvaluationData {
  const name = signature.target.name;
  const targetIndex = table.columns.indexOf(name);
  if (targetIndex === -1) {
    throw new MlctlError('INVALID_DATA', `Target column "${name}" not found; columns are: ${table.columns.join(', ')}.`, {
      hint: `Evaluation data needs the target column "${name}" the model was trained on.`,
    });
  }
  const candidates = options.indices ? Array.from(options.indices) : table.rows.map((_, i) => i);
  const kept: number[] = [];
  let droppedRows = 0;
  for (const r of candidates) {
    if (isMissingCell(table.rows[r][targetIndex])) droppedRows++;
    else kept.push(r);
  }
  if (kept.length === 0) {
    throw new MlctlError('INVALID_DATA', `No row has a value in target column "${name}".`, {
      hint: 'Evaluation data needs target values to compare predictions with.',
    });
  }
  const rows = Int32Array.from(kept);
  const warnings = droppedRows > 0 ? [`Skipped ${droppedRows} row${droppedRows === 1 ? '' : 's'} with no value in target "${name}".`] : [];
  const unseen: UnseenCategories = {};
  const x = encodeFeatures(signature, table, { indices: rows, unknownCategory: options.unknownCategory ?? 'ignore', unseen });
  const unseenNote = describeUnseen(signature, unseen);
  if (unseenNote) warnings.push(unseenNote);
  return {
    x,
    unseen,
    y: encodeTargets(
      signature,
      kept.map((r) => table.rows[r][targetIndex]),
      rows.map((r) => r + 1),
    ),
    rows,
    droppedRows,
    warnings,
  };
}
