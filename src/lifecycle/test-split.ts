/**
 * The held-out test split, stored in the version record so `evaluate` re-runs exactly the rows
 * training held out: a bitmap over the dataset's rows (base64), plus the dataset's sha256 so a
 * changed file is noticed instead of silently evaluating other rows.
 */
export interface StoredTestSplit {
  encoding: 'bitmap-base64';
  /** rows in the dataset file (the bitmap's length in bits) */
  datasetRows: number;
  /** rows in the split */
  rows: number;
  data: string;
}

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
