/** The training loop's inputs and outputs (plain arrays; no tensors cross this boundary). */
import type { OptimizerName } from '../../vocabulary.js';

export type { OptimizerName } from '../../vocabulary.js';

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

/**
 * A 0/1 mask per weight, by weight name (as `ModelHandle.readWeights` names them, e.g.
 * "dense_1/kernel"): the weights are multiplied by it before training and after every update,
 * so masked weights stay exactly zero (fine-tuning after pruning). Unnamed weights are free.
 */
export type WeightMask = Readonly<Record<string, Float32Array>>;

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
  /** keep these weights at zero throughout (see WeightMask) */
  mask?: WeightMask;
  /** called before every epoch; may return a new mask (e.g. a sparsity that rises with the epochs) */
  maskForEpoch?: (epoch: number) => WeightMask | undefined;
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
