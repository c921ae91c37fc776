/**
 * An epoch's figures without a read per batch: the loop keeps each step's output logits, and
 * these sums fold them (loss and accuracy, or MSE and MAE) plus the L2 penalty and the
 * validation figures into tensors read ONCE per epoch.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { MlpPlan } from '../build-model.js';
import type { Tf } from '../tf.js';
import { splitFlat, type FlatLayout } from './flat-weights.js';
import { denseForward } from './mlp-math.js';
import type { Kernel } from './step-ops.js';
import type { TrainSplit } from './types.js';

/** rows per validation forward pass */
const EVAL_CHUNK_ROWS = 8192;

/** Running sums of one epoch's figures, kept as tensors and read once. */
export class EpochSums {
  private loss: Tensor[] = [];
  private metric: Tensor[] = [];
  private penalty: Tensor | null = null;
  private validation: [Tensor, Tensor] | null = null;

  constructor(private readonly tf: Tf) {}

  /** Fold the kept outputs of epoch positions [from, to) (rows perm[from..to)) into the sums. */
  addBatchStats(plan: MlpPlan, kept: Tensor[], data: TrainSplit, perm: Int32Array, from: number, to: number): void {
    const { tf } = this;
    const C = plan.outputSize;
    const m = to - from;
    const [loss, metric] = tf.tidy(() => {
      const out = tf.reshape(kept.length === 1 ? kept[0] : tf.concat(kept, 1), [m, C]);
      let y: Tensor;
      if (plan.task === 'classification') {
        const labels = new Int32Array(m);
        for (let i = 0; i < m; i++) labels[i] = data.y[perm[from + i]];
        y = tf.oneHot(tf.tensor1d(labels, 'int32'), C);
      } else {
        const targets = new Float32Array(m * C);
        for (let i = 0; i < m; i++) targets.set(data.y.subarray(perm[from + i] * C, perm[from + i] * C + C), i * C);
        y = tf.tensor2d(targets, [m, C]);
      }
      return outputStats(tf, plan.task === 'classification', out, y);
    });
    tf.dispose(kept);
    this.loss.push(loss);
    this.metric.push(metric);
  }

  addPenalty(flat: Tensor, l2GradMask: Tensor): void {
    // penalty = sum(l2 * w^2) = sum(w^2 * mask) / 2
    const { tf } = this;
    this.penalty = tf.tidy(() => tf.div(tf.sum(tf.mul(tf.square(flat), l2GradMask)), 2));
  }

  addValidation(sums: [Tensor, Tensor]): void {
    this.validation = sums;
  }

  async read(): Promise<{ loss: number; metric: number; penalty: number; valLoss: number; valMetric: number }> {
    const { tf } = this;
    const zero = (): Tensor => tf.scalar(0);
    const all = tf.tidy(() =>
      tf.stack([
        this.loss.length ? tf.addN(this.loss) : zero(),
        this.metric.length ? tf.addN(this.metric) : zero(),
        this.penalty ?? zero(),
        ...(this.validation ?? [zero(), zero()]),
      ]),
    );
    try {
      const v = await all.data();
      return { loss: v[0], metric: v[1], penalty: v[2], valLoss: v[3], valMetric: v[4] };
    } finally {
      all.dispose();
      this.dispose();
    }
  }

  dispose(): void {
    this.tf.dispose([...this.loss, ...this.metric, ...(this.penalty ? [this.penalty] : []), ...(this.validation ?? [])]);
    this.loss = [];
    this.metric = [];
    this.penalty = null;
    this.validation = null;
  }
}

/**
 * Sums over rows for a block of outputs `out` [m, C] (logits for classification) and targets `y`
 * (one-hot or values): [cross-entropy sum, correct count] or [squared-error sum, abs-error sum].
 */
function outputStats(tf: Tf, classification: boolean, out: Tensor, y: Tensor): [Tensor, Tensor] {
  if (classification) {
    const loss = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(out))));
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), tf.argMax(y, -1)), 'float32'));
    return [loss, correct];
  }
  const diff = tf.sub(out, y);
  return [tf.sum(tf.square(diff)), tf.sum(tf.abs(diff))];
}

/** Sums of the loss and metric over a split with the current weights (no dropout). */
export function evaluateSplit(
  tf: Tf,
  kernel: Kernel,
  plan: MlpPlan,
  layout: FlatLayout,
  flat: Tensor,
  split: TrainSplit,
): [Tensor, Tensor] {
  const F = plan.inputSize;
  const C = plan.outputSize;
  const classification = plan.task === 'classification';
  return tf.tidy(() => {
    const { kernels, biases } = splitFlat(tf, flat, layout);
    let loss: Tensor = tf.scalar(0);
    let metric: Tensor = tf.scalar(0);
    for (let start = 0; start < split.n; start += EVAL_CHUNK_ROWS) {
      const rows = Math.min(EVAL_CHUNK_ROWS, split.n - start);
      let a: Tensor = tf.tensor3d(split.x.subarray(start * F, (start + rows) * F), [1, rows, F]);
      for (let l = 0; l < plan.layers.length; l++) {
        a = denseForward(tf, kernel, a, kernels[l], biases[l], plan.layers[l].activation);
      }
      const out = tf.reshape(a, [rows, C]);
      const y = classification
        ? tf.oneHot(tf.tensor1d(split.y.subarray(start, start + rows) as Int32Array, 'int32'), C)
        : tf.tensor2d(split.y.subarray(start * C, (start + rows) * C) as Float32Array, [rows, C]);
      const [l, m] = outputStats(tf, classification, out, y);
      loss = tf.add(loss, l);
      metric = tf.add(metric, m);
    }
    return [loss, metric] as [Tensor, Tensor];
  });
}
