/**
 * Trains an mlctl MLP (see build-model.ts) with a lean training loop, then writes the trained
 * weights back into the stock LayersModel, so what is saved is an ordinary TF.js layers model.
 *
 * Why not `model.fit`: at the batch sizes tabular data uses, TF.js spends most of a step
 * dispatching kernels (~7-10 us each in tfjs-core, plus a tensor each), and `fit` issues ~200
 * kernels per step for a 20-64-64-5 MLP with Adam. This loop issues 35 on wasm (43 on cpu) for
 * the same maths:
 * - the forward pass is one `_FusedMatMul` kernel per layer (matmul + bias + activation), on
 *   3-D tensors so no reshapes are needed (the ops add three per call);
 * - the backward pass is written by hand (softmax/MSE output, dense layers, the hidden
 *   activations' derivatives from their outputs) instead of autodiff's tape; the first layer's
 *   kernel and bias gradients come from one matmul with the batch transposed plus a row of ones;
 * - all weights live in ONE flat variable, so the stock `tf.train.*` optimizer runs one set of
 *   kernels per step instead of one per weight tensor (Adam: ~18 kernels instead of ~90);
 * - on wasm, matmuls get explicitly transposed operands (see `matMul` in mlp-math.ts), and the
 *   element-wise chains around them are a few mlctl kernels over wasm-heap views (see `StepOps`
 *   in step-ops.ts);
 * - each batch becomes a tensor straight from JavaScript arrays filled through the epoch's
 *   permutation (no per-batch Slice kernel: on wasm Slice copies its whole input per call);
 * - loss and metrics are not computed per step: each step's output logits are kept, and the
 *   epoch's loss/accuracy (or MSE/MAE) come from them in one pass, read ONCE per epoch with the
 *   validation figures.
 *
 * Semantics follow Keras / tfjs-layers `fit`:
 * - loss: categorical cross-entropy on softmax (computed stably from the logits: the gradient
 *   is softmax(z) - y, the logged loss uses logSoftmax), MSE for regression;
 * - `loss` includes the L2 penalty (l2 * sum(kernel^2), taken with the weights at the end of the
 *   epoch; fit adds it per batch); `valLoss` is the data loss only, as in tfjs-layers;
 * - dropout is inverted dropout (kept units scaled by 1 / (1 - rate)), active only in training,
 *   its masks drawn from mlctl's generator;
 * - the last batch of an epoch may be smaller; the loss is a mean over samples;
 * - learning rate for epoch t (from 1): alpha / (1 + decay * (t - 1)).
 * Same seed + same data + same backend gives bit-identical weights (shuffles and dropout masks
 * come from `createRng(seed)`; no TF.js randomness is used).
 *
 * Layout: this file holds the loop (batching, epoch figures, early stopping, options);
 * mlp-math.ts the forward/backward maths; step-ops.ts the per-step kernels around the matmuls
 * (standard TF.js, or mlctl kernels on wasm).
 */
