/**
 * What an mlctl model is: a stock TF.js `tf.sequential` multilayer perceptron: Dense layers with an
 * optional Dropout after each hidden one, softmax output for classification, linear for
 * regression. Because it is a plain LayersModel it saves as a stock layers model that
 * `tf.loadLayersModel` opens unchanged.
 *
 * `buildMlp` creates one with weights drawn from mlctl's own generator (TF.js initialisers ignore
 * their seed, tfjs#7104), so the same seed gives bit-identical initial weights on every backend:
 * - kernels: He uniform (limit sqrt(6 / fanIn)) for the ReLU family (relu, relu6, elu), LeCun
 *   uniform (sqrt(3 / fanIn)) for selu (what self-normalising nets need), Glorot uniform
 *   (sqrt(6 / (fanIn + fanOut))) for every other activation and for the output layer;
 * - biases: zeros.
 * Values are drawn layer by layer, kernel entries in row-major order, from `createRng(seed)`.
 *
 * `describeMlp` reads such a model back (from `buildMlp` or loaded from disk) into an `MlpPlan`,
 * the shape the fast training loop and the fast predict path work from.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import { createRng } from '../random.js';
import type { Tf } from './tf.js';

/** Activations mlctl supports in hidden layers (the training loop has their derivatives). */
export const HIDDEN_ACTIVATIONS = ['relu', 'relu6', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'softsign', 'linear'] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

export type MlpTask = 'classification' | 'regression';

export interface MlpSpec {
  /** number of input features (after encoding) */
  inputSize: number;
  /** classification: number of classes (>= 2); regression: number of targets (usually 1) */
  outputSize: number;
  task: MlpTask;
  /** units of each hidden layer, e.g. [64, 64]; [] gives a linear / logistic model */
  hidden: number[];
  activation: HiddenActivation;
  /** dropout rate after each hidden layer, in [0, 1); 0 = no Dropout layers */
  dropout: number;
  /** L2 kernel regularisation factor on every Dense layer (loss += l2 * sum(kernel^2)); 0 = none */
  l2: number;
}

/** One Dense layer as the training loop sees it. */
export interface MlpLayerPlan {
  inputSize: number;
  units: number;
  /** hidden layers: a HiddenActivation; the last layer: 'softmax' or 'linear' */
  activation: HiddenActivation | 'softmax';
  /** L2 factor of this layer's kernel (0 = none) */
  l2: number;
  /** rate of the Dropout layer that follows this Dense layer (0 = none) */
  dropout: number;
}

export interface MlpPlan {
  task: MlpTask;
  inputSize: number;
  outputSize: number;
  layers: MlpLayerPlan[];
}

