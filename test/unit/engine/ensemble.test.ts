/**
 * The ensemble is ONE stock TF.js functional model: saved by mlctl, it loads with plain
 * tf.loadLayersModel (files read from disk into tf.io.fromMemory, no mlctl code on the load path)
 * and its output is the mean of its members' outputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEnsemble, createMlp, openModel, type MlpSpec } from '../../../src/engine/model-handle.js';
import { loadTf } from '../../../src/engine/tf.js';
import { createRng } from '../../../src/random.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let work: string;
beforeAll(async () => {
  work = await makeTmpDir('mlctl-ensemble-');
});
afterAll(() => removeTmpDir(work));

const rows = (n: number, features: number, seed: number): Float32Array => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * features }, () => rng.normal());
};

/** Members as tune makes them: different shapes and seeds, trained a little so the weights are not the initial ones. */
async function members(task: 'classification' | 'regression', outputSize: number) {
  const specs: MlpSpec[] = [
    { inputSize: 5, outputSize, task, hidden: [16, 8], activation: 'relu', dropout: 0.2, l2: 0.001 },
    { inputSize: 5, outputSize, task, hidden: [], activation: 'relu', dropout: 0, l2: 0 },
    { inputSize: 5, outputSize, task, hidden: [12], activation: 'tanh', dropout: 0, l2: 0 },
  ];
  const x = rows(40, 5, 1);
  const y =
    task === 'classification'
      ? Int32Array.from({ length: 40 }, (_, i) => i % outputSize)
      : Float32Array.from(x.filter((_, i) => i % 5 === 0));
  return Promise.all(
    specs.map(async (spec, j) => {
      const handle = await createMlp(spec, 10 + j, 'cpu');
      await handle.fit({ x, y, n: 40 }, { epochs: 3, batchSize: 8, optimizer: 'adam', learningRate: 0.01, seed: j });
      return { spec, handle };
    }),
  );
}

async function loadStock(dir: string) {
  const { tf } = await loadTf('cpu');
  const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  const specs = modelJson.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
  const buffers = await Promise.all(
    modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => readFile(path.join(dir, p))),
  );
  const data = Buffer.concat(buffers);
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData }));
  return { tf, model };
}

describe('createEnsemble', () => {
  it.each([
    ['classification', 3],
    ['regression', 1],
  ] as const)('%s: saved, loaded by stock TF.js, predicts the mean of its members', async (task, outputSize) => {
    const ms = await members(task, outputSize);
    const ensemble = await createEnsemble(
      ms.map((m) => ({ spec: m.spec, weights: m.handle.readWeights() })),
      'cpu',
    );
    const dir = path.join(work, task);
    await ensemble.save(dir);
    const x = rows(7, 5, 2);
    const expected = new Float32Array(7 * outputSize);
    for (const m of ms) m.handle.predict(x, 7).forEach((v, i) => (expected[i] += v / ms.length));

    const { tf, model } = await loadStock(dir);
    expect(model.layers.map((l) => l.getClassName())).toContain('Average');
    expect(model.outputs[0].shape).toEqual([null, outputSize]);
    const out = tf.tidy(() => (model.predict(tf.tensor2d(x, [7, 5])) as import('@tensorflow/tfjs').Tensor).dataSync());
    for (let i = 0; i < expected.length; i++) expect(out[i]).toBeCloseTo(expected[i], 5);
    // the members differ, so the mean is not any one of them
    expect(Array.from(ms[0].handle.predict(x, 7))).not.toEqual(Array.from(expected));
    if (task === 'classification') for (let r = 0; r < 7; r++) expect(out[r * 3] + out[r * 3 + 1] + out[r * 3 + 2]).toBeCloseTo(1, 5);

    // and mlctl's own handle opens and predicts it the same way
    const reopened = await openModel(dir, 'cpu');
    expect(reopened.isMlp).toBe(false);
    const again = reopened.predict(x, 7);
    for (let i = 0; i < expected.length; i++) expect(again[i]).toBeCloseTo(expected[i], 5);
    reopened.dispose();
    model.dispose();
    ensemble.dispose();
    for (const m of ms) m.handle.dispose();
  });
});
