/**
 * Integrated gradients (Sundararajan et al. 2017): the attribution of input i for output k is
 * `(x_i − b_i) · ∫₀¹ ∂f_k(b + α(x − b))/∂x_i dα`, integrated with the midpoint rule over `steps`
 * points of the straight path from the baseline `b` to the row `x`. Completeness says the
 * attributions sum to `f_k(x) − f_k(b)`; the sum's distance from it is the integration error, so
 * the steps double (per row, only for the rows that still miss) until every row's error is
 * within `tolerance` of `|f_k(x) − f_k(b)|`, or `maxSteps` is reached.
 *
 * All interpolation points of a group of rows go through the model as one batch, and one
 * `tf.grad` call gives every point's gradient (rows are independent in inference: the gradient of
 * the summed selected outputs is each point's own gradient).
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import { outputSizeOf, rowShape } from './predict.js';
import type { Tf } from './tf.js';

export interface IntegratedGradientsOptions {
  /** the baseline row (rowSize values) */
  baseline: Float32Array;
  /** per row, the output explained (class index; 0 for a single output) */
  outputs: Int32Array;
  /** largest completeness error accepted, relative to |f(x) − f(b)| (default 0.01) */
  tolerance?: number;
  /** steps of the first pass (default 32) */
  minSteps?: number;
  /** the steps never go past this (default 4096) */
  maxSteps?: number;
  /** an |f(x) − f(b)| below this counts as this much when the error is made relative (default 1e-3) */
  floor?: number;
}

export interface IntegratedGradientsResult {
  /** n × rowSize attributions, in the output's units */
  attributions: Float32Array;
  /** per row: f_k(x) and f_k(b) */
  prediction: Float64Array;
  baselinePrediction: Float64Array;
  /** per row: |Σ attributions − (f(x) − f(b))| / max(|f(x) − f(b)|, floor) */
  error: Float64Array;
  /** per row: the steps its attributions were integrated with */
  steps: Int32Array;
}

/** interpolation points per forward/backward pass */
const POINTS_PER_PASS = 8192;

export function integratedGradients(
  tf: Tf,
  model: LayersModel,
  x: Float32Array,
  n: number,
  options: IntegratedGradientsOptions,
): IntegratedGradientsResult {
  const dims = rowShape(model);
  if (!dims.every((d): d is number => typeof d === 'number')) {
    throw new MlctlError('INVALID_MODEL', 'Integrated gradients need a model whose input has a fixed shape.');
  }
  const rowSize = dims.reduce((a, b) => a * b, 1);
  const outputSize = outputSizeOf(model);
  const { baseline, outputs } = options;
  if (x.length !== n * rowSize || baseline.length !== rowSize || outputs.length !== n) {
    throw new MlctlError(
      'INTERNAL',
      `integratedGradients: ${n} rows of ${rowSize} values, a baseline and one output per row expected (this is a bug).`,
    );
  }
  for (const k of outputs) {
    if (!(k >= 0 && k < outputSize)) throw new MlctlError('INTERNAL', `integratedGradients: output ${k} of ${outputSize} (this is a bug).`);
  }
  const tolerance = options.tolerance ?? 0.01;
  const maxSteps = Math.max(1, options.maxSteps ?? 4096);
  const floor = options.floor ?? 1e-3;
  const apply = (input: Tensor): Tensor => (model.apply(input, { training: false }) as Tensor).reshape([-1, outputSize]);
  const toInput = (values: Float32Array, rows: number): Tensor => tf.tensor(values, [rows, ...dims]);

  // the end points: f(x) for every row and f(b)
  const ends = new Float32Array((n + 1) * rowSize);
  ends.set(x);
  ends.set(baseline, n * rowSize);
  const endOut = tf.tidy(() => apply(toInput(ends, n + 1)).dataSync() as Float32Array);
  const prediction = new Float64Array(n);
  const baselinePrediction = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    prediction[r] = endOut[r * outputSize + outputs[r]];
    baselinePrediction[r] = endOut[n * outputSize + outputs[r]];
  }

  const attributions = new Float32Array(n * rowSize);
  const error = new Float64Array(n);
  const stepsUsed = new Int32Array(n);

  let pending = Array.from({ length: n }, (_, r) => r);
  for (let steps = Math.max(1, Math.min(options.minSteps ?? 32, maxSteps)); pending.length > 0; steps = Math.min(maxSteps, steps * 2)) {
    const rowsPerPass = Math.max(1, Math.floor(POINTS_PER_PASS / steps));
    const missed: number[] = [];
    for (let g = 0; g < pending.length; g += rowsPerPass) {
      const group = pending.slice(g, g + rowsPerPass);
      const sums = gradientSums(group, steps);
      group.forEach((r, k) => {
        let total = 0;
        for (let i = 0; i < rowSize; i++) {
          const a = (x[r * rowSize + i] - baseline[i]) * (sums[k * rowSize + i] / steps);
          attributions[r * rowSize + i] = a;
          total += a;
        }
        const delta = prediction[r] - baselinePrediction[r];
        error[r] = Math.abs(total - delta) / Math.max(Math.abs(delta), floor);
        stepsUsed[r] = steps;
        if (error[r] > tolerance && steps < maxSteps) missed.push(r);
      });
    }
    pending = missed;
  }
  return { attributions, prediction, baselinePrediction, error, steps: stepsUsed };

  /** per row of the group: the gradient summed over the `steps` midpoints of its path (float64) */
  function gradientSums(group: number[], steps: number): Float64Array {
    const points = group.length * steps;
    const path = new Float32Array(points * rowSize);
    const mask = new Float32Array(points * outputSize);
    group.forEach((r, k) => {
      for (let s = 0; s < steps; s++) {
        const alpha = (s + 0.5) / steps;
        const at = (k * steps + s) * rowSize;
        for (let i = 0; i < rowSize; i++) path[at + i] = baseline[i] + alpha * (x[r * rowSize + i] - baseline[i]);
        mask[(k * steps + s) * outputSize + outputs[r]] = 1;
      }
    });
    const grads = tf.tidy(() => {
      const selected = tf.tensor2d(mask, [points, outputSize]);
      const gradient = tf.grad((input: Tensor) => tf.sum(tf.mul(apply(input), selected)));
      return gradient(toInput(path, points)).dataSync() as Float32Array;
    });
    const sums = new Float64Array(group.length * rowSize);
    for (let k = 0; k < group.length; k++) {
      for (let s = 0; s < steps; s++) {
        const at = (k * steps + s) * rowSize;
        for (let i = 0; i < rowSize; i++) sums[k * rowSize + i] += grads[at + i];
      }
    }
    return sums;
  }
}
