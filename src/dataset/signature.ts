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
 *   `__missing__` when the training split had missing values: missing is its own category).
 *   A missing value without a `__missing__` slot, and an unknown value under
 *   `unknownCategory: 'ignore'`, are all zeros.
 *
 * Row numbers in messages are 1-based positions in the rows given (for a table: data rows, the
 * header not counted).
 */
import { MlctlError } from '../errors.js';
import { cellBoolean, cellNumber, cellText, describeCell, type Cell } from './cell.js';
import { classLabelOf, type Schema } from './infer-schema.js';

export const MISSING_CATEGORY = '__missing__';

export type FeatureSpec =
  | { name: string; type: 'numeric'; mean: number; std: number; fill: number }
  | { name: string; type: 'boolean'; fill: 0 | 1 }
  | { name: string; type: 'categorical'; categories: string[] };

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
}
export type RowList = readonly (readonly Cell[] | Readonly<Record<string, Cell>>)[];

export interface EncodeOptions {
  /** a category the training data did not have: all zeros ('ignore', default) or an error */
  unknownCategory?: 'ignore' | 'error';
  /** encode only these rows (indices into the rows given), in this order; messages still name the original row */
  indices?: ArrayLike<number>;
  /** what messages call a feature: "column" (tables, default) or "feature" (rows sent to the server) */
  noun?: 'column' | 'feature';
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

export function fitSignature(schema: Schema, trainRows: readonly (readonly Cell[])[]): Signature {
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
    const seen = new Set<string>();
    let missing = false;
    for (const row of trainRows) {
      const t = cellText(row[i]);
      if (t === null) missing = true;
      else seen.add(t);
    }
    const categories = [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
    else encodedNames.push(f.name);
  }
  return { features, target, inputSize: encodedNames.length, encodedNames };
}

/** Per-signature lookup structures, built once (serving encodes every request with them). */
interface Compiled {
  names: string[];
  /** offset of each feature's first encoded column */
  offsets: Int32Array;
  vocab: (Map<string, number> | null)[];
  missingSlot: Int32Array;
  classIndex: Map<string, number> | null;
}

const compiledCache = new WeakMap<Signature, Compiled>();

function compile(signature: Signature): Compiled {
  let c = compiledCache.get(signature);
  if (c) return c;
  const f = signature.features;
  const offsets = new Int32Array(f.length);
  const missingSlot = new Int32Array(f.length).fill(-1);
  const vocab: (Map<string, number> | null)[] = [];
  let offset = 0;
  f.forEach((spec, j) => {
    offsets[j] = offset;
    if (spec.type === 'categorical') {
      const m = new Map<string, number>();
      spec.categories.forEach((cat, k) => {
        if (cat === MISSING_CATEGORY) missingSlot[j] = k;
        else m.set(cat, k);
      });
      vocab.push(m);
      offset += spec.categories.length;
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
  c = { names: f.map((s) => s.name), offsets, vocab, missingSlot, classIndex };
  compiledCache.set(signature, c);
  return c;
}

function isTableLike(rows: FeatureRows): rows is TableRows {
  return !Array.isArray(rows);
}

/** Read one feature of one row; throws with the row number and column name. */
type CellReader = (row: number) => Cell;

/**
 * Encode rows into a row-major Float32Array of `n * signature.inputSize` numbers.
 * Throws INVALID_DATA for a feature column the data lacks, a row of the wrong width or with a
 * key missing, a non-number in a numeric column, a non-boolean in a boolean column, and (with
 * `unknownCategory: 'error'`) a category the model does not know.
 */
export function encodeFeatures(signature: Signature, input: FeatureRows, options: EncodeOptions = {}): Float32Array {
  const c = compile(signature);
  const errorOnUnknown = options.unknownCategory === 'error';
  const noun = options.noun ?? 'column';
  const features = signature.features;
  const width = signature.inputSize;
  const total = isTableLike(input) ? input.rows.length : input.length;
  const indices = options.indices;
  const n = indices ? indices.length : total;
  const out = new Float32Array(n * width);

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
          throw new MlctlError('INVALID_DATA', `Row ${r + 1}, ${noun} "${spec.name}": ${describeCell(cell)} is not a number.`, {
            hint: `"${spec.name}" is numeric; give a number, or leave it empty (or null) to use the training mean.`,
          });
        }
        if (x !== x) x = spec.fill; // NaN: missing
        out[at] = (x - spec.mean) / spec.std;
      } else if (spec.type === 'boolean') {
        const b = cellBoolean(cell);
        if (b === null) {
          throw new MlctlError('INVALID_DATA', `Row ${r + 1}, ${noun} "${spec.name}": ${describeCell(cell)} is not true/false or yes/no.`, {
            hint: `"${spec.name}" is a yes/no column; give true, false, yes, no, 1 or 0 (or leave it empty).`,
          });
        }
        out[at] = b !== b ? spec.fill : b;
      } else {
        const t = cellText(cell);
        if (t === null) {
          const slot = c.missingSlot[j];
          if (slot >= 0) out[at + slot] = 1;
          continue;
        }
        const slot = (c.vocab[j] as Map<string, number>).get(t);
        if (slot !== undefined) out[at + slot] = 1;
        else if (errorOnUnknown) {
          const known = spec.categories.filter((cat) => cat !== MISSING_CATEGORY);
          throw new MlctlError(
            'INVALID_DATA',
            `Row ${r + 1}, ${noun} "${spec.name}": ${describeCell(cell)} is not a category the model knows (${list(known)}).`,
            { hint: 'Use one of the categories seen in training (matching is case-sensitive).' },
          );
        }
      }
    }
  }
  return out;
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
