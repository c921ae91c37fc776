/**
 * Training for layers models that are not mlctl MLPs (imported convolutional, batch-norm, …
 * models being fine-tuned): stock `model.fit`, one epoch per call on rows shuffled by mlctl's
 * own generator, with the same options as the lean loop — inverse-time decay, early stopping on
 * the validation loss (restoring the best weights), a weight mask re-applied after every batch,
 * and `shouldStop`. Slower than train-loop.ts, but works for any layer TF.js can train.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { MlctlError } from '../../errors.js';
import { createRng } from '../../random.js';
import type { Task } from '../../vocabulary.js';
import type { Tf } from '../tf.js';
import { shufflePermutation } from './batches.js';
import { checkOptions } from './checks.js';
import { EarlyStopping } from './early-stopping.js';
import { disposeOptimizer, learningRateAt, makeOptimizer, setLearningRate } from './optimizers.js';
import type { EpochLog, TrainData, TrainOptions, TrainResult, TrainSplit, WeightMask } from './types.js';

export async function fitGeneric(
  tf: Tf,
  model: LayersModel,
  data: TrainData,
  options: TrainOptions & { task: Task },
  weightNames: string[],
): Promise<TrainResult> {
  checkOptions(options);
  const inDims = model.inputs[0].shape.slice(1) as number[];
  const rowSize = inDims.reduce((a, b) => a * b, 1);
  const outSize = (model.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const classification = options.task === 'classification';
  const toTensors = (split: TrainSplit, order?: Int32Array): [Tensor, Tensor] => {
    if (split.x.length !== split.n * rowSize) {
      throw new MlctlError('INVALID_DATA', `The training data has ${split.x.length} values, expected ${split.n} rows x ${rowSize}.`);
    }
    const x = new Float32Array(split.n * rowSize);
    const y = new Float32Array(split.n * outSize);
    for (let i = 0; i < split.n; i++) {
      const r = order ? order[i] : i;
      x.set(split.x.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
      if (classification) {
        const c = split.y[r];
        if (!(Number.isInteger(c) && c >= 0 && c < outSize)) {
          throw new MlctlError('INVALID_DATA', `Label ${c} at row ${r + 1} is outside the model's ${outSize} classes.`);
        }
        y[i * outSize + c] = 1;
      } else {
        y.set(split.y.subarray(r * outSize, (r + 1) * outSize) as Float32Array, i * outSize);
      }
    }
    return [tf.tensor(x, [split.n, ...inDims]), tf.tensor2d(y, [split.n, outSize])];
  };

  const optimizer = makeOptimizer(tf, options.optimizer, options.learningRate, options.momentum);
  model.compile({ optimizer, loss: classification ? 'categoricalCrossentropy' : 'meanSquaredError' });
  let mask = options.mask;
  const applyMask = (): void => {
    if (!mask) return;
    const current = model.getWeights();
    const next = tf.tidy(() =>
      current.map((w, i) => {
        const m = mask![weightNames[i]];
        return m ? tf.add(tf.mul(w, tf.tensor(m, w.shape)), 0) : tf.clone(w); // + 0: no -0
      }),
    );
    model.setWeights(next);
    tf.dispose(next);
  };
  const rng = createRng(options.seed).fork();
  const perm = new Int32Array(data.n);
  const stopping = options.earlyStopping ? new EarlyStopping(options.earlyStopping) : null;
  const validation = data.validation && data.validation.n > 0 ? toTensors(data.validation) : null;
  const history: EpochLog[] = [];
  let best: Tensor[] | null = null;
  let stopReason: TrainResult['stopReason'];
  const t0 = performance.now();
  try {
    applyMask();
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const next = options.maskForEpoch?.(epoch);
      if (next) mask = next as WeightMask;
      applyMask();
      const learningRate = learningRateAt(options.learningRate, options.decay ?? 0, epoch);
      setLearningRate(optimizer, learningRate);
      shufflePermutation(rng, perm);
      const [x, y] = toTensors(data, perm);
      let fit;
      try {
        fit = await model.fit(x, y, {
          epochs: 1,
          batchSize: options.batchSize,
          shuffle: false,
          verbose: 0,
          validationData: validation ?? undefined,
          callbacks: { onBatchEnd: async () => applyMask() },
        });
      } finally {
        tf.dispose([x, y]);
      }
      const value = (key: string): number | undefined => {
        const v = fit.history[key]?.[0];
        return typeof v === 'number' ? v : v === undefined ? undefined : (v as Tensor).dataSync()[0];
      };
      const log: EpochLog = { epoch, epochs: options.epochs, loss: value('loss') ?? NaN, learningRate, elapsedMs: performance.now() - t0 };
      const valLoss = value('val_loss');
      if (valLoss !== undefined) log.valLoss = valLoss;
      history.push(log);
      if (!Number.isFinite(log.loss)) {
        throw new MlctlError('USAGE', `Training diverged in epoch ${epoch}: the loss is ${log.loss}.`, {
          hint: `Lower the learning rate (now ${options.learningRate}).`,
        });
      }
      options.onEpoch?.(log);
      if (stopping) {
        const decision = stopping.update(epoch, log.valLoss ?? log.loss);
        if (decision === 'improved') {
          if (best) tf.dispose(best);
          best = model.getWeights().map((w) => tf.clone(w));
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
    if (stopping && best) model.setWeights(best);
    return {
      history,
      bestEpoch: stopping && best ? stopping.bestEpoch : history.length,
      stoppedEarly: stopReason != null,
      ...(stopReason ? { stopReason } : {}),
      epochsRun: history.length,
    };
  } finally {
    if (best) tf.dispose(best);
    if (validation) tf.dispose(validation);
    disposeOptimizer(optimizer);
  }
}
