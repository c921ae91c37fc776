/**
 * Which weights of a layers model are kernels (the matrices pruning may zero) and which layer a
 * weight belongs to, from its manifest name alone, so it works for any layers model whatever
 * created it: TF.js names weights `<layer>/<weight>` ('dense_1/kernel'), Keras-converted models
 * the same, nested models prefix outer names ('encoder/dense/kernel').
 *
 * Kernels: Dense/Conv `kernel`, SeparableConv/DepthwiseConv `depthwise_kernel` and
 * `pointwise_kernel`, recurrent `recurrent_kernel`, Embedding `embeddings` (the weights the
 * TensorFlow Model Optimization Toolkit prunes). Biases, BatchNormalization's gamma, beta,
 * moving_mean and moving_variance, and everything else are left alone.
 */

const KERNEL_NAMES: ReadonlySet<string> = new Set(['kernel', 'depthwise_kernel', 'pointwise_kernel', 'recurrent_kernel', 'embeddings']);

/** The last path segment of a weight name, without a trailing ':0' ('dense_1/kernel' → 'kernel'). */
export function weightKind(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.replace(/:\d+$/, '');
}

/** The layer a weight belongs to: its name without the last segment ('dense_1/kernel' → 'dense_1'). */
export function layerOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash === -1 ? name : name.slice(0, slash);
}

/** True for the weights magnitude pruning may zero. */
export function isKernel(name: string): boolean {
  return KERNEL_NAMES.has(weightKind(name));
}

/** Layer names in weight order, each once. */
export function layersOf(names: readonly string[]): string[] {
  return [...new Set(names.map(layerOf))];
}

/**
 * True if weight `name` belongs to layer `layer`: its layer path equals `layer`, or ends with
 * `/<layer>` (a nested model's inner layer named by its own name).
 */
export function belongsToLayer(name: string, layer: string): boolean {
  const own = layerOf(name);
  return own === layer || own.endsWith(`/${layer}`);
}
