/**
 * The held-out test split, stored in the version record so `evaluate` re-runs exactly the rows
 * training held out: a bitmap over the dataset's rows (base64), plus the dataset's sha256 so a
 * changed file is noticed instead of silently evaluating other rows.
 */
import { MlctlError } from '../errors.js';
import { readCsvFile, type CsvTable, type Table } from '../dataset/read-table.js';
import type { StoredTestSplit, VersionRecord } from '../registry/version-record.js';
import { resolveStoredPath } from './templates.js';

export type { StoredTestSplit } from '../registry/version-record.js';

export function encodeTestSplit(indices: ArrayLike<number>, datasetRows: number): StoredTestSplit {
  const bits = new Uint8Array(Math.ceil(datasetRows / 8));
  for (let i = 0; i < indices.length; i++) bits[indices[i] >> 3] |= 1 << (indices[i] & 7);
  return { encoding: 'bitmap-base64', datasetRows, rows: indices.length, data: Buffer.from(bits).toString('base64') };
}

/** Row indices of the split, ascending. */
export function decodeTestSplit(split: StoredTestSplit): Int32Array {
  const bits = Buffer.from(split.data, 'base64');
  const out: number[] = [];
  for (let i = 0; i < split.datasetRows; i++) if (bits[i >> 3] & (1 << (i & 7))) out.push(i);
  return Int32Array.from(out);
}

export interface StoredTestData {
  /** the training data file the split's rows are in */
  path: string;
  table: Table;
  /** the split's row indices into `table` */
  indices: Int32Array;
}

/**
 * The rows a version held out for testing: its training data file (which must be unchanged: same
 * sha256) and the split's row indices. USAGE when the version has no test split.
 */
export async function readStoredTestSplit(record: VersionRecord, registryRoot?: string): Promise<StoredTestData> {
  const where = `${record.model} v${record.version}`;
  const split = record.split?.testRows;
  const dataset = record.dataset;
  if (!split || !dataset || split.rows === 0) {
    throw new MlctlError('USAGE', `${where} has no stored test split.`, {
      hint: 'Pass --data <labelled.csv> to evaluate on other data.',
    });
  }
  const path = resolveStoredPath(dataset.path, registryRoot);
  // read exactly as training read it (delimiter, decimal setting, encoding); older records: detected
  let table: CsvTable;
  try {
    table = await readCsvFile(path, dataset.format ?? {});
  } catch (e) {
    if (e instanceof MlctlError && e.code === 'NOT_FOUND') {
      throw new MlctlError('NOT_FOUND', `The training data of ${where}, ${path}, is missing, so its stored test split cannot be re-read.`, {
        hint: 'Restore the file (or the project folder around the registry), or evaluate on labelled data with --data <file.csv>.',
        cause: e,
      });
    }
    throw e;
  }
  if (table.source.sha256 !== dataset.sha256) {
    throw new MlctlError(
      'INVALID_DATA',
      `The training data ${path} changed since ${where} was trained (sha256 differs), so its test split cannot be recovered.`,
      { hint: 'Restore the original file, or pass --data <labelled.csv>.' },
    );
  }
  return { path, table, indices: decodeTestSplit(split) };
}
