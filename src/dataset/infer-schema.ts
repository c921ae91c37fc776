/**
 * Type inference and column choice for training, after the reference pipeline
 * (peers/cv_quality.py). A column is:
 * - numeric when every present value is a finite number (0/1 columns stay numeric);
 * - boolean when every present value is true/false/yes/no;
 * - datetime when every present value is an ISO 8601 date or date-time (kind 'date' or
 *   'datetime'), or every one is a time of day (kind 'time');
 * - else categorical. A categorical column may have any number of values: the signature keeps the
 *   `maxCategories` most frequent and folds the rest into one "other" category.
 * Statistics are taken over the rows that have a target (rows without one are dropped first).
 *
 * A column that is numeric (or dates) but for a few cells (at most 5% of its values, or any
 * number of cells shaped like broken numbers such as `12..5`, `1e999`, `Infinity`) is an error
 * naming each bad cell and its line, as is a feature column with no value at all; every column
 * with a problem is reported in the one error.
 *
 * Dropped with a warning (they cannot carry signal), unless named in `keep`:
 * - constant: one distinct present value. For a categorical column that also has missing values
 *   the column is kept, because "missing" is its own category and so carries signal; numeric and
 *   boolean columns are imputed with their one value and stay constant, so they are dropped.
 * - identifier: a categorical column whose values are all present and all distinct, or (20 values
 *   or more) at least 90% distinct: an ID, a name or free text.
 * - row number: a numeric column of unique integers, evenly spaced (90% of the gaps between
 *   sorted values equal), at least 10 of them: row ids, customer numbers.
 */
import { MlctlError } from '../errors.js';
import {
  brokenNumberReason,
  cellMoment,
  cellNumber,
  cellText,
  describeCell,
  isBooleanWord,
  isMissingCell,
  looksLikeMoment,
  type Cell,
} from './cell.js';
import { rowLabel, type Table } from './read-table.js';

export type Task = 'classification' | 'regression';
export type ColumnType = 'numeric' | 'boolean' | 'categorical' | 'datetime';
export type MomentKind = 'date' | 'datetime' | 'time';

