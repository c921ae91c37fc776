/**
 * Build, train and score one MLP on already-encoded splits. Shared by `train` (the final model)
 * and cross-validation (one model per fold), so both train exactly the same way.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import type { Signature } from '../dataset/signature.js';
import { classLabels, decodeRegression } from '../dataset/signature.js';
import type { Tf } from '../engine/tf.js';
import type { EpochLog, TrainResult as EngineTrainResult } from '../engine/train-model.js';
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
  model: LayersModel;
  training: EngineTrainResult;
  /** metrics on the test split; null when the test split is empty */
  metrics: Metrics | null;
}

export async function fitMlp(
  tf: Tf,
  input: FitMlpInput,
  settings: TrainSettings,
  seed: number,
  onEpoch?: (log: EpochLog) => void,
): Promise<FitMlpResult> {
  const [{ buildMlp }, { trainModel }] = await Promise.all([import('../engine/build-model.js'), import('../engine/train-model.js')]);
  const { signature } = input;
  const classification = signature.target.task === 'classification';
  const outputSize = classification ? classLabels(signature).length : 1;
  const model = buildMlp(
    tf,
    {
      inputSize: signature.inputSize,
      outputSize,
      task: signature.target.task,
      hidden: settings.hidden,
      activation: settings.activation,
      dropout: settings.dropout,
      l2: settings.l2,
    },
    seed,
  );
  try {
    const useValidation = input.validation.n > 0;
    const training = await trainModel(
      tf,
      model,
      { ...input.train, validation: useValidation ? input.validation : undefined },
      {
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        optimizer: settings.optimizer,
        learningRate: settings.learningRate,
        decay: settings.decay,
        earlyStopping: settings.patience > 0 ? { patience: settings.patience } : undefined,
        seed,
        onEpoch,
      },
    );
    const metrics = input.test.n > 0 ? await scoreSplit(tf, model, signature, input.test) : null;
    return { model, training, metrics };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Predict a labelled encoded split and compute its metrics (in the target's own units). */
export async function scoreSplit(tf: Tf, model: LayersModel, signature: Signature, split: EncodedSplit): Promise<Metrics> {
  const { predictBatch } = await import('../engine/predict.js');
  const out = predictBatch(tf, model, split.x, split.n, signature.inputSize);
  if (signature.target.task === 'classification') {
    const labels = classLabels(signature);
    return classificationMetrics(split.y, argmaxRows(out, labels.length), labels);
  }
  return regressionMetrics(decodeRegression(signature, split.y), decodeRegression(signature, out));
}
