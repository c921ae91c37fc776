/**
 * What compression costs and saves, measured the same way for every version: weight bytes (the
 * shards as stored), their gzip size (zlib level 6, what a web server sends; the registry's
 * `gzipBytes` uses the same level), the sparsity of each layer's kernels, and the largest
 * absolute change of any weight.
 */
import { gzipSync } from 'node:zlib';
import { MlctlError } from '../../errors.js';
import { isKernel, layerOf } from './weight-roles.js';
import type { NamedWeight } from './named-weight.js';

/** zlib level for gzip sizes (the registry's GZIP_LEVEL). */
export const GZIP_LEVEL = 6;

/** Gzip size of each buffer, summed (each shard is served as its own file). */
export function gzipBytes(buffers: readonly Uint8Array[]): number {
  return buffers.reduce((a, b) => a + gzipSync(b, { level: GZIP_LEVEL }).byteLength, 0);
}

export interface LayerSparsity {
  layer: string;
  /** kernel weights of the layer */
  weights: number;
  /** of which exactly zero */
  zeros: number;
  sparsity: number;
}

export interface SparsityReport {
  layers: LayerSparsity[];
  /** all kernels together */
  overall: { weights: number; zeros: number; sparsity: number };
}

/** Exact zeros among the kernel weights, per layer (in weight order) and overall. */
export function kernelSparsity(weights: readonly NamedWeight[]): SparsityReport {
  const byLayer = new Map<string, LayerSparsity>();
  let total = 0;
  let zeros = 0;
  for (const w of weights) {
    if (!isKernel(w.name)) continue;
    const layer = layerOf(w.name);
    const entry = byLayer.get(layer) ?? { layer, weights: 0, zeros: 0, sparsity: 0 };
    let z = 0;
    for (let i = 0; i < w.values.length; i++) if (w.values[i] === 0) z++;
    entry.weights += w.values.length;
    entry.zeros += z;
    byLayer.set(layer, entry);
    total += w.values.length;
    zeros += z;
  }
  const layers = [...byLayer.values()].map((l) => ({ ...l, sparsity: l.weights === 0 ? 0 : l.zeros / l.weights }));
  return { layers, overall: { weights: total, zeros, sparsity: total === 0 ? 0 : zeros / total } };
}

/** The largest |a − b| over weights matched by name (both lists must hold the same names and sizes). */
export function maxAbsWeightError(a: readonly NamedWeight[], b: readonly NamedWeight[]): number {
  const byName = new Map(b.map((w) => [w.name, w]));
  let max = 0;
  for (const w of a) {
    const other = byName.get(w.name);
    if (!other || other.values.length !== w.values.length) {
      throw new MlctlError('INTERNAL', `Cannot compare weight "${w.name}": missing or of another size (this is a bug).`);
    }
    for (let i = 0; i < w.values.length; i++) {
      const x = w.values[i];
      const y = other.values[i];
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      if (x === y) continue; // also equal infinities
      const d = Math.abs(x - y);
      if (!(d <= max)) max = d;
    }
  }
  return max;
}
