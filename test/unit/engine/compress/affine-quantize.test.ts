import { describe, expect, it } from 'vitest';
import { affineRange, dequantizeAffine, quantizeAffine, roundHalfEven } from '../../../../src/engine/compress/affine-quantize.js';
import { MlctlError } from '../../../../src/errors.js';
import { loadTf } from '../../../../src/engine/tf.js';
import { createRng } from '../../../../src/random.js';

function randomValues(n: number, lo: number, hi: number, seed = 3): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
}

describe('roundHalfEven', () => {
  it('rounds halves to even like numpy', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2, 2, 3]);
  });
});

describe('affine quantization (the converter semantics)', () => {
  it('nudges the zero point onto an integer so 0.0 decodes to exactly 0', () => {
    const values = Float32Array.from([-0.3, 0, 0.25, 1.0, 0, -0.0001]);
    for (const dtype of ['uint8', 'uint16'] as const) {
      const q = quantizeAffine(values, dtype);
      const decoded = dequantizeAffine(q.data, q.scale, q.min);
      expect(decoded[1]).toBe(0);
      expect(decoded[4]).toBe(0);
      // the stored zero point is an integer: min is −zp·scale
      const zeroPoint = -q.min / q.scale;
      expect(Math.abs(zeroPoint - Math.round(zeroPoint))).toBeLessThan(1e-9);
    }
  });

  it('matches a hand-computed case: [-0.3, 1.0] in uint8', () => {
    const q = quantizeAffine(Float32Array.from([-0.3, 1.0, 0]), 'uint8');
    const scale = (1.0 - Math.fround(-0.3)) / 255;
    expect(q.scale).toBe(scale);
    const zp = Math.round(-Math.fround(-0.3) / scale); // 58.85 → 59
    expect(zp).toBe(59);
    expect(q.min).toBe(-zp * scale);
    // -0.3 is 0.15 steps above the nudged min → q = 0; 1.0 lies above the nudged max → 255; 0 → 59
    expect(Array.from(q.data)).toEqual([0, 255, 59]);
  });

  it('stays within half a step of every value, for both dtypes', () => {
    const values = randomValues(5000, -0.7, 0.4);
    for (const dtype of ['uint8', 'uint16'] as const) {
      const q = quantizeAffine(values, dtype);
      const decoded = dequantizeAffine(q.data, q.scale, q.min);
      let worst = 0;
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(decoded[i] - values[i]));
      expect(worst).toBeLessThanOrEqual(q.scale / 2 + 1e-7);
      expect(worst).toBeGreaterThan(q.scale / 10); // it is really quantized
    }
  });

  it('does not nudge a range that excludes 0 (e.g. batch-norm variances)', () => {
    const values = Float32Array.from([0.5, 0.75, 2.0]);
    const q = quantizeAffine(values, 'uint8');
    expect(q.min).toBe(0.5);
    expect(q.scale).toBe(1.5 / 255);
    expect(Array.from(q.data)).toEqual([0, roundHalfEven(0.25 / (1.5 / 255)), 255]);
    expect(affineRange(0.5, 2, 'uint8')).toEqual({ scale: 1.5 / 255, min: 0.5, max: 2 });
  });

  it('stores a constant tensor as zeros with scale 1 and min = the value', () => {
    const q = quantizeAffine(new Float32Array(7).fill(0.125), 'uint16');
    expect(q).toMatchObject({ scale: 1, min: 0.125 });
    expect(Array.from(q.data)).toEqual(new Array(7).fill(0));
    expect(Array.from(dequantizeAffine(q.data, q.scale, q.min))).toEqual(new Array(7).fill(0.125));
    const zeros = quantizeAffine(new Float32Array(3), 'uint8');
    expect(Array.from(dequantizeAffine(zeros.data, zeros.scale, zeros.min))).toEqual([0, 0, 0]);
  });

  it('handles an empty tensor', () => {
    const q = quantizeAffine(new Float32Array(0), 'uint8');
    expect(q.data.length).toBe(0);
  });

  it('refuses NaN and infinite weights naming the weight', () => {
    let err: unknown;
    try {
      quantizeAffine(Float32Array.from([0, NaN]), 'uint8', 'dense_1/kernel');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MlctlError);
    expect((err as MlctlError).code).toBe('INVALID_MODEL');
    expect((err as MlctlError).message).toContain('dense_1/kernel');
  });

  it('decodes bit for bit as stock TF.js decodeWeights does', async () => {
    const { tf } = await loadTf('cpu');
    const values = randomValues(1000, -2, 3, 9);
    for (const dtype of ['uint8', 'uint16'] as const) {
      const q = quantizeAffine(values, dtype);
      const stored = q.data.slice().buffer as ArrayBuffer;
      const out = tf.io.decodeWeights(stored, [
        { name: 'w', shape: [1000], dtype: 'float32', quantization: { dtype, scale: q.scale, min: q.min } },
      ]);
      expect(Array.from(out.w.dataSync())).toEqual(Array.from(dequantizeAffine(q.data, q.scale, q.min)));
      tf.dispose(Object.values(out));
    }
  });
});
