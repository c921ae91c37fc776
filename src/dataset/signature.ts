/**
 * The signature: everything needed to turn rows into the model's input numbers (and targets into
 * its outputs) again, identically, in train, evaluate, predict and serve. It is plain JSON and is
 * stored in every version's metadata.
 *
 * Encoding, column by column in `features` order:
 * - numeric: missing -> `fill` (the training mean), then z-score `(x - mean) / std`, where `std`
 *   is the POPULATION standard deviation of the training split (divide by n, as scikit-learn's
 *   StandardScaler), replaced by 1 when it is 0.
 * - boolean: true/yes/1 -> 1, false/no/0 -> 0, missing -> `fill` (training majority; a tie is 0).
 *   Not standardised.
 * - categorical: one-hot over `categories` (training vocabulary, sorted by code unit, then
 *   `__other__` when the column had more than `maxCategories` values in training: only the most
 *   frequent are kept (ties by name) and the rest, and any value met later that training did not
 *   have, encode as `__other__`; then `__missing__` when the training split had missing values:
 *   missing is its own category). A missing value without a `__missing__` slot, and an unknown
 *   value without an `__other__` slot under `unknownCategory: 'ignore'`, are all zeros.
 * - datetime (ISO 8601 dates, date-times or times of day): one column per part in `parts`
 *   (year, month, day of month, ISO weekday 1-7, hour of day with minutes as its fraction, and days
 *   since `origin`, the earliest training date), each z-scored with training statistics; a missing
 *   value encodes as the training mean (0). Parts that were constant in training are left out.
 *
 * Unknown categories (whether encoded as `__other__` or all zeros) are counted per column in
 * `EncodeOptions.unseen` when given, so evaluate and predict can report them.
 *
 * Older records (before `__other__` and datetime) hold only the first three kinds and encode as
 * they always did.
 *
 * Rows in messages are CSV lines when the rows come with `lines` (a CSV table), else 1-based
 * positions in the rows given.
 */
import { MlctlError } from '../errors.js';
import { DATE_PARTS, type DatePart } from '../vocabulary.js';
import { cellBoolean, cellMoment, cellNumber, cellText, describeCell, isoWeekday, type Cell, type IsoMoment } from './cell.js';
import { classLabelOf, DEFAULT_MAX_CATEGORIES, type MomentKind, type Schema } from './infer-schema.js';

export const MISSING_CATEGORY = '__missing__';
export const OTHER_CATEGORY = '__other__';

export { DATE_PARTS, type DatePart } from '../vocabulary.js';

export interface DatePartSpec {
  part: DatePart;
  mean: number;
  std: number;
}

export type FeatureSpec =
  | { name: string; type: 'numeric'; mean: number; std: number; fill: number }
  | { name: string; type: 'boolean'; fill: 0 | 1 }
  | { name: string; type: 'categorical'; categories: string[] }
  | { name: string; type: 'datetime'; kind: MomentKind; origin: string | null; parts: DatePartSpec[] };

export type TargetSpec =
  { name: string; task: 'classification'; classes: string[] } | { name: string; task: 'regression'; mean: number; std: number };

export interface Signature {
  features: FeatureSpec[];
  target: TargetSpec;
  /** width of an encoded row */
  inputSize: number;
  /** one name per encoded column: "petal_width", "color=red", "color=__missing__" */
  encodedNames: string[];
}

/**
 * Rows to encode: a table-like `{columns, rows}` (columns matched BY NAME; extra columns are
 * ignored), or an array whose rows are objects keyed by feature name or arrays in `features` order.
 */
export type FeatureRows = TableRows | RowList;
export interface TableRows {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** the CSV line of each row, for messages */
  readonly lines?: ArrayLike<number>;
}
export type RowList = readonly (readonly Cell[] | Readonly<Record<string, Cell>>)[];

