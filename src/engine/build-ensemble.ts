/**
 * An ensemble of mlctl MLPs as ONE stock TF.js functional model: one shared input, one branch of
 * Dense layers per member (its own weights, names prefixed "member_<j>_"), and an Average layer
 * over the branches' outputs (softmax probabilities for a classifier, standardised values for a
 * regressor). It saves as an ordinary layers model that `tf.loadLayersModel` loads unchanged, and
 * its prediction is exactly the mean of its members' predictions (Dropout is left out: it does
 * nothing at inference).
 */
import type { LayersModel, SymbolicTensor, Tensor } from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import type { MlpSpec } from './build-model.js';
import type { Tf } from './tf.js';

/** One member: its shape and its trained weights (`ModelHandle.readWeights()` of an mlctl MLP). */
export interface EnsembleMember {
  spec: MlpSpec;
  weights: readonly { name: string; shape: number[]; values: Float32Array }[];
}

export function buildEnsemble(tf: Tf, members: readonly EnsembleMember[]): LayersModel {
  if (members.length === 0) throw new MlctlError('INTERNAL', 'An ensemble needs at least one member (this is a bug).');
  const { inputSize, outputSize, task } = members[0].spec;
  for (const m of members) {
    if (m.spec.inputSize !== inputSize || m.spec.outputSize !== outputSize || m.spec.task !== task) {
      throw new MlctlError('INTERNAL', 'Ensemble members must share their input size, output size and task (this is a bug).');
    }
  }
  const input = tf.input({ shape: [inputSize], name: 'input' });
  const values: Tensor[] = [];
  const assignments: { layer: { setWeights(w: Tensor[]): void }; weights: Tensor[] }[] = [];
  const branches = members.map((member, j) => {
    const sizes = [inputSize, ...member.spec.hidden, outputSize];
    const byName = new Map(member.weights.map((w) => [w.name, w]));
    let x: SymbolicTensor = input;
    for (let i = 1; i < sizes.length; i++) {
      const last = i === sizes.length - 1;
      const layer = tf.layers.dense({
        name: `member_${j + 1}_dense_${i}`,
        units: sizes[i],
        activation: last ? (task === 'classification' ? 'softmax' : 'linear') : member.spec.activation,
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
      });
      x = layer.apply(x) as SymbolicTensor;
      const weights = ['kernel', 'bias'].map((part) => {
        const w = byName.get(`dense_${i}/${part}`);
        if (!w) throw new MlctlError('INTERNAL', `Ensemble member ${j + 1} has no weight dense_${i}/${part} (this is a bug).`);
        const t = tf.tensor(w.values, w.shape);
        values.push(t);
        return t;
      });
      assignments.push({ layer, weights });
    }
    return x;
  });
  const output = branches.length === 1 ? branches[0] : (tf.layers.average({ name: 'average' }).apply(branches) as SymbolicTensor);
  const model = tf.model({ inputs: input, outputs: output, name: 'ensemble' });
  try {
    // layer by layer: the model's own weight order interleaves the branches
    for (const a of assignments) a.layer.setWeights(a.weights);
  } finally {
    tf.dispose(values);
  }
  return model;
}