export interface ColumnSchema {
  name: string;
  /** position of the column in the table's rows */
  index: number;
  type: ColumnType;
  /** datetime columns: dates, date-times or times of day */
  kind?: MomentKind;
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
  reason: 'constant' | 'identifier' | 'row-number';
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
  /** use these columns even when they look like IDs or constants */
  keep?: readonly string[];
  /** most distinct values a categorical column keeps before the rest become "other" (default 50) */
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

/** A column problem that stops training: bad cells in a numeric or date column, or no values at all. */
interface ColumnProblem {
  name: string;
  text: string;
  /** fix the cells (as opposed to only --ignore) */
  cells: boolean;
}

const MAX_SHOWN_CELLS = 3;

function badCellsProblem(table: Table, name: string, index: number, what: string, bad: { r: number; reason: string }[]): ColumnProblem {
  const shown = bad
    .slice(0, MAX_SHOWN_CELLS)
    .map(({ r, reason }) => `${describeCell(table.rows[r][index])} on ${rowLabel(table, r)} (${reason})`)
    .join(', ');
  const more = bad.length > MAX_SHOWN_CELLS ? `, and ${bad.length - MAX_SHOWN_CELLS} more` : '';
  return {
    name,
    text: `"${name}" ${what} except ${bad.length} value${bad.length === 1 ? '' : 's'}: ${shown}${more}`,
    cells: true,
  };
}

interface InferredColumn {
  column: ColumnSchema;
  problem?: ColumnProblem;
}

function inferColumn(table: Table, index: number, rows: number[]): InferredColumn {
  const name = table.columns[index];
  let missing = 0;
  let numbers = 0;
  let booleans = 0;
  const moments = { date: 0, datetime: 0, time: 0 };
  /** present cells that are not numbers: the first few, and whether all look like broken numbers / moments */
  const notNumbers: number[] = [];
  let allBrokenNumbers = true;
  const notMoments: number[] = [];
  let allBrokenMoments = true;
  const distinct = new Set<string>();
  for (const r of rows) {
    const cell = table.rows[r][index];
    if (isMissingCell(cell)) {
      missing++;
      continue;
    }
    const text = cellText(cell) as string;
    distinct.add(text);
    if (cellNumber(cell) !== null) numbers++;
    else {
      notNumbers.push(r);
      if (allBrokenNumbers && brokenNumberReason(cell) === null) allBrokenNumbers = false;
    }
    if (typeof cell === 'boolean' || isBooleanWord(text)) booleans++;
    const m = cellMoment(cell);
    if (m) moments[m.kind]++;
    else {
      notMoments.push(r);
      if (allBrokenMoments && !looksLikeMoment(cell)) allBrokenMoments = false;
    }
  }
  const present = rows.length - missing;
  const base = { name, index, missing };
  const fewBad = (bad: number, good: number, allShaped: boolean): boolean =>
    good > 0 && bad > 0 && (bad * 20 <= present || (allShaped && good * 5 >= present * 4));

  if (present === 0 || numbers === present) {
    // "1" and "1.0" are one value
    const values = new Set<number>();
    for (const r of rows) {
      const x = cellNumber(table.rows[r][index]) as number;
      if (!Number.isNaN(x)) values.add(x);
    }
    return { column: { ...base, type: 'numeric', distinct: values.size } };
  }
  if (booleans === present) {
    const values = new Set<string>();
    for (const t of distinct) values.add(/^(true|yes)$/i.test(t) ? 'true' : 'false');
    return { column: { ...base, type: 'boolean', distinct: values.size } };
  }
  const momentCount = moments.date + moments.datetime + moments.time;
  const mixedClock = moments.time > 0 && moments.time < momentCount;
  if (momentCount === present && !mixedClock) {
    const kind: MomentKind = moments.time > 0 ? 'time' : moments.datetime > 0 ? 'datetime' : 'date';
    return { column: { ...base, type: 'datetime', kind, distinct: distinct.size } };
  }
  const categorical: ColumnSchema = { ...base, type: 'categorical', distinct: distinct.size };
  if (fewBad(notNumbers.length, numbers, allBrokenNumbers)) {
    const bad = notNumbers.map((r) => ({ r, reason: brokenNumberReason(table.rows[r][index]) ?? 'not a number' }));
    return { column: categorical, problem: badCellsProblem(table, name, index, 'is numeric', bad) };
  }
  if (!mixedClock && fewBad(notMoments.length, momentCount, allBrokenMoments)) {
    const what = moments.time > 0 ? 'holds times of day' : 'holds dates';
    const bad = notMoments.map((r) => ({ r, reason: looksLikeMoment(table.rows[r][index]) ? 'no such date or time' : 'not a date' }));
    return { column: categorical, problem: badCellsProblem(table, name, index, what, bad) };
  }
  return { column: categorical };
}

/** Unique integers, at least 10, whose sorted gaps are (90% of them) one and the same: row ids. */
function isRowNumberColumn(table: Table, col: ColumnSchema, rows: number[]): boolean {
  if (col.type !== 'numeric' || col.missing > 0 || rows.length < 10 || col.distinct !== rows.length) return false;
  const values: number[] = [];
  for (const r of rows) {
    const x = cellNumber(table.rows[r][col.index]) as number;
    if (!Number.isInteger(x)) return false;
    values.push(x);
  }
  values.sort((a, b) => a - b);
  const gaps = new Map<number, number>();
  for (let i = 1; i < values.length; i++) {
    const g = values[i] - values[i - 1];
    gaps.set(g, (gaps.get(g) ?? 0) + 1);
  }
  const common = Math.max(...gaps.values());
  return common >= 0.9 * (values.length - 1);
}

/** A categorical column that names rows rather than describing them: all distinct, or nearly so. */
function isIdentifierColumn(col: ColumnSchema, rows: number): boolean {
  if (col.type !== 'categorical') return false;
  const present = rows - col.missing;
  return (col.missing === 0 && col.distinct === rows) || (present >= 20 && col.distinct >= 0.9 * present);
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
  const kept = options.keep?.length ? check(options.keep, '--keep') : [];
  for (const i of kept) if (!chosen.includes(i)) chosen.push(i);
  if (options.ignore?.length) {
    const ignored = new Set(check(options.ignore, '--ignore'));
    const both = kept.filter((i) => ignored.has(i));
    if (both.length > 0) {
      throw new MlctlError('USAGE', `--keep and --ignore both name "${table.columns[both[0]]}".`, {
        hint: 'Name each column in one of them only.',
      });
    }
    chosen = chosen.filter((i) => !ignored.has(i));
  }
  return chosen;
}

/** Infer feature types, choose the columns and the task. See the file comment for the rules. */
export function inferSchema(table: Table, options: InferSchemaOptions): InferSchemaResult {
  const targetIndex = findColumn(table, options.target, 'Target column');
  const featureIndexes = resolveFeatureNames(table, targetIndex, options);
  const keep = new Set(options.keep ?? []);
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
    const n = missingTarget.length;
    const labels = missingTarget.slice(0, 5).map((r) => rowLabel(table, r));
    const where = `${labels[0].split(' ')[0]}${n === 1 ? '' : 's'} ${labels.map((l) => l.split(' ')[1]).join(', ')}${n > 5 ? ', ...' : ''}`;
    warnings.push(`Dropped ${n} row${n === 1 ? '' : 's'} with no value in target "${options.target}" (${where}).`);
  }