export interface EncodeOptions {
  /** a category the training data did not have: `__other__` or all zeros ('ignore', default) or an error */
  unknownCategory?: 'ignore' | 'error';
  /** encode only these rows (indices into the rows given), in this order; messages still name the original row */
  indices?: ArrayLike<number>;
  /** filled with the unknown categories met, per column */
  unseen?: UnseenCategories;
  /** what messages call a feature: "column" (tables, default) or "feature" (rows sent to the server) */
  noun?: 'column' | 'feature';
}

/** Categories the model did not know, per column: how many rows, and the first few values. */
export type UnseenCategories = Record<string, { rows: number; distinct: number; values: string[] }>;

export interface FitOptions {
  /** most categories a column keeps before the rest become `__other__` (default 50) */
  maxCategories?: number;
}

const list = (names: readonly string[], max = 20): string =>
  names.length > max ? `${names.slice(0, max).join(', ')}, ... (${names.length} in all)` : names.join(', ');

/**
 * Fit the signature on the training rows only (arrays indexed like the table the schema was
 * inferred from). Class labels come from the schema (all rows), so a class that happens to miss
 * the training split still has an output.
 */
/**
 * Mean and population standard deviation (divide by n, as scikit-learn's StandardScaler) of a
 * column's present numeric values; a constant column gets std 1 so standardising never divides by 0.
 */
function columnStats(rows: readonly (readonly Cell[])[], index: number): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (const row of rows) {
    const x = cellNumber(row[index]);
    if (typeof x === 'number' && !Number.isNaN(x)) {
      n++;
      sum += x;
    }
  }
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (const row of rows) {
    const x = cellNumber(row[index]);
    if (typeof x === 'number' && !Number.isNaN(x)) ss += (x - mean) * (x - mean);
  }
  const std = n > 0 ? Math.sqrt(ss / n) : 0;
  return { mean, std: std > 0 ? std : 1 };
}

export function fitSignature(schema: Schema, trainRows: readonly (readonly Cell[])[], options: FitOptions = {}): Signature {
  const maxCategories = options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  const features: FeatureSpec[] = schema.features.map((col): FeatureSpec => {
    const i = col.index;
    if (col.type === 'numeric') {
      const { mean, std } = columnStats(trainRows, i);
      return { name: col.name, type: 'numeric', mean, std, fill: mean };
    }
    if (col.type === 'boolean') {
      let ones = 0;
      let zeros = 0;
      for (const row of trainRows) {
        const b = cellBoolean(row[i]);
        if (b === 1) ones++;
        else if (b === 0) zeros++;
      }
      return { name: col.name, type: 'boolean', fill: ones > zeros ? 1 : 0 };
    }
    if (col.type === 'datetime') return fitDatetime(col.name, col.kind ?? 'datetime', trainRows, i);
    const counts = new Map<string, number>();
    let missing = false;
    for (const row of trainRows) {
      const t = cellText(row[i]);
      if (t === null) missing = true;
      else counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    let names = [...counts.keys()];
    const other = names.length > maxCategories;
    if (other) names = names.sort((a, b) => (counts.get(b) as number) - (counts.get(a) as number) || byName(a, b)).slice(0, maxCategories);
    const categories = names.sort(byName);
    if (other) categories.push(OTHER_CATEGORY);
    if (missing) categories.push(MISSING_CATEGORY);
    return { name: col.name, type: 'categorical', categories };
  });

  let target: TargetSpec;
  if (schema.target.task === 'classification') {
    target = { name: schema.target.name, task: 'classification', classes: [...(schema.target.classes ?? [])] };
  } else {
    const { mean, std } = columnStats(trainRows, schema.target.index);
    target = { name: schema.target.name, task: 'regression', mean, std };
  }

  const encodedNames: string[] = [];
  for (const f of features) {
    if (f.type === 'categorical') for (const c of f.categories) encodedNames.push(`${f.name}=${c}`);
    else if (f.type === 'datetime') for (const p of f.parts) encodedNames.push(`${f.name}.${p.part}`);
    else encodedNames.push(f.name);
  }
  return { features, target, inputSize: encodedNames.length, encodedNames };
}

function partsOf(kind: MomentKind): DatePart[] {
  if (kind === 'time') return ['hour'];
  return kind === 'date' ? ['year', 'month', 'day', 'weekday', 'days'] : [...DATE_PARTS];
}

function partValue(m: IsoMoment, part: DatePart, originDays: number): number {
  switch (part) {
    case 'year':
      return m.year;
    case 'month':
      return m.month;
    case 'day':
      return m.day;
    case 'weekday':
      return isoWeekday(m);
    case 'hour':
      return m.hour;
    case 'days':
      return m.days - originDays;
  }
}

/** The ISO text of a day count since 1970 (date, or date-time when it has a time part). */
function isoOfDays(days: number, kind: MomentKind): string {
  const iso = new Date(Math.round(days * 86_400_000)).toISOString();
  return kind === 'date' ? iso.slice(0, 10) : iso.slice(0, 19);
}

function fitDatetime(name: string, kind: MomentKind, trainRows: readonly (readonly Cell[])[], i: number): FeatureSpec {
  const moments: IsoMoment[] = [];
  for (const row of trainRows) {
    const m = cellMoment(row[i]);
    if (m) moments.push(m);
  }
  let originDays = 0;
  if (kind !== 'time' && moments.length > 0) originDays = Math.min(...moments.map((m) => m.days));
  const all = partsOf(kind).map((part) => {
    const values = moments.map((m) => partValue(m, part, originDays));
    const n = values.length;
    const mean = n > 0 ? values.reduce((a, b) => a + b, 0) / n : 0;
    const std = n > 0 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / n) : 0;
    return { part, mean, std };
  });
  // a part that never varied in training (every date in one year) adds nothing; keep at least one
  let parts = all.filter((p) => p.std > 0);
  if (parts.length === 0) parts = [all[all.length - 1]];
  return {
    name,
    type: 'datetime',
    kind,
    origin: kind === 'time' ? null : isoOfDays(originDays, kind),
    parts: parts.map((p) => ({ part: p.part, mean: p.mean, std: p.std > 0 ? p.std : 1 })),
  };
}