import type { LayersModel, Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import { createRng, type Rng } from '../random.js';
import { describeMlp, type MlpPlan } from './build-model.js';
import { activationBackward, denseForward, dropoutMask, gradScale, l2GradientMask, matMul } from './mlp-math.js';
import { standardStepOps, wasmStepOps, type GradientPart, type Kernel, type StepOps } from './step-ops.js';
import type { Tf } from './tf.js';

export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop';

export interface TrainSplit {
  /** row-major n x inputSize features */
  x: Float32Array;
  /** classification: class index per row; regression: n x outputSize (standardised) targets */
  y: Int32Array | Float32Array;
  n: number;
}

export interface TrainData extends TrainSplit {
  validation?: TrainSplit;
}

export interface EarlyStoppingOptions {
  /** epochs without improvement of the monitored loss before training stops */
  patience: number;
  /** an improvement must lower the monitored loss by more than this (default 0) */
  minDelta?: number;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** beta of the inverse-time decay per epoch: lr_t = lr / (1 + beta * (t - 1)); 0 = constant */
  decay?: number;
  /** momentum of the 'momentum' optimizer (default 0.9) */
  momentum?: number;
  /**
   * Stop when the validation loss (the training loss when there is no validation data) has not
   * improved for `patience` epochs; the model then gets the best epoch's weights.
   */
  earlyStopping?: EarlyStoppingOptions;
  /** seeds the per-epoch shuffles and the dropout masks */
  seed: number;
  /** called after every epoch with its figures */
  onEpoch?: (log: EpochLog) => void;
  /**
   * Polled between epochs and about every 50 ms within one (the loop yields to the event loop
   * then); when it returns true training ends after the current batch and the model keeps the
   * current weights (the best ones with early stopping).
   */
  shouldStop?: () => boolean;
}

export interface EpochLog {
  /** 1-based */
  epoch: number;
  epochs: number;
  /** mean training loss over the epoch's batches (+ L2 penalty) */
  loss: number;
  /** classification: training accuracy over the epoch's batches */
  acc?: number;
  /** regression: training mean absolute error (standardised units) */
  mae?: number;
  valLoss?: number;
  valAcc?: number;
  valMae?: number;
  /** the learning rate used in this epoch */
  learningRate: number;
  /** milliseconds since training started */
  elapsedMs: number;
}

export interface TrainResult {
  history: EpochLog[];
  /** the epoch whose weights the model holds (the best one with early stopping, else the last) */
  bestEpoch: number;
  /** training ended before `epochs` (early stopping or shouldStop) */
  stoppedEarly: boolean;
  stopReason?: 'early-stopping' | 'requested';
  epochsRun: number;
}

/** kept output values before the epoch statistics are folded (bounds memory on big data) */
const STATS_FLUSH_ELEMENTS = 1 << 20;
/** rows per validation forward pass */
const EVAL_CHUNK_ROWS = 8192;
/** yield to the event loop (progress, signals, shouldStop) about this often within an epoch */
const YIELD_EVERY_MS = 50;

export async function trainModel(tf: Tf, model: LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const plan = describeMlp(model);
  checkOptions(options);
  checkSplit(plan, data, 'training');
  if (data.validation) checkSplit(plan, data.validation, 'validation');

  const engine = tf.engine();
  const kernel: Kernel = (name, inputs, attrs = {}) => engine.runKernel(name, inputs as never, attrs as never) as Tensor;

  const { n } = data;
  const L = plan.layers.length;
  const F = plan.inputSize;
  const C = plan.outputSize;
  const B = Math.min(options.batchSize, n);
  const classification = plan.task === 'classification';
  const fastTranspose = tf.getBackend() === 'wasm';

  // one flat variable holding [kernel_1, bias_1, kernel_2, bias_2, ...] (model.getWeights order)
  const pieceSizes: number[] = [];
  const kernelShapes3d: number[][] = [];
  for (const layer of plan.layers) {
    pieceSizes.push(layer.inputSize * layer.units, layer.units);
    kernelShapes3d.push([1, layer.inputSize, layer.units]);
  }
  const totalSize = pieceSizes.reduce((a, b) => a + b, 0);
  const pieceShapes = plan.layers.flatMap((layer, l) => [kernelShapes3d[l], [layer.units]]);
  const standardOps = standardStepOps(kernel, pieceSizes, kernelShapes3d);
  const ops: StepOps = wasmStepOps(tf, kernel, pieceShapes, standardOps) ?? standardOps;

  const owned: Tensor[] = [];
  const own = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  let optimizer: Optimizer | undefined;
  let best: Tensor | undefined;
  let kept: Tensor[] = [];

  try {
    const flat = own(tf.tidy(() => tf.variable(tf.concat(model.getWeights().map((w) => tf.reshape(w, [-1]))), true)) as Variable);
    const l2Mask = plan.layers.some((l) => l.l2 > 0) ? own(tf.tensor1d(l2GradientMask(plan, totalSize))) : null;
    const scaleFull = own(tf.scalar(gradScale(plan, B)));
    const lastSize = n % B || B;
    const scaleLast = own(tf.scalar(gradScale(plan, lastSize)));
    const one = own(tf.scalar(1)); // constants of the activation derivatives
    const six = own(tf.scalar(6));
    optimizer = makeOptimizer(tf, options);

    const rng = createRng(options.seed);
    const shuffleRng = rng.fork();
    const dropoutRng = rng.fork();

    const perm = new Int32Array(n);
    const batch = new BatchBuffers(plan, B);
    const numBatches = Math.ceil(n / B);
    const flushSteps = Math.max(1, Math.floor(STATS_FLUSH_ELEMENTS / (B * C)));

    const history: EpochLog[] = [];
    const monitorValidation = data.validation != null;
    const minDelta = options.earlyStopping?.minDelta ?? 0;
    let bestValue = Infinity;
    let bestEpoch = 0;
    let wait = 0;
    let stopReason: TrainResult['stopReason'];
    const t0 = performance.now();
    let lastYield = t0;

    /**
     * Forward + hand-written backward + optimizer update for one batch; keeps the output logits.
     * xb [1, rows, F]; xbT [1, F + 1, rows] is xb transposed with a row of ones appended, so one
     * matmul gives the first layer's kernel and bias gradients in the flat layout's order.
     */
    const step = (xb: Tensor, xbT: Tensor, yb: Tensor, rows: number, scale: Scalar): void => {
      tf.tidy(() => {
        const { kernels, biases } = ops.splitWeights(flat);
        // forward: inputs[l] feeds layer l; outputs[l] is layer l's activation (before dropout)
        const inputs: Tensor[] = [xb];
        const outputs: Tensor[] = [];
        const masks: (Tensor | null)[] = [];
        for (let l = 0; l < L; l++) {
          const h = denseForward(tf, kernel, inputs[l], kernels[l], biases[l], plan.layers[l].activation);
          outputs.push(h);
          const rate = plan.layers[l].dropout;
          if (rate > 0) {
            const mask = tf.tensor3d(dropoutMask(dropoutRng, rows * plan.layers[l].units, rate), [1, rows, plan.layers[l].units]);
            masks.push(mask);
            inputs.push(kernel('Multiply', { a: h, b: mask }));
          } else {
            masks.push(null);
            inputs.push(h);
          }
        }
        const out = outputs[L - 1];
        kept.push(tf.keep(out));
        // d(loss)/d(pre-activation of the output layer), already divided by the batch size
        let d = ops.outputGradient(out, yb, classification, gradScale(plan, rows), scale);
        const parts: GradientPart[] = [];
        for (let l = L - 1; l >= 0; l--) {
          if (l === 0) {
            // [1, F + 1, rows] x [1, rows, units] = [kernel gradient; bias gradient]
            parts.push({ tensor: matMul(kernel, xbT, d, false, false, fastTranspose), sumRows: false });
          } else {
            parts.push({ tensor: d, sumRows: true }); // bias gradient: column sums of d
            parts.push({ tensor: matMul(kernel, inputs[l], d, true, false, fastTranspose), sumRows: false });
            let dh = matMul(kernel, d, kernels[l], false, true, fastTranspose);
            const mask = masks[l - 1];
            if (mask) dh = kernel('Multiply', { a: dh, b: mask });
            const activation = plan.layers[l - 1].activation;
            d =
              activation === 'relu'
                ? ops.reluGradient(dh, outputs[l - 1])
                : activationBackward(tf, kernel, activation, dh, outputs[l - 1], one, six);
          }
        }
        parts.reverse();
        const g = ops.assembleGradient(parts, totalSize, l2Mask ? { flat, mask: l2Mask } : null);
        optimizer!.applyGradients([{ name: flat.name, tensor: g }]);
      });
    };

    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const learningRate = options.learningRate / (1 + (options.decay ?? 0) * (epoch - 1));
      setLearningRate(optimizer, learningRate);
      shufflePermutation(shuffleRng, perm);

      const sums = new EpochSums(tf);
      let keptFrom = 0; // first row of the kept logits
      let stopNow = false;
      let start = 0;
      for (let b = 0; b < numBatches; b++, start += B) {
        const rows = Math.min(B, n - start);
        batch.fill(data, perm, start, rows);
        const xb = tf.tensor3d(batch.x.subarray(0, rows * F), [1, rows, F]);
        const xbT = tf.tensor3d(batch.xT.subarray(0, rows * (F + 1)), [1, F + 1, rows]);
        const yb = tf.tensor3d(batch.y.subarray(0, rows * C), [1, rows, C]);
        try {
          step(xb, xbT, yb, rows, rows === B ? scaleFull : scaleLast);
        } finally {
          tf.dispose([xb, xbT, yb]);
        }
        if (kept.length >= flushSteps) {
          sums.addBatchStats(plan, kept, data, perm, keptFrom, start + rows);
          keptFrom = start + rows;
          kept = [];
        }
        if ((b & 15) === 15 && performance.now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
          if (options.shouldStop?.()) {
            stopNow = true;
            break;
          }
        }
      }
      if (stopNow) {
        tf.dispose(kept);
        kept = [];
        sums.dispose();
        stopReason = 'requested';
        break;
      }
      if (kept.length > 0) {
        sums.addBatchStats(plan, kept, data, perm, keptFrom, n);
        kept = [];
      }
      if (l2Mask) sums.addPenalty(flat, l2Mask);
      if (data.validation) sums.addValidation(evaluateSplit(tf, kernel, plan, flat, pieceSizes, kernelShapes3d, data.validation));
      const figures = await sums.read();

      // cross-entropy and accuracy are means over rows; MSE and MAE over rows x targets
      const per = classification ? n : n * C;
      const log: EpochLog = {
        epoch,
        epochs: options.epochs,
        loss: figures.loss / per + figures.penalty,
        ...(classification ? { acc: figures.metric / per } : { mae: figures.metric / per }),
        learningRate,
        elapsedMs: performance.now() - t0,
      };
      if (data.validation) {
        const perVal = classification ? data.validation.n : data.validation.n * C;
        log.valLoss = figures.valLoss / perVal;
        if (classification) log.valAcc = figures.valMetric / perVal;
        else log.valMae = figures.valMetric / perVal;
      }
      history.push(log);
      if (!Number.isFinite(log.loss)) {
        throw new MlctlError('USAGE', `Training diverged in epoch ${epoch}: the loss is ${log.loss}.`, {
          hint: `Lower the learning rate (now ${options.learningRate}) or check the data for extreme values.`,
        });
      }
      options.onEpoch?.(log);
      lastYield = performance.now();

      if (options.earlyStopping) {
        const value = monitorValidation ? (log.valLoss as number) : log.loss;
        if (value < bestValue - minDelta) {
          bestValue = value;
          bestEpoch = epoch;
          wait = 0;
          best?.dispose();
          best = tf.clone(flat);
        } else if (++wait >= options.earlyStopping.patience) {
          stopReason = 'early-stopping';
          break;
        }
      }
      if (epoch < options.epochs && options.shouldStop?.()) {
        stopReason = 'requested';
        break;
      }
    }

    const epochsRun = history.length;
    const useBest = options.earlyStopping != null && best != null;
    writeWeights(tf, model, plan, useBest ? best! : flat, pieceSizes);
    return {
      history,
      bestEpoch: useBest ? bestEpoch : epochsRun,
      stoppedEarly: stopReason != null,
      ...(stopReason ? { stopReason } : {}),
      epochsRun,
    };
  } finally {
    tf.dispose(kept);
    best?.dispose();
    if (optimizer) disposeOptimizer(optimizer);
    tf.dispose(owned);
  }
}

