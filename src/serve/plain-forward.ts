/**
 * A plain-JavaScript forward pass compiled from a layers model's topology (the `modelTopology`
 * of model.json) and its named Float32Array weights: no TensorFlow.js objects, no tensors. For
 * one row of a small MLP it costs well under a microsecond, where a TF.js `predict` call costs
 * tens (bench:serve), so serving uses it whenever the model is made only of layers it can run
 * exactly:
 *
 * - Dense (any of the activations below, with or without bias), on a flat input [batch, n];
 * - Activation, ReLU (max_value), LeakyReLU (alpha), Softmax (last axis);
 * - BatchNormalization (inference: moving statistics; last axis, center/scale flags);
 * - Dropout, AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D: the identity at inference;
 * - Flatten and InputLayer on a flat input: the identity.
 *
 * Activations follow tfjs-layers (`activations.ts`) and tfjs-core's cpu kernels: linear, relu,
 * relu6, elu, selu, tanh, sigmoid, hard_sigmoid, softplus, softsign, swish, mish, softmax.
 *
 * Anything else (convolutions, recurrent layers, branching functional graphs, unknown
 * activations) is reported as unsupported with the reason, and the caller keeps TF.js. The caller
 * must still compare the compiled pass against TF.js before trusting it (load-servable does, on
 * the version's test rows).
 */

import type { NamedWeight } from '../engine/model-handle.js';

export type { NamedWeight };

export interface PlainForward {
  inputSize: number;
  outputSize: number;
  /** one short description per compiled step, e.g. "dense_1 4→64 tanh" */
  steps: string[];
  /** rows (n × inputSize, row-major) → outputs (n × outputSize); synchronous, allocation-light */
  run(x: Float32Array, n: number): Float32Array;
}

export type CompileResult = { ok: true; forward: PlainForward } | { ok: false; reason: string };

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

type Step = (input: Float32Array, output: Float32Array, n: number) => void;