/** Per-signature lookup structures, built once (serving encodes every request with them). */
interface Compiled {
  names: string[];
  /** offset of each feature's first encoded column */
  offsets: Int32Array;
  vocab: (Map<string, number> | null)[];
  missingSlot: Int32Array;
  otherSlot: Int32Array;
  /** datetime features: days since 1970 of the origin */
  originDays: Float64Array;
  classIndex: Map<string, number> | null;
}

const compiledCache = new WeakMap<Signature, Compiled>();

function compile(signature: Signature): Compiled {
  let c = compiledCache.get(signature);
  if (c) return c;
  const f = signature.features;
  const offsets = new Int32Array(f.length);
  const missingSlot = new Int32Array(f.length).fill(-1);
  const otherSlot = new Int32Array(f.length).fill(-1);
  const originDays = new Float64Array(f.length);
  const vocab: (Map<string, number> | null)[] = [];
  let offset = 0;
  f.forEach((spec, j) => {
    offsets[j] = offset;
    if (spec.type === 'categorical') {
      const m = new Map<string, number>();
      spec.categories.forEach((cat, k) => {
        if (cat === MISSING_CATEGORY) missingSlot[j] = k;
        else if (cat === OTHER_CATEGORY) otherSlot[j] = k;
        else m.set(cat, k);
      });
      vocab.push(m);
      offset += spec.categories.length;
    } else if (spec.type === 'datetime') {
      const origin = spec.origin === null ? null : cellMoment(spec.origin);
      if (spec.origin !== null && !origin) {
        throw new MlctlError(
          'INVALID_MODEL',
          `The signature's origin date for "${spec.name}" (${JSON.stringify(spec.origin)}) is not an ISO date.`,
          {
            hint: 'The version metadata is inconsistent; run "mlctl version verify".',
          },
        );
      }
      originDays[j] = origin ? origin.days : 0;
      vocab.push(null);
      offset += spec.parts.length;
    } else {
      vocab.push(null);
      offset += 1;
    }
  });
  if (offset !== signature.inputSize) {
    throw new MlctlError(
      'INVALID_MODEL',
      `The signature's inputSize is ${signature.inputSize} but its features encode to ${offset} columns.`,
      {
        hint: 'The version metadata is inconsistent; run "mlctl version verify".',
      },
    );
  }
  const classIndex = signature.target.task === 'classification' ? new Map(signature.target.classes.map((l, k) => [l, k] as const)) : null;
  c = { names: f.map((s) => s.name), offsets, vocab, missingSlot, otherSlot, originDays, classIndex };
  compiledCache.set(signature, c);
  return c;
}

