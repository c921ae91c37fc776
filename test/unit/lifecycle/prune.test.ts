/**
 * `prune` in-process on real registries: target sparsity reached within one weight per tensor
 * (per layer) or overall (global), a threshold, biases untouched, fine-tuning on the version's
 * own training rows (re-derived from its record) keeping every pruned weight at exactly zero,
 * the polynomial schedule, an imported model, and each refusal writing nothing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prune } from '../../../src/lifecycle/prune.js';
import { fineTuneSchedule } from '../../../src/lifecycle/fine-tune.js';
import { readModelDir, writeModelDir } from '../../../src/lifecycle/version-weights.js';
import { packWeights } from '../../../src/engine/compress/pack-weights.js';
import { decodeFloatTensor } from '../../../src/engine/compress/manifest-tensors.js';
import type { Registry } from '../../../src/registry/registry.js';
import { rm, writeFile } from 'node:fs/promises';
import { createConvModelDir } from '../../helpers/layer-models.js';
import { createTinyModelDir } from '../../helpers/tiny-model.js';
import { importedVersion, trainedVersion } from '../../helpers/compress-fixture.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { rejectionOf } from '../../helpers/error-of.js';

let work: string;
let registry: Registry;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-prune-');
  ({ registry } = await trainedVersion(path.join(work, 'registry'), 'wine', 40));
  const conv = await createConvModelDir(path.join(work, 'conv-src'), 4);
  await importedVersion(path.join(work, 'registry'), conv.dir, 'convnet');
});
afterAll(async () => removeTmpDir(work));

/** weight name → decoded values of a version, as stored */
async function weightsOf(model: string, version: number): Promise<Map<string, Float32Array>> {
  const { tensors } = await readModelDir(registry.versionDir(model, version));
  return new Map(tensors.map((t) => [t.spec.name, decodeFloatTensor(t)]));
}
const zeros = (v: Float32Array) => v.reduce((a, x) => a + (x === 0 ? 1 : 0), 0);

describe('pruning without fine-tuning', () => {
  it('--per-layer: every kernel reaches the sparsity within one weight; biases are untouched', async () => {
    const r = await prune({ registry, model: 'wine', selector: { version: 1 }, sparsity: 0.8, perLayer: true, backend: 'cpu' });
    const before = await weightsOf('wine', 1);
    const after = await weightsOf('wine', r.version);
    for (const [name, values] of after) {
      if (name.endsWith('/kernel')) expect(Math.abs(zeros(values) - 0.8 * values.length), name).toBeLessThanOrEqual(1);
      else expect(Array.from(values), name).toEqual(Array.from(before.get(name)!));
    }
    expect(r.record).toMatchObject({ operation: 'prune', parent: 1, pruning: { scope: 'per-layer', criterion: { sparsity: 0.8 } } });
    expect(r.sparsity.layers.map((l) => l.layer)).toEqual(
      [...before.keys()].filter((n) => n.endsWith('/kernel')).map((n) => n.split('/')[0]),
    );
    expect(r.sparsity.layers.length).toBeGreaterThanOrEqual(2);
    for (const l of r.sparsity.layers) expect(Math.abs(l.zeros - 0.8 * l.weights)).toBeLessThanOrEqual(1);
    // same storage as the parent, and gzip sees the zeros
    expect(r.weightBytes.ratio).toBe(1);
    expect(r.gzipBytes.ratio).toBeLessThan(0.5);
    expect(r.evaluation?.data.source).toBe('test-split');
  });

  it('global: one cut over all kernels reaches the overall sparsity exactly', async () => {
    const r = await prune({ registry, model: 'wine', selector: { version: 1 }, sparsity: 0.6, backend: 'cpu' });
    const total = r.sparsity.overall.weights;
    expect(r.sparsity.overall.zeros).toBe(Math.round(0.6 * total));
    expect(new Set(r.sparsity.layers.map((l) => l.sparsity.toFixed(3))).size).toBeGreaterThan(1);
  });

  it('--threshold: exactly the kernel weights with |w| < eps become 0', async () => {
    const eps = 0.05;
    const r = await prune({ registry, model: 'wine', selector: { version: 1 }, threshold: eps, backend: 'cpu' });
    const before = await weightsOf('wine', 1);
    const after = await weightsOf('wine', r.version);
    for (const [name, values] of after) {
      if (!name.endsWith('/kernel')) continue;
      const b = before.get(name)!;
      values.forEach((v, i) => expect(v, `${name}[${i}]`).toBe(Math.abs(b[i]) < eps ? 0 : b[i]));
    }
  });

  it('prunes an imported convolutional model (conv, depthwise and dense kernels; batch-norm untouched)', async () => {
    const r = await prune({ registry, model: 'convnet', sparsity: 0.5, perLayer: true, backend: 'cpu' });
    expect(r.sparsity.layers.map((l) => l.layer)).toEqual(['conv', 'depthwise', 'head']);
    const before = await weightsOf('convnet', 1);
    const after = await weightsOf('convnet', r.version);
    for (const name of ['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance', 'conv/bias']) {
      expect(Array.from(after.get(name)!)).toEqual(Array.from(before.get(name)!));
    }
    expect(r.notMeasured).toMatch(/no test split/);
  });
});