interface CompiledStep {
  step: Step | null; // null = identity
  inWidth: number;
  outWidth: number;
  description: string;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
// tfjs-core softplus: log(1 + exp(x)) with the float32 thresholds of its cpu kernel
const SOFTPLUS_THRESHOLD = Math.log(1.1920928955078125e-7) + 2.0;

/**
 * Activations by number, applied with a switch inside the loops (one closure per activation
 * kind would make the call site megamorphic and cost more than the arithmetic).
 */
const enum Act {
  Linear,
  Relu,
  Relu6,
  Elu,
  Selu,
  Tanh,
  Sigmoid,
  HardSigmoid,
  Softplus,
  Softsign,
  Swish,
  Mish,
  Softmax,
  LeakyRelu,
  ReluMax,
}

const ACTIVATIONS: Record<string, Act> = {
  linear: Act.Linear,
  relu: Act.Relu,
  relu6: Act.Relu6,
  elu: Act.Elu,
  selu: Act.Selu,
  tanh: Act.Tanh,
  sigmoid: Act.Sigmoid,
  hard_sigmoid: Act.HardSigmoid,
  softplus: Act.Softplus,
  softsign: Act.Softsign,
  swish: Act.Swish,
  mish: Act.Mish,
  softmax: Act.Softmax,
};

function softplus(x: number): number {
  if (x > -SOFTPLUS_THRESHOLD) return x;
  if (x < SOFTPLUS_THRESHOLD) return Math.exp(x);
  return Math.log(1 + Math.exp(x));
}

/** One element through an element-wise activation (`param`: LeakyReLU's alpha, ReLU's max). */
function activate(act: Act, x: number, param: number): number {
  switch (act) {
    case Act.Linear:
      return x;
    case Act.Relu:
      return x > 0 ? x : 0;
    case Act.Relu6:
      return x > 0 ? (x < 6 ? x : 6) : 0;
    case Act.ReluMax:
      return x > 0 ? (x < param ? x : param) : 0;
    case Act.LeakyRelu:
      return x >= 0 ? x : param * x;
    case Act.Elu:
      return x > 0 ? x : Math.exp(x) - 1;
    case Act.Selu:
      return x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * (Math.exp(x) - 1);
    case Act.Tanh:
      return Math.tanh(x);
    case Act.Sigmoid:
      return 1 / (1 + Math.exp(-x));
    case Act.HardSigmoid: {
      const y = 0.2 * x + 0.5;
      return y < 0 ? 0 : y > 1 ? 1 : y;
    }
    case Act.Softplus:
      return softplus(x);
    case Act.Softsign:
      return x / (1 + Math.abs(x));
    case Act.Swish:
      return x / (1 + Math.exp(-x));
    case Act.Mish:
      return x * Math.tanh(softplus(x));
    default:
      return x;
  }
}

/** Softmax over z[start, end) in place (max-shifted, as tfjs-core). */
function softmaxInPlace(z: Float32Array, start: number, end: number): void {
  let max = -Infinity;
  for (let i = start; i < end; i++) if (z[i] > max) max = z[i];
  let sum = 0;
  for (let i = start; i < end; i++) {
    const e = Math.exp(z[i] - max);
    z[i] = e;
    sum += e;
  }
  for (let i = start; i < end; i++) z[i] /= sum;
}

/** tfjs-layers serialises activations in snake_case; accept its camelCase aliases too. */
function activationName(raw: unknown): string | null {
  if (raw === undefined || raw === null) return 'linear';
  if (typeof raw !== 'string') return null;
  const name = raw === 'hardSigmoid' ? 'hard_sigmoid' : raw;
  return Object.prototype.hasOwnProperty.call(ACTIVATIONS, name) ? name : null;
}

const IDENTITY_LAYERS = new Set([
  'Dropout',
  'AlphaDropout',
  'GaussianDropout',
  'GaussianNoise',
  'SpatialDropout1D',
  'Flatten',
  'InputLayer',
]);

/**
 * The layer list of a Sequential model, or of a functional model whose graph is a single chain
 * (one input, one output, every layer fed by the one before it).
 */
function layerChain(topology: unknown): { layers: LayerJson[] } | { reason: string } {
  let t = topology as Record<string, unknown> | null;
  if (t && typeof t === 'object' && 'model_config' in t) t = t.model_config as Record<string, unknown>;
  if (!t || typeof t !== 'object') return { reason: 'model.json has no model topology' };
  const className = t.class_name;
  const config = t.config as Record<string, unknown> | unknown[] | undefined;
  const layers = (Array.isArray(config) ? config : (config?.layers as unknown[] | undefined)) as LayerJson[] | undefined;
  if (!Array.isArray(layers) || layers.length === 0) return { reason: 'the topology lists no layers' };
  if (className === 'Sequential') return { layers };
  if (className !== 'Model' && className !== 'Functional') return { reason: `a ${String(className)} model` };
  // functional: accept a plain chain only
  const names = layers.map((l) => String(l.config?.name));
  for (let i = 1; i < layers.length; i++) {
    const nodes = layers[i].inbound_nodes as unknown[][] | undefined;
    const only = Array.isArray(nodes) && nodes.length === 1 && Array.isArray(nodes[0]) && nodes[0].length === 1 ? nodes[0][0] : null;
    const from = Array.isArray(only) ? only[0] : (only as Record<string, unknown> | null)?.name;
    if (from !== names[i - 1]) return { reason: `layer "${names[i]}" is not fed by the layer before it (a branching graph)` };
  }
  return { layers };
}

function findWeight(weights: Map<string, NamedWeight>, layer: string, key: string): NamedWeight | undefined {
  const exact = weights.get(`${layer}/${key}`);
  if (exact) return exact;
  for (const [name, w] of weights) if (name.endsWith(`/${layer}/${key}`)) return w;
  return undefined;
}

function inputWidthOf(first: LayerJson): number | null {
  const shape = (first.config.batch_input_shape ?? first.config.batchInputShape) as unknown[] | undefined;
  if (!Array.isArray(shape)) return null;
  if (shape.length !== 2 || typeof shape[1] !== 'number') return -1;
  return shape[1];
}

/** Compile the forward pass, or say why it cannot be compiled exactly. */
export function compilePlainForward(topology: unknown, namedWeights: readonly NamedWeight[]): CompileResult {
  const chain = layerChain(topology);
  if ('reason' in chain) return { ok: false, reason: chain.reason };
  const weights = new Map(namedWeights.map((w) => [w.name, w] as const));
  const width0 = inputWidthOf(chain.layers[0]);
  if (width0 === -1) return { ok: false, reason: 'the input is not a flat vector' };
  let width: number | null = width0;
  let inputSize: number | null = width0;
  const steps: CompiledStep[] = [];
  for (const layer of chain.layers) {
    const cls = layer.class_name;
    const cfg = layer.config ?? {};
    const name = String(cfg.name ?? cls);
    if (IDENTITY_LAYERS.has(cls)) {
      if (cls === 'InputLayer' && width === null) {
        const w = inputWidthOf(layer);
        if (w === -1) return { ok: false, reason: 'the input is not a flat vector' };
        width = w;
        inputSize = w;
      }
      continue;
    }
    const compiled = compileLayer(cls, name, cfg, width, weights);
    if ('reason' in compiled) return { ok: false, reason: compiled.reason };
    if (inputSize === null) inputSize = compiled.inWidth;
    steps.push(compiled);
    width = compiled.outWidth;
  }
  if (width === null || inputSize === null || inputSize <= 0 || steps.length === 0)
    return { ok: false, reason: 'the input width is unknown' };
  return { ok: true, forward: assemble(inputSize, width, steps) };
}

function compileLayer(
  cls: string,
  name: string,
  cfg: Record<string, unknown>,
  width: number | null,
  weights: Map<string, NamedWeight>,
): CompiledStep | { reason: string } {
  switch (cls) {
    case 'Dense': {
      const act = activationName(cfg.activation);
      if (act === null) return { reason: `layer "${name}" uses the activation ${JSON.stringify(cfg.activation)}` };
      const kernel = findWeight(weights, name, 'kernel');
      if (!kernel || kernel.shape.length !== 2) return { reason: `no 2-D kernel for layer "${name}"` };
      const [nIn, units] = kernel.shape;
      if (width !== null && width !== nIn) return { reason: `layer "${name}" expects ${nIn} inputs but gets ${width}` };
      const useBias = cfg.use_bias !== false && cfg.useBias !== false;
      const bias = useBias ? findWeight(weights, name, 'bias') : undefined;
      if (useBias && (!bias || bias.values.length !== units)) return { reason: `no bias of ${units} values for layer "${name}"` };
      return {
        step: denseStep(kernel.values, nIn, units, bias?.values ?? null, ACTIVATIONS[act]),
        inWidth: nIn,
        outWidth: units,
        description: `${name} ${nIn}→${units} ${act}`,
      };
    }
    case 'Activation': {
      const act = activationName(cfg.activation);
      if (act === null) return { reason: `layer "${name}" uses the activation ${JSON.stringify(cfg.activation)}` };
      if (width === null) return { reason: 'the input width is unknown' };
      return { step: activationStep(ACTIVATIONS[act], width, 0), inWidth: width, outWidth: width, description: `${name} ${act}` };
    }
    case 'ReLU': {
      if (width === null) return { reason: 'the input width is unknown' };
      const max = typeof cfg.max_value === 'number' ? cfg.max_value : typeof cfg.maxValue === 'number' ? cfg.maxValue : Infinity;
      return { step: activationStep(Act.ReluMax, width, max), inWidth: width, outWidth: width, description: `${name} relu` };
    }
    case 'LeakyReLU': {
      if (width === null) return { reason: 'the input width is unknown' };
      const alpha = typeof cfg.alpha === 'number' ? cfg.alpha : 0.3;
      return { step: activationStep(Act.LeakyRelu, width, alpha), inWidth: width, outWidth: width, description: `${name} leaky_relu` };
    }
    case 'Softmax': {
      if (width === null) return { reason: 'the input width is unknown' };
      const axis = cfg.axis ?? -1;
      if (axis !== -1 && axis !== 1) return { reason: `layer "${name}" applies softmax over axis ${String(axis)}` };
      return { step: activationStep(Act.Softmax, width, 0), inWidth: width, outWidth: width, description: `${name} softmax` };
    }
    case 'BatchNormalization': {
      if (width === null) return { reason: 'the input width is unknown' };
      const axis = cfg.axis ?? -1;
      if (axis !== -1 && axis !== 1 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1))) {
        return { reason: `layer "${name}" normalises over axis ${JSON.stringify(axis)}` };
      }
      const eps = typeof cfg.epsilon === 'number' ? cfg.epsilon : 1e-3;
      const mean = findWeight(weights, name, 'moving_mean');
      const variance = findWeight(weights, name, 'moving_variance');
      const gamma = cfg.scale === false ? undefined : findWeight(weights, name, 'gamma');
      const beta = cfg.center === false ? undefined : findWeight(weights, name, 'beta');
      if (!mean || !variance || (cfg.scale !== false && !gamma) || (cfg.center !== false && !beta)) {
        return { reason: `layer "${name}" lacks its normalisation weights` };
      }
      const mul = new Float32Array(width);
      const add = new Float32Array(width);
      for (let j = 0; j < width; j++) {
        const g = gamma ? gamma.values[j] : 1;
        const inv = g / Math.sqrt(variance.values[j] + eps);
        mul[j] = inv;
        add[j] = (beta ? beta.values[j] : 0) - mean.values[j] * inv;
      }
      const w = width;
      const step: Step = (input, output, n) => {
        for (let r = 0; r < n; r++) {
          const o = r * w;
          for (let j = 0; j < w; j++) output[o + j] = input[o + j] * mul[j] + add[j];
        }
      };
      return { step, inWidth: width, outWidth: width, description: `${name} batchnorm` };
    }
    default:
      return { reason: `layer "${name}" is a ${cls}` };
  }
}