/** A fresh uniform permutation of 0..n-1 (Fisher-Yates on mlctl's generator). */
function shufflePermutation(rng: Rng, perm: Int32Array): void {
  const n = perm.length;
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
}

/**
 * Scratch arrays for one batch, refilled from the caller's arrays through the epoch's
 * permutation (no shuffled copy of the whole data set): x (rows x F), xT (F + 1) x rows = x
 * transposed with a row of ones appended, y (rows x C; one-hot for classification).
 */
class BatchBuffers {
  readonly x: Float32Array;
  readonly xT: Float32Array;
  readonly y: Float32Array;
  private readonly F: number;
  private readonly C: number;
  private readonly classification: boolean;

  constructor(plan: MlpPlan, batchSize: number) {
    this.F = plan.inputSize;
    this.C = plan.outputSize;
    this.classification = plan.task === 'classification';
    this.x = new Float32Array(batchSize * this.F);
    this.xT = new Float32Array(batchSize * (this.F + 1));
    this.y = new Float32Array(batchSize * this.C);
  }

  fill(data: TrainSplit, perm: Int32Array, start: number, rows: number): void {
    const { F, C, x: bx, xT, y: by } = this;
    const x = data.x;
    for (let i = 0; i < rows; i++) {
      const src = perm[start + i] * F;
      const dst = i * F;
      for (let j = 0; j < F; j++) {
        const v = x[src + j];
        bx[dst + j] = v;
        xT[j * rows + i] = v;
      }
    }
    xT.fill(1, F * rows, (F + 1) * rows);
    if (this.classification) {
      const labels = data.y;
      by.fill(0, 0, rows * C);
      for (let i = 0; i < rows; i++) by[i * C + labels[perm[start + i]]] = 1;
    } else {
      const targets = data.y;
      for (let i = 0; i < rows; i++) {
        const src = perm[start + i] * C;
        for (let j = 0; j < C; j++) by[i * C + j] = targets[src + j];
      }
    }
  }
}