describe('a global cut that zeroes a whole layer', () => {
  it('warns and names the layer; --per-layer prunes each layer to the target instead', async () => {
    // a tiny MLP whose output layer's weights are 1000× smaller than the hidden layer's
    const src = path.join(work, 'small-head');
    await createTinyModelDir(src, { seed: 3 });
    const { modelJson, tensors } = await readModelDir(src);
    const packed = packWeights(
      tensors.map((t) => {
        const v = decodeFloatTensor(t);
        return {
          spec: t.spec,
          values: t.spec.name === 'dense_2/kernel' ? v.map((x) => x / 1000) : v,
          encoding: { kind: 'float32' as const },
        };
      }),
    );
    await rm(path.join(src, 'weights.bin'));
    await writeModelDir(src, modelJson, packed);
    await importedVersion(registry.root, src, 'small-head');

    const global = await prune({ registry, model: 'small-head', selector: { version: 1 }, sparsity: 0.6, backend: 'cpu' });
    expect(global.sparsity.layers.find((l) => l.layer === 'dense_2')!.sparsity).toBe(1);
    expect(global.warnings.join(' ')).toMatch(/Global pruning zeroed every kernel weight of dense_2 .* pass --per-layer/);
    expect(global.record.warnings).toEqual(global.warnings);
    const perLayer = await prune({
      registry,
      model: 'small-head',
      selector: { version: 1 },
      sparsity: 0.6,
      perLayer: true,
      backend: 'cpu',
    });
    expect(perLayer.warnings).toEqual([]);
    expect(perLayer.sparsity.layers.every((l) => Math.abs(l.zeros - 0.6 * l.weights) <= 1)).toBe(true);
  });
});

