import { describe, expect, it } from 'vitest';
import { dequantizeAffine } from '../../../../src/engine/compress/affine-quantize.js';
import { quantizeStep } from '../../../../src/engine/compress/step-quantize.js';
import { MlctlError } from '../../../../src/errors.js';
import { createRng } from '../../../../src/random.js';

describe('uniform quantization with a step (y = round(x/q)·q)', () => {
  it('decodes to multiples of the step, within half a step, with 0 exact', () => {
    const rng = createRng(5);
    const values = Float32Array.from({ length: 2000 }, () => rng.uniform(-0.5, 0.8));
    values[10] = 0;
    const step = 0.01;
    const q = quantizeStep(values, step, 'uint8');
    expect(q.scale).toBe(step);
    const decoded = dequantizeAffine(q.data, q.scale, q.min);
    expect(decoded[10]).toBe(0);
    for (let i = 0; i < values.length; i++) {
      expect(Math.abs(decoded[i] - values[i])).toBeLessThanOrEqual(step / 2 + 1e-6);
      const k = decoded[i] / step;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-4);
    }
  });

  it('maps onto min = kmin·q and stores k − kmin', () => {
    const q = quantizeStep(Float32Array.from([-0.3, 0, 0.2]), 0.1, 'uint8');
    expect(Array.from(q.data)).toEqual([0, 3, 5]);
    expect(q.min).toBe(-3 * 0.1);
  });

  it('refuses a step that needs more levels than the dtype holds, saying how many', () => {
    const values = Float32Array.from([-1, 1]);
    let err: MlctlError | undefined;
    try {
      quantizeStep(values, 0.001, 'uint8', 'dense_2/kernel');
    } catch (e) {
      err = e as MlctlError;
    }
    expect(err?.code).toBe('USAGE');
    expect(err?.message).toContain('2001 levels');
    expect(err?.message).toContain('dense_2/kernel');
    expect(err?.hint).toContain('--dtype uint16');
    // uint16 has room
    expect(quantizeStep(values, 0.001, 'uint16').data.length).toBe(2);
  });

  it('refuses a non-positive step', () => {
    expect(() => quantizeStep(Float32Array.from([1]), 0, 'uint8')).toThrow(/--step must be a positive number/);
    expect(() => quantizeStep(Float32Array.from([1]), -0.1, 'uint16')).toThrow(MlctlError);
  });
});
