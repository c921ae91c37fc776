import { beforeAll, describe, expect, it } from 'vitest';
import { loadTf, type Tf } from '../../../../src/engine/tf.js';
import { disposeOptimizer, learningRateAt, makeOptimizer, setLearningRate } from '../../../../src/engine/training/optimizers.js';
import { OPTIMIZERS } from '../../../../src/vocabulary.js';

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await loadTf('cpu'));
});

/** One update of w = [1, -2] with gradient g = [0.5, 0.5] by the named optimizer at rate lr. */
function oneStep(name: (typeof OPTIMIZERS)[number], lr: number, setTo?: number): number[] {
  const init = tf.tensor1d([1, -2]);
  const w = tf.variable(init);
  const g = tf.tensor1d([0.5, 0.5]);
  const opt = makeOptimizer(tf, name, lr);
  if (setTo !== undefined) setLearningRate(opt, setTo);
  opt.applyGradients([{ name: w.name, tensor: g }]);
  const out = Array.from(w.dataSync());
  disposeOptimizer(opt);
  tf.dispose([init, w, g]);
  return out;
}

describe('inverse-time decay', () => {
  it('is alpha / (1 + beta (t - 1)) with t counted from 1', () => {
    expect(learningRateAt(0.1, 0, 7)).toBe(0.1);
    expect(learningRateAt(0.1, 0.5, 1)).toBe(0.1);
    expect(learningRateAt(0.1, 0.5, 3)).toBeCloseTo(0.05, 12);
  });
});

describe('makeOptimizer', () => {
  it('plain sgd moves each weight by lr * gradient', () => {
    expect(oneStep('sgd', 0.1)).toEqual([expect.closeTo(0.95, 6), expect.closeTo(-2.05, 6)]);
  });

  it('adam and rmsprop take a first step of about lr whatever the gradient scale', () => {
    for (const name of ['adam', 'rmsprop'] as const) {
      const [a] = oneStep(name, 0.01);
      expect(a).toBeLessThan(1);
      expect(1 - a).toBeGreaterThan(0.005);
      expect(1 - a).toBeLessThan(0.05);
    }
  });

  it('setLearningRate changes the step size for every optimizer', () => {
    for (const name of OPTIMIZERS) {
      const small = 1 - oneStep(name, 0.01)[0];
      const large = 1 - oneStep(name, 0.01, 0.1)[0];
      expect(large / small).toBeGreaterThan(5);
    }
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    for (const name of OPTIMIZERS) oneStep(name, 0.01);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an unknown optimizer with the list', () => {
    expect(() => makeOptimizer(tf, 'adagrad' as never, 0.1)).toThrow('Unknown optimizer "adagrad".');
  });
});