/**
 * y = act(x · K + b), with K stored transposed (units × nIn) so the inner loop reads
 * contiguously. The common activations get a loop of their own (the call inlines); the rest
 * go through `activate`.
 */
function denseStep(kernel: Float32Array, nIn: number, units: number, bias: Float32Array | null, act: Act): Step {
  const kt = new Float64Array(nIn * units);
  for (let i = 0; i < nIn; i++) for (let j = 0; j < units; j++) kt[j * nIn + i] = kernel[i * units + j];
  const b = bias ? Float64Array.from(bias) : new Float64Array(units);
  const dot = (input: Float32Array, xi: number, j: number): number => {
    let acc = b[j];
    const k = j * nIn;
    for (let i = 0; i < nIn; i++) acc += input[xi + i] * kt[k + i];
    return acc;
  };
  switch (act) {
    case Act.Linear:
    case Act.Softmax:
      return (input, output, n) => {
        for (let r = 0; r < n; r++) {
          const xi = r * nIn;
          const yo = r * units;
          for (let j = 0; j < units; j++) output[yo + j] = dot(input, xi, j);
          if (act === Act.Softmax) softmaxInPlace(output, yo, yo + units);
        }
      };
    case Act.Relu:
      return (input, output, n) => {
        for (let r = 0; r < n; r++) {
          const xi = r * nIn;
          const yo = r * units;
          for (let j = 0; j < units; j++) {
            const z = dot(input, xi, j);
            output[yo + j] = z > 0 ? z : 0;
          }
        }
      };
    case Act.Tanh:
      return (input, output, n) => {
        for (let r = 0; r < n; r++) {
          const xi = r * nIn;
          const yo = r * units;
          for (let j = 0; j < units; j++) output[yo + j] = Math.tanh(dot(input, xi, j));
        }
      };
    case Act.Sigmoid:
      return (input, output, n) => {
        for (let r = 0; r < n; r++) {
          const xi = r * nIn;
          const yo = r * units;
          for (let j = 0; j < units; j++) output[yo + j] = 1 / (1 + Math.exp(-dot(input, xi, j)));
        }
      };
    default:
      return (input, output, n) => {
        for (let r = 0; r < n; r++) {
          const xi = r * nIn;
          const yo = r * units;
          for (let j = 0; j < units; j++) output[yo + j] = activate(act, dot(input, xi, j), 0);
        }
      };
  }
}

