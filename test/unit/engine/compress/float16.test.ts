import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, float16Bits, float16Value } from '../../../../src/engine/compress/float16.js';
import { loadTf } from '../../../../src/engine/tf.js';
import { createRng } from '../../../../src/random.js';

describe('float16 encoding', () => {
  it('encodes exact halves to their bit patterns', () => {
    expect(float16Bits(0)).toBe(0x0000);
    expect(float16Bits(-0)).toBe(0x8000);
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(0.5)).toBe(0x3800);
    expect(float16Bits(65504)).toBe(0x7bff); // largest finite half
    expect(float16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(float16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float16Bits(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
  });

  it('rounds to nearest with ties to even, for normals and subnormals', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to the even 1
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even)
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    // subnormal halfway cases: 2.5·2^-24 → 2 (even), 3.5·2^-24 → 4
    expect(float16Bits(2.5 * 2 ** -24)).toBe(0x0002);
    expect(float16Bits(3.5 * 2 ** -24)).toBe(0x0004);
    // half the smallest subnormal ties to 0, anything above goes to 2^-24
    expect(float16Bits(2 ** -25)).toBe(0x0000);
    expect(float16Bits(-(2 ** -25) * 1.0001)).toBe(0x8001);
    expect(float16Bits(2 ** -30)).toBe(0x0000);
    // the largest subnormal rounding up becomes the smallest normal
    expect(float16Bits(1023.5 * 2 ** -24)).toBe(0x0400);
  });

  it('overflows to infinity exactly from 65520 (halfway to 2^16) and keeps inf and NaN', () => {
    expect(float16Bits(65519.99)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(-1e9)).toBe(0xfc00);
    expect(float16Bits(Infinity)).toBe(0x7c00);
    expect(float16Bits(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(float16Value(float16Bits(NaN)))).toBe(true);
  });

  it('picks the nearest half for random float32 values across the whole range', () => {
    const rng = createRng(11);
    const values = new Float32Array(20000);
    for (let i = 0; i < values.length; i++) values[i] = (rng.float() - 0.5) * 2 ** (rng.int(44) - 28); // below 2^15: overflow is tested above
    const bits = encodeFloat16(values);
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      const err = Math.abs(float16Value(bits[i]) - x);
      // neighbours one ulp away on either side are never closer
      for (const other of [bits[i] + 1, bits[i] - 1]) {
        if ((other & 0x7fff) >= 0x7c00 || other < 0 || (other & 0x8000) !== (bits[i] & 0x8000)) continue;
        expect(Math.abs(float16Value(other) - x)).toBeGreaterThanOrEqual(err);
      }
    }
  });

  it('decodes every one of the 65536 bit patterns exactly as TF.js does', async () => {
    const { tf } = await loadTf('cpu');
    const all = new Uint16Array(65536);
    for (let i = 0; i < all.length; i++) all[i] = i;
    const decoded = tf.io.decodeWeights(all.buffer, [{ name: 'w', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } }]);
    const theirs = decoded.w.dataSync() as Float32Array;
    const ours = decodeFloat16(all);
    tf.dispose(Object.values(decoded));
    for (let i = 0; i < all.length; i++) {
      if (Number.isNaN(ours[i])) expect(Number.isNaN(theirs[i]), `bits ${i}`).toBe(true);
      else expect(Object.is(ours[i], theirs[i]), `bits ${i}: ${ours[i]} vs ${theirs[i]}`).toBe(true);
    }
    // and encoding a decoded half gives the same bits back (except NaN payloads)
    const again = encodeFloat16(ours);
    for (let i = 0; i < all.length; i++) if (!Number.isNaN(ours[i])) expect(again[i]).toBe(i);
  });
});