/** Running sums of one epoch's figures, kept as tensors and read once. */
class EpochSums {
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
function evaluateSplit(
  tf: Tf,
  kernel: Kernel,
  plan: MlpPlan,
  flat: Tensor,
  pieceSizes: number[],
  kernelShapes3d: number[][],
  split: TrainSplit,
): [Tensor, Tensor] {
  const F = plan.inputSize;
  const C = plan.outputSize;
  const classification = plan.task === 'classification';
  return tf.tidy(() => {
    const pieces = tf.split(flat, pieceSizes);
    const kernels = pieces.filter((_, i) => i % 2 === 0).map((p, l) => tf.reshape(p, kernelShapes3d[l]));
    const biases = pieces.filter((_, i) => i % 2 === 1);
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

/** Write a flat weight vector back into the LayersModel's variables. */
function writeWeights(tf: Tf, model: LayersModel, plan: MlpPlan, flat: Tensor, pieceSizes: number[]): void {
  const values = tf.tidy(() =>
    tf.split(flat, pieceSizes).map((piece, i) => {
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

function makeOptimizer(tf: Tf, options: TrainOptions): Optimizer {
  const lr = options.learningRate;
  switch (options.optimizer) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, options.momentum ?? 0.9);
    case 'adam':
      return tf.train.adam(lr); // beta1 0.9, beta2 0.999, epsilon 1e-7 as tfjs-layers' 'adam'
    case 'rmsprop':
      return tf.train.rmsprop(lr); // decay 0.9, momentum 0, as tfjs-layers' 'rmsprop'
    default:
      throw new MlctlError('USAGE', `Unknown optimizer "${String(options.optimizer)}".`, {
        hint: 'Use sgd, momentum, adam or rmsprop.',
      });
  }
}

/** tfjs 4.22's MomentumOptimizer.dispose() forgets its learning-rate scalar; dispose it too. */
function disposeOptimizer(optimizer: Optimizer): void {
  optimizer.dispose();
  const lr = (optimizer as unknown as { c?: Tensor }).c;
  if (lr && !lr.isDisposed) lr.dispose();
}

function setLearningRate(optimizer: Optimizer, lr: number): void {
  // SGD and Momentum keep the rate as a scalar tensor behind setLearningRate (instanceof cannot
  // tell: tfjs optimizers answer instanceof structurally); Adam and RMSProp read a number field
  const sgdLike = optimizer as unknown as { setLearningRate?: (lr: number) => void };
  if (typeof sgdLike.setLearningRate === 'function') sgdLike.setLearningRate(lr);
  else (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

function checkOptions(o: TrainOptions): void {
  const usage = (message: string): MlctlError => new MlctlError('USAGE', message);
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw usage(`epochs must be a positive integer, got ${o.epochs}.`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw usage(`batch size must be a positive integer, got ${o.batchSize}.`);
  if (!(o.learningRate > 0 && Number.isFinite(o.learningRate))) throw usage(`learning rate must be > 0, got ${o.learningRate}.`);
  if (o.decay != null && !(o.decay >= 0 && Number.isFinite(o.decay))) throw usage(`decay must be >= 0, got ${o.decay}.`);
  if (o.momentum != null && !(o.momentum >= 0 && o.momentum < 1)) throw usage(`momentum must be in [0, 1), got ${o.momentum}.`);
  if (o.earlyStopping) {
    const { patience, minDelta = 0 } = o.earlyStopping;
    if (!(Number.isInteger(patience) && patience >= 1)) throw usage(`early-stopping patience must be a positive integer, got ${patience}.`);
    if (!(minDelta >= 0 && Number.isFinite(minDelta))) throw usage(`early-stopping minDelta must be >= 0, got ${minDelta}.`);
  }
  if (!Number.isInteger(o.seed)) throw usage(`seed must be an integer, got ${o.seed}.`);
}

function checkSplit(plan: MlpPlan, split: TrainSplit, what: string): void {
  const F = plan.inputSize;
  const C = plan.outputSize;
  const bad = (message: string): MlctlError => new MlctlError('INVALID_DATA', `The ${what} data ${message}.`);
  if (!(Number.isInteger(split.n) && split.n >= 1)) throw bad(`has no rows (n = ${split.n})`);
  if (split.x.length !== split.n * F) throw bad(`has ${split.x.length} feature values, expected ${split.n} rows x ${F}`);
  for (let i = 0; i < split.x.length; i++) {
    if (!Number.isFinite(split.x[i])) {
      throw bad(`has a non-finite feature value at row ${Math.floor(i / F) + 1}, column ${(i % F) + 1}`);
    }
  }
  if (plan.task === 'classification') {
    if (split.y.length !== split.n) throw bad(`has ${split.y.length} labels for ${split.n} rows`);
    for (let i = 0; i < split.n; i++) {
      const c = split.y[i];
      if (!(Number.isInteger(c) && c >= 0 && c < C)) throw bad(`has label ${c} at row ${i + 1}; the model has classes 0..${C - 1}`);
    }
  } else {
    if (split.y.length !== split.n * C) throw bad(`has ${split.y.length} target values, expected ${split.n} x ${C}`);
    for (let i = 0; i < split.y.length; i++) {
      if (!Number.isFinite(split.y[i])) throw bad(`has a non-finite target at row ${Math.floor(i / C) + 1}`);
    }
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
