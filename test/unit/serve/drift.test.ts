/** The drift window: standardised mean shift per numeric feature, category shares, sliding eviction. */
import { describe, expect, it } from 'vitest';
import { encodeFeatures } from '../../../src/dataset/signature.js';
import { DriftWindow } from '../../../src/serve/drift.js';
import { fakeSignature } from '../../helpers/fake-servable.js';

describe('DriftWindow', () => {
  const sig = fakeSignature(); // a: mean 1 std 2; b: mean 0 std 1; color: blue/green/red; flag

  it('gives the standardised mean shift and the live mean of numeric features, and category shares', () => {
    const w = new DriftWindow(sig, 100);
    const rows = [
      { a: 5, b: 1, color: 'red', flag: true },
      { a: 3, b: -1, color: 'red', flag: false },
      { a: 7, b: 3, color: 'blue', flag: true },
      { a: 5, b: 1, color: null, flag: true },
    ];
    w.add(encodeFeatures(sig, rows), rows.length);
    const snap = w.snapshot();
    expect(snap.rows).toBe(4);
    const a = snap.numeric.find((d) => d.feature === 'a')!;
    // live mean 5 against training mean 1, std 2: two standard deviations
    expect(a.liveMean).toBeCloseTo(5, 5);
    expect(a.shift).toBeCloseTo(2, 5);
    expect(snap.numeric.find((d) => d.feature === 'b')!.shift).toBeCloseTo(1, 5);
    const share = (feature: string, category: string) =>
      snap.categories.find((c) => c.feature === feature && c.category === category)!.share;
    expect(share('color', 'red')).toBeCloseTo(0.5);
    expect(share('color', 'blue')).toBeCloseTo(0.25);
    expect(share('color', 'green')).toBe(0);
    expect(share('color', '(missing)')).toBeCloseTo(0.25);
    expect(share('flag', 'true')).toBeCloseTo(0.75);
  });

  it('slides: only the last N rows count', () => {
    const w = new DriftWindow(sig, 3);
    const old = encodeFeatures(sig, [{ a: 101, b: 0, color: 'blue', flag: false }]);
    const recent = encodeFeatures(sig, [
      { a: 1, b: 0, color: 'green', flag: false },
      { a: 1, b: 0, color: 'green', flag: false },
      { a: 1, b: 0, color: 'green', flag: false },
    ]);
    w.add(old, 1);
    expect(w.snapshot().numeric[0].shift).toBeCloseTo(50);
    for (let i = 0; i < 5; i++) w.add(recent, 3);
    const snap = w.snapshot();
    expect(snap.rows).toBe(3);
    expect(snap.numeric[0].shift).toBeCloseTo(0, 6);
    expect(snap.categories.find((c) => c.category === 'green')!.share).toBeCloseTo(1);
  });
});
