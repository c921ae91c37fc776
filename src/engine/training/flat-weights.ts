/**
 * All of an MLP's weights in ONE flat variable, [kernel_1, bias_1, kernel_2, bias_2, …] in
 * `model.getWeights()` order, so the optimizer runs one set of kernels per step instead of one
 * per weight tensor. This file owns that layout: building the variable from the model, writing
 * it back, splitting it into per-layer tensors, and placing per-weight masks into it.
 */
import type { LayersModel, Tensor, Variable } from '@tensorflow/tfjs';
import { MlctlError } from '../../errors.js';
import type { MlpPlan } from '../build-model.js';
import type { Tf } from '../tf.js';
import type { WeightMask } from './types.js';

export interface FlatLayout {
  /** element count of each piece: kernel_1, bias_1, kernel_2, … */
  pieceSizes: number[];
  /** each piece's shape as the step uses it: kernels [1, in, out], biases [out] */
  pieceShapes: number[][];
  kernelShapes3d: number[][];
  totalSize: number;
  /** weight names in piece order (e.g. "dense_1/kernel") */
  names: string[];
}

export function flatLayout(plan: MlpPlan, names: string[]): FlatLayout {
  const pieceSizes: number[] = [];
  const kernelShapes3d: number[][] = [];
  for (const layer of plan.layers) {
    pieceSizes.push(layer.inputSize * layer.units, layer.units);
    kernelShapes3d.push([1, layer.inputSize, layer.units]);
  }
  const pieceShapes = plan.layers.flatMap((layer, l) => [kernelShapes3d[l], [layer.units]]);
  return { pieceSizes, pieceShapes, kernelShapes3d, totalSize: pieceSizes.reduce((a, b) => a + b, 0), names };
}

/** The model's weights as one trainable variable. */
export function readFlat(tf: Tf, model: LayersModel): Variable {
  return tf.tidy(() => tf.variable(tf.concat(model.getWeights().map((w) => tf.reshape(w, [-1]))), true));
}

/** Write a flat weight vector back into the LayersModel's variables. */
export function writeFlat(tf: Tf, model: LayersModel, plan: MlpPlan, layout: FlatLayout, flat: Tensor): void {
  const values = tf.tidy(() =>
    tf.split(flat, layout.pieceSizes).map((piece, i) => {
      const layer = plan.layers[i >> 1];
      return i % 2 === 0 ? tf.reshape(piece, [layer.inputSize, layer.units]) : piece;
    }),
  );
  try {
    model.setWeights(values);
  } finally {
    tf.dispose(values);
  }
}

/** Per-layer kernels [1, in, out] and biases [out] of a flat vector (standard ops; any backend). */
export function splitFlat(tf: Tf, flat: Tensor, layout: FlatLayout): { kernels: Tensor[]; biases: Tensor[] } {
  const pieces = tf.split(flat, layout.pieceSizes);
  return {
    kernels: pieces.filter((_, i) => i % 2 === 0).map((p, l) => tf.reshape(p, layout.kernelShapes3d[l])),
    biases: pieces.filter((_, i) => i % 2 === 1),
  };
}

/** The mask in the flat layout (1 where a weight is free), or null when no weight is masked. */
export function flatMask(layout: FlatLayout, mask: WeightMask | undefined): Float32Array | null {
  if (!mask || Object.keys(mask).length === 0) return null;
  const known = new Set(layout.names);
  const unknown = Object.keys(mask).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new MlctlError('INVALID_DATA', `The weight mask names weights the model does not have: ${unknown.join(', ')}.`, {
      hint: `The model's weights are ${layout.names.join(', ')}.`,
    });
  }
  const out = new Float32Array(layout.totalSize).fill(1);
  let offset = 0;
  layout.names.forEach((name, i) => {
    const m = mask[name];
    const size = layout.pieceSizes[i];
    if (m) {
      if (m.length !== size) {
        throw new MlctlError('INVALID_DATA', `The mask of weight "${name}" has ${m.length} values; the weight has ${size}.`);
      }
      out.set(m, offset);
    }
    offset += size;
  });
  return out;
}