function activationStep(act: Act, width: number, param: number): Step | null {
  if (act === Act.Linear) return null;
  return (input, output, n) => {
    const total = n * width;
    if (act === Act.Softmax) {
      output.set(input.subarray(0, total));
      for (let r = 0; r < n; r++) softmaxInPlace(output, r * width, (r + 1) * width);
      return;
    }
    for (let i = 0; i < total; i++) output[i] = activate(act, input[i], param);
  };
}

function assemble(inputSize: number, outputSize: number, steps: CompiledStep[]): PlainForward {
  const live = steps.filter((s) => s.step !== null) as { step: Step; outWidth: number; description: string }[];
  // two scratch buffers reused across calls (run is synchronous, so calls never overlap)
  let scratch: [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];
  const widest = Math.max(inputSize, ...live.map((s) => s.outWidth));
  return {
    inputSize,
    outputSize,
    steps: steps.map((s) => s.description),
    run(x: Float32Array, n: number): Float32Array {
      if (x.length !== n * inputSize) throw new RangeError(`expected ${n}×${inputSize} values, got ${x.length}`);
      const out = new Float32Array(n * outputSize);
      if (live.length === 0) {
        out.set(x);
        return out;
      }
      if (live.length > 1 && scratch[0].length < n * widest) scratch = [new Float32Array(n * widest), new Float32Array(n * widest)];
      let input = x;
      for (let s = 0; s < live.length; s++) {
        const target = s === live.length - 1 ? out : scratch[s & 1];
        live[s].step(input, target, n);
        input = target;
      }
      return out;
    },
  };
}
