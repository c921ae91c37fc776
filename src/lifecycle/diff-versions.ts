/** `mlctl version diff <model> <a> <b>`: metadata, metrics, hyperparameters and sizes side by side. */
import type { FeatureSpec, Signature } from '../dataset/signature.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { ClassMetricsSummary, VersionRecord } from '../registry/version-record.js';

export interface DiffRow {
  /** dotted path, e.g. "metrics.accuracy", "hyperparameters.epochs", "files.weights.bin.bytes", "files.weights.bin.sha256" */
  key: string;
  a: unknown;
  b: unknown;
  /** b - a for numbers */
  delta?: number;
}

export interface DiffVersionsOptions {
  registry: RegistryStore;
  model: string;
  a: VersionSelector;
  b: VersionSelector;
}

/** One class's test metrics in both versions (null where a version lacks the class). */
export interface ClassDiff {
  label: string;
  a: Omit<ClassMetricsSummary, 'label'> | null;
  b: Omit<ClassMetricsSummary, 'label'> | null;
}

/** How the input signature changed: features added, dropped, or read as another type. */
export interface SignatureDiff {
  added: string[];
  dropped: string[];
  retyped: { name: string; a: string; b: string }[];
}

export interface DiffVersionsResult {
  model: string;
  a: number;
  b: number;
  changes: DiffRow[];
  /** per-class test metrics of both versions, when they differ (classification) */
  perClass: ClassDiff[] | null;
  /** null when the signatures' features are the same (names and types) */
  signature: SignatureDiff | null;
  /** number of compared keys that are equal */
  same: number;
}

/** Compared as their own sub-tables, not as flattened fields. */
const OWN_TABLE = new Set(['metrics.perClass']);

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
    if (OWN_TABLE.has(key)) continue;
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
  return { model, a, b, changes, perClass: diffPerClass(ra, rb), signature: diffSignature(ra.signature, rb.signature), same };
}

function diffPerClass(ra: VersionRecord, rb: VersionRecord): ClassDiff[] | null {
  const pa = ra.metrics && 'perClass' in ra.metrics ? ra.metrics.perClass : [];
  const pb = rb.metrics && 'perClass' in rb.metrics ? rb.metrics.perClass : [];
  if (JSON.stringify(pa) === JSON.stringify(pb)) return null;
  const labels = [...new Set([...pa.map((c) => c.label), ...pb.map((c) => c.label)])];
  const strip = (c: ClassMetricsSummary | undefined) => {
    if (!c) return null;
    const { label: _label, ...rest } = c;
    return rest;
  };
  return labels.map((label) => ({ label, a: strip(pa.find((c) => c.label === label)), b: strip(pb.find((c) => c.label === label)) }));
}

/** "numeric", "categorical", "date" … : the type a feature is read as. */
function featureType(f: FeatureSpec): string {
  return f.type === 'datetime' ? f.kind : f.type;
}

export function diffSignature(a: Signature | undefined, b: Signature | undefined): SignatureDiff | null {
  if (!a || !b) return null;
  const ta = new Map(a.features.map((f) => [f.name, featureType(f)]));
  const tb = new Map(b.features.map((f) => [f.name, featureType(f)]));
  const added = [...tb.keys()].filter((n) => !ta.has(n));
  const dropped = [...ta.keys()].filter((n) => !tb.has(n));
  const retyped = [...ta.entries()]
    .filter(([n, t]) => tb.has(n) && tb.get(n) !== t)
    .map(([name, t]) => ({ name, a: t, b: tb.get(name) as string }));
  return added.length || dropped.length || retyped.length ? { added, dropped, retyped } : null;
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
