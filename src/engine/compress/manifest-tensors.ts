/**
 * A layers model's weights exactly as its manifest stores them: one entry per manifest weight,
 * in manifest order (groups in order, weights in order), with its stored bytes. Splitting needs
 * no TensorFlow.js: it follows `decodeWeights` in tfjs-core `io_utils.ts` (each group's files
 * concatenated, each tensor `prod(shape) × bytes(storage dtype)` after the previous one, no
 * padding). Decoding a float32 weight reproduces TF.js's arithmetic (`q * scale + min` into a
 * Float32Array, or binary16 → float32), so values read here equal what `tf.loadLayersModel` sees.
 */
import { MlctlError } from '../../errors.js';
import { weightSpecBytes, type WeightSpec, type WeightsManifestGroup } from '../model-files.js';
import { dequantizeAffine } from './affine-quantize.js';
import { decodeFloat16 } from './float16.js';
import type { NamedWeight } from './named-weight.js';

export interface ManifestTensor {
  spec: WeightSpec;
  /** the tensor's stored bytes (a copy, so typed-array views over it are aligned) */
  bytes: Uint8Array;
}

/**
 * Cut each group's concatenated shard bytes into its tensors. `groupBytes[g]` is group g's files
 * joined in `paths` order. INVALID_MODEL when a group's bytes do not match its weights.
 */
export function splitManifestTensors(manifest: readonly WeightsManifestGroup[], groupBytes: readonly Uint8Array[]): ManifestTensor[] {
  if (groupBytes.length !== manifest.length) {
    throw new MlctlError(
      'INTERNAL',
      `Got bytes for ${groupBytes.length} weight groups, the manifest has ${manifest.length} (this is a bug).`,
    );
  }
  const out: ManifestTensor[] = [];
  manifest.forEach((group, g) => {
    const bytes = groupBytes[g];
    let offset = 0;
    for (const spec of group.weights) {
      const length = weightSpecBytes(spec);
      if (offset + length > bytes.byteLength) {
        throw new MlctlError('INVALID_MODEL', `The weight files of group ${g + 1} end before weight "${spec.name}".`, {
          hint: 'The weight files are truncated or do not belong to this model.json.',
        });
      }
      out.push({ spec, bytes: bytes.slice(offset, offset + length) });
      offset += length;
    }
    if (offset !== bytes.byteLength) {
      throw new MlctlError(
        'INVALID_MODEL',
        `The weight files of group ${g + 1} hold ${bytes.byteLength} bytes; its weights need ${offset}.`,
        {
          hint: 'The weight files do not belong to this model.json.',
        },
      );
    }
  });
  return out;
}

/** True for weights whose logical dtype is float32 (the ones compression may change). */
export function isFloatTensor(tensor: ManifestTensor): boolean {
  return tensor.spec.dtype === 'float32';
}

/** The float32 values TF.js decodes for a float32 weight (dequantized when quantized). */
export function decodeFloatTensor(tensor: ManifestTensor): Float32Array {
  const { spec, bytes } = tensor;
  if (spec.dtype !== 'float32') {
    throw new MlctlError('INTERNAL', `Weight "${spec.name}" is ${spec.dtype}, not float32 (this is a bug).`);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const q = spec.quantization;
  if (!q) return new Float32Array(buffer);
  if (q.dtype === 'float16') return decodeFloat16(new Uint16Array(buffer));
  const stored = q.dtype === 'uint8' ? new Uint8Array(buffer) : new Uint16Array(buffer);
  return dequantizeAffine(stored, q.scale as number, q.min as number);
}

/** Every float32 weight as a NamedWeight (decoded values), in manifest order. */
export function floatWeightsOf(tensors: readonly ManifestTensor[]): NamedWeight[] {
  return tensors.filter(isFloatTensor).map((t) => ({ name: t.spec.name, shape: [...t.spec.shape], values: decodeFloatTensor(t) }));
}

/** The storage dtype of a weight: its quantization dtype, else its dtype. */
export function storageDtype(spec: WeightSpec): string {
  return spec.quantization ? spec.quantization.dtype : spec.dtype;
}
