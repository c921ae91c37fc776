/**
 * The stock `tf.train` optimizers behind mlctl's optimizer names, with Keras' defaults, and the
 * inverse-time learning-rate schedule alpha_t = alpha / (1 + beta * (t - 1)) set per epoch.
 */
import type { Optimizer, Tensor } from '@tensorflow/tfjs';
import { MlctlError } from '../../errors.js';
import { OPTIMIZERS, orList, type OptimizerName } from '../../vocabulary.js';
import type { Tf } from '../tf.js';

export function makeOptimizer(tf: Tf, name: OptimizerName, learningRate: number, momentum = 0.9): Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, momentum);
    case 'adam':
      return tf.train.adam(learningRate); // beta1 0.9, beta2 0.999, epsilon 1e-7 as tfjs-layers' 'adam'
    case 'rmsprop':
      return tf.train.rmsprop(learningRate); // decay 0.9, momentum 0, as tfjs-layers' 'rmsprop'
    default:
      throw new MlctlError('USAGE', `Unknown optimizer "${String(name)}".`, { hint: `Use ${orList(OPTIMIZERS)}.` });
  }
}

/** The learning rate of epoch `epoch` (1-based) under inverse-time decay. */
export function learningRateAt(learningRate: number, decay: number, epoch: number): number {
  return learningRate / (1 + decay * (epoch - 1));
}

export function setLearningRate(optimizer: Optimizer, lr: number): void {
  // SGD and Momentum keep the rate as a scalar tensor behind setLearningRate (instanceof cannot
  // tell: tfjs optimizers answer instanceof structurally); Adam and RMSProp read a number field
  const sgdLike = optimizer as unknown as { setLearningRate?: (lr: number) => void };
  if (typeof sgdLike.setLearningRate === 'function') sgdLike.setLearningRate(lr);
  else (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/** tfjs 4.22's MomentumOptimizer.dispose() forgets its learning-rate scalar; dispose it too. */
export function disposeOptimizer(optimizer: Optimizer): void {
  optimizer.dispose();
  const lr = (optimizer as unknown as { c?: Tensor }).c;
  if (lr && !lr.isDisposed) lr.dispose();
}
