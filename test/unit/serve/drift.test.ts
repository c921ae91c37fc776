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

describe('DriftWindow with date features', () => {
  it('reports each part of a date feature as a numeric drift, z-scored as the model sees it', () => {
    const sig = {
      features: [
        {
          name: 'when',
          type: 'datetime' as const,
          kind: 'date' as const,
          origin: '2020-01-01',
          parts: [
            { part: 'year' as const, mean: 2021, std: 1 },
            { part: 'month' as const, mean: 6, std: 3 },
            { part: 'day' as const, mean: 15, std: 8 },
            { part: 'weekday' as const, mean: 3, std: 2 },
            { part: 'days' as const, mean: 500, std: 300 },
          ],
        },
      ],
      target: { name: 'y', task: 'regression' as const, mean: 0, std: 1 },
      inputSize: 5,
      encodedNames: ['when.year', 'when.month', 'when.day', 'when.weekday', 'when.days'],
    };
    const rows = [{ when: '2024-03-01' }, { when: '2024-05-01' }];
    const x = encodeFeatures(sig, rows);
    const w = new DriftWindow(sig, 10);
    w.add(x, 2);
    const snap = w.snapshot();
    expect(snap.numeric.map((d) => d.feature)).toEqual(['when.year', 'when.month', 'when.day', 'when.weekday', 'when.days']);
    snap.numeric.forEach((d, j) => expect(d.shift).toBeCloseTo((x[j] + x[5 + j]) / 2, 5));
    // year 2024 against a training mean of 2021 and std 1: three standard deviations
    expect(snap.numeric[0].shift).toBeCloseTo(3, 5);
    expect(snap.numeric[0].liveMean).toBeCloseTo(2024, 5);
    expect(snap.categories).toEqual([]);
  });
});
