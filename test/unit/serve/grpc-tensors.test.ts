/**
 * gRPC tensor conversion (serve/grpc/tensors.ts): every datatype's contents field and raw
 * little-endian layout, FP16, length-prefixed BYTES, the gRPC-specific errors, and responses in
 * contents or raw form read back.
 */
import { describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import {
  halfToFloat,
  inferResponseOf,
  outputValues,
  plainInputs,
  rawBytesOf,
  type ModelInferRequest,
} from '../../../src/serve/grpc/tensors.js';

const request = (inputs: ModelInferRequest['inputs'], raw: Uint8Array[] = []): ModelInferRequest => ({
  model_name: 'm',
  model_version: '',
  id: '',
  inputs,
  outputs: [],
  raw_input_contents: raw,
});

function errorOf(f: () => unknown): MlctlError {
  try {
    f();
  } catch (e) {
    return e as MlctlError;
  }
  throw new Error('no error');
}

describe('plainInputs', () => {
  it('reads each datatype from its contents field', () => {
    const got = plainInputs(
      request([
        { name: 'a', datatype: 'INT32', shape: [2], contents: { int_contents: [1, -2] } },
        { name: 'b', datatype: 'INT64', shape: [1], contents: { int64_contents: [7] } },
        { name: 'c', datatype: 'UINT8', shape: [1], contents: { uint_contents: [255] } },
        { name: 'd', datatype: 'BOOL', shape: [2], contents: { bool_contents: [true, false] } },
        { name: 'e', datatype: 'BYTES', shape: [2], contents: { bytes_contents: [Buffer.from('ä'), Buffer.from('')] } },
        { name: 'f', datatype: 'FP64', shape: [1, 1], contents: { fp64_contents: [0.1] } },
      ]),
    );
    expect(got.map((t) => t.data)).toEqual([[1, -2], [7], [255], [true, false], ['ä', ''], [0.1]]);
  });

  it('decodes raw little-endian contents of every fixed-size datatype, FP16 included', () => {
    const b = Buffer.alloc(2 + 4 + 8 + 2 + 1);
    b.writeInt16LE(-300, 0);
    b.writeUInt32LE(4_000_000_000, 2);
    b.writeDoubleLE(-1.5, 6);
    b.writeUInt16LE(0x3c00, 14); // 1.0 in half precision
    b.writeUInt8(1, 16);
    const got = plainInputs(
      request(
        [
          { name: 'a', datatype: 'INT16', shape: [1] },
          { name: 'b', datatype: 'UINT32', shape: [1] },
          { name: 'c', datatype: 'FP64', shape: [1] },
          { name: 'd', datatype: 'FP16', shape: [1] },
          { name: 'e', datatype: 'BOOL', shape: [1] },
        ],
        [b.subarray(0, 2), b.subarray(2, 6), b.subarray(6, 14), b.subarray(14, 16), b.subarray(16)],
      ),
    );
    expect(got.map((t) => t.data)).toEqual([[-300], [4_000_000_000], [-1.5], [1], [true]]);
    const i64 = Buffer.alloc(8);
    i64.writeBigInt64LE(-5n);
    expect(plainInputs(request([{ name: 'x', datatype: 'INT64', shape: [1] }], [i64]))[0].data).toEqual([-5]);
  });

  it('half precision: normal, subnormal, signed zero, infinity', () => {
    expect(halfToFloat(0x3555)).toBeCloseTo(0.33325, 5);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('reads length-prefixed raw BYTES and refuses a broken layout', () => {
    const raw = rawBytesOf(['red', '', 'grün']);
    expect(plainInputs(request([{ name: 'c', datatype: 'BYTES', shape: [3] }], [raw]))[0].data).toEqual(['red', '', 'grün']);
    expect(errorOf(() => plainInputs(request([{ name: 'c', datatype: 'BYTES', shape: [3] }], [raw.subarray(0, 10)]))).message).toMatch(
      /^Input "c": raw BYTES contents must be elements of a 4-byte little-endian length/,
    );
    expect(errorOf(() => plainInputs(request([{ name: 'c', datatype: 'BYTES', shape: [2] }], [raw]))).message).toBe(
      'Input "c": shape [2] holds 2 values but the raw BYTES contents have 3.',
    );
  });

  it('gRPC-specific mistakes are INVALID_DATA with what to do', () => {
    const cases: [ModelInferRequest, string][] = [
      [
        request([{ name: 'h', datatype: 'FP16', shape: [1], contents: {} }]),
        'Input "h": FP16 values can only be sent in raw_input_contents.',
      ],
      [
        request([{ name: 'x', datatype: 'INT32', shape: [2], contents: { int64_contents: [1, 2] } }]),
        'Input "x": datatype INT32 takes its values in contents.int_contents, got contents.int64_contents.',
      ],
      [
        request([{ name: 'x', datatype: 'INT32', shape: [2, 2], contents: { int_contents: [1, 2] } }]),
        'Input "x": shape [2, 2] holds 4 values but contents.int_contents has 2.',
      ],
      [
        request([{ name: 'x', datatype: 'FP64', shape: [2] }], [Buffer.alloc(8)]),
        'Input "x": raw contents hold 8 bytes but shape [2] of FP64 needs 16 (2 × 8).',
      ],
    ];
    for (const [r, message] of cases) {
      const e = errorOf(() => plainInputs(r));
      expect(e.code).toBe('INVALID_DATA');
      expect(e.message).toBe(message);
    }
  });
});

describe('inferResponseOf / outputValues', () => {
  const result = {
    model_name: 'm',
    model_version: '3',
    id: 'q',
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] },
      { name: 'label', datatype: 'BYTES', shape: [1], data: ['yes'] },
    ],
  };

  it('answers in contents, or in raw_output_contents, and both read back the same', () => {
    const contents = inferResponseOf(result, false);
    expect(contents.raw_output_contents).toEqual([]);
    expect(contents.outputs[0].contents).toEqual({ fp32_contents: [0.25, 0.75] });
    const raw = inferResponseOf(result, true);
    expect(raw.outputs.every((o) => o.contents === undefined)).toBe(true);
    expect(raw.raw_output_contents[1]).toEqual(rawBytesOf(['yes']));
    for (const r of [contents, raw]) {
      expect(outputValues(r, 0)).toEqual([0.25, 0.75]);
      expect(outputValues(r, 1)).toEqual(['yes']);
      expect(r).toMatchObject({ model_name: 'm', model_version: '3', id: 'q' });
    }
  });
});
