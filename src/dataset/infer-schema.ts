/**
 * Type inference and column choice for training, after the reference pipeline
 * (peers/cv_quality.py): a column is numeric when every present value is a finite number, boolean
 * when every present value is true/false/yes/no (0/1 columns stay numeric), else categorical.
 * Statistics are taken over the rows that have a target (rows without one are dropped first).
 *
 * Dropped with a warning (they cannot carry signal):
 * - constant: one distinct present value. For a categorical column that also has missing values
 *   the column is kept, because "missing" is its own category and so carries signal; numeric and
 *   boolean columns are imputed with their one value and stay constant, so they are dropped.
 * - identifier: a categorical column whose values are all present and all distinct.
 * A feature column with no present value, or a categorical one with more than `maxCategories`
 * values, is an INVALID_DATA error that says which `--ignore` to use.
 *
 * Row numbers in messages are 1-based data rows (the header is not counted).
 */
import { MlctlError } from '../errors.js';
import { cellNumber, cellText, describeCell, isBooleanWord, isMissingCell, type Cell } from './cell.js';
import type { Table } from './read-table.js';

export type Task = 'classification' | 'regression';
export type ColumnType = 'numeric' | 'boolean' | 'categorical';

export interface ColumnSchema {
  name: string;
  /** position of the column in the table's rows */
  index: number;
  type: ColumnType;
  /** distinct present values (over rows with a target) */
  distinct: number;
  /** missing values (over rows with a target) */
  missing: number;
}

export interface TargetSchema {
  name: string;
  index: number;
  task: Task;
  /** why this task: given by the caller or inferred from the values */
  taskSource: 'given' | 'inferred';
  /** class labels (classification), in the order of the model's outputs; null for regression */
  classes: string[] | null;
}

export interface DroppedColumn {
  name: string;
  reason: 'constant' | 'identifier';
}

export interface Schema {
  /** the feature columns, in the order the model sees them */
  features: ColumnSchema[];
  target: TargetSchema;
  dropped: DroppedColumn[];
}

export interface InferSchemaOptions {
  target: string;
  /** use only these columns as features (default: every column but the target) */
  features?: readonly string[];
  /** leave these columns out */
  ignore?: readonly string[];
  /** most distinct values a categorical column may have (default 50) */
  maxCategories?: number;
  /** default: inferred (classification when non-numeric or <= 20 distinct integer values) */
  task?: Task;
}

export interface InferSchemaResult {
  schema: Schema;
  warnings: string[];
  /** indices into `table.rows` of the rows that have a target value (the rows to train on) */
  rows: number[];
  /** how many rows were dropped because their target is missing */
  droppedRows: number;
}

export const DEFAULT_MAX_CATEGORIES = 50;
/** a numeric target with at most this many distinct integer values is taken as classes */
export const MAX_INTEGER_CLASSES = 20;

const list = (names: readonly string[]): string => names.join(', ');

function findColumn(table: Table, name: string, what: string): number {
  const i = table.columns.indexOf(name);
  if (i === -1) {
    throw new MlctlError('INVALID_DATA', `${what} "${name}" not found; columns are: ${list(table.columns)}.`, {
      hint: 'Column names are matched exactly (case-sensitive) against the header row.',
    });
  }
  return i;
}

/**
 * The class label of a target cell: numbers in canonical form ("1.0" and 1 are class "1"),
 * other text trimmed. Shared with `encodeTargets` so training and evaluation agree.
 */
export function classLabelOf(cell: Cell): string | null {
  const x = cellNumber(cell);
  if (x === null) return cellText(cell);
  return Number.isNaN(x) ? null : String(x);
}

