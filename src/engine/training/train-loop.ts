/**
 * Trains an mlctl MLP (see build-model.ts) with a lean training loop, then writes the trained
 * weights back into the stock LayersModel, so what is saved is an ordinary TF.js layers model.
 *
 * Why not `model.fit`: at the batch sizes tabular data uses, TF.js spends most of a step
 * dispatching kernels (~7-10 us each in tfjs-core, plus a tensor each), and `fit` issues ~200
 * kernels per step for a 20-64-64-5 MLP with Adam. This loop issues 35 on wasm (43 on cpu) for
 * the same maths:
 * - one step is a fused forward pass, a hand-written backward pass and one optimizer update on
 *   ONE flat weight variable (train-step.ts, flat-weights.ts, mlp-math.ts);
 * - on wasm the element-wise chains around the matmuls are a few mlctl kernels over wasm-heap
 *   views (step-ops.ts);
 * - each batch becomes a tensor straight from JavaScript arrays filled through the epoch's
 *   permutation (batches.ts; no per-batch Slice kernel: on wasm Slice copies its whole input);
 * - loss and metrics are not computed per step: each step's output logits are kept, and the
 *   epoch's loss/accuracy (or MSE/MAE) come from them in one pass, read ONCE per epoch with the
 *   validation figures (epoch-stats.ts).
 *
 * Semantics follow Keras / tfjs-layers `fit`:
 * - loss: categorical cross-entropy on softmax (computed stably from the logits: the gradient
 *   is softmax(z) - y, the logged loss uses logSoftmax), MSE for regression;
 * - `loss` includes the L2 penalty (l2 * sum(kernel^2), taken with the weights at the end of the
 *   epoch; fit adds it per batch); `valLoss` is the data loss only, as in tfjs-layers;
 * - dropout is inverted dropout (kept units scaled by 1 / (1 - rate)), active only in training,
 *   its masks drawn from mlctl's generator;
 * - the last batch of an epoch may be smaller; the loss is a mean over samples;
 * - learning rate for epoch t (from 1): alpha / (1 + decay * (t - 1)) (optimizers.ts);
 * - early stopping restores the best epoch's weights (early-stopping.ts);
 * - a weight mask (fine-tuning after pruning) is applied before training and after every update.
 * Same seed + same data + same backend gives bit-identical weights (shuffles and dropout masks
 * come from `createRng(seed)`; no TF.js randomness is used).
 */
import type { LayersModel, Optimizer, Tensor } from '@tensorflow/tfjs';
import { MlctlError } from '../../errors.js';
import { createRng } from '../../random.js';
import { describeMlp } from '../build-model.js';
import type { Tf } from '../tf.js';
import { BatchBuffers, shufflePermutation } from './batches.js';
import { checkOptions, checkSplit } from './checks.js';
import { EarlyStopping } from './early-stopping.js';
import { EpochSums, evaluateSplit } from './epoch-stats.js';
import { flatLayout, flatMask, readFlat, writeFlat } from './flat-weights.js';
import { gradScale, l2GradientMask } from './mlp-math.js';
import { disposeOptimizer, learningRateAt, makeOptimizer, setLearningRate } from './optimizers.js';
import { standardStepOps, wasmStepOps, type Kernel, type StepOps } from './step-ops.js';
import { createTrainStep } from './train-step.js';
import type { EpochLog, TrainData, TrainOptions, TrainResult, WeightMask } from './types.js';

export type * from './types.js';

/** kept output values before the epoch statistics are folded (bounds memory on big data) */
const STATS_FLUSH_ELEMENTS = 1 << 20;
/** yield to the event loop (progress, signals, shouldStop) about this often within an epoch */
const YIELD_EVERY_MS = 50;

/**
 * Train `model` (an mlctl MLP) in place. `weightNames` are the names masks use, in
 * `model.getWeights()` order (default: the model's own weight names).
 */
