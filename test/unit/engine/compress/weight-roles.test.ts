import { describe, expect, it } from 'vitest';
import { belongsToLayer, isKernel, layerOf, layersOf, weightKind } from '../../../../src/engine/compress/weight-roles.js';

describe('weight roles from manifest names', () => {
  it('recognises kernels of dense, conv, separable, depthwise, recurrent and embedding layers', () => {
    for (const name of [
      'dense_1/kernel',
      'conv2d/kernel',
      'sep/depthwise_kernel',
      'sep/pointwise_kernel',
      'depthwise_conv2d/depthwise_kernel',
      'lstm/recurrent_kernel',
      'embedding/embeddings',
      'outer/inner/dense/kernel:0',
    ]) {
      expect(isKernel(name), name).toBe(true);
    }
  });

  it('leaves biases and normalisation parameters alone', () => {
    for (const name of ['dense_1/bias', 'bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance', 'prelu/alpha', 'kernel_size']) {
      expect(isKernel(name), name).toBe(false);
    }
  });

  it('names the layer of a weight and matches nested layers by their own name', () => {
    expect(layerOf('dense_1/kernel')).toBe('dense_1');
    expect(layerOf('encoder/dense/kernel')).toBe('encoder/dense');
    expect(weightKind('encoder/dense/kernel:0')).toBe('kernel');
    expect(layersOf(['a/kernel', 'a/bias', 'b/kernel'])).toEqual(['a', 'b']);
    expect(belongsToLayer('encoder/dense/kernel', 'dense')).toBe(true);
    expect(belongsToLayer('encoder/dense/kernel', 'encoder/dense')).toBe(true);
    expect(belongsToLayer('dense_10/kernel', 'dense_1')).toBe(false);
  });
});
