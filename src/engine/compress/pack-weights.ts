/**
 * Pack weights into TF.js weight shards and a weights manifest that stock `tf.loadLayersModel`
 * reads and dequantizes itself (TF.js's own encoder cannot write quantized weights). Tensors are
 * written in the order given (manifest order), each right after the previous one, and the bytes
 * are cut into shards of at most `shardBytes` named like the converter's
 * (`group1-shard1of2.bin`, …). Every float32 weight keeps its logical dtype 'float32'; a quantized
 * one gets `quantization: {dtype: 'uint8'|'uint16', scale, min}` or `{dtype: 'float16'}` (plus
 * the converter's `original_dtype`, which TF.js ignores). Anything else (int32, bool, or a weight
 * asked to be kept) is copied with its stored bytes and manifest entry as they are.
 */
import { MlctlError } from '../../errors.js';
import type { WeightQuantization, WeightSpec, WeightsManifestGroup } from '../model-files.js';
import { dequantizeAffine, quantizeAffine, type IntegerQuantizationDtype } from './affine-quantize.js';
import { decodeFloat16, encodeFloat16 } from './float16.js';
import { elementCount } from './named-weight.js';
import { quantizeStep } from './step-quantize.js';

/** How one weight is stored. */
export type TensorEncoding =
  /** the stored bytes and manifest entry as they are (int32, bool, skipped layers) */
  | { kind: 'copy' }
  /** plain float32 values */
  | { kind: 'float32' }
  /** IEEE half precision */
  | { kind: 'float16' }
  /** affine per-tensor uint8/uint16 with the zero point nudged onto an integer */
  | { kind: 'affine'; dtype: IntegerQuantizationDtype }
  /** y = round(x/step)·step stored as uint8/uint16 */
  | { kind: 'step'; dtype: IntegerQuantizationDtype; step: number };

export interface PackInput {
  /** the weight's manifest entry in the source model (name, shape, dtype, group, quantization) */
  spec: WeightSpec;
  /** its stored bytes in the source (needed for 'copy') */
  bytes?: Uint8Array;
  /** its float32 values (needed for every other encoding) */
  values?: Float32Array;
  encoding: TensorEncoding;
}

export interface PackedTensor {
  name: string;
  /** storage dtype written: float32, float16, uint8, uint16, int32, … */
  storage: string;
  bytes: number;
  /** what TF.js will decode for a float32 weight (null for other dtypes) */
  decoded: Float32Array | null;
}

export interface PackedWeights {
  weightsManifest: WeightsManifestGroup[];
  shards: { path: string; data: Uint8Array }[];
  tensors: PackedTensor[];
  totalBytes: number;
}

export interface PackOptions {
  /** most bytes per shard file (default 4 MiB, the converter's default) */
  shardBytes?: number;
}

export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

export function packWeights(inputs: readonly PackInput[], options: PackOptions = {}): PackedWeights {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!(Number.isSafeInteger(shardBytes) && shardBytes > 0)) {
    throw new MlctlError('INTERNAL', `Shard size must be a positive integer, got ${shardBytes} (this is a bug).`);
  }
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  const tensors: PackedTensor[] = [];
  for (const input of inputs) {
    const { spec, chunk, decoded } = encodeOne(input);
    specs.push(spec);
    chunks.push(chunk);
    tensors.push({ name: spec.name, storage: spec.quantization ? spec.quantization.dtype : spec.dtype, bytes: chunk.byteLength, decoded });
  }
  const totalBytes = chunks.reduce((a, c) => a + c.byteLength, 0);
  const all = new Uint8Array(totalBytes);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  const count = Math.max(1, Math.ceil(totalBytes / shardBytes));
  const shards: { path: string; data: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    shards.push({
      path: `group1-shard${i + 1}of${count}.bin`,
      data: all.subarray(i * shardBytes, Math.min(totalBytes, (i + 1) * shardBytes)),
    });
  }
  return { weightsManifest: [{ paths: shards.map((s) => s.path), weights: specs }], shards, tensors, totalBytes };
}

function encodeOne(input: PackInput): { spec: WeightSpec; chunk: Uint8Array; decoded: Float32Array | null } {
  const { spec, encoding } = input;
  const base: WeightSpec = { name: spec.name, shape: [...spec.shape], dtype: spec.dtype };
  if (spec.group !== undefined) base.group = spec.group;

  if (encoding.kind === 'copy') {
    if (!input.bytes) throw new MlctlError('INTERNAL', `No stored bytes to copy for weight "${spec.name}" (this is a bug).`);
    const copied: WeightSpec = spec.quantization ? { ...base, quantization: { ...spec.quantization } } : base;
    return { spec: copied, chunk: input.bytes, decoded: null };
  }
  if (spec.dtype !== 'float32') {
    throw new MlctlError('INTERNAL', `Weight "${spec.name}" is ${spec.dtype}; only float32 weights can be re-encoded (this is a bug).`);
  }
  const values = input.values;
  if (!values) throw new MlctlError('INTERNAL', `No values for weight "${spec.name}" (this is a bug).`);
  if (values.length !== elementCount(spec.shape)) {
    throw new MlctlError(
      'INTERNAL',
      `Weight "${spec.name}" has ${values.length} values for shape [${spec.shape.join(', ')}] (this is a bug).`,
    );
  }
  switch (encoding.kind) {
    case 'float32': {
      const data = Float32Array.from(values);
      return { spec: base, chunk: new Uint8Array(data.buffer), decoded: data };
    }
    case 'float16': {
      const bits = encodeFloat16(values);
      const quantization: WeightQuantization = { dtype: 'float16', original_dtype: 'float32' };
      return { spec: { ...base, quantization }, chunk: new Uint8Array(bits.buffer), decoded: decodeFloat16(bits) };
    }
    case 'affine':
    case 'step': {
      const q =
        encoding.kind === 'affine'
          ? quantizeAffine(values, encoding.dtype, spec.name)
          : quantizeStep(values, encoding.step, encoding.dtype, spec.name);
      const quantization: WeightQuantization = { dtype: q.dtype, scale: q.scale, min: q.min, original_dtype: 'float32' };
      return {
        spec: { ...base, quantization },
        chunk: new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength),
        decoded: dequantizeAffine(q.data, q.scale, q.min),
      };
    }
  }
}
