/**
 * Everything the report shows, gathered as plain data: the version's record and aliases, its
 * weights (statistics and histograms), test-split predictions for a regression model, its lineage,
 * the compression facts of a pruned/quantized version, and a second version to compare with.
 * Loads TensorFlow.js (through the model handle) to read weights and predict.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { decodeRegression } from '../dataset/signature.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import { taskOf, type ImportanceSection, type VersionRecord } from '../registry/version-record.js';
import { evaluationRows } from '../lifecycle/evaluate.js';
import { openVersion, readVersion, type OpenedVersion, type VersionInfo } from '../lifecycle/open-version.js';
import { keyMetric, type KeyMetric } from '../lifecycle/key-metric.js';
import { MODEL_JSON_FILE, type BackendChoice, type Operation } from '../vocabulary.js';
import { compressionFacts, storageDtypes, type CompressionFacts, type StorageDtypes } from './compression-facts.js';
import { weightStats, type WeightStats } from './weight-stats.js';

export interface RegressionPoint {
  actual: number;
  predicted: number;
}

export interface ReportVersion {
  record: VersionRecord;
  /** aliases pointing at this version */
  aliases: string[];
}

export interface LineageStep {
  version: number;
  /** null when the version was removed from the registry */
  operation: Operation | null;
  createdAt: string | null;
  metric: KeyMetric | null;
}

export interface ReportData {
  model: string;
  subject: ReportVersion;
  backend: string;
  weights: WeightStats[];
  /** test-split predictions of a regression model (null for classification, or when the data is gone) */
  regression: RegressionPoint[] | null;
  /** the chain of versions this one came from: the root first, this version last */
  lineage: LineageStep[];
  compression: CompressionFacts | null;
  /** what `mlctl explain` measured (the version's explanation.json); null when it has not run */
  importance: ImportanceSection | null;
  compare: ReportVersion | null;
  /** what could not be shown and why (one line each) */
  notes: string[];
}

export interface GatherReportOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
  /** a second version to show side by side */
  compare?: VersionSelector;
  backend?: BackendChoice;
}

export async function gatherReport(options: GatherReportOptions): Promise<ReportData> {
  const { registry, model } = options;
  const info = await readVersion({ registry, model, selector: options.selector });
  const aliases = await registry.readAliases(model);
  const aliasesOf = (v: number) =>
    Object.keys(aliases)
      .filter((a) => aliases[a] === v)
      .sort();
  const notes: string[] = [];

  let compare: ReportVersion | null = null;
  if (options.compare) {
    const other = await readVersion({ registry, model, selector: options.compare });
    if (other.version === info.version) {
      throw new MlctlError('USAGE', `--compare names the version the report is about (v${info.version}).`, {
        hint: `Compare with another version, e.g. --compare ${info.record.parent ?? Math.max(1, info.version - 1)}.`,
      });
    }
    compare = { record: other.record, aliases: aliasesOf(other.version) };
  }

  const lineage = await lineageOf(registry, info.record);
  let importance: ImportanceSection | null = null;
  try {
    importance = (await registry.readExplanation(model, info.version))?.importance ?? null;
  } catch (e) {
    if (!(e instanceof MlctlError)) throw e;
    notes.push(`Feature importance left out: ${e.message}`);
  }

  const opened = await openVersion({ registry, model, backend: options.backend }, info);
  let weights: WeightStats[];
  let regression: RegressionPoint[] | null = null;
  try {
    weights = opened.handle.readWeights().map((w) => weightStats(w));
    if (taskOf(info.record) === 'regression') regression = await regressionPoints(opened, notes);
  } finally {
    opened.dispose();
  }

  let compression: CompressionFacts | null = null;
  const derived = info.record.operation === 'prune' || info.record.operation === 'quantize';
  if (derived && info.record.parent !== null) {
    compression = await compressionOf(registry, info, weights, options.backend, notes);
  }

  return {
    model,
    subject: { record: info.record, aliases: aliasesOf(info.version) },
    backend: opened.backend,
    weights,
    regression,
    lineage,
    compression,
    importance,
    compare,
    notes,
  };
}

/** Parents up to the root (a removed parent ends the chain with a step that says so). */
async function lineageOf(registry: RegistryStore, record: VersionRecord): Promise<LineageStep[]> {
  const steps: LineageStep[] = [];
  const seen = new Set<number>();
  let current: VersionRecord | null = record;
  while (current) {
    seen.add(current.version);
    steps.unshift({ version: current.version, operation: current.operation, createdAt: current.createdAt, metric: keyMetric(current) });
    const parent: number | null = current.parent;
    if (parent === null || seen.has(parent)) break;
    if (!(await registry.hasVersion(record.model, parent))) {
      steps.unshift({ version: parent, operation: null, createdAt: null, metric: null });
      break;
    }
    current = await registry.readRecord(record.model, parent);
  }
  return steps;
}

/** Predictions on the stored test split, through the rows evaluate scores (lifecycle/evaluate.ts). */
async function regressionPoints(opened: OpenedVersion, notes: string[]): Promise<RegressionPoint[] | null> {
  const signature = opened.signature;
  if (!signature) return null;
  let rows;
  try {
    rows = await evaluationRows(opened);
  } catch (e) {
    if (e instanceof MlctlError) {
      notes.push(`Predicted-vs-actual plots left out: ${e.message}`);
      return null;
    }
    throw e;
  }
  const { prepared } = rows;
  const out = opened.handle.predict(prepared.x, prepared.rows.length);
  const actual = decodeRegression(signature, prepared.y);
  const predicted = decodeRegression(signature, out);
  return actual.map((a, i) => ({ actual: a, predicted: predicted[i] }));
}

async function compressionOf(
  registry: RegistryStore,
  info: VersionInfo,
  weights: WeightStats[],
  backend: BackendChoice | undefined,
  notes: string[],
): Promise<CompressionFacts | null> {
  const parentVersion = info.record.parent as number;
  if (!(await registry.hasVersion(info.model, parentVersion))) {
    notes.push(`Compression figures left out: the parent v${parentVersion} was removed from the registry.`);
    return null;
  }
  const parent = await readVersion({ registry, model: info.model, selector: { version: parentVersion } });
  let parentWeights: WeightStats[] | null = null;
  try {
    const opened = await openVersion({ registry, model: info.model, backend }, parent);
    try {
      parentWeights = opened.handle.readWeights().map((w) => weightStats(w));
    } finally {
      opened.dispose();
    }
  } catch (e) {
    if (!(e instanceof MlctlError)) throw e;
    notes.push(`The parent's sparsity is left out: ${e.message}`);
  }
  return compressionFacts({
    record: info.record,
    parent: parent.record,
    weights,
    parentWeights,
    storage: await readStorage(info.dir),
    parentStorage: await readStorage(parent.dir).catch(() => null),
  });
}

async function readStorage(dir: string): Promise<StorageDtypes> {
  return storageDtypes(JSON.parse(await readFile(path.join(dir, MODEL_JSON_FILE), 'utf8')));
}
