/**
 * Permutation feature importance on raw columns (Breiman 2001; scikit-learn's
 * `permutation_importance`): for each column the user knows, shuffle its values across the rows,
 * score again, and record how much the metric worsened; mean and population std over repeats.
 *
 * The encoding is cell by cell (signature.ts), so shuffling a raw column's values across rows is
 * exactly shuffling the block of encoded inputs it expands to (all of a one-hot's categories, all
 * of a date's parts, together): the rows are encoded once and blocks are permuted. Each
 * (column, repeat) draws its permutation from `deriveSeed(seed, column, repeat)`, so the same
 * seed gives the same importances whatever order they are computed in.
 */
import { featureSlices, type Signature } from '../../dataset/signature.js';
import { deriveSeed, createRng } from '../../random.js';
import type { FeatureImportance } from '../../registry/version-record.js';
import { TUNE_METRIC_INFO, type TuneMetric } from '../../vocabulary.js';
import { scoreOutputs } from '../fit-mlp.js';
import { metricScore } from '../metrics.js';

export interface PermutationInput {
  /** encoded rows → model outputs */
  predict: (x: Float32Array, n: number) => Float32Array;
  signature: Signature;
  x: Float32Array;
  y: Int32Array | Float32Array;
  n: number;
  metric: TuneMetric;
  repeats: number;
  seed: number;
  /** after each column: how many are done */
  onColumn?: (done: number, total: number, feature: string) => void;
}

export interface PermutationImportance {
  /** the metric on the rows as they are */
  score: number;
  /** ranked: largest mean worsening first (ties by name) */
  features: FeatureImportance[];
}

/** Rows per forward pass when a column's repeats are scored together. */
const ROWS_PER_PASS = 65_536;

export function permutationImportance(input: PermutationInput): PermutationImportance {
  const { signature, x, y, n, metric, repeats, seed } = input;
  const width = signature.inputSize;
  const sign = TUNE_METRIC_INFO[metric].higherIsBetter ? 1 : -1;
  const scoreOf = (out: Float32Array): number => metricScore(scoreOutputs(signature, out, y), metric);
  const score = scoreOf(input.predict(x, n));
  const slices = featureSlices(signature);
  const perPass = Math.max(1, Math.floor(ROWS_PER_PASS / Math.max(1, n)));
  const features: FeatureImportance[] = slices.map((slice, column) => {
    const drops: number[] = [];
    for (let first = 0; first < repeats; first += perPass) {
      const count = Math.min(perPass, repeats - first);
      // `count` shuffled copies of the rows, scored in one forward pass
      const shuffled = new Float32Array(count * n * width);
      for (let k = 0; k < count; k++) {
        const rng = createRng(deriveSeed(seed, column, first + k));
        const order = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
        const copy = shuffled.subarray(k * n * width, (k + 1) * n * width);
        copy.set(x);
        for (let r = 0; r < n; r++) {
          const from = order[r] * width + slice.start;
          copy.set(x.subarray(from, from + slice.width), r * width + slice.start);
        }
      }
      const out = input.predict(shuffled, count * n);
      const outWidth = out.length / (count * n);
      for (let k = 0; k < count; k++) {
        // + 0: no -0 when a lower-is-better metric does not move
        drops.push(sign * (score - scoreOf(out.subarray(k * n * outWidth, (k + 1) * n * outWidth))) + 0);
      }
    }
    input.onColumn?.(column + 1, slices.length, slice.name);
    const mean = drops.reduce((a, b) => a + b, 0) / drops.length;
    const std = Math.sqrt(drops.reduce((a, d) => a + (d - mean) ** 2, 0) / drops.length);
    return { feature: slice.name, mean, std, drops };
  });
  features.sort((a, b) => b.mean - a.mean || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
  return { score, features };
}
