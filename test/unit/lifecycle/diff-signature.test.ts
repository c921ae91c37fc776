import { describe, expect, it } from 'vitest';
import { diffSignature } from '../../../src/lifecycle/diff-versions.js';
import type { Signature } from '../../../src/dataset/signature.js';

const sig = (features: Signature['features']): Signature => ({
  features,
  target: { name: 'y', task: 'regression', mean: 0, std: 1 },
  inputSize: 0,
  encodedNames: [],
});

describe('diffSignature', () => {
  it('lists features added, dropped and read as another type', () => {
    const a = sig([
      { name: 'age', type: 'numeric', mean: 0, std: 1, fill: 0 },
      { name: 'plan', type: 'categorical', categories: ['a'] },
      { name: 'when', type: 'categorical', categories: ['x'] },
    ]);
    const b = sig([
      { name: 'age', type: 'numeric', mean: 3, std: 2, fill: 3 },
      { name: 'when', type: 'datetime', kind: 'date', origin: '2024-01-01', parts: [] },
      { name: 'city', type: 'categorical', categories: ['p'] },
    ]);
    expect(diffSignature(a, b)).toEqual({ added: ['city'], dropped: ['plan'], retyped: [{ name: 'when', a: 'categorical', b: 'date' }] });
    expect(diffSignature(a, a)).toBeNull();
    expect(diffSignature(a, undefined)).toBeNull();
  });
});