export function buildMlp(tf: Tf, spec: MlpSpec, seed: number): LayersModel {
  checkSpec(spec);
  const sizes = [spec.inputSize, ...spec.hidden, spec.outputSize];
  const model = tf.sequential({ name: 'mlp' });
  for (let i = 1; i < sizes.length; i++) {
    const last = i === sizes.length - 1;
    model.add(
      tf.layers.dense({
        // fixed names: weight names in model.json must not depend on how many models this process built
        name: `dense_${i}`,
        units: sizes[i],
        activation: last ? (spec.task === 'classification' ? 'softmax' : 'linear') : spec.activation,
        kernelRegularizer: spec.l2 > 0 ? tf.regularizers.l2({ l2: spec.l2 }) : undefined,
        // placeholders; replaced below with values from mlctl's generator
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
        ...(i === 1 ? { inputShape: [spec.inputSize] } : {}),
      }),
    );
    if (!last && spec.dropout > 0) model.add(tf.layers.dropout({ name: `dropout_${i}`, rate: spec.dropout }));
  }

  const rng = createRng(seed);
  const weights: Tensor[] = [];
  for (let i = 1; i < sizes.length; i++) {
    const fanIn = sizes[i - 1];
    const fanOut = sizes[i];
    const last = i === sizes.length - 1;
    const limit = initLimit(last ? 'linear' : spec.activation, fanIn, fanOut);
    const kernel = new Float32Array(fanIn * fanOut);
    for (let j = 0; j < kernel.length; j++) kernel[j] = rng.uniform(-limit, limit);
    weights.push(tf.tensor2d(kernel, [fanIn, fanOut]), tf.zeros([fanOut]));
  }
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

function initLimit(activation: HiddenActivation, fanIn: number, fanOut: number): number {
  switch (activation) {
    case 'relu':
    case 'relu6':
    case 'elu':
      return Math.sqrt(6 / fanIn); // He uniform
    case 'selu':
      return Math.sqrt(3 / fanIn); // LeCun uniform
    default:
      return Math.sqrt(6 / (fanIn + fanOut)); // Glorot uniform
  }
}

function checkSpec(spec: MlpSpec): void {
  const isCount = (v: number): boolean => Number.isInteger(v) && v >= 1;
  if (!isCount(spec.inputSize)) throw usage(`The model needs at least one input feature, got inputSize ${spec.inputSize}.`);
  if (spec.task !== 'classification' && spec.task !== 'regression') {
    throw usage(`Unknown task "${String(spec.task)}"; use "classification" or "regression".`);
  }
  if (spec.task === 'classification' && !(Number.isInteger(spec.outputSize) && spec.outputSize >= 2)) {
    throw usage(
      `A classifier needs at least 2 classes, got ${spec.outputSize}.`,
      'Check the target column: it has a single distinct value.',
    );
  }
  if (!isCount(spec.outputSize)) throw usage(`outputSize must be a positive integer, got ${spec.outputSize}.`);
  if (!Array.isArray(spec.hidden) || !spec.hidden.every(isCount)) {
    throw usage(`Hidden layer sizes must be positive integers, got [${String(spec.hidden)}].`);
  }
  if (!(HIDDEN_ACTIVATIONS as readonly string[]).includes(spec.activation)) {
    throw usage(`Unknown activation "${String(spec.activation)}".`, `Use one of: ${HIDDEN_ACTIVATIONS.join(', ')}.`);
  }
  if (!(spec.dropout >= 0 && spec.dropout < 1)) throw usage(`Dropout must be in [0, 1), got ${spec.dropout}.`);
  if (!(spec.l2 >= 0 && Number.isFinite(spec.l2))) throw usage(`L2 must be a finite number >= 0, got ${spec.l2}.`);
}

function usage(message: string, hint?: string): MlctlError {
  return new MlctlError('USAGE', message, hint ? { hint } : {});
}

interface LayerConfigView {
  units?: number;
  activation?: string;
  useBias?: boolean;
  rate?: number;
  noiseShape?: unknown;
  kernelRegularizer?: { className?: string; config?: { l1?: number; l2?: number } } | null;
  activityRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  biasRegularizer?: unknown;
}

/**
 * Read a LayersModel back as an MLP plan. Throws INVALID_MODEL when the model is not an mlctl
 * MLP: anything but Dense (with bias, 2-D input) and Dropout layers, an unsupported activation, or
 * regularisers/constraints the fast training loop does not implement.
 */
export function describeMlp(model: LayersModel): MlpPlan {
  const layers: MlpLayerPlan[] = [];
  const unsupported = (why: string): MlctlError =>
    new MlctlError('INVALID_MODEL', `The model is not an mlctl MLP: ${why}.`, {
      hint: 'mlctl trains sequential models of Dense and Dropout layers (the ones "mlctl train" builds).',
    });
  const inputShape = model.inputs.length === 1 ? model.inputs[0].shape : null;
  if (!inputShape || inputShape.length !== 2 || typeof inputShape[1] !== 'number') {
    throw unsupported('it must have one input of shape [batch, features]');
  }
  if (model.outputs.length !== 1) throw unsupported('it must have exactly one output');
  let width = inputShape[1];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const config = layer.getConfig() as LayerConfigView;
    if (className === 'InputLayer') continue;
    if (className === 'Dropout') {
      if (layers.length === 0) throw unsupported('a Dropout layer comes before the first Dense layer');
      if (config.noiseShape != null) throw unsupported(`Dropout layer "${layer.name}" has a noiseShape`);
      const prev = layers[layers.length - 1];
      prev.dropout = 1 - (1 - prev.dropout) * (1 - (config.rate ?? 0));
      continue;
    }
    if (className !== 'Dense') throw unsupported(`layer "${layer.name}" is a ${className}`);
    if (config.useBias === false) throw unsupported(`Dense layer "${layer.name}" has no bias`);
    if (config.activityRegularizer || config.biasRegularizer || config.kernelConstraint || config.biasConstraint) {
      throw unsupported(`Dense layer "${layer.name}" has a constraint or a bias/activity regulariser`);
    }
    let l2 = 0;
    const reg = config.kernelRegularizer;
    if (reg) {
      if (reg.className !== 'L1L2' || (reg.config?.l1 ?? 0) !== 0) {
        throw unsupported(`Dense layer "${layer.name}" has a kernel regulariser other than L2`);
      }
      l2 = reg.config?.l2 ?? 0;
    }
    const units = config.units ?? 0;
    layers.push({ inputSize: width, units, activation: (config.activation ?? 'linear') as MlpLayerPlan['activation'], l2, dropout: 0 });
    width = units;
  }
  if (layers.length === 0) throw unsupported('it has no Dense layer');
  const last = layers[layers.length - 1];
  if (last.dropout > 0) throw unsupported('it ends with a Dropout layer');
  for (const layer of layers.slice(0, -1)) {
    if (!(HIDDEN_ACTIVATIONS as readonly string[]).includes(layer.activation)) {
      throw unsupported(`hidden activation "${layer.activation}" is not supported`);
    }
  }
  let task: MlpTask;
  if (last.activation === 'softmax' && last.units >= 2) task = 'classification';
  else if (last.activation === 'linear') task = 'regression';
  else throw unsupported(`the output activation is "${last.activation}" (softmax for classification, linear for regression)`);
  return { task, inputSize: inputShape[1], outputSize: last.units, layers };
}
