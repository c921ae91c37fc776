/**
 * Magnitude pruning: the kernels' weights of smallest |w| are set to exactly 0. Either a target
 * sparsity (the fraction of kernel weights that end at zero) or a threshold (|w| < eps → 0), over
 * all kernels together (global, the default) or each kernel on its own (per layer). Biases and
 * normalisation parameters are never touched (see weight-roles.ts).
 *
 * With a sparsity target the count is exact: k = round(s · n) weights are zeroed (n = all kernel
 * weights for global, each kernel's for per-layer), ties at the cut broken by position, so the
 * sparsity reached is the target within half a weight (per tensor with --per-layer). Weights
 * that are already zero count as pruned first; if a kernel already holds more zeros than the
 * target, they stay (pruning never un-zeroes).
 */
import { MlctlError } from '../../errors.js';
import { isKernel } from './weight-roles.js';
import type { NamedWeight } from './named-weight.js';

export type PruneCriterion = { sparsity: number } | { threshold: number };

export interface PruneOptions {
  criterion: PruneCriterion;
  /** prune each kernel to the target on its own (default: one cut over all kernels) */
  perLayer?: boolean;
  /** weights to leave alone even if they are kernels (e.g. a skipped layer's) */
  exclude?: ReadonlySet<string>;
}

export interface PrunedWeights {
  /** all weights, in input order; pruned kernels are new arrays, the rest are the inputs */
  weights: NamedWeight[];
  /** weight name → mask (1 keep, 0 pruned), for every kernel that was considered */
  masks: Map<string, Uint8Array>;
}

/** Checks a criterion: sparsity in [0, 1), threshold ≥ 0 (USAGE errors in the flags' words). */
export function assertPruneCriterion(criterion: PruneCriterion): void {
  if ('sparsity' in criterion) {
    const s = criterion.sparsity;
    if (!(Number.isFinite(s) && s >= 0 && s < 1)) {
      throw new MlctlError('USAGE', `--sparsity must be in [0, 1), got ${String(s)}.`, {
        hint: 'It is the fraction of kernel weights set to zero, e.g. --sparsity 0.8.',
      });
    }
  } else {
    const t = criterion.threshold;
    if (!(Number.isFinite(t) && t >= 0)) {
      throw new MlctlError('USAGE', `--threshold must be a number ≥ 0, got ${String(t)}.`, {
        hint: 'Weights with |w| below it are set to zero, e.g. --threshold 0.01.',
      });
    }
  }
}

export function magnitudePrune(weights: readonly NamedWeight[], options: PruneOptions): PrunedWeights {
  assertPruneCriterion(options.criterion);
  const exclude = options.exclude ?? new Set<string>();
  const kernels = weights.filter((w) => isKernel(w.name) && !exclude.has(w.name));
  const masks = new Map<string, Uint8Array>();
  const criterion = options.criterion;

  if ('threshold' in criterion) {
    for (const w of kernels) {
      const mask = new Uint8Array(w.values.length);
      for (let i = 0; i < mask.length; i++) mask[i] = Math.abs(w.values[i]) < criterion.threshold || w.values[i] === 0 ? 0 : 1;
      masks.set(w.name, mask);
    }
  } else if (options.perLayer) {
    for (const w of kernels) masks.set(w.name, smallestMask([w.values], criterion.sparsity)[0]);
  } else {
    const all = smallestMask(
      kernels.map((w) => w.values),
      criterion.sparsity,
    );
    kernels.forEach((w, i) => masks.set(w.name, all[i]));
  }
  return { weights: applyMasks(weights, masks), masks };
}

/** Weights with every masked position set to exactly 0 (unmasked weights are passed through). */
export function applyMasks(weights: readonly NamedWeight[], masks: ReadonlyMap<string, Uint8Array>): NamedWeight[] {
  return weights.map((w) => {
    const mask = masks.get(w.name);
    if (!mask) return w;
    if (mask.length !== w.values.length) {
      throw new MlctlError('INTERNAL', `Mask of "${w.name}" has ${mask.length} entries for ${w.values.length} weights (this is a bug).`);
    }
    const values = Float32Array.from(w.values);
    for (let i = 0; i < values.length; i++) if (mask[i] === 0) values[i] = 0;
    return { name: w.name, shape: [...w.shape], values };
  });
}

/**
 * Masks zeroing exactly round(sparsity · n) of the values of `arrays` taken together (n = their
 * total length), the smallest by magnitude, ties broken by position; existing zeros beyond that
 * count stay zero.
 */
export function smallestMask(arrays: readonly Float32Array[], sparsity: number): Uint8Array[] {
  const total = arrays.reduce((a, v) => a + v.length, 0);
  const masks = arrays.map((v) => new Uint8Array(v.length).fill(1));
  const k = Math.round(sparsity * total);
  if (total === 0) return masks;
  // the k-th smallest magnitude is the cut: below it all go, at it the first few (by position)
  const magnitudes = new Float32Array(total);
  let o = 0;
  for (const v of arrays) for (let i = 0; i < v.length; i++) magnitudes[o++] = Math.abs(v[i]);
  let cut = -1;
  if (k > 0) {
    const sorted = magnitudes.slice().sort();
    cut = sorted[k - 1];
    let below = 0;
    for (let i = 0; i < total; i++) if (magnitudes[i] < cut) below++;
    let atCutLeft = k - below;
    o = 0;
    arrays.forEach((v, a) => {
      for (let i = 0; i < v.length; i++, o++) {
        const m = magnitudes[o];
        if (m < cut) masks[a][i] = 0;
        else if (m === cut && atCutLeft > 0) {
          masks[a][i] = 0;
          atCutLeft--;
        }
      }
    });
  }
  // already-zero weights stay pruned even beyond k
  arrays.forEach((v, a) => {
    for (let i = 0; i < v.length; i++) if (v[i] === 0) masks[a][i] = 0;
  });
  return masks;
}
