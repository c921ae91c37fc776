/** `mlctl version diff <model> <a> <b>`: metadata, metrics, hyperparameters and sizes side by side. */
import type { Registry, VersionSelector } from '../registry/registry.js';
import type { VersionRecord } from '../registry/version-record.js';

export interface DiffRow {
  /** dotted path, e.g. "metrics.accuracy", "hyperparameters.epochs", "files.weights.bin.bytes", "files.weights.bin.sha256" */
  key: string;
  a: unknown;
  b: unknown;
  /** b - a for numbers */
  delta?: number;
}

export interface DiffVersionsOptions {
  registry: Registry;
  model: string;
  a: VersionSelector;
  b: VersionSelector;
}

export interface DiffVersionsResult {
  model: string;
  a: number;
  b: number;
  changes: DiffRow[];
  /** number of compared keys that are equal */
  same: number;
}

/** Sections that say nothing about the model itself and always differ. */
const SKIP = new Set(['version', 'createdAt', 'durationMs', 'history', 'files', 'signature']);

export async function diffVersions(options: DiffVersionsOptions): Promise<DiffVersionsResult> {
  const { registry, model } = options;
  const [a, b] = await Promise.all([registry.resolveVersion(model, options.a), registry.resolveVersion(model, options.b)]);
  const [ra, rb] = await Promise.all([registry.readRecord(model, a), registry.readRecord(model, b)]);
  const fa = flattenRecord(ra);
  const fb = flattenRecord(rb);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])];
  const changes: DiffRow[] = [];
  let same = 0;
  for (const key of keys) {
    const va = fa.get(key);
    const vb = fb.get(key);
    if (JSON.stringify(va) === JSON.stringify(vb)) {
      same++;
      continue;
    }
    const row: DiffRow = { key, a: va ?? null, b: vb ?? null };
    if (typeof va === 'number' && typeof vb === 'number') row.delta = vb - va;
    changes.push(row);
  }
  return { model, a, b, changes, same };
}

function flattenRecord(record: VersionRecord): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      out.set(prefix, value);
    }
  };
  for (const [key, value] of Object.entries(record)) {
    if (SKIP.has(key)) continue;
    walk(value, key);
  }
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of record.files) {
    out.set(`files.${file.path}.bytes`, file.bytes);
    // same size, different content (e.g. same architecture, other weights) must still show up
    out.set(`files.${file.path}.sha256`, file.sha256);
    bytes += file.bytes;
    gzipBytes += file.gzipBytes;
  }
  out.set('size.bytes', bytes);
  out.set('size.gzipBytes', gzipBytes);
  return out;
}
