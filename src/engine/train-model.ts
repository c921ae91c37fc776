/**
 * Trains an mlctl MLP (see build-model.ts) with a lean training loop, then writes the trained
 * weights back into the stock LayersModel, so what is saved is an ordinary TF.js layers model.
 *
 * Why not `model.fit`: at the batch sizes tabular data uses, TF.js spends most of a step
 * dispatching kernels (~7 µs each in tfjs-core), and `fit` issues ~200 per step for a
 * 20-64-64-5 MLP with Adam. This loop issues ~45, with the same maths:
 * - the forward pass is one `_FusedMatMul` kernel per layer (matmul + bias + activation),
 *   called on 3-D tensors so no reshapes are needed (the ops add three per call);
 * - the backward pass is written by hand (softmax/MSE output, dense layers, the hidden
 *   activations' derivatives from their outputs), two BatchMatMuls and one Sum per layer instead
 *   of autodiff's tape;
 * - all weights live in ONE flat variable: the stock `tf.train.*` optimizer updates it with one
 *   set of kernels per step instead of one per weight tensor (Adam: 18 kernels instead of ~90);
 *   each step takes per-layer views with one SplitV;
 * - the data is shuffled once per epoch in JavaScript and each batch becomes a tensor straight
 *   from a subarray (no kernel; on wasm, Slice/SplitV copy their whole input per call);
 * - the loss and metrics are not computed per step: each step's output logits are kept, and
 *   the epoch's loss/accuracy (or MSE/MAE) are computed from them in one pass and read ONCE
 *   per epoch, together with the validation figures.
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
 */