  const features: ColumnSchema[] = [];
  const dropped: DroppedColumn[] = [];
  const problems: ColumnProblem[] = [];
  for (const i of featureIndexes) {
    const { column: col, problem } = inferColumn(table, i, rows);
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (col.missing === rows.length) {
      problems.push({ name: col.name, text: `"${col.name}" has no values (every row is empty or missing)`, cells: false });
      continue;
    }
    const keepIt = keep.has(col.name);
    const drop = (reason: DroppedColumn['reason'], why: string): void => {
      dropped.push({ name: col.name, reason });
      warnings.push(`Dropped column "${col.name}": ${why}, so it cannot help predict; --keep ${col.name} uses it anyway.`);
    };
    if (!keepIt && col.distinct <= 1 && (col.type !== 'categorical' || col.missing === 0)) {
      const value = describeCell(table.rows[rows.find((r) => !isMissingCell(table.rows[r][i])) as number][i]);
      drop('constant', `it has a single value (${value})`);
      continue;
    }
    if (!keepIt && isIdentifierColumn(col, rows.length)) {
      const present = rows.length - col.missing;
      drop(
        'identifier',
        col.distinct === present
          ? 'every value is different (an ID, a name or free text?)'
          : `${Math.floor((100 * col.distinct) / present)}% of its values are different (an ID, a name or free text?)`,
      );
      continue;
    }
    if (!keepIt && isRowNumberColumn(table, col, rows)) {
      drop('row-number', 'its values are unique, evenly spaced integers (a row number or an ID?)');
      continue;
    }
    features.push(col);
  }
  const targetProblem = options.task === 'classification' ? undefined : inferColumn(table, targetIndex, rows).problem;
  if (targetProblem) problems.unshift({ ...targetProblem, text: `target ${targetProblem.text}` });
  if (problems.length > 0) throw columnProblemsError(problems, options.target);
  // the target is checked after the features, so that every bad column is reported at once
  const target = inferTarget(table, targetIndex, rows, options.task);
  if (features.length === 0) {
    throw new MlctlError('INVALID_DATA', `No usable feature columns remain to predict "${options.target}".`, {
      hint: 'Every candidate column was dropped or ignored; check --features/--ignore/--keep and the warnings.',
    });
  }
  return { schema: { features, target, dropped }, warnings, rows, droppedRows: missingTarget.length };
}

function columnProblemsError(problems: ColumnProblem[], target: string): MlctlError {
  const names = problems.map((p) => p.name);
  const message =
    problems.length === 1
      ? `${problems[0].name === target ? 'The' : 'Column'} ${problems[0].text}.`
      : `${problems.length} columns have problems: ${problems.map((p) => p.text).join('; ')}.`;
  const features = names.filter((n) => n !== target);
  const ignore = features.length
    ? `leave ${features.length === 1 ? 'the column' : 'the columns'} out with --ignore ${features.join(',')}`
    : 'rows with an empty target are left out';
  const hint = problems.some((p) => p.cells)
    ? `Fix those cells or empty them (empty, NA, N/A, none, NaN, null and - mean missing), or ${ignore}.`
    : `${ignore[0].toUpperCase()}${ignore.slice(1)}.`;
  return new MlctlError('INVALID_DATA', message, { hint, details: { columns: names } });
}
