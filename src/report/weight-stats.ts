/**
 * Per-tensor weight statistics and histograms for the report: counts, exact zeros (what pruning
 * leaves), range, mean, standard deviation and equal-width bins. Plain numbers in and out.
 */
import type { NamedWeight } from '../engine/model-handle.js';
import { isKernel, layerOf, weightKind } from '../engine/compress/weight-roles.js';

export interface HistogramBin {
  /** lower edge (inclusive) */
  start: number;
  /** upper edge (exclusive, inclusive for the last bin) */
  end: number;
  count: number;
}

export interface WeightStats {
  /** the manifest name, e.g. "dense_1/kernel" */
  name: string;
  /** the layer it belongs to ("dense_1") */
  layer: string;
  /** kernel (the weights pruning may zero: engine/compress/weight-roles.ts), bias, or another kind */
  kind: 'kernel' | 'bias' | 'other';
  shape: number[];
  count: number;
  /** values that are exactly 0 (pruned weights are) */
  zeros: number;
  min: number;
  max: number;
  mean: number;
  /** population standard deviation */
  std: number;
  bins: HistogramBin[];
}

export const DEFAULT_BINS = 30;

export function weightStats(weight: NamedWeight, binCount = DEFAULT_BINS): WeightStats {
  const v = weight.values;
  const layer = layerOf(weight.name);
  const kind = isKernel(weight.name) ? 'kernel' : weightKind(weight.name) === 'bias' ? 'bias' : 'other';
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    if (x === 0) zeros++;
  }
  const n = v.length;
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - mean) * (v[i] - mean);
  return {
    name: weight.name,
    layer,
    kind,
    shape: [...weight.shape],
    count: n,
    zeros,
    min: n > 0 ? min : 0,
    max: n > 0 ? max : 0,
    mean,
    std: n > 0 ? Math.sqrt(ss / n) : 0,
    bins: n > 0 ? histogram(v, min, max, binCount) : [],
  };
}

/** Equal-width bins over [min, max]; the last bin includes max. One bin around the value when all are equal. */
export function histogram(values: ArrayLike<number>, min: number, max: number, binCount: number): HistogramBin[] {
  if (!(max > min)) {
    // every value equal: one bin of a visible width around it
    const half = Math.max(Math.abs(min) * 0.05, 1e-3);
    return [{ start: min - half, end: max + half, count: values.length }];
  }
  const width = (max - min) / binCount;
  const counts = new Array<number>(binCount).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = Math.min(binCount - 1, Math.floor((values[i] - min) / width));
    counts[b]++;
  }
  return counts.map((count, b) => ({ start: min + b * width, end: b === binCount - 1 ? max : min + (b + 1) * width, count }));
}
