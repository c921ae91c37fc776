/**
 * Request bodies → encoded rows, validated before any tensor work. Every client mistake is an
 * INVALID_DATA error (HTTP 400) saying what is wrong and where (row, feature, input):
 *
 * - versions with a signature: rows as arrays in feature order or objects keyed by feature name,
 *   raw values (categories as strings), encoded by the signature exactly as `mlctl predict`
 *   does, except that a category the model does not know is an error;
 * - versions without one (imported): raw numbers in the model's input shape.
 *
 * Row numbers are 1-based positions in the request's batch.
 */
import { MlctlError } from '../errors.js';
import { encodeFeatures, type RowList } from '../dataset/signature.js';
import type { Servable } from './servable.js';

export interface EncodedRows {
  /** n × inputSize, row-major */
  x: Float32Array;
  n: number;
}

const invalid = (message: string, hint?: string): MlctlError => new MlctlError('INVALID_DATA', message, hint ? { hint } : {});

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isScalar = (v: unknown): boolean => v === null || (typeof v !== 'object' && v !== undefined);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function list(names: readonly string[], max = 20): string {
  return names.length > max ? `${names.slice(0, max).join(', ')}, ... (${names.length} in all)` : names.join(', ');
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Most rows a request may carry: a number (--max-rows), or a number and the flag that set it (--explain-max-rows). */
export type RowLimit = number | { max: number; flag: string };

function checkCount(n: number, limit: RowLimit, field: string): void {
  const { max, flag } = typeof limit === 'number' ? { max: limit, flag: '--max-rows' } : limit;
  if (n === 0) throw invalid(`"${field}" is empty: send at least one row.`);
  if (n > max) {
    throw invalid(
      `"${field}" has ${n} rows; this server accepts at most ${max} per request (${flag}).`,
      'Split the rows over several requests.',
    );
  }
}

/**
 * Rows for /predict's `input_data` and TF Serving's `instances`: one row (a flat list of values,
 * or one object), or a list of rows. For versions without a signature a "row" is one tensor in
 * the model's input shape.
 */
export function encodeBatch(servable: Servable, value: unknown, maxRows: RowLimit, field: string): EncodedRows {
  if (!servable.signature) {
    const rank = servable.inputShape.length;
    const depth = depthOf(value);
    if (depth === rank && depth > 0) return encodeRawRows(servable, [value], maxRows, field);
    if (!Array.isArray(value)) {
      throw invalid(`"${field}" must be a list of rows of shape ${shapeText(servable.inputShape)}, got ${kindOf(value)}.`);
    }
    return encodeRawRows(servable, value, maxRows, field);
  }
  let rows: unknown[];
  if (Array.isArray(value)) rows = value.length > 0 && value.every(isScalar) ? [value] : value;
  else if (isPlainObject(value)) rows = [value];
  else {
    throw invalid(
      `"${field}" must be a row ([v, ...]), a list of rows ([[v, ...], ...]) or a list of objects ([{"feature": v}, ...]), got ${kindOf(value)}.`,
    );
  }
  return encodeSignatureRows(servable, rows, maxRows, field);
}

/** TF Serving's columnar `inputs`: `{"feature": [v, ...], ...}` (one list per feature), or the batch itself. */
export function encodeColumns(servable: Servable, value: unknown, maxRows: RowLimit): EncodedRows {
  if (!isPlainObject(value) || !servable.signature) return encodeBatch(servable, value, maxRows, 'inputs');
  const names = servable.signature.features.map((f) => f.name);
  const keys = Object.keys(value);
  const unknown = keys.find((k) => !names.includes(k));
  if (unknown !== undefined) throw invalid(`Unknown input "${unknown}" in "inputs"; the model's inputs are: ${list(names)}.`);
  const missing = names.find((k) => !keys.includes(k));
  if (missing !== undefined) throw invalid(`Input "${missing}" is missing from "inputs"; the model's inputs are: ${list(names)}.`);
  const columns = names.map((k) => (Array.isArray(value[k]) ? (value[k] as unknown[]) : [value[k]]));
  const n = columns[0].length;
  columns.forEach((c, j) => {
    if (c.length !== n)
      throw invalid(`Input "${names[j]}" has ${c.length} values but "${names[0]}" has ${n}; every input needs one value per row.`);
  });
  checkCount(n, maxRows, 'inputs');
  const rows = Array.from({ length: n }, (_, r) => columns.map((c) => c[r]));
  return encodeSignatureRows(servable, rows, maxRows, 'inputs');
}

/** Validate rows for a signature (shape of each row, names, scalar and finite values), then encode. */
export function encodeSignatureRows(servable: Servable, rows: unknown[], maxRows: RowLimit, field: string): EncodedRows {
  const signature = servable.signature!;
  checkCount(rows.length, maxRows, field);
  const names = signature.features.map((f) => f.name);
  let known: Set<string> | null = null;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (Array.isArray(row)) {
      // the count is checked by the encoder, with the feature list in its message
      for (let j = 0; j < row.length; j++) checkValue(row[j], r, names[j] ?? `value ${j + 1}`);
    } else if (isPlainObject(row)) {
      known ??= new Set(names);
      for (const key in row) {
        if (!known.has(key)) {
          throw invalid(
            `Row ${r + 1}: unknown feature "${key}"; the model's features are: ${list(names)}.`,
            'Feature names are case-sensitive.',
          );
        }
        checkValue(row[key], r, key);
      }
      for (const name of names) {
        if (!Object.prototype.hasOwnProperty.call(row, name)) {
          throw invalid(
            `Row ${r + 1}: feature "${name}" is missing; the model's features are: ${list(names)}.`,
            'Give every feature (null for an unknown value).',
          );
        }
      }
    } else {
      throw invalid(`Row ${r + 1} is ${kindOf(row)}; send each row as [value, ...] in feature order or {"feature": value, ...}.`);
    }
  }
  const x = encodeFeatures(signature, rows as RowList, { unknownCategory: 'error', noun: 'feature' });
  return { x, n: rows.length };
}

