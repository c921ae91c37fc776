/**
 * IEEE 754 binary16 ("half precision") encoding and decoding of float32 values, as TF.js's
 * `quantization: {dtype: 'float16'}` stores them (tfjs-core `io_utils.ts` decodes them with
 * `getFloat16Decoder`). Encoding rounds to nearest, ties to even, straight from the float32 bits
 * (one rounding, so the result is the correctly rounded half); values too large for a half
 * (≥ 65520) become ±Infinity, tiny values become half subnormals or ±0, and NaN stays NaN.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The binary16 bit pattern nearest to `x` (rounded to float32 first, as a Float32Array holds it). */
export function float16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (exponent === 0xff) {
    // Infinity keeps its sign; NaN stays a (quiet) NaN with the top payload bits
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // ≥ 2^16: beyond the largest half
  if (halfExponent <= 0) {
    // a half subnormal (or zero): value = m × 2^-24 with m < 1024
    if (halfExponent < -10) return sign; // below half the smallest subnormal (2^-25): ±0
    const full = mantissa | 0x800000; // the implicit leading bit
    const shift = 14 - halfExponent; // 14..24 bits dropped
    const kept = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const rounded = rest > halfway || (rest === halfway && (kept & 1) === 1) ? kept + 1 : kept;
    return sign | rounded; // a carry to 0x400 is exactly the smallest normal half
  }
  const kept = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  const rounded = rest > 0x1000 || (rest === 0x1000 && (kept & 1) === 1) ? kept + 1 : kept;
  return sign | rounded; // a carry into the exponent is correct, up to 0x7c00 = Infinity
}

/** The value of a binary16 bit pattern. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** Encode float32 values as binary16 bit patterns (the bytes of a float16-quantized weight). */
export function encodeFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i]);
  return out;
}

/** Decode binary16 bit patterns to float32 (every half is exactly representable as a float32). */
export function decodeFloat16(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16Value(bits[i]);
  return out;
}