export async function trainModel(
  tf: Tf,
  model: LayersModel,
  data: TrainData,
  options: TrainOptions,
  weightNames: string[] = model.weights.map((w) => w.originalName),
): Promise<TrainResult> {
  const plan = describeMlp(model);
  checkOptions(options);
  checkSplit(plan, data, 'training');
  if (data.validation) checkSplit(plan, data.validation, 'validation');

  const engine = tf.engine();
  const kernel: Kernel = (name, inputs, attrs = {}) => engine.runKernel(name, inputs as never, attrs as never) as Tensor;

  const { n } = data;
  const F = plan.inputSize;
  const C = plan.outputSize;
  const B = Math.min(options.batchSize, n);
  const classification = plan.task === 'classification';
  const layout = flatLayout(plan, weightNames);
  const standardOps = standardStepOps(kernel, layout.pieceSizes, layout.kernelShapes3d);
  const ops: StepOps = wasmStepOps(tf, kernel, layout.pieceShapes, standardOps) ?? standardOps;

  const owned: Tensor[] = [];
  const own = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  let optimizer: Optimizer | undefined;
  let best: Tensor | undefined;
  let kept: Tensor[] = [];
  let maskTensor: Tensor | null = null;
  const setMask = (mask: WeightMask | undefined): void => {
    const values = flatMask(layout, mask);
    maskTensor?.dispose();
    maskTensor = values ? tf.tensor1d(values) : null;
    if (maskTensor) flat.assign(tf.tidy(() => tf.add(tf.mul(flat, maskTensor!), 0)));
  };

  const flat = own(readFlat(tf, model));
  try {
    setMask(options.mask);
    optimizer = makeOptimizer(tf, options.optimizer, options.learningRate, options.momentum);
    const l2Mask = plan.layers.some((l) => l.l2 > 0) ? own(tf.tensor1d(l2GradientMask(plan, layout.totalSize))) : null;
    const rng = createRng(options.seed);
    const shuffleRng = rng.fork();
    const dropoutRng = rng.fork();
    const step = createTrainStep({
      tf,
      kernel,
      plan,
      layout,
      ops,
      flat,
      optimizer,
      l2Mask,
      dropoutRng,
      fastTranspose: tf.getBackend() === 'wasm',
      one: own(tf.scalar(1)),
      six: own(tf.scalar(6)),
      zero: own(tf.scalar(0)),
    });
    const scaleFull = own(tf.scalar(gradScale(plan, B)));
    const scaleLast = own(tf.scalar(gradScale(plan, n % B || B)));

    const perm = new Int32Array(n);
    const batch = new BatchBuffers(plan, B);
    const numBatches = Math.ceil(n / B);
    const flushSteps = Math.max(1, Math.floor(STATS_FLUSH_ELEMENTS / (B * C)));

    const history: EpochLog[] = [];
    const stopping = options.earlyStopping ? new EarlyStopping(options.earlyStopping) : null;
    let stopReason: TrainResult['stopReason'];
    const t0 = performance.now();
    let lastYield = t0;

    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      if (options.maskForEpoch) {
        const next = options.maskForEpoch(epoch);
        if (next) setMask(next);
      }
      const learningRate = learningRateAt(options.learningRate, options.decay ?? 0, epoch);
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
          kept.push(step(xb, xbT, yb, rows, rows === B ? scaleFull : scaleLast, maskTensor));
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
      if (data.validation) sums.addValidation(evaluateSplit(tf, kernel, plan, layout, flat, data.validation));
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
          details: { diverged: true, epoch },
        });
      }
      options.onEpoch?.(log);
      // small data runs many short epochs: yield between them too, so timers and signals (a time
      // budget, Ctrl-C) are served while one thread trains for a long time
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }

      if (stopping) {
        const decision = stopping.update(epoch, data.validation ? (log.valLoss as number) : log.loss);
        if (decision === 'improved') {
          best?.dispose();
          best = tf.clone(flat);
        } else if (decision === 'stop') {
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
    const useBest = stopping != null && best != null;
    writeFlat(tf, model, plan, layout, useBest ? best! : flat);
    return {
      history,
      bestEpoch: useBest ? stopping.bestEpoch : epochsRun,
      stoppedEarly: stopReason != null,
      ...(stopReason ? { stopReason } : {}),
      epochsRun,
    };
  } finally {
    tf.dispose(kept);
    best?.dispose();
    (maskTensor as Tensor | null)?.dispose();
    if (optimizer) disposeOptimizer(optimizer);
    tf.dispose(owned);
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