function checkValue(v: unknown, r: number, feature: string): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalid(`Row ${r + 1}, feature "${feature}": ${v} is not a finite number.`);
    return;
  }
  if (v !== null && typeof v === 'object') throw invalid(`Row ${r + 1}, feature "${feature}": expected one value, got ${kindOf(v)}.`);
}

/** Raw tensors (versions without a signature): every row exactly the model's input shape, finite numbers only. */
export function encodeRawRows(servable: Servable, rows: unknown[], maxRows: RowLimit, field: string): EncodedRows {
  checkCount(rows.length, maxRows, field);
  const size = servable.inputSize;
  const x = new Float32Array(rows.length * size);
  for (let r = 0; r < rows.length; r++) {
    const at = flattenInto(rows[r], servable.inputShape, 0, x, r * size, r, []);
    if (at !== (r + 1) * size) throw invalid(`Row ${r + 1} does not have the model's input shape ${shapeText(servable.inputShape)}.`);
  }
  return { x, n: rows.length };
}

function flattenInto(v: unknown, shape: readonly number[], dim: number, out: Float32Array, at: number, r: number, index: number[]): number {
  if (dim === shape.length) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const where = index.map((i) => `[${i}]`).join('');
      const what =
        typeof v === 'number' ? `${v} is not a finite number` : `${v === undefined ? 'nothing' : JSON.stringify(v)} is not a number`;
      throw invalid(`Row ${r + 1}, value ${where}: ${what}.`, `This model takes raw numbers in its input shape ${shapeText(shape)}.`);
    }
    out[at] = v;
    return at + 1;
  }
  if (!Array.isArray(v) || v.length !== shape[dim]) {
    const got = Array.isArray(v) ? `${v.length} values` : kindOf(v);
    const where = index.length ? ` at ${index.map((i) => `[${i}]`).join('')}` : '';
    throw invalid(
      `Row ${r + 1}${where}: expected ${shape[dim]} values (input shape ${shapeText(shape)}), got ${got}.`,
      `This model takes raw numbers in its input shape ${shapeText(shape)}.`,
    );
  }
  for (let i = 0; i < v.length; i++) {
    index.push(i);
    at = flattenInto(v[i], shape, dim + 1, out, at, r, index);
    index.pop();
  }
  return at;
}

/** Nesting depth along first elements: 5 → 0, [5] → 1, [[5]] → 2. */
function depthOf(v: unknown): number {
  let d = 0;
  while (Array.isArray(v)) {
    d++;
    v = v[0];
  }
  return d;
}

// ------------------------------------------------------------------ Open Inference Protocol v2

const OIP_DATATYPES = new Set([
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
]);

interface OipTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

