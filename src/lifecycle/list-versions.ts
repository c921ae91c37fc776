/** `mlctl version list [model]`: every model's versions with aliases, lineage and key metric. */
import type { RegistryStore } from '../registry/store.js';
import type { Operation, VersionRecord } from '../registry/version-record.js';
import { keyMetric, type KeyMetric } from './key-metric.js';

export interface VersionSummary {
  version: number;
  parent: number | null;
  /** null only for an unreadable record */
  operation: Operation | null;
  aliases: string[];
  createdAt: string;
  bytes: number;
  gzipBytes: number;
  metric: KeyMetric | null;
  backend: string | null;
  /** set when the version's record cannot be read (the rest of the listing still works) */
  error?: string;
}

export interface ModelSummary {
  name: string;
  latest: number | null;
  aliases: Record<string, number>;
  versions: VersionSummary[];
}

export interface ListVersionsOptions {
  registry: RegistryStore;
  model?: string;
}

export interface ListVersionsResult {
  registry: string;
  models: ModelSummary[];
}

export async function listVersions(options: ListVersionsOptions): Promise<ListVersionsResult> {
  const { registry } = options;
  let names: string[];
  if (options.model) {
    await registry.requireModel(options.model);
    names = [options.model];
  } else {
    names = await registry.listModels();
  }
  const models = await Promise.all(names.map((name) => summarizeModel(registry, name)));
  return { registry: registry.location, models };
}

export async function summarizeModel(registry: RegistryStore, name: string): Promise<ModelSummary> {
  const [numbers, aliases] = await Promise.all([registry.listVersions(name), registry.readAliases(name)]);
  const records = await Promise.all(
    numbers.map((n) =>
      registry.readRecord(name, n).then(
        (record) => ({ ok: true as const, record }),
        (e: unknown) => ({ ok: false as const, version: n, message: e instanceof Error ? e.message : String(e) }),
      ),
    ),
  );
  const aliasesOf = new Map<number, string[]>();
  for (const [alias, version] of Object.entries(aliases).sort(([a], [b]) => a.localeCompare(b))) {
    aliasesOf.set(version, [...(aliasesOf.get(version) ?? []), alias]);
  }
  return {
    name,
    latest: numbers.length > 0 ? numbers[numbers.length - 1] : null,
    aliases,
    versions: records.map((r) =>
      r.ok
        ? summarizeVersion(r.record, aliasesOf.get(r.record.version) ?? [])
        : brokenVersion(r.version, r.message, aliasesOf.get(r.version) ?? []),
    ),
  };
}

export function summarizeVersion(record: VersionRecord, aliases: string[]): VersionSummary {
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of record.files) {
    bytes += file.bytes;
    gzipBytes += file.gzipBytes;
  }
  return {
    version: record.version,
    parent: record.parent,
    operation: record.operation,
    aliases,
    createdAt: record.createdAt,
    bytes,
    gzipBytes,
    metric: keyMetric(record),
    backend: record.backend,
  };
}

function brokenVersion(version: number, message: string, aliases: string[]): VersionSummary {
  return {
    version,
    parent: null,
    operation: null,
    aliases,
    createdAt: '',
    bytes: 0,
    gzipBytes: 0,
    metric: null,
    backend: null,
    error: `${message} Run "mlctl version verify".`,
  };
}

/** Versions in lineage order: each root, then its descendants depth-first, with their depth. */
export function lineageOrder(versions: VersionSummary[]): { summary: VersionSummary; depth: number; last: boolean }[] {
  const byNumber = new Map(versions.map((v) => [v.version, v]));
  const children = new Map<number, VersionSummary[]>();
  const roots: VersionSummary[] = [];
  for (const v of versions) {
    if (v.parent !== null && byNumber.has(v.parent)) {
      children.set(v.parent, [...(children.get(v.parent) ?? []), v]);
    } else {
      roots.push(v);
    }
  }
  const out: { summary: VersionSummary; depth: number; last: boolean }[] = [];
  const visit = (v: VersionSummary, depth: number, last: boolean): void => {
    out.push({ summary: v, depth, last });
    const kids = children.get(v.version) ?? [];
    kids.forEach((kid, i) => visit(kid, depth + 1, i === kids.length - 1));
  };
  roots.forEach((r, i) => visit(r, 0, i === roots.length - 1));
  return out;
}
