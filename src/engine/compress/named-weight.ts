/**
 * The unit every compression transform works on: one weight tensor by its manifest name, its
 * shape and its values as float32. The same shape as `NamedWeight` of the engine's model handle
 * (`readWeights()` / `writeWeights()`), so the maths here works on weights however they were read.
 */
export interface NamedWeight {
  /** the weights-manifest name, e.g. 'dense_1/kernel' or 'block1/conv2d/kernel' */
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Number of elements of a shape (1 for a scalar []). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