function readOipTensor(t: unknown, i: number): OipTensor {
  if (!isPlainObject(t)) throw invalid(`inputs[${i}] must be an object with name, shape, datatype and data.`);
  const where = typeof t.name === 'string' ? `Input "${t.name}"` : `inputs[${i}]`;
  if (typeof t.name !== 'string' || t.name === '') throw invalid(`inputs[${i}] has no "name".`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw invalid(`${where}: "shape" must be a list of non-negative integers.`);
  }
  if (typeof t.datatype !== 'string' || !OIP_DATATYPES.has(t.datatype)) {
    throw invalid(`${where}: "datatype" must be one of ${[...OIP_DATATYPES].join(', ')}, got ${JSON.stringify(t.datatype ?? null)}.`);
  }
  if (!Array.isArray(t.data)) throw invalid(`${where}: "data" must be a list.`);
  const data = (t.data as unknown[]).flat(Infinity as 1);
  const expected = (t.shape as number[]).reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw invalid(`${where}: shape [${(t.shape as number[]).join(', ')}] holds ${expected} values but "data" has ${data.length}.`);
  }
  if (t.datatype !== 'BYTES') {
    for (let k = 0; k < data.length; k++) {
      const v = data[k];
      const ok = t.datatype === 'BOOL' ? typeof v === 'boolean' : typeof v === 'number' && Number.isFinite(v);
      if (!ok)
        throw invalid(
          `${where}, value ${k}: ${typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? 'nothing')} is not ${t.datatype === 'BOOL' ? 'a boolean' : 'a finite number'} (datatype ${t.datatype}).`,
        );
    }
  }
  return { name: t.name, shape: t.shape as number[], datatype: t.datatype, data };
}

/**
 * OIP `inputs` → rows. With a signature: either one tensor [n, features] (values in feature
 * order), or one tensor per feature named by it, shape [n] or [n, 1] (BYTES for categories).
 * Without: one tensor [n, ...input shape].
 */
export function encodeOipInputs(servable: Servable, inputs: unknown, maxRows: RowLimit): EncodedRows {
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw invalid('"inputs" must be a non-empty list of tensors ({name, shape, datatype, data}).');
  const tensors = inputs.map(readOipTensor);
  const signature = servable.signature;
  if (!signature) {
    if (tensors.length !== 1) throw invalid(`This model has one input; got ${tensors.length} tensors.`);
    const t = tensors[0];
    const want = [-1, ...servable.inputShape];
    if (t.shape.length !== want.length || t.shape.slice(1).some((d, i) => d !== servable.inputShape[i])) {
      throw invalid(
        `Input "${t.name}": shape [${t.shape.join(', ')}] does not match the model's input [-1, ${servable.inputShape.join(', ')}].`,
      );
    }
    checkCount(t.shape[0], maxRows, 'inputs');
    return { x: Float32Array.from(t.data as number[]), n: t.shape[0] };
  }
  const names = signature.features.map((f) => f.name);
  if (
    tensors.length === 1 &&
    t2d(tensors[0]) &&
    tensors[0].shape[1] === names.length &&
    !(names.length === 1 && tensors[0].name === names[0])
  ) {
    const t = tensors[0];
    const n = t.shape[0];
    checkCount(n, maxRows, 'inputs');
    const rows = Array.from({ length: n }, (_, r) => t.data.slice(r * names.length, (r + 1) * names.length));
    return encodeSignatureRows(servable, rows, maxRows, 'inputs');
  }
  const byName = new Map<string, OipTensor>();
  for (const t of tensors) {
    if (!names.includes(t.name)) {
      throw invalid(
        `Unknown input "${t.name}"; the model's inputs are: ${list(names)} (or one tensor of shape [n, ${names.length}] with values in that order).`,
      );
    }
    if (!(t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1))) {
      throw invalid(`Input "${t.name}": shape [${t.shape.join(', ')}] must be [n] or [n, 1] (one value per row).`);
    }
    byName.set(t.name, t);
  }
  const missing = names.find((k) => !byName.has(k));
  if (missing !== undefined) throw invalid(`Input "${missing}" is missing; the model's inputs are: ${list(names)}.`);
  const n = byName.get(names[0])!.shape[0];
  for (const k of names) {
    const m = byName.get(k)!.shape[0];
    if (m !== n) throw invalid(`Input "${k}" has ${m} rows but "${names[0]}" has ${n}; every input needs one value per row.`);
  }
  checkCount(n, maxRows, 'inputs');
  const columns = names.map((k) => byName.get(k)!.data);
  const rows = Array.from({ length: n }, (_, r) => columns.map((c) => c[r]));
  return encodeSignatureRows(servable, rows, maxRows, 'inputs');
}

function t2d(t: OipTensor): boolean {
  return t.shape.length === 2;
}
