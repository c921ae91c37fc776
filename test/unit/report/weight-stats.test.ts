import { describe, expect, it } from 'vitest';
import { histogram, weightStats } from '../../../src/report/weight-stats.js';

describe('weightStats', () => {
  it('counts values and exact zeros, and finds range, mean and population std', () => {
    const s = weightStats({ name: 'dense_1/kernel', shape: [2, 3], values: Float32Array.from([0, -1, 2, 0, 3, -4]) });
    expect(s).toMatchObject({ layer: 'dense_1', kind: 'kernel', count: 6, zeros: 2, min: -4, max: 3, shape: [2, 3] });
    expect(s.mean).toBeCloseTo(0, 12);
    expect(s.std).toBeCloseTo(Math.sqrt((1 + 4 + 9 + 16) / 6), 6);
    expect(s.bins.reduce((a, b) => a + b.count, 0)).toBe(6);
  });

  it('tells kernels, biases and other tensors apart by the name’s last part', () => {
    const kind = (name: string) => weightStats({ name, shape: [1], values: Float32Array.from([1]) }).kind;
    expect(kind('conv/block1/kernel')).toBe('kernel');
    expect(kind('dense_2/bias')).toBe('bias');
    expect(kind('bn/moving_mean')).toBe('other');
    expect(weightStats({ name: 'conv/block1/kernel', shape: [1], values: Float32Array.from([1]) }).layer).toBe('conv/block1');
  });
});

describe('histogram', () => {
  it('puts every value in one equal-width bin, the maximum in the last', () => {
    const bins = histogram([0, 0.1, 0.5, 0.99, 1], 0, 1, 4);
    expect(bins.map((b) => b.count)).toEqual([2, 0, 1, 2]);
    expect(bins[0]).toMatchObject({ start: 0, end: 0.25 });
    expect(bins[3].end).toBe(1);
  });

  it('gives equal values one bin of visible width around them', () => {
    const [bin, ...rest] = histogram([0.2, 0.2, 0.2], 0.2, 0.2, 30);
    expect(rest).toEqual([]);
    expect(bin.count).toBe(3);
    expect(bin.start).toBeLessThan(0.2);
    expect(bin.end).toBeGreaterThan(0.2);
  });
});
