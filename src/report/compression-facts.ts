/**
 * The report's compression section for a pruned or quantized version: sparsity per layer, size and
 * metric change against the parent, and how each tensor is stored.
 *
 * Everything here can be derived from what every version has — the weights themselves (exact
 * zeros), the file sizes in the records, the metrics both records hold on the same inherited test
 * split, and the TF.js weights manifest (its `quantization` field) — so the section is right for
 * any derived version. What `mlctl prune` and `mlctl quantize` measured themselves (the record's
 * `pruning` / `quantization` sections: per-layer sparsity, weight and gzip bytes before and after,
 * every metric's change scored through the evaluate path, the largest weight error, settings) is
 * read by `recordedCompression` and wins where present.
 */
import {
  isClassificationMetrics,
  type PruningSection,
  type QuantizationSection,
  type SizeChange as SizeChangeSection,
  type VersionRecord,
} from '../registry/version-record.js';
import { MODEL_JSON_FILE, type Operation } from '../vocabulary.js';
import type { WeightStats } from './weight-stats.js';

export interface LayerSparsity {
  layer: string;
  /** kernel weights of the layer */
  weights: number;
  /** of which exactly zero */
  zeros: number;
  sparsity: number;
  /** the same layer's sparsity in the parent (null when the parent's weights are unknown) */
  parentSparsity: number | null;
}

export interface SizeChange {
  what: string;
  parent: number;
  child: number;
  /** child / parent */
  ratio: number;
}

export interface MetricChange {
  metric: string;
  parent: number;
  child: number;
  /** child − parent */
  delta: number;
}

export interface TensorStorage {
  name: string;
  /** storage dtype in the parent and in this version: float32, float16, uint8, uint16, … */
  from: string | null;
  to: string;
}

export interface CompressionFacts {
  operation: Operation;
  parentVersion: number;
  layers: LayerSparsity[];
  /** kernel weights that are exactly zero, over all layers */
  sparsity: { parent: number | null; child: number };
  sizes: SizeChange[];
  metricChanges: MetricChange[];
  /** where the metric changes come from */
  metricSource: 'recorded by the operation' | 'test metrics of both records' | null;
  storage: TensorStorage[];
  /** other figures the operation recorded, as label → text */
  details: { label: string; value: string }[];
}

/** The manifest entries of a model.json: name → storage dtype (the quantized dtype when quantized). */
export type StorageDtypes = Map<string, string>;

export function storageDtypes(modelJson: unknown): StorageDtypes {
  const out: StorageDtypes = new Map();
  const groups = (modelJson as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(groups)) return out;
  for (const g of groups) {
    const weights = (g as { weights?: unknown })?.weights;
    if (!Array.isArray(weights)) continue;
    for (const w of weights as { name?: unknown; dtype?: unknown; quantization?: { dtype?: unknown } }[]) {
      if (typeof w?.name !== 'string') continue;
      const q = w.quantization?.dtype;
      out.set(w.name, typeof q === 'string' ? q : typeof w.dtype === 'string' ? w.dtype : 'float32');
    }
  }
  return out;
}

export interface CompressionInput {
  record: VersionRecord;
  parent: VersionRecord;
  weights: WeightStats[];
  /** null when the parent's weights could not be read */
  parentWeights: WeightStats[] | null;
  storage: StorageDtypes;
  parentStorage: StorageDtypes | null;
}

export function compressionFacts(input: CompressionInput): CompressionFacts {
  const { record, parent } = input;
  const recorded = recordedCompression(record);
  const layers = recorded.layers ?? kernelSparsity(input.weights);
  const parentLayers = input.parentWeights ? new Map(kernelSparsity(input.parentWeights).map((l) => [l.layer, l])) : null;
  for (const l of layers) {
    const p = parentLayers?.get(l.layer);
    l.parentSparsity = p ? p.sparsity : null;
  }
  const total = (ls: LayerSparsity[]) => {
    const w = ls.reduce((a, l) => a + l.weights, 0);
    return w > 0 ? ls.reduce((a, l) => a + l.zeros, 0) / w : 0;
  };

  const sizes: SizeChange[] = [];
  const shardBytes = (r: VersionRecord, key: 'bytes' | 'gzipBytes') =>
    r.files.filter((f) => f.path !== MODEL_JSON_FILE).reduce((a, f) => a + f[key], 0);
  const allBytes = (r: VersionRecord) => r.files.reduce((a, f) => a + f.bytes, 0);
  const size = (what: string, p: number, c: number): SizeChange => ({ what, parent: p, child: c, ratio: p > 0 ? c / p : NaN });
  sizes.push(
    recorded.weightBytes
      ? { what: 'weight files', ...recorded.weightBytes }
      : size('weight files', shardBytes(parent, 'bytes'), shardBytes(record, 'bytes')),
  );
  sizes.push(
    recorded.gzipBytes
      ? { what: 'weight files, gzipped', ...recorded.gzipBytes }
      : size('weight files, gzipped', shardBytes(parent, 'gzipBytes'), shardBytes(record, 'gzipBytes')),
  );
  sizes.push(size('all files', allBytes(parent), allBytes(record)));

  let metricChanges = recorded.metricChanges;
  let metricSource: CompressionFacts['metricSource'] = metricChanges ? 'recorded by the operation' : null;
  if (!metricChanges) {
    metricChanges = metricChangesOf(parent, record);
    if (metricChanges.length > 0) metricSource = 'test metrics of both records';
  }

  const storage: TensorStorage[] = [...input.storage].map(([name, to]) => ({ name, from: input.parentStorage?.get(name) ?? null, to }));

  return {
    operation: record.operation,
    parentVersion: parent.version,
    layers,
    sparsity: { parent: parentLayers ? total([...parentLayers.values()]) : null, child: recorded.sparsity ?? total(layers) },
    sizes,
    metricChanges,
    metricSource,
    storage,
    details: recorded.details,
  };
}

