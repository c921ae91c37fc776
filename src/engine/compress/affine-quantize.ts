/**
 * Affine per-tensor quantization to uint8/uint16, exactly as the TF.js converter does it
 * (`tfjs-converter/python/tensorflowjs/quantization.py`, `quantize_weights` and
 * `_get_affine_quantization_range`, after TFLite's `NudgeQuantizationRange`):
 *
 *   scale = (max − min) / quantMax                     quantMax = 255 (uint8) or 65535 (uint16)
 *   if min ≤ 0 ≤ max: the zero point round(−min/scale) is an integer, so
 *     nudgedMin = −zeroPoint·scale, nudgedMax = quantMax·scale + nudgedMin   (0.0 is exact)
 *   q = round((clip(x, nudgedMin, nudgedMax) − nudgedMin) / scale)          (ties to even, as np.round)
 *   a constant tensor (min == max) stores zeros with scale 1 and min = the value.
 *
 * TF.js decodes `q * scale + min` into a Float32Array (`decodeWeight` in tfjs-core io_utils.ts);
 * `dequantizeAffine` does the same arithmetic, so a decoded zero is exactly 0.
 */
import { MlctlError } from '../../errors.js';

export type IntegerQuantizationDtype = 'uint8' | 'uint16';

export interface AffineQuantized {
  dtype: IntegerQuantizationDtype;
  /** the stored integers */
  data: Uint8Array | Uint16Array;
  /** the manifest's `scale`: the real value of one step */
  scale: number;
  /** the manifest's `min`: the (possibly nudged) real value of stored 0 */
  min: number;
}

export const QUANT_MAX: Readonly<Record<IntegerQuantizationDtype, number>> = { uint8: 255, uint16: 65535 };

/** numpy's `np.round`: to the nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function newIntegerArray(dtype: IntegerQuantizationDtype, length: number): Uint8Array | Uint16Array {
  return dtype === 'uint8' ? new Uint8Array(length) : new Uint16Array(length);
}

/** The finite min and max of `values`; INVALID_MODEL naming the weight if one is NaN or infinite. */
export function finiteRange(values: ArrayLike<number>, name: string): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      throw new MlctlError('INVALID_MODEL', `Weight "${name}" holds ${String(v)} at index ${i}; it cannot be quantized to integers.`, {
        hint: 'Retrain the model (its training diverged), or use --dtype float16, which stores NaN and Infinity.',
      });
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** The converter's range: scale and the nudged min/max (nudged only when 0 lies in [min, max]). */
export function affineRange(min: number, max: number, dtype: IntegerQuantizationDtype): { scale: number; min: number; max: number } {
  const quantMax = QUANT_MAX[dtype];
  const scale = (max - min) / quantMax;
  if (min <= 0 && 0 <= max) {
    const zeroPoint = roundHalfEven(-min / scale);
    const nudgedMin = -zeroPoint * scale;
    return { scale, min: nudgedMin, max: quantMax * scale + nudgedMin };
  }
  return { scale, min, max };
}

/** Quantize one tensor's values (`name` only names it in errors). */
export function quantizeAffine(values: ArrayLike<number>, dtype: IntegerQuantizationDtype, name = 'weight'): AffineQuantized {
  const data = newIntegerArray(dtype, values.length);
  if (values.length === 0) return { dtype, data, scale: 1, min: 0 };
  const range = finiteRange(values, name);
  if (range.min === range.max) return { dtype, data, scale: 1, min: range.min };
  const { scale, min, max } = affineRange(range.min, range.max, dtype);
  const quantMax = QUANT_MAX[dtype];
  for (let i = 0; i < values.length; i++) {
    const clipped = Math.min(max, Math.max(min, values[i]));
    const q = roundHalfEven((clipped - min) / scale);
    data[i] = q < 0 ? 0 : q > quantMax ? quantMax : q;
  }
  return { dtype, data, scale, min };
}

/** What stock TF.js decodes: `q * scale + min`, stored as float32. */
export function dequantizeAffine(data: ArrayLike<number>, scale: number, min: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * scale + min;
  return out;
}
