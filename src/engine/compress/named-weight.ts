/**
 * The unit every compression transform works on: one weight tensor by its manifest name, its
 * shape and its values as float32 — the model handle's `NamedWeight` (`readWeights()` /
 * `writeWeights()`), so the maths here works on weights however they were read.
 */
export type { NamedWeight } from '../model-handle.js';

/** Number of elements of a shape (1 for a scalar []). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