import type { LayersModel, Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import { createRng, type Rng } from '../random.js';
import { describeMlp, type MlpLayerPlan, type MlpPlan } from './build-model.js';
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

/** rows of kept logits before the epoch statistics are folded (bounds memory on big data) */
const STATS_FLUSH_ELEMENTS = 1 << 20;
/** rows per validation forward pass */
const EVAL_CHUNK_ROWS = 8192;
/** yield to the event loop (progress, signals, shouldStop) about this often within an epoch */
const YIELD_EVERY_MS = 50;

type Kernel = (name: string, inputs: Record<string, Tensor> | Tensor[], attrs?: Record<string, unknown>) => Tensor;

export async function trainModel(tf: Tf, model: LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const plan = describeMlp(model);
  checkOptions(options);
  checkSplit(plan, data, 'training');
  if (data.validation) checkSplit(plan, data.validation, 'validation');

  const engine = tf.engine();
  const kernel: Kernel = (name, inputs, attrs = {}) =>
    engine.runKernel(name, inputs as never, attrs as never) as Tensor;

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

  const owned: Tensor[] = [];
  const own = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  let optimizer: Optimizer | undefined;
  let best: Tensor | undefined;
  let kept: Tensor[] = [];

  try {
    const flat = own(
      tf.tidy(() => tf.variable(tf.concat(model.getWeights().map((w) => tf.reshape(w, [-1]))), true)) as Variable,
    );
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
    const hasDropout = plan.layers.some((l) => l.dropout > 0);

    const perm = new Int32Array(n);
    const xe = new Float32Array(n * F);
    const xeT = new Float32Array(n * (F + 1));
    const ye = new Float32Array(n * C);
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
        const pieces = engine.runKernel('SplitV', { x: flat }, { numOrSizeSplits: pieceSizes, axis: 0 } as never) as Tensor[];
        const kernels: Tensor[] = [];
        const biases: Tensor[] = [];
        for (let l = 0; l < L; l++) {
          kernels.push(kernel('Reshape', { x: pieces[2 * l] }, { shape: kernelShapes3d[l] }));
          biases.push(pieces[2 * l + 1]);
        }
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
        let d = classification
          ? kernel('Sub', { a: kernel('Softmax', { logits: out }, { dim: 2 }), b: yb })
          : kernel('Sub', { a: out, b: yb });
        d = kernel('Multiply', { a: d, b: scale });
        const grads: Tensor[] = [];
        for (let l = L - 1; l >= 0; l--) {
          const layer = plan.layers[l];
          if (l === 0) {
            // [1, F + 1, rows] x [1, rows, units] = [kernel gradient; bias gradient]
            const g = matMul(kernel, xbT, d, false, false, fastTranspose);
            grads.push(kernel('Reshape', { x: g }, { shape: [(layer.inputSize + 1) * layer.units] }));
          } else {
            const gk = matMul(kernel, inputs[l], d, true, false, fastTranspose);
            grads.push(kernel('Sum', { x: d }, { axis: [0, 1], keepDims: false }));
            grads.push(kernel('Reshape', { x: gk }, { shape: [layer.inputSize * layer.units] }));
            let dh = matMul(kernel, d, kernels[l], false, true, fastTranspose);
            const mask = masks[l - 1];
            if (mask) dh = kernel('Multiply', { a: dh, b: mask });
            d = activationBackward(tf, kernel, plan.layers[l - 1].activation, dh, outputs[l - 1], one, six);
          }
        }
        grads.reverse();
        let g = kernel('Concat', grads, { axis: 0 });
        if (l2Mask) g = kernel('Add', { a: g, b: kernel('Multiply', { a: flat, b: l2Mask }) });
        optimizer!.applyGradients([{ name: flat.name, tensor: g }]);
      });
    };

    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const learningRate = options.learningRate / (1 + (options.decay ?? 0) * (epoch - 1));
      setLearningRate(optimizer, learningRate);
      shuffleInto(shuffleRng, data, plan, B, perm, xe, xeT, ye);

      const sums = new EpochSums(tf);
      let keptFrom = 0; // first row of the kept logits
      let stopNow = false;
      let start = 0;
      for (let b = 0; b < numBatches; b++, start += B) {
        const rows = Math.min(B, n - start);
        const xb = tf.tensor3d(xe.subarray(start * F, (start + rows) * F), [1, rows, F]);
        const xbT = tf.tensor3d(xeT.subarray(start * (F + 1), (start + rows) * (F + 1)), [1, F + 1, rows]);
        const yb = tf.tensor3d(ye.subarray(start * C, (start + rows) * C), [1, rows, C]);
        try {
          step(xb, xbT, yb, rows, rows === B ? scaleFull : scaleLast);
        } finally {
          tf.dispose([xb, xbT, yb]);
        }
        if (kept.length >= flushSteps) {
          sums.addBatchStats(classification, kept, ye, keptFrom, start + rows, C);
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
        sums.addBatchStats(classification, kept, ye, keptFrom, n, C);
        kept = [];
      }
      if (l2Mask) sums.addPenalty(flat, l2Mask);
      if (data.validation) sums.addValidation(evaluateSplit(tf, kernel, plan, flat, pieceSizes, kernelShapes3d, data.validation));
      const figures = await sums.read();

      const log: EpochLog = {
        epoch,
        epochs: options.epochs,
        loss: figures.loss / n + figures.penalty,
        ...(classification ? { acc: figures.metric / n } : { mae: figures.metric / (n * C) }),
        learningRate,
        elapsedMs: performance.now() - t0,
      };
      if (!classification) log.loss = figures.loss / (n * C) + figures.penalty;
      if (data.validation) {
        const nv = data.validation.n;
        if (classification) {
          log.valLoss = figures.valLoss / nv;
          log.valAcc = figures.valMetric / nv;
        } else {
          log.valLoss = figures.valLoss / (nv * C);
          log.valMae = figures.valMetric / (nv * C);
        }
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

/** One dense layer on 3-D tensors: [1, rows, in] x [1, in, out] + bias, then the activation. */
function denseForward(tf: Tf, kernel: Kernel, a: Tensor, w: Tensor, bias: Tensor, activation: MlpLayerPlan['activation']): Tensor {
  // tfjs-layers' Dense fuses exactly these three into the matmul; the rest run after it
  if (activation === 'relu' || activation === 'linear' || activation === 'elu') {
    return kernel('_FusedMatMul', { a, b: w, bias }, { transposeA: false, transposeB: false, activation });
  }
  const z = kernel('_FusedMatMul', { a, b: w, bias }, { transposeA: false, transposeB: false, activation: 'linear' });
  switch (activation) {
    case 'softmax':
      return z; // the loop works on logits; softmax is applied where needed
    case 'relu6':
      return tf.minimum(6, tf.relu(z));
    case 'selu':
      return kernel('Selu', { x: z });
    case 'tanh':
      return kernel('Tanh', { x: z });
    case 'sigmoid':
      return kernel('Sigmoid', { x: z });
    case 'softplus':
      return kernel('Softplus', { x: z });
    case 'softsign':
      return tf.div(z, tf.add(1, tf.abs(z)));
    default:
      throw new MlctlError('INTERNAL', `No forward pass for activation "${String(activation)}".`);
  }
}

/**
 * Batch-1 3-D matmul. The wasm backend runs a matmul through XNNPACK only when neither operand
 * is transposed; with a transpose flag it falls back to a scalar triple loop that is 3-10x
 * slower at these sizes. So on wasm the transposes are explicit Transpose kernels.
 */
function matMul(kernel: Kernel, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean, explicitTranspose: boolean): Tensor {
  if (explicitTranspose) {
    if (transposeA) a = kernel('Transpose', { x: a }, { perm: [0, 2, 1] });
    if (transposeB) b = kernel('Transpose', { x: b }, { perm: [0, 2, 1] });
    return kernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  }
  return kernel('BatchMatMul', { a, b }, { transposeA, transposeB });
}

const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;

/** d(loss)/d(pre-activation) from d(loss)/d(activation) `dh` and the activation's output `h`. */
function activationBackward(
  tf: Tf,
  kernel: Kernel,
  activation: MlpLayerPlan['activation'],
  dh: Tensor,
  h: Tensor,
  one: Scalar,
  six: Scalar,
): Tensor {
  switch (activation) {
    case 'linear':
      return dh;
    case 'relu':
      return kernel('Multiply', { a: dh, b: kernel('Step', { x: h }, { alpha: 0 }) });
    case 'relu6': // 1 on (0, 6), else 0
      return tf.mul(dh, tf.mul(tf.step(h), tf.step(tf.sub(six, h))));
    case 'elu': // h > 0 ? 1 : h + 1
      return kernel('EluGrad', { dy: dh, y: h });
    case 'selu': // h > 0 ? scale : h + scale * alpha
      return tf.mul(dh, tf.where(tf.greater(h, 0), tf.fill(h.shape, SELU_SCALE), tf.add(h, SELU_SCALE * SELU_ALPHA)));
    case 'tanh': // 1 - h^2
      return tf.mul(dh, tf.sub(one, tf.square(h)));
    case 'sigmoid': // h (1 - h)
      return tf.mul(dh, tf.mul(h, tf.sub(one, h)));
    case 'softplus': // sigmoid(x) = 1 - exp(-h)
      return tf.mul(dh, tf.sub(one, tf.exp(tf.neg(h))));
    case 'softsign': // 1 / (1 + |x|)^2 = (1 - |h|)^2
      return tf.mul(dh, tf.square(tf.sub(one, tf.abs(h))));
    default:
      throw new MlctlError('INTERNAL', `No derivative for activation "${String(activation)}".`);
  }
}

/** 1/B for cross-entropy (mean over rows); 2/(B*k) for MSE (mean over rows and targets). */
function gradScale(plan: MlpPlan, rows: number): number {
  return plan.task === 'classification' ? 1 / rows : 2 / (rows * plan.outputSize);
}

/** d(penalty)/d(weight) = 2 * l2 on kernel entries, 0 on biases. */
function l2GradientMask(plan: MlpPlan, totalSize: number): Float32Array {
  const mask = new Float32Array(totalSize);
  let offset = 0;
  for (const layer of plan.layers) {
    const size = layer.inputSize * layer.units;
    mask.fill(2 * layer.l2, offset, offset + size);
    offset += size + layer.units;
  }
  return mask;
}

/** inverted-dropout mask: 0 with probability `rate`, else 1 / (1 - rate) */
function dropoutMask(rng: Rng, size: number, rate: number): Float32Array {
  const mask = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) mask[i] = rng.float() < rate ? 0 : keep;
  return mask;
}

/**
 * Shuffle the rows for one epoch into xe (rows x F), ye (rows x C; one-hot for classification)
 * and xeT: for each batch of `rows` rows starting at row s, the block at s * (F + 1) holds the
 * batch transposed, (F + 1) x rows, its last row all ones.
 */
function shuffleInto(
  rng: Rng,
  data: TrainSplit,
  plan: MlpPlan,
  batchSize: number,
  perm: Int32Array,
  xe: Float32Array,
  xeT: Float32Array,
  ye: Float32Array,
): void {
  const F = plan.inputSize;
  const C = plan.outputSize;
  const n = perm.length;
  for (let i = 0; i < n; i++) perm[i] = i;
  rng.shuffle(perm);
  const { x, y } = data;
  if (plan.task === 'classification') ye.fill(0);
  for (let i = 0; i < n; i++) {
    const p = perm[i];
    const src = p * F;
    const dst = i * F;
    for (let j = 0; j < F; j++) xe[dst + j] = x[src + j];
    if (plan.task === 'classification') {
      ye[i * C + y[p]] = 1;
    } else {
      for (let j = 0; j < C; j++) ye[i * C + j] = y[p * C + j];
    }
  }
  for (let start = 0; start < n; start += batchSize) {
    const rows = Math.min(batchSize, n - start);
    const block = start * (F + 1);
    for (let i = 0; i < rows; i++) {
      const src = (start + i) * F;
      for (let j = 0; j < F; j++) xeT[block + j * rows + i] = xe[src + j];
      xeT[block + F * rows + i] = 1;
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

  /** Fold the kept output tensors of rows [from, to) of the epoch order into the sums. */
  addBatchStats(classification: boolean, kept: Tensor[], ye: Float32Array, from: number, to: number, C: number): void {
    const { tf } = this;
    const [loss, metric] = tf.tidy(() => {
      const out = tf.reshape(kept.length === 1 ? kept[0] : tf.concat(kept, 1), [to - from, C]);
      const y = tf.tensor2d(ye.subarray(from * C, to * C), [to - from, C]);
      return outputStats(tf, classification, out, y);
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