function isTableLike(rows: FeatureRows): rows is TableRows {
  return !Array.isArray(rows);
}

/** Read one feature of one row; throws with the row number and column name. */
type CellReader = (row: number) => Cell;

/** At most this many bad cells are named in one error. */
const MAX_REPORTED_CELLS = 5;

/**
 * Encode rows into a row-major Float32Array of `n * signature.inputSize` numbers.
 * Throws INVALID_DATA for a feature column the data lacks, a row of the wrong width or with a
 * key missing, and, in one error naming each (up to 5), cells that do not fit their column: a
 * non-number in a numeric column, a non-boolean in a boolean column, a non-date in a datetime
 * column and (with `unknownCategory: 'error'`) a category the model does not know, unless its
 * column has an `__other__` slot, where every value outside the kept ones encodes as "other".
 */
export function encodeFeatures(signature: Signature, input: FeatureRows, options: EncodeOptions = {}): Float32Array {
  const c = compile(signature);
  const errorOnUnknown = options.unknownCategory === 'error';
  const unseen = options.unseen;
  const noun = options.noun ?? 'column';
  const features = signature.features;
  const width = signature.inputSize;
  const total = isTableLike(input) ? input.rows.length : input.length;
  const indices = options.indices;
  const n = indices ? indices.length : total;
  const out = new Float32Array(n * width);
  const lines = isTableLike(input) ? input.lines : undefined;
  const where = (r: number): string => (lines ? `Line ${lines[r]}` : `Row ${r + 1}`);

  // one reader per feature, with the column position worked out once
  let readers: CellReader[];
  if (isTableLike(input)) {
    const absent = c.names.filter((name) => !input.columns.includes(name));
    if (absent.length > 0) {
      throw new MlctlError(
        'INVALID_DATA',
        `Column${absent.length === 1 ? '' : 's'} ${absent.map((a) => `"${a}"`).join(', ')} ${absent.length === 1 ? 'is' : 'are'} missing from the data; the model needs: ${list(c.names)}.`,
        { hint: 'Add the column (names are matched to the training header, case-sensitive); extra columns are ignored.' },
      );
    }
    const rows = input.rows;
    readers = c.names.map((name) => {
      const col = input.columns.indexOf(name);
      return (r: number) => rows[r][col];
    });
  } else {
    const rows = input;
    readers = c.names.map((name, j) => (r: number) => {
      const row = rows[r];
      if (Array.isArray(row)) {
        if (row.length !== features.length) {
          throw new MlctlError(
            'INVALID_DATA',
            `Row ${r + 1} has ${row.length} value${row.length === 1 ? '' : 's'}; the model needs ${features.length} (${list(c.names)}).`,
            { hint: 'Give one value per feature in that order, or send objects keyed by feature name.' },
          );
        }
        return (row as readonly Cell[])[j];
      }
      if (typeof row !== 'object' || row === null) {
        throw new MlctlError('INVALID_DATA', `Row ${r + 1} is neither an array nor an object.`, {
          hint: 'Send each row as [value, ...] or {"feature": value, ...}.',
        });
      }
      const v = (row as Readonly<Record<string, Cell>>)[name];
      return Object.prototype.hasOwnProperty.call(row, name) ? v : undefined;
    });
  }

  const absentError = (r: number, name: string): MlctlError =>
    new MlctlError('INVALID_DATA', `Row ${r + 1}: ${noun} "${name}" is missing; the model needs: ${list(c.names)}.`, {
      hint: 'Give every feature (use null for an unknown value).',
    });

  const unseenValues = new Map<string, Set<string>>();
  // bad cells: collected (the first few named), thrown together at the end
  const bad: { text: string; hint: string }[] = [];
  let badCount = 0;
  const reject = (r: number, name: string, cell: Cell, what: string, hint: string): void => {
    badCount++;
    if (bad.length < MAX_REPORTED_CELLS) bad.push({ text: `${where(r)}, ${noun} "${name}": ${describeCell(cell)} ${what}`, hint });
  };

  for (let k = 0; k < n; k++) {
    const r = indices ? indices[k] : k;
    const base = k * width;
    for (let j = 0; j < features.length; j++) {
      const spec = features[j];
      const cell = readers[j](r);
      if (cell === undefined) throw absentError(r, spec.name);
      const at = base + c.offsets[j];
      if (spec.type === 'numeric') {
        let x = cellNumber(cell);
        if (x === null) {
          reject(
            r,
            spec.name,
            cell,
            'is not a number',
            `"${spec.name}" is numeric; give a number, or leave it empty (or null) to use the training mean.`,
          );
          continue;
        }
        if (x !== x) x = spec.fill; // NaN: missing
        out[at] = (x - spec.mean) / spec.std;
      } else if (spec.type === 'boolean') {
        const b = cellBoolean(cell);
        if (b === null) {
          reject(
            r,
            spec.name,
            cell,
            'is not true/false or yes/no',
            `"${spec.name}" is a yes/no column; give true, false, yes, no, 1 or 0 (or leave it empty).`,
          );
          continue;
        }
        out[at] = b !== b ? spec.fill : b;
      } else if (spec.type === 'datetime') {
        if (cellText(cell) === null) continue; // missing: the training mean of every part, i.e. 0
        const m = cellMoment(cell);
        if (!m || (spec.kind === 'time') !== (m.kind === 'time')) {
          reject(
            r,
            spec.name,
            cell,
            spec.kind === 'time' ? 'is not a time of day' : 'is not an ISO date',
            spec.kind === 'time'
              ? `"${spec.name}" holds times of day; give e.g. 08:30 (or leave it empty).`
              : `"${spec.name}" holds dates; give e.g. 2024-03-01 or 2024-03-01T08:30 (or leave it empty).`,
          );
          continue;
        }
        const origin = c.originDays[j];
        for (let p = 0; p < spec.parts.length; p++) {
          const part = spec.parts[p];
          out[at + p] = (partValue(m, part.part, origin) - part.mean) / part.std;
        }
      } else {
        const t = cellText(cell);
        if (t === null) {
          const slot = c.missingSlot[j];
          if (slot >= 0) out[at + slot] = 1;
          continue;
        }
        const slot = (c.vocab[j] as Map<string, number>).get(t);
        if (slot !== undefined) {
          out[at + slot] = 1;
          continue;
        }
        // a column with an "other" slot was trained with its rare values folded there: any value
        // outside the kept ones is valid input and encodes as "other", even under 'error'
        if (errorOnUnknown && c.otherSlot[j] < 0) {
          const known = spec.categories.filter((cat) => cat !== MISSING_CATEGORY && cat !== OTHER_CATEGORY);
          reject(
            r,
            spec.name,
            cell,
            `is not a category the model knows (${list(known)})`,
            'Use one of the categories seen in training (matching is case-sensitive).',
          );
          continue;
        }
        if (c.otherSlot[j] >= 0) out[at + c.otherSlot[j]] = 1;
        if (unseen) {
          const u = (unseen[spec.name] ??= { rows: 0, distinct: 0, values: [] });
          let seen = unseenValues.get(spec.name);
          if (!seen) unseenValues.set(spec.name, (seen = new Set(u.values)));
          u.rows++;
          if (!seen.has(t)) {
            seen.add(t);
            u.distinct++;
            if (u.values.length < 3) u.values.push(t);
          }
        }
      }
    }
  }
  if (badCount > 0) {
    const more = badCount > bad.length ? `; and ${badCount - bad.length} more` : '';
    const texts = bad.map((b, i) => (i === 0 ? b.text : b.text[0].toLowerCase() + b.text.slice(1)));
    throw new MlctlError('INVALID_DATA', `${texts.join('; ')}${more}.`, {
      hint: bad[0].hint,
      details: { badCells: badCount },
    });
  }
  return out;
}

