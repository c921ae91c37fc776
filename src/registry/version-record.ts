/**
 * The metadata file mlctl writes into every version directory (`mlctl.json`). Everything mlctl
 * knows about a version lives here; model.json + weight shards stay stock TF.js.
 * Fields are camelCase like TF.js's own model.json.
 */
export type Operation = 'train' | 'prune' | 'quantize' | 'import';

export interface FileEntry {
  /** path relative to the version directory, POSIX separators */
  path: string;
  bytes: number;
  gzipBytes: number;
  sha256: string;
}

export interface DatasetFingerprint {
  path: string;
  sha256: string;
  rows: number;
  /** how the CSV was read (absent in older records: comma, UTF-8, decimal point) */
  format?: { encoding: string; delimiter: string; decimal: '.' | ',' | 'auto' };
}

export interface VersionRecord {
  /** schema version of this record */
  schema: 1;
  model: string;
  version: number;
  createdAt: string;
  operation: Operation;
  parent: number | null;
  /** files of the version (model.json + shards), excluding this record itself */
  files: FileEntry[];
  mlctlVersion: string;
  tfjsVersion: string | null;
  backend: string | null;
  durationMs: number | null;
  /** operation-specific sections; each operation adds its own */
  template?: Record<string, unknown>;
  hyperparameters?: Record<string, unknown>;
  seed?: number;
  dataset?: DatasetFingerprint;
  /** the input signature (dataset/ owns its shape) */
  signature?: Record<string, unknown>;
  target?: Record<string, unknown>;
  /** metrics on the held-out test split, e.g. {accuracy: 0.97, macroF1: 0.96} or {rmse, mae, r2} */
  metrics?: Record<string, unknown>;
  history?: Record<string, unknown>;
  crossValidation?: Record<string, unknown>;
  source?: Record<string, unknown>;
  [extra: string]: unknown;
}
