/**
 * gRPC tensors ↔ the REST protocol's `{name, shape, datatype, data}` tensors. Requests carry their
 * values either in `InferTensorContents` (the repeated field of the datatype: fp32_contents,
 * int64_contents, bytes_contents, …) or, for every input at once, in `raw_input_contents`:
 * flat little-endian row-major bytes, BYTES elements as a 4-byte little-endian length followed
 * by the bytes (Triton's convention). Once converted, the tensors go through the same validation
 * and encoding as REST (encodeOipInputs), so the messages are the same; only what is specific to
 * the gRPC form (which field, how many raw bytes) is checked here.
 *
 * Responses answer in kind: raw_output_contents when the request used raw_input_contents,
 * InferTensorContents otherwise.
 */
import { MlctlError } from '../../errors.js';
import type { OipInferResult, OipOutput } from '../routes/oip.js';

export interface InferTensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: number[];
  uint_contents?: number[];
  uint64_contents?: number[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

export type ContentsField = keyof InferTensorContents;

export interface InferInputTensor {
  name: string;
  datatype: string;
  shape: number[];
  contents?: InferTensorContents | null;
}

export interface ModelInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  inputs: InferInputTensor[];
  outputs: { name: string }[];
  raw_input_contents: Uint8Array[];
}

export interface InferOutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  contents?: InferTensorContents;
}

export interface ModelInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: InferOutputTensor[];
  raw_output_contents: Buffer[];
}

/** The gRPC-side form of a REST tensor. */
export interface PlainTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

/** Which InferTensorContents field carries each datatype (FP16 has none: raw only). */
export const CONTENTS_FIELD: Readonly<Record<string, ContentsField>> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

/** Bytes per element in raw contents (BYTES is length-prefixed instead). */
export const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  INT8: 1,
  UINT8: 1,
  INT16: 2,
  UINT16: 2,
  FP16: 2,
  INT32: 4,
  UINT32: 4,
  FP32: 4,
  INT64: 8,
  UINT64: 8,
  FP64: 8,
};

const invalid = (message: string, hint?: string): MlctlError => new MlctlError('INVALID_DATA', message, hint ? { hint } : {});

const FIELDS = Object.keys(Object.fromEntries(Object.values(CONTENTS_FIELD).map((f) => [f, 1]))) as ContentsField[];

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeOk(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0);
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** The request's input tensors with their values in `data` (strings for BYTES), ready for encodeOipInputs. */
export function plainInputs(request: ModelInferRequest): PlainTensor[] {
  const inputs = request.inputs ?? [];
  const raw = request.raw_input_contents ?? [];
  if (raw.length > 0) {
    if (raw.length !== inputs.length) {
      throw invalid(
        `"raw_input_contents" has ${raw.length} entries but the request has ${inputs.length} inputs; give one per input, in the same order.`,
      );
    }
    return inputs.map((t, i) => {
      const used = FIELDS.find((f) => (t.contents?.[f]?.length ?? 0) > 0);
      if (used !== undefined) {
        throw invalid(`Input "${t.name}": values in both contents.${used} and raw_input_contents; use one or the other.`);
      }
      return { name: t.name, shape: t.shape, datatype: t.datatype, data: rawValues(t, raw[i]) };
    });
  }
  return inputs.map((t) => ({ name: t.name, shape: t.shape, datatype: t.datatype, data: contentValues(t) }));
}

function contentValues(t: InferInputTensor): unknown[] {
  const field = CONTENTS_FIELD[t.datatype];
  const given = FIELDS.filter((f) => (t.contents?.[f]?.length ?? 0) > 0);
  if (t.datatype === 'FP16') throw invalid(`Input "${t.name}": FP16 values can only be sent in raw_input_contents.`);
  // an unknown datatype: the shared validation names the valid ones
  if (field === undefined) return [];
  if (given.length > 0 && !given.includes(field)) {
    throw invalid(`Input "${t.name}": datatype ${t.datatype} takes its values in contents.${field}, got contents.${given[0]}.`);
  }
  const values = (t.contents?.[field] ?? []) as unknown[];
  if (shapeOk(t.shape) && values.length !== elementCount(t.shape)) {
    throw invalid(
      `Input "${t.name}": shape ${shapeText(t.shape)} holds ${elementCount(t.shape)} values but contents.${field} has ${values.length}.`,
    );
  }
  if (field === 'bytes_contents')
    return (values as Uint8Array[]).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'));
  return values;
}