/** One line about the unknown categories met: column, rows, a few values, and how they were encoded. */
export function describeUnseen(signature: Signature, unseen: UnseenCategories): string | null {
  const columns = Object.keys(unseen);
  if (columns.length === 0) return null;
  const parts = columns.map((name) => {
    const u = unseen[name];
    const spec = signature.features.find((f) => f.name === name);
    // with an "other" slot the value may have been seen in training and folded there (too rare to keep)
    const how =
      spec?.type === 'categorical' && spec.categories.includes(OTHER_CATEGORY)
        ? 'not among its kept categories, encoded as "other"'
        : 'never seen in training, encoded as all zeros';
    const shown = u.values.map((v) => JSON.stringify(v)).join(', ');
    return `"${name}" in ${u.rows} row${u.rows === 1 ? '' : 's'} (${shown}${u.distinct > u.values.length ? `, … ${u.distinct} values` : ''}; ${how})`;
  });
  return `Categories outside the model's vocabulary: ${parts.join('; ')}.`;
}

/**
 * Encode target values: class indices (Int32Array) for classification, standardised values
 * (Float32Array) for regression. Every value must be present; an unknown class or a non-number
 * is INVALID_DATA naming the row (1-based position in `values`, or `rowNumbers[i]` when given).
 */
export function encodeTargets(signature: Signature, values: readonly Cell[], rowNumbers?: ArrayLike<number>): Int32Array | Float32Array {
  const target = signature.target;
  const rowOf = (i: number): number => (rowNumbers ? rowNumbers[i] : i + 1);
  const missing = (i: number): MlctlError =>
    new MlctlError('INVALID_DATA', `Row ${rowOf(i)}: the target "${target.name}" is missing.`, {
      hint: 'Give every row a target value, or drop the rows without one.',
    });
  if (target.task === 'classification') {
    const index = compile(signature).classIndex as Map<string, number>;
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const label = classLabelOf(values[i]);
      if (label === null) throw missing(i);
      const k = index.get(label);
      if (k === undefined) {
        throw new MlctlError(
          'INVALID_DATA',
          `Row ${rowOf(i)}, column "${target.name}": class ${JSON.stringify(label)} was not in the training data; the model knows: ${list(target.classes)}.`,
          { hint: 'Evaluate on data with the classes the model was trained on, or retrain with this class.' },
        );
      }
      out[i] = k;
    }
    return out;
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = cellNumber(values[i]);
    if (x === null) {
      throw new MlctlError('INVALID_DATA', `Row ${rowOf(i)}, column "${target.name}": ${describeCell(values[i])} is not a number.`, {
        hint: `The target "${target.name}" is a regression target; give numbers.`,
      });
    }
    if (Number.isNaN(x)) throw missing(i);
    out[i] = (x - target.mean) / target.std;
  }
  return out;
}

/** Model outputs of a regression model back in the target's original units. */
export function decodeRegression(signature: Signature, values: ArrayLike<number>): number[] {
  const target = signature.target;
  if (target.task !== 'regression') {
    throw new MlctlError('INTERNAL', `decodeRegression called for a ${target.task} model (this is a bug).`);
  }
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * target.std + target.mean;
  return out;
}

/** The class labels in output order; empty for a regression model. */
export function classLabels(signature: Signature): string[] {
  return signature.target.task === 'classification' ? [...signature.target.classes] : [];
}