/** Sparsity of each layer's kernel weights (biases are never pruned, so they are left out). */
export function kernelSparsity(weights: WeightStats[]): LayerSparsity[] {
  const byLayer = new Map<string, LayerSparsity>();
  for (const w of weights) {
    if (w.kind !== 'kernel') continue;
    const l = byLayer.get(w.layer) ?? { layer: w.layer, weights: 0, zeros: 0, sparsity: 0, parentSparsity: null };
    l.weights += w.count;
    l.zeros += w.zeros;
    l.sparsity = l.weights > 0 ? l.zeros / l.weights : 0;
    byLayer.set(w.layer, l);
  }
  return [...byLayer.values()];
}

/** Every test metric both records hold (they share the parent's test split), child − parent. */
export function metricChangesOf(parent: VersionRecord, child: VersionRecord): MetricChange[] {
  const a = parent.metrics;
  const b = child.metrics;
  if (!a || !b || isClassificationMetrics(a) !== isClassificationMetrics(b)) return [];
  const pairs: [string, number | null, number | null][] = [];
  if (isClassificationMetrics(a) && isClassificationMetrics(b)) {
    for (const k of ['accuracy', 'macroF1', 'macroPrecision', 'macroRecall'] as const) pairs.push([k, a[k], b[k]]);
    for (const c of a.perClass) {
      const d = b.perClass.find((x) => x.label === c.label);
      if (d) pairs.push([`f1[${c.label}]`, c.f1, d.f1]);
    }
  } else if (!isClassificationMetrics(a) && !isClassificationMetrics(b)) {
    for (const k of ['r2', 'rmse', 'mae'] as const) pairs.push([k, a[k], b[k]]);
  }
  return pairs
    .filter((p): p is [string, number, number] => typeof p[1] === 'number' && typeof p[2] === 'number')
    .map(([metric, p, c]) => ({ metric, parent: p, child: c, delta: c - p }));
}

// ------------------------------------------------------------------ what prune/quantize recorded

interface RecordedCompression {
  layers: LayerSparsity[] | null;
  sparsity: number | null;
  weightBytes: SizeChangeSection | null;
  gzipBytes: SizeChangeSection | null;
  metricChanges: MetricChange[] | null;
  details: { label: string; value: string }[];
}

/** What `mlctl prune` / `mlctl quantize` recorded about themselves (their record sections). */
export function recordedCompression(record: VersionRecord): RecordedCompression {
  const out: RecordedCompression = { layers: null, sparsity: null, weightBytes: null, gzipBytes: null, metricChanges: null, details: [] };
  const detail = (label: string, value: string | number | null | undefined): void => {
    if (value === null || value === undefined) return;
    const shown = typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(4))) : String(value);
    out.details.push({ label, value: shown });
  };
  const common = (s: PruningSection | QuantizationSection): void => {
    out.weightBytes = { ...s.weightBytes };
    out.gzipBytes = { ...s.gzipBytes };
    if (s.evaluation && s.evaluation.changes.length > 0) out.metricChanges = s.evaluation.changes.map((c) => ({ ...c }));
    if (s.skipped.length > 0) detail('layers left as they were', s.skipped.join(', '));
    detail('largest weight change', s.maxWeightError);
    if (s.evaluation)
      detail(
        'scored on',
        `${s.evaluation.data.source === 'test-split' ? 'the test split' : s.evaluation.data.path} (${s.evaluation.data.rows} rows)`,
      );
    if (s.outputDifference)
      detail('largest output change', `${s.outputDifference.maxAbs} on ${s.outputDifference.rows} rows of ${s.outputDifference.path}`);
  };
  const p = record.pruning;
  if (p) {
    out.layers = p.layers.map((l) => ({ ...l, parentSparsity: null }));
    out.sparsity = p.sparsity;
    if ('sparsity' in p.criterion) detail('target sparsity', p.criterion.sparsity);
    else detail('threshold', p.criterion.threshold);
    detail('scope', p.scope);
    if (p.fineTune) {
      detail('fine-tuning epochs', p.fineTune.epochs);
      detail('fine-tuning schedule', p.fineTune.schedule);
      detail('fine-tuning kept epoch', p.fineTune.bestEpoch);
    }
    common(p);
  }
  const q = record.quantization;
  if (q) {
    detail('dtype', q.dtype);
    detail('method', q.method);
    detail('step', q.step);
    common(q);
  }
  return out;
}
