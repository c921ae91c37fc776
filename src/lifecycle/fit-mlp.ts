/**
 * Build, train and score one MLP on already-encoded splits. Shared by `train` (the final model)
 * and cross-validation (one model per fold), so both train exactly the same way.
 */
import type { Signature } from '../dataset/signature.js';
import { classLabels, decodeRegression } from '../dataset/signature.js';
import type { EpochLog, ModelHandle, TrainResult } from '../engine/model-handle.js';
import type { BackendChoice } from '../vocabulary.js';
import { argmaxRows, classificationMetrics, regressionMetrics, type Metrics } from './metrics.js';
import type { TrainSettings } from './train-settings.js';

export interface EncodedSplit {
  x: Float32Array;
  y: Int32Array | Float32Array;
  n: number;
}

export interface FitMlpInput {
  signature: Signature;
  train: EncodedSplit;
  validation: EncodedSplit;
  test: EncodedSplit;
}

export interface FitMlpResult {
  /** the trained model; the caller disposes it */
  handle: ModelHandle;
  training: TrainResult;
  /** metrics on the test split; null when the test split is empty */
  metrics: Metrics | null;
}

export async function fitMlp(
  input: FitMlpInput,
  settings: TrainSettings,
  seed: number,
  backend: BackendChoice,
  onEpoch?: (log: EpochLog) => void,
  /** polled during training; true ends it early (the model keeps its current weights) */
  shouldStop?: () => boolean,
): Promise<FitMlpResult> {
  const { createMlp } = await import('../engine/model-handle.js');
  const { signature } = input;
  const classification = signature.target.task === 'classification';
  const handle = await createMlp(
    {
      inputSize: signature.inputSize,
      outputSize: classification ? classLabels(signature).length : 1,
      task: signature.target.task,
      hidden: settings.hidden,
      activation: settings.activation,
      dropout: settings.dropout,
      l2: settings.l2,
    },
    seed,
    backend,
  );
  try {
    const training = await handle.fit(
      { ...input.train, validation: input.validation.n > 0 ? input.validation : undefined },
      {
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        optimizer: settings.optimizer,
        learningRate: settings.learningRate,
        decay: settings.decay,
        earlyStopping: settings.patience > 0 ? { patience: settings.patience } : undefined,
        seed,
        onEpoch,
        shouldStop,
      },
    );
    const metrics = input.test.n > 0 ? scoreSplit(handle, signature, input.test) : null;
    return { handle, training, metrics };
  } catch (e) {
    handle.dispose();
    throw e;
  }
}

/** Predict a labelled encoded split and compute its metrics (in the target's own units). */
export function scoreSplit(handle: ModelHandle, signature: Signature, split: EncodedSplit): Metrics {
  return scoreOutputs(signature, handle.predict(split.x, split.n), split.y);
}

/** Metrics of model outputs (probabilities, or standardised values) against encoded targets. */
export function scoreOutputs(signature: Signature, out: Float32Array, y: EncodedSplit['y']): Metrics {
  const split = { y };
  if (signature.target.task === 'classification') {
    const labels = classLabels(signature);
    return classificationMetrics(split.y, argmaxRows(out, labels.length), labels);
  }
  return regressionMetrics(decodeRegression(signature, split.y), decodeRegression(signature, out));
}