describe('fine-tuning after pruning', () => {
  it("on the version's own training rows: pruned weights stay exactly zero, the rest move", async () => {
    const plain = await prune({ registry, model: 'wine', selector: { version: 1 }, sparsity: 0.8, backend: 'cpu' });
    const tuned = await prune({ registry, model: 'wine', selector: { version: 1 }, sparsity: 0.8, fineTuneEpochs: 5, backend: 'cpu' });
    const p = await weightsOf('wine', plain.version);
    const t = await weightsOf('wine', tuned.version);
    let moved = 0;
    for (const [name, values] of t) {
      const ref = p.get(name)!;
      if (name.endsWith('/kernel')) {
        // the constant schedule prunes once, from the parent's magnitudes: the same zeros as without fine-tuning
        expect(
          Array.from(values, (v) => v === 0),
          name,
        ).toEqual(Array.from(ref, (v) => v === 0));
      }
      values.forEach((v, i) => (moved += v !== ref[i] ? 1 : 0));
    }
    expect(moved).toBeGreaterThan(0);
    expect(tuned.fineTune).toMatchObject({ epochs: 5, schedule: 'constant', data: { source: 'record' } });
    const parent = await registry.readRecord('wine', 1);
    expect(tuned.fineTune!.rows).toBe(parent.split!.train);
    expect(tuned.fineTune!.sparsityPerEpoch).toEqual([0.8, 0.8, 0.8, 0.8, 0.8]);
    // the version's validation rows pick the epoch kept
    expect(tuned.fineTune!.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(tuned.fineTune!.bestEpoch).toBeLessThanOrEqual(5);
    expect(tuned.record.pruning!.fineTune).toEqual(tuned.fineTune);
  });

  it('polynomial: sparsity rises on the cubic schedule and ends at the target', async () => {
    const r = await prune({
      registry,
      model: 'wine',
      selector: { version: 1 },
      sparsity: 0.8,
      perLayer: true,
      fineTuneEpochs: 6,
      schedule: 'polynomial',
      backend: 'cpu',
    });
    expect(r.fineTune!.sparsityPerEpoch).toEqual(fineTuneSchedule('polynomial', 0.8, 6).map((s) => Number(s.toPrecision(6))));
    expect(r.fineTune!.sparsityPerEpoch[0]).toBe(0);
    expect(r.fineTune!.sparsityPerEpoch[5]).toBeCloseTo(0.8, 6);
    for (const l of r.sparsity.layers) expect(Math.abs(l.zeros - 0.8 * l.weights)).toBeLessThanOrEqual(1);
  });

  it('on --data rows', async () => {
    const r = await prune({
      registry,
      model: 'wine',
      selector: { version: 1 },
      sparsity: 0.5,
      fineTuneEpochs: 2,
      data: path.resolve('test/fixtures/ds-wine.csv'),
      backend: 'cpu',
    });
    expect(r.fineTune!.data).toEqual({ source: 'file', path: path.resolve('test/fixtures/ds-wine.csv') });
  });
});

describe('fine-tuning an imported model on --data rows', () => {
  it('trains on numeric rows (inputs, then a class index) with pruned weights held at exactly zero', async () => {
    const data = await convTrainingCsv('conv-train.csv', (r) => r % 3);
    const plain = await prune({ registry, model: 'convnet', selector: { version: 1 }, sparsity: 0.6, perLayer: true, backend: 'cpu' });
    const tuned = await prune({
      registry,
      model: 'convnet',
      selector: { version: 1 },
      sparsity: 0.6,
      perLayer: true,
      fineTuneEpochs: 3,
      data,
      backend: 'cpu',
    });
    expect(tuned.fineTune).toMatchObject({ rows: 24, data: { source: 'file', path: data }, bestEpoch: null });
    const p = await weightsOf('convnet', plain.version);
    const t = await weightsOf('convnet', tuned.version);
    let moved = 0;
    for (const [name, values] of t) {
      const ref = p.get(name)!;
      if (/kernel$/.test(name))
        expect(
          Array.from(values, (v) => v === 0),
          name,
        ).toEqual(Array.from(ref, (v) => v === 0));
      values.forEach((v, i) => (moved += v !== ref[i] ? 1 : 0));
    }
    expect(moved).toBeGreaterThan(0);
  });
});

describe('refusals write nothing', () => {
  it.each([
    [{ sparsity: 1 }, 'USAGE', /--sparsity must be in \[0, 1\), got 1\./],
    [{ sparsity: -0.1 }, 'USAGE', /--sparsity must be in \[0, 1\)/],
    [{ threshold: -0.01 }, 'USAGE', /--threshold must be a number ≥ 0, got -0\.01/],
    [{}, 'USAGE', /Pass --sparsity <s> or --threshold <eps>/],
    [{ sparsity: 0.5, threshold: 0.1 }, 'USAGE', /either --sparsity or --threshold, not both/],
    [{ sparsity: 0.5, schedule: 'polynomial' }, 'USAGE', /--schedule polynomial .* needs --fine-tune-epochs/],
    [{ threshold: 0.1, fineTuneEpochs: 2, schedule: 'polynomial' }, 'USAGE', /needs a target --sparsity/],
    [{ sparsity: 0.5, schedule: 'cubic' }, 'USAGE', /Unknown --schedule "cubic"/],
    [{ sparsity: 0.5, skip: ['nope'] }, 'USAGE', /--skip names no layer with weights: "nope"/],
    [{ sparsity: 0.5, fineTuneEpochs: 2, data: '/nonexistent.csv' }, 'NOT_FOUND', /does not exist/],
  ])('%j → %s', async (opts, code, message) => {
    const before = await registry.listVersions('wine');
    const err = await rejectionOf(prune({ registry, model: 'wine', selector: { version: 1 }, backend: 'cpu', ...(opts as object) }));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(await registry.listVersions('wine')).toEqual(before);
    expect(await registry.listStaging('wine')).toEqual([]);
  });

  it('fine-tuning an imported model without training data', async () => {
    const before = await registry.listVersions('convnet');
    const err = await rejectionOf(
      prune({ registry, model: 'convnet', selector: { version: 1 }, sparsity: 0.5, fineTuneEpochs: 3, backend: 'cpu' }),
    );
    expect(err.code).toBe('USAGE');
    expect(err.message).toBe('convnet v1 was imported without training data, so there is nothing to fine-tune it on.');
    expect(err.hint).toMatch(/Pass --data <train.csv> .* or prune without --fine-tune-epochs/);
    expect(await registry.listVersions('convnet')).toEqual(before);
  });

  it('numeric training rows with a class index out of range', async () => {
    const data = await convTrainingCsv('bad-labels.csv', () => 7);
    const err = await rejectionOf(
      prune({ registry, model: 'convnet', selector: { version: 1 }, sparsity: 0.5, fineTuneEpochs: 2, data, backend: 'cpu' }),
    );
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toMatch(/row 1, column "y": expected a class index 0…2, got "7"/);
  });
});

/** numeric rows for the imported conv model: 128 input values, then a class index */
async function convTrainingCsv(name: string, label: (row: number) => number, rows = 24): Promise<string> {
  const width = 8 * 8 * 2;
  const header = [...Array.from({ length: width }, (_, i) => `x${i}`), 'y'].join(',');
  const lines = Array.from({ length: rows }, (_, r) =>
    [...Array.from({ length: width }, (_, i) => Math.sin(r * 7 + i)), label(r)].join(','),
  );
  const file = path.join(work, name);
  await writeFile(file, `${header}\n${lines.join('\n')}\n`);
  return file;
}
