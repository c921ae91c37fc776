/**
 * One training step of an mlctl MLP: forward pass, hand-written backward pass, optimizer update,
 * and (when given) the weight mask re-applied after the update. The output logits are kept for
 * the epoch's figures (see epoch-stats.ts), so nothing is read back per step.
 *
 * - the forward pass is one `_FusedMatMul` kernel per layer (matmul + bias + activation), on
 *   3-D tensors so no reshapes are needed;
 * - the backward pass: softmax/MSE output gradient, dense layers, the hidden activations'
 *   derivatives from their outputs (mlp-math.ts); the first layer's kernel and bias gradients
 *   come from one matmul with the batch transposed plus a row of ones;
 * - the gradient is assembled in the flat layout (flat-weights.ts), so the stock `tf.train.*`
 *   optimizer runs one set of kernels per step.
 */
import type { Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import type { Rng } from '../../random.js';
import type { MlpPlan } from '../build-model.js';
import type { Tf } from '../tf.js';
import type { FlatLayout } from './flat-weights.js';
import { activationBackward, denseForward, dropoutMask, gradScale, matMul } from './mlp-math.js';
import type { GradientPart, Kernel, StepOps } from './step-ops.js';

export interface TrainStepContext {
  tf: Tf;
  kernel: Kernel;
  plan: MlpPlan;
  layout: FlatLayout;
  ops: StepOps;
  flat: Variable;
  optimizer: Optimizer;
  /** L2 gradient factors in the flat layout (2 * l2 on kernels, 0 on biases), or null */
  l2Mask: Tensor | null;
  /** draws the dropout masks */
  dropoutRng: Rng;
  /** matmuls with explicitly transposed operands (wasm) */
  fastTranspose: boolean;
  one: Scalar;
  six: Scalar;
  zero: Scalar;
}

/** The step function; `mask` (the flat weight mask) is read at each call, so it may change between epochs. */
export type TrainStep = (xb: Tensor, xbT: Tensor, yb: Tensor, rows: number, scale: Scalar, mask: Tensor | null) => Tensor;

/**
 * xb [1, rows, F]; xbT [1, F + 1, rows] is xb transposed with a row of ones appended; yb [1, rows, C]
 * (one-hot or targets). Returns the step's output logits (kept: the caller disposes them).
 */
export function createTrainStep(c: TrainStepContext): TrainStep {
  const { tf, kernel, plan, ops, flat, layout } = c;
  const L = plan.layers.length;
  const classification = plan.task === 'classification';
  return (xb, xbT, yb, rows, scale, mask) =>
    tf.tidy(() => {
      const { kernels, biases } = ops.splitWeights(flat);
      // forward: inputs[l] feeds layer l; outputs[l] is layer l's activation (before dropout)
      const inputs: Tensor[] = [xb];
      const outputs: Tensor[] = [];
      const masks: (Tensor | null)[] = [];
      for (let l = 0; l < L; l++) {
        const h = denseForward(tf, kernel, inputs[l], kernels[l], biases[l], plan.layers[l].activation);
        outputs.push(h);
        const rate = plan.layers[l].dropout;
        if (rate > 0) {
          const dm = tf.tensor3d(dropoutMask(c.dropoutRng, rows * plan.layers[l].units, rate), [1, rows, plan.layers[l].units]);
          masks.push(dm);
          inputs.push(kernel('Multiply', { a: h, b: dm }));
        } else {
          masks.push(null);
          inputs.push(h);
        }
      }
      const out = outputs[L - 1];
      // d(loss)/d(pre-activation of the output layer), already divided by the batch size
      let d = ops.outputGradient(out, yb, classification, gradScale(plan, rows), scale);
      const parts: GradientPart[] = [];
      for (let l = L - 1; l >= 0; l--) {
        if (l === 0) {
          // [1, F + 1, rows] x [1, rows, units] = [kernel gradient; bias gradient]
          parts.push({ tensor: matMul(kernel, xbT, d, false, false, c.fastTranspose), sumRows: false });
        } else {
          parts.push({ tensor: d, sumRows: true }); // bias gradient: column sums of d
          parts.push({ tensor: matMul(kernel, inputs[l], d, true, false, c.fastTranspose), sumRows: false });
          let dh = matMul(kernel, d, kernels[l], false, true, c.fastTranspose);
          const dm = masks[l - 1];
          if (dm) dh = kernel('Multiply', { a: dh, b: dm });
          const activation = plan.layers[l - 1].activation;
          d =
            activation === 'relu'
              ? ops.reluGradient(dh, outputs[l - 1])
              : activationBackward(tf, kernel, activation, dh, outputs[l - 1], c.one, c.six);
        }
      }
      parts.reverse();
      const g = ops.assembleGradient(parts, layout.totalSize, c.l2Mask ? { flat, mask: c.l2Mask } : null);
      c.optimizer.applyGradients([{ name: flat.name, tensor: g }]);
      // masked weights become +0 (w * 0 is -0 for a negative w; -0 + 0 = +0), so saved bytes are plain zeros
      if (mask) flat.assign(kernel('Add', { a: kernel('Multiply', { a: flat, b: mask }), b: c.zero }));
      return out;
    });
}