function rawValues(t: InferInputTensor, bytes: Uint8Array): unknown[] {
  if (!shapeOk(t.shape)) return []; // the shared validation explains the shape
  const count = elementCount(t.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (t.datatype === 'BYTES') return rawStrings(t, bytes, view, count);
  const size = ELEMENT_BYTES[t.datatype];
  if (size === undefined) return [];
  if (bytes.byteLength !== count * size) {
    throw invalid(
      `Input "${t.name}": raw contents hold ${bytes.byteLength} bytes but shape ${shapeText(t.shape)} of ${t.datatype} needs ${count * size} (${count} × ${size}).`,
      'Raw contents are the flat, row-major, little-endian values with no padding.',
    );
  }
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = readElement(view, i * size, t.datatype);
  return out;
}

function readElement(view: DataView, at: number, datatype: string): unknown {
  switch (datatype) {
    case 'BOOL':
      return view.getUint8(at) !== 0;
    case 'INT8':
      return view.getInt8(at);
    case 'UINT8':
      return view.getUint8(at);
    case 'INT16':
      return view.getInt16(at, true);
    case 'UINT16':
      return view.getUint16(at, true);
    case 'FP16':
      return halfToFloat(view.getUint16(at, true));
    case 'INT32':
      return view.getInt32(at, true);
    case 'UINT32':
      return view.getUint32(at, true);
    case 'FP32':
      return view.getFloat32(at, true);
    case 'INT64':
      return Number(view.getBigInt64(at, true));
    case 'UINT64':
      return Number(view.getBigUint64(at, true));
    default:
      return view.getFloat64(at, true);
  }
}

/** IEEE 754 half precision → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function rawStrings(t: InferInputTensor, bytes: Uint8Array, view: DataView, count: number): string[] {
  const out: string[] = [];
  let at = 0;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (at < bytes.byteLength) {
    if (at + 4 > bytes.byteLength) break;
    const length = view.getUint32(at, true);
    at += 4;
    if (at + length > bytes.byteLength) {
      at = -1;
      break;
    }
    out.push(buffer.toString('utf8', at, at + length));
    at += length;
  }
  if (at !== bytes.byteLength) {
    throw invalid(
      `Input "${t.name}": raw BYTES contents must be elements of a 4-byte little-endian length followed by that many bytes; these ${bytes.byteLength} bytes are not.`,
    );
  }
  if (out.length !== count) {
    throw invalid(`Input "${t.name}": shape ${shapeText(t.shape)} holds ${count} values but the raw BYTES contents have ${out.length}.`);
  }
  return out;
}

/** BYTES elements as raw contents: each a 4-byte little-endian length and the UTF-8 bytes. */
export function rawBytesOf(values: readonly string[]): Buffer {
  const parts = values.map((v) => Buffer.from(v, 'utf8'));
  const out = Buffer.alloc(parts.reduce((a, p) => a + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt32LE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** The inference result as a ModelInferResponse, in raw_output_contents or in contents. */
export function inferResponseOf(result: OipInferResult, raw: boolean): ModelInferResponse {
  const outputs: InferOutputTensor[] = [];
  const rawOut: Buffer[] = [];
  for (const t of result.outputs) {
    const meta = { name: t.name, datatype: t.datatype, shape: t.shape };
    if (raw) {
      outputs.push(meta);
      rawOut.push(rawOutput(t));
    } else {
      outputs.push({ ...meta, contents: outputContents(t) });
    }
  }
  return { model_name: result.model_name, model_version: result.model_version, id: result.id ?? '', outputs, raw_output_contents: rawOut };
}

function outputContents(t: OipOutput): InferTensorContents {
  if (t.datatype === 'BYTES') return { bytes_contents: (t.data as string[]).map((v) => Buffer.from(v, 'utf8')) };
  return { fp32_contents: t.data as number[] };
}

function rawOutput(t: OipOutput): Buffer {
  if (t.datatype === 'BYTES') return rawBytesOf(t.data as string[]);
  const values = Float32Array.from(t.data as number[]);
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Values of one output tensor of a response, whichever form it came in (for clients). */
export function outputValues(response: ModelInferResponse, index: number): unknown[] {
  const t = response.outputs[index];
  const raw = response.raw_output_contents?.[index];
  if (raw && raw.length > 0) {
    return rawValues({ name: t.name, datatype: t.datatype, shape: t.shape }, raw);
  }
  const field = CONTENTS_FIELD[t.datatype];
  const values = (field ? (t.contents?.[field] ?? []) : []) as unknown[];
  if (field === 'bytes_contents')
    return (values as Uint8Array[]).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'));
  return values;
}
