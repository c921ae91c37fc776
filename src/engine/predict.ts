/**
 * Batch inference: a row-major Float32Array in, a row-major Float32Array out (class
 * probabilities for a classifier, standardised values for a regressor).
 *
 * An mlctl MLP (see build-model.ts) runs straight through its layers' weights with
 * `tf.fused.matMul` (the call tfjs-layers' Dense makes, so the numbers are the same as
 * `model.predict`) and skips the Layers execution machinery, which costs more than the maths for
 * the 1-row serving case. Any other LayersModel goes through `model.predict`. Rows are fed in
 * chunks cut from the JavaScript array (never by slicing one big tensor: on the wasm backend a
 * slice copies its whole input), one tensor in and one out per chunk, inside `tf.tidy`.
 */
import type { LayersModel, Tensor, Tensor2D } from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import { describeMlp, type MlpPlan } from './build-model.js';
import type { Tf } from './tf.js';

export interface PredictBatchOptions {
  /** rows per forward pass (default 8192); bounds memory on large inputs */
  batchSize?: number;
}

const DEFAULT_BATCH_ROWS = 8192;

/** plan per model, or null when the model is not an mlctl MLP (then model.predict is used) */
const plans = new WeakMap<LayersModel, MlpPlan | null>();

export function predictBatch(
  tf: Tf,
  model: LayersModel,
  x: Float32Array,
  n: number,
  inputSize: number,
  options: PredictBatchOptions = {},
): Float32Array {
  if (!(Number.isInteger(n) && n >= 0)) throw new MlctlError('INVALID_DATA', `Row count must be a non-negative integer, got ${n}.`);
  if (x.length !== n * inputSize) {
    throw new MlctlError('INVALID_DATA', `Expected ${n} rows x ${inputSize} features = ${n * inputSize} values, got ${x.length}.`);
  }
  const dims = rowShape(model);
  const rowSize = dims.every((d): d is number => typeof d === 'number') ? dims.reduce((a, b) => a * b, 1) : inputSize;
  if (rowSize !== inputSize) {
    throw new MlctlError('INVALID_DATA', `The model expects ${rowSize} values per row, got ${inputSize}.`);
  }
  const batchRows = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_ROWS));
  const plan = planOf(model);
  const outputSize = plan ? plan.outputSize : outputSizeOf(model);
  const result = new Float32Array(n * outputSize);
  for (let start = 0; start < n; start += batchRows) {
    const rows = Math.min(batchRows, n - start);
    const out = tf.tidy(() => {
      const values = x.subarray(start * inputSize, (start + rows) * inputSize);
      const input = dims.length === 1 ? tf.tensor2d(values, [rows, inputSize]) : tf.tensor(values, [rows, ...(dims as number[])]);
      return plan ? forward(tf, model, plan, input as Tensor2D) : (model.predict(input, { batchSize: rows }) as Tensor);
    });
    try {
      result.set(out.dataSync(), start * outputSize);
    } finally {
      out.dispose();
    }
  }
  return result;
}

function planOf(model: LayersModel): MlpPlan | null {
  let plan = plans.get(model);
  if (plan === undefined) {
    try {
      plan = describeMlp(model);
    } catch {
      plan = null;
    }
    plans.set(model, plan);
  }
  return plan;
}

/** The shape of one input row (the first input's shape without the batch dimension). */
export function rowShape(model: LayersModel): (number | null)[] {
  const shape = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || !shape || shape.length < 2) {
    throw new MlctlError('INVALID_MODEL', 'The model must have one input of shape [batch, …].');
  }
  return shape.slice(1);
}

/** Values per row in the output (the product of the output's dimensions after the batch). */
export function outputSizeOf(model: LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const dims = shape?.slice(1) ?? [];
  if (model.outputs.length !== 1 || !shape || dims.length === 0 || !dims.every((d) => typeof d === 'number')) {
    throw new MlctlError('INVALID_MODEL', 'The model must have one output of a fixed shape [batch, outputs…].');
  }
  return (dims as number[]).reduce((a, b) => a * b, 1);
}

/** The Dense/Dropout stack evaluated as tfjs-layers does in inference (dropout is the identity). */
function forward(tf: Tf, model: LayersModel, plan: MlpPlan, input: Tensor2D): Tensor {
  const dense = model.layers.filter((layer) => layer.getClassName() === 'Dense');
  let a: Tensor = input;
  plan.layers.forEach((layer, i) => {
    // read() of the layer's own variables: no copies
    const [kernel, bias] = dense[i].getWeights() as [Tensor2D, Tensor];
    const act = layer.activation;
    if (act === 'relu' || act === 'linear' || act === 'elu') {
      a = tf.fused.matMul({ a, b: kernel, bias, activation: act });
      return;
    }
    // tfjs-layers: K.dot without bias, then biasAdd, then the activation
    const z = tf.add(tf.fused.matMul({ a, b: kernel }), bias);
    switch (act) {
      case 'softmax':
        a = tf.softmax(z);
        break;
      case 'relu6':
        a = tf.minimum(6, tf.relu(z));
        break;
      case 'selu':
        a = tf.selu(z);
        break;
      case 'tanh':
        a = tf.tanh(z);
        break;
      case 'sigmoid':
        a = tf.sigmoid(z);
        break;
      case 'softplus':
        a = tf.softplus(z);
        break;
      case 'softsign':
        a = tf.div(z, tf.add(1, tf.abs(z)));
        break;
      default:
        throw new MlctlError('INTERNAL', `No forward pass for activation "${String(act)}".`);
    }
  });
  return a;
}