/** Sort class labels: numerically when they are all numbers, else by code unit (locale-free). */
export function sortClassLabels(labels: Iterable<string>): string[] {
  const all = [...labels];
  const nums = all.map((l) => cellNumber(l));
  if (nums.every((x) => typeof x === 'number' && !Number.isNaN(x))) {
    return all
      .map((l, i) => [l, nums[i] as number] as const)
      .sort((a, b) => a[1] - b[1])
      .map((p) => p[0]);
  }
  return all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function inferTarget(table: Table, index: number, rows: number[], task: Task | undefined): TargetSchema {
  const name = table.columns[index];
  let numeric = true;
  let integer = true;
  const labels = new Set<string>();
  let firstText = -1;
  for (const r of rows) {
    const cell = table.rows[r][index];
    const x = cellNumber(cell);
    if (x === null) {
      numeric = false;
      if (firstText === -1) firstText = r;
    } else if (!Number.isInteger(x)) integer = false;
    labels.add(classLabelOf(cell) as string);
  }
  const intClasses = numeric && integer && labels.size <= MAX_INTEGER_CLASSES;
  const resolved: Task = task ?? (!numeric || intClasses ? 'classification' : 'regression');
  if (resolved === 'regression' && !numeric) {
    throw new MlctlError(
      'INVALID_DATA',
      `Row ${firstText + 1}, column "${name}": ${describeCell(table.rows[firstText][index])} is not a number, so "${name}" cannot be a regression target.`,
      { hint: 'Fix or remove that row, or train a classifier with --task classification.' },
    );
  }
  if (resolved === 'classification' && labels.size < 2) {
    throw new MlctlError('INVALID_DATA', `Target column "${name}" has only one class (${[...labels][0]}).`, {
      hint: 'A classifier needs at least two classes in the target column.',
    });
  }
  if (resolved === 'regression' && rows.length < 2) {
    throw new MlctlError('INVALID_DATA', `Target column "${name}" has fewer than 2 values.`, {
      hint: 'Add more rows with a target value.',
    });
  }
  return {
    name,
    index,
    task: resolved,
    taskSource: task ? 'given' : 'inferred',
    classes: resolved === 'classification' ? sortClassLabels(labels) : null,
  };
}

function inferColumn(table: Table, index: number, rows: number[]): ColumnSchema {
  let numeric = true;
  let boolean = true;
  let missing = 0;
  const distinct = new Set<string>();
  for (const r of rows) {
    const cell = table.rows[r][index];
    if (isMissingCell(cell)) {
      missing++;
      continue;
    }
    const text = cellText(cell) as string;
    distinct.add(text);
    if (numeric && cellNumber(cell) === null) numeric = false;
    if (boolean && !(typeof cell === 'boolean' || isBooleanWord(text))) boolean = false;
  }
  const present = rows.length - missing;
  const type: ColumnType = present === 0 || numeric ? 'numeric' : boolean ? 'boolean' : 'categorical';
  let count = distinct.size;
  if (type === 'numeric') {
    // "1" and "1.0" are one value
    const values = new Set<number>();
    for (const r of rows) {
      const x = cellNumber(table.rows[r][index]) as number;
      if (!Number.isNaN(x)) values.add(x);
    }
    count = values.size;
  } else if (type === 'boolean') {
    const values = new Set<string>();
    for (const t of distinct) values.add(/^(true|yes)$/i.test(t) ? 'true' : 'false');
    count = values.size;
  }
  return { name: table.columns[index], index, type, distinct: count, missing };
}

function resolveFeatureNames(table: Table, targetIndex: number, options: InferSchemaOptions): number[] {
  const target = table.columns[targetIndex];
  const check = (names: readonly string[], flag: string): number[] =>
    names.map((n) => {
      const i = table.columns.indexOf(n);
      if (i === -1) {
        throw new MlctlError(
          'INVALID_DATA',
          `${flag} names column "${n}", which is not in the data; columns are: ${list(table.columns)}.`,
          {
            hint: 'Column names are matched exactly (case-sensitive) against the header row.',
          },
        );
      }
      if (i === targetIndex) {
        throw new MlctlError('INVALID_DATA', `${flag} names "${n}", which is the target column.`, {
          hint: `Leave "${target}" out of ${flag}; the target is never a feature.`,
        });
      }
      return i;
    });
  let chosen = options.features?.length
    ? [...new Set(check(options.features, '--features'))]
    : table.columns.map((_, i) => i).filter((i) => i !== targetIndex);
  if (options.ignore?.length) {
    const ignored = new Set(check(options.ignore, '--ignore'));
    chosen = chosen.filter((i) => !ignored.has(i));
  }
  return chosen;
}

/** Infer feature types, choose the columns and the task. See the file comment for the rules. */
export function inferSchema(table: Table, options: InferSchemaOptions): InferSchemaResult {
  const maxCategories = options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  const targetIndex = findColumn(table, options.target, 'Target column');
  const featureIndexes = resolveFeatureNames(table, targetIndex, options);
  const warnings: string[] = [];

  const rows: number[] = [];
  const missingTarget: number[] = [];
  table.rows.forEach((row, r) => (isMissingCell(row[targetIndex]) ? missingTarget : rows).push(r));
  if (rows.length === 0) {
    throw new MlctlError('INVALID_DATA', `Target column "${options.target}" has no values.`, {
      hint: 'Every row is missing the target; check the --target column name and the data.',
    });
  }
  if (missingTarget.length > 0) {
    const shown = missingTarget
      .slice(0, 5)
      .map((r) => r + 1)
      .join(', ');
    warnings.push(
      `Dropped ${missingTarget.length} row${missingTarget.length === 1 ? '' : 's'} with no value in target "${options.target}" (row${missingTarget.length === 1 ? '' : 's'} ${shown}${missingTarget.length > 5 ? ', ...' : ''}).`,
    );
  }
  const target = inferTarget(table, targetIndex, rows, options.task);

  const features: ColumnSchema[] = [];
  const dropped: DroppedColumn[] = [];
  for (const i of featureIndexes) {
    const col = inferColumn(table, i, rows);
    if (col.missing === rows.length) {
      throw new MlctlError('INVALID_DATA', `Column "${col.name}" has no values (every row is empty or missing).`, {
        hint: `Leave it out with --ignore ${col.name}.`,
      });
    }
    if (col.distinct <= 1 && (col.type !== 'categorical' || col.missing === 0)) {
      const value = describeCell(table.rows[rows.find((r) => !isMissingCell(table.rows[r][i])) as number][i]);
      dropped.push({ name: col.name, reason: 'constant' });
      warnings.push(`Dropped column "${col.name}": it has a single value (${value}), so it cannot help predict.`);
      continue;
    }
    if (col.type === 'categorical' && col.missing === 0 && col.distinct === rows.length) {
      dropped.push({ name: col.name, reason: 'identifier' });
      warnings.push(`Dropped column "${col.name}": every value is a different string (an ID?), so it cannot help predict.`);
      continue;
    }
    if (col.type === 'categorical' && col.distinct > maxCategories) {
      throw new MlctlError(
        'INVALID_DATA',
        `Column "${col.name}" has ${col.distinct} distinct values (more than ${maxCategories}); one-hot encoding it would need a column per value.`,
        { hint: `Leave it out with --ignore ${col.name}, or raise the limit with --max-categories.` },
      );
    }
    features.push(col);
  }
  if (features.length === 0) {
    throw new MlctlError('INVALID_DATA', `No usable feature columns remain to predict "${options.target}".`, {
      hint: 'Every candidate column was dropped or ignored; check --features/--ignore and the warnings.',
    });
  }
  return { schema: { features, target, dropped }, warnings, rows, droppedRows: missingTarget.length };
}
