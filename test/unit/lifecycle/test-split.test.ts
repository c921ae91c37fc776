import { describe, expect, it } from 'vitest';
import { decodeTestSplit, encodeTestSplit } from '../../../src/lifecycle/test-split.js';

describe('stored test split', () => {
  it('round-trips any set of row indices (sorted on the way back)', () => {
    const indices = [999, 0, 7, 8, 512, 3];
    const stored = encodeTestSplit(indices, 1000);
    expect(stored).toMatchObject({ encoding: 'bitmap-base64', datasetRows: 1000, rows: 6 });
    expect(Array.from(decodeTestSplit(stored))).toEqual([...indices].sort((a, b) => a - b));
  });

  it('is compact: one bit per dataset row', () => {
    const stored = encodeTestSplit([1, 2, 3], 80_000);
    expect(Buffer.from(stored.data, 'base64').length).toBe(10_000);
  });
});
