/** Request batching: concurrent calls share one forward pass and each gets exactly its own rows. */
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/serve/batcher.js';
import { fakeServable } from '../../helpers/fake-servable.js';

/** rows whose encoded values sum to `k` (the fake's output depends on that sum) */
function rowsSumming(ks: number[], width = 6): Float32Array {
  const x = new Float32Array(ks.length * width);
  ks.forEach((k, r) => (x[r * width] = k));
  return x;
}

describe('Batcher', () => {
  it('coalesces requests made in the same event-loop turn into one pass and hands each its rows', async () => {
    const s = fakeServable({ batching: true });
    const batches: number[] = [];
    const b = new Batcher({ maxBatchSize: 64, timeoutMs: 0, onBatch: (_s, rows) => batches.push(rows) });
    const inputs = [[0.5], [-1, 2], [3], [0, 0, -2]];
    const outs = await Promise.all(inputs.map((ks) => b.run(s, rowsSumming(ks), ks.length)));
    expect(s.passes).toEqual([7]);
    expect(batches).toEqual([7]);
    inputs.forEach((ks, i) => {
      expect(outs[i]).toEqual(s.forward(rowsSumming(ks), ks.length));
    });
  });

  it('never exceeds maxBatchSize rows per pass, and a request of a full batch runs alone at once', async () => {
    const s = fakeServable({ batching: true });
    const b = new Batcher({ maxBatchSize: 4, timeoutMs: 0 });
    const sizes = [3, 2, 1, 3, 6];
    await Promise.all(sizes.map((n) => b.run(s, new Float32Array(n * 6), n)));
    expect(Math.max(...s.passes)).toBeLessThanOrEqual(6);
    expect(s.passes).toContain(6);
    expect(s.passes.filter((n) => n !== 6).every((n) => n <= 4)).toBe(true);
    expect(s.passes.reduce((a, n) => a + n, 0)).toBe(15);
  });

  it('waits up to timeoutMs for company', async () => {
    const s = fakeServable({ batching: true });
    const b = new Batcher({ maxBatchSize: 64, timeoutMs: 30 });
    const first = b.run(s, new Float32Array(6), 1);
    await new Promise((r) => setTimeout(r, 5));
    const second = b.run(s, new Float32Array(6), 1);
    await Promise.all([first, second]);
    expect(s.passes).toEqual([2]);
  });

  it('a failing pass rejects every caller in it', async () => {
    const s = fakeServable({ batching: true });
    s.dispose(); // the fake's forward now throws
    const b = new Batcher({ maxBatchSize: 8, timeoutMs: 0 });
    const results = await Promise.allSettled([b.run(s, new Float32Array(6), 1), b.run(s, new Float32Array(6), 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
