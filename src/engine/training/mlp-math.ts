/**
 * The MLP maths of the training loop (see train-model.ts): the dense forward pass, the matmul
 * used by the hand-written backward pass, the hidden activations' derivatives (from their
 * outputs), and the gradient scale, L2 and dropout helpers.
 */
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { MlctlError } from '../../errors.js';
import type { Rng } from '../../random.js';
import type { MlpLayerPlan, MlpPlan } from '../build-model.js';
import type { Kernel } from './step-ops.js';
import type { Tf } from '../tf.js';

/** One dense layer on 3-D tensors: [1, rows, in] x [1, in, out] + bias, then the activation. */
export function denseForward(tf: Tf, kernel: Kernel, a: Tensor, w: Tensor, bias: Tensor, activation: MlpLayerPlan['activation']): Tensor {
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
export function matMul(kernel: Kernel, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean, explicitTranspose: boolean): Tensor {
  if (explicitTranspose) {
    if (transposeA) a = kernel('Transpose', { x: a }, { perm: [0, 2, 1] });
    if (transposeB) b = kernel('Transpose', { x: b }, { perm: [0, 2, 1] });
    return kernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  }
  return kernel('BatchMatMul', { a, b }, { transposeA, transposeB });
}

// tfjs-core's selu constants (as many digits as a double holds)
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/** d(loss)/d(pre-activation) from d(loss)/d(activation) `dh` and the activation's output `h`. */
export function activationBackward(
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
export function gradScale(plan: MlpPlan, rows: number): number {
  return plan.task === 'classification' ? 1 / rows : 2 / (rows * plan.outputSize);
}

/** d(penalty)/d(weight) = 2 * l2 on kernel entries, 0 on biases. */
export function l2GradientMask(plan: MlpPlan, totalSize: number): Float32Array {
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
export function dropoutMask(rng: Rng, size: number, rate: number): Float32Array {
  const mask = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) mask[i] = rng.float() < rate ? 0 : keep;
  return mask;
}
