import { describe, expect, it } from 'vitest';
import { gzipBytes, kernelSparsity, maxAbsWeightError } from '../../../../src/engine/compress/size-stats.js';
import { createRng } from '../../../../src/random.js';

describe('size statistics', () => {
  it('gzip bytes: zeros compress far better than random floats', () => {
    const rng = createRng(1);
    const random = new Uint8Array(Float32Array.from({ length: 4096 }, () => rng.normal()).buffer);
    const zeros = new Uint8Array(4096 * 4);
    expect(gzipBytes([zeros])).toBeLessThan(100);
    expect(gzipBytes([random])).toBeGreaterThan(4096 * 3);
    expect(gzipBytes([zeros, random])).toBe(gzipBytes([zeros]) + gzipBytes([random]));
  });

  it('kernel sparsity per layer and overall counts exact zeros of kernels only', () => {
    const report = kernelSparsity([
      { name: 'd1/kernel', shape: [4], values: Float32Array.from([0, 1, 0, 2]) },
      { name: 'd1/bias', shape: [2], values: Float32Array.from([0, 0]) },
      { name: 'emb/embeddings', shape: [2, 2], values: Float32Array.from([0, -0, 1e-30, 3]) },
    ]);
    expect(report.layers).toEqual([
      { layer: 'd1', weights: 4, zeros: 2, sparsity: 0.5 },
      { layer: 'emb', weights: 4, zeros: 2, sparsity: 0.5 },
    ]);
    expect(report.overall).toEqual({ weights: 8, zeros: 4, sparsity: 0.5 });
  });

  it('max absolute weight error matches weights by name', () => {
    const a = [
      { name: 'x', shape: [3], values: Float32Array.from([1, 2, 3]) },
      { name: 'y', shape: [1], values: Float32Array.from([Infinity]) },
    ];
    const b = [
      { name: 'y', shape: [1], values: Float32Array.from([Infinity]) },
      { name: 'x', shape: [3], values: Float32Array.from([1, 2.5, 2.75]) },
    ];
    expect(maxAbsWeightError(a, b)).toBe(0.5);
    expect(maxAbsWeightError(a, a)).toBe(0);
    expect(() => maxAbsWeightError(a, [b[1]])).toThrow(/Cannot compare weight "y"/);
  });
});
