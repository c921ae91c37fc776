/**
 * The compression facts: derived from weights, file sizes, both records' metrics and the TF.js
 * manifest for any child version; what prune/quantize record about themselves (issue 9's record
 * sections, shaped as that branch writes them) wins where present.
 */
import { describe, expect, it } from 'vitest';
import { compressionFacts, metricChangesOf, recordedCompression, storageDtypes } from '../../../src/report/compression-facts.js';
import { weightStats } from '../../../src/report/weight-stats.js';
import type { VersionRecord } from '../../../src/registry/version-record.js';
import { sampleTrainRecord } from '../../helpers/sample-record.js';

const files = (weights: number, gzip: number) => [
  { path: 'model.json', bytes: 1000, gzipBytes: 300, sha256: 'a' },
  { path: 'weights.bin', bytes: weights, gzipBytes: gzip, sha256: 'b' },
];
const metrics = (accuracy: number, f1: number) => ({
  accuracy,
  macroF1: f1,
  macroPrecision: f1,
  macroRecall: f1,
  rows: 10,
  perClass: [{ label: 'a', precision: 1, recall: 1, f1, support: 10 }],
  confusionMatrix: [[10]],
  labels: ['a'],
});

function records(): { parent: VersionRecord; child: VersionRecord } {
  const base = sampleTrainRecord();
  const parent: VersionRecord = {
    ...base,
    version: 1,
    parent: null,
    operation: 'train',
    files: files(4000, 3600),
    metrics: metrics(0.9, 0.88),
  };
  const child: VersionRecord = {
    ...base,
    version: 2,
    parent: 1,
    operation: 'prune',
    files: files(4000, 1800),
    metrics: metrics(0.85, 0.8),
  };
  return { parent, child };
}

const w = (name: string, values: number[]) => weightStats({ name, shape: [values.length], values: Float32Array.from(values) });

describe('compressionFacts from what every version has', () => {
  it('measures kernel sparsity per layer against the parent, sizes from the records and metric changes', () => {
    const { parent, child } = records();
    const facts = compressionFacts({
      record: child,
      parent,
      weights: [w('d1/kernel', [0, 0, 0, 1]), w('d1/bias', [0, 0]), w('d2/kernel', [0, 2])],
      parentWeights: [w('d1/kernel', [0, 1, 1, 1]), w('d1/bias', [0, 0]), w('d2/kernel', [1, 2])],
      storage: storageDtypes({
        weightsManifest: [{ weights: [{ name: 'd1/kernel', dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }] }],
      }),
      parentStorage: storageDtypes({ weightsManifest: [{ weights: [{ name: 'd1/kernel', dtype: 'float32' }] }] }),
    });
    expect(facts.layers).toEqual([
      { layer: 'd1', weights: 4, zeros: 3, sparsity: 0.75, parentSparsity: 0.25 },
      { layer: 'd2', weights: 2, zeros: 1, sparsity: 0.5, parentSparsity: 0 },
    ]);
    expect(facts.sparsity).toEqual({ child: 4 / 6, parent: 1 / 6 });
    expect(facts.sizes[0]).toEqual({ what: 'weight files', parent: 4000, child: 4000, ratio: 1 });
    expect(facts.sizes[1]).toEqual({ what: 'weight files, gzipped', parent: 3600, child: 1800, ratio: 0.5 });
    expect(facts.metricSource).toBe('test metrics of both records');
    expect(facts.metricChanges.find((m) => m.metric === 'accuracy')!.delta).toBeCloseTo(-0.05, 12);
    expect(facts.metricChanges.find((m) => m.metric === 'f1[a]')).toMatchObject({ parent: 0.88, child: 0.8 });
    expect(facts.storage).toEqual([{ name: 'd1/kernel', from: 'float32', to: 'uint8' }]);
  });

  it('has no metric changes when a record has no metrics', () => {
    const { parent, child } = records();
    expect(metricChangesOf(parent, { ...child, metrics: undefined })).toEqual([]);
  });
});

describe('recordedCompression (the pruning / quantization record sections)', () => {
  it('reads what prune recorded and lets it win over derived figures', () => {
    const { parent, child } = records();
    const recorded: VersionRecord = {
      ...child,
      pruning: {
        criterion: { sparsity: 0.8 },
        scope: 'global',
        skipped: [],
        sparsity: 0.8,
        layers: [{ layer: 'd1', weights: 4, zeros: 3, sparsity: 0.75 }],
        parentSparsity: 0,
        weightBytes: { parent: 10, child: 10, ratio: 1 },
        gzipBytes: { parent: 9, child: 3, ratio: 1 / 3 },
        maxWeightError: 0.12,
        fineTune: {
          epochs: 5,
          schedule: 'polynomial',
          sparsityPerEpoch: [],
          rows: 100,
          data: { source: 'record', path: 'x.csv' },
          optimizer: 'adam',
          learningRate: 0.001,
          batchSize: 16,
          finalLoss: 0.1,
          bestEpoch: 4,
        },
        evaluation: {
          data: { source: 'test-split', path: 'x.csv', rows: 10 },
          changes: [{ metric: 'accuracy', parent: 0.9, child: 0.7, delta: -0.2 }],
        },
        outputDifference: null,
      },
    };
    const facts = compressionFacts({ record: recorded, parent, weights: [], parentWeights: null, storage: new Map(), parentStorage: null });
    expect(facts.layers).toEqual([{ layer: 'd1', weights: 4, zeros: 3, sparsity: 0.75, parentSparsity: null }]);
    expect(facts.sparsity.child).toBe(0.8);
    expect(facts.sizes[1]).toEqual({ what: 'weight files, gzipped', parent: 9, child: 3, ratio: 1 / 3 });
    expect(facts.metricChanges).toEqual([{ metric: 'accuracy', parent: 0.9, child: 0.7, delta: -0.2 }]);
    expect(facts.metricSource).toBe('recorded by the operation');
    expect(Object.fromEntries(facts.details.map((d) => [d.label, d.value]))).toMatchObject({
      'target sparsity': '0.8',
      'fine-tuning epochs': '5',
      'largest weight change': '0.12',
    });
  });

  it('reads quantize’s dtype, method and sizes; no metric changes when it measured none', () => {
    const { parent, child } = records();
    const quantized: VersionRecord = {
      ...child,
      operation: 'quantize',
      quantization: {
        dtype: 'uint16',
        method: 'step',
        step: 0.001,
        skipped: ['dense_1'],
        weightBytes: { parent: 4000, child: 2100, ratio: 0.525 },
        gzipBytes: { parent: 3600, child: 1500, ratio: 1500 / 3600 },
        maxWeightError: 0.0005,
        tensors: [],
        evaluation: null,
        outputDifference: { path: 'rows.csv', rows: 5, maxAbs: 0.01 },
      },
    };
    const r = recordedCompression(quantized);
    expect(r.weightBytes).toEqual({ parent: 4000, child: 2100, ratio: 0.525 });
    expect(r.metricChanges).toBeNull();
    expect(r.layers).toBeNull();
    expect(Object.fromEntries(r.details.map((d) => [d.label, d.value]))).toEqual({
      dtype: 'uint16',
      method: 'step',
      step: '0.001',
      'layers left as they were': 'dense_1',
      'largest weight change': '0.0005',
      'largest output change': '0.01 on 5 rows of rows.csv',
    });
    // without recorded changes the report falls back to both records' test metrics
    const facts = compressionFacts({
      record: quantized,
      parent,
      weights: [],
      parentWeights: null,
      storage: new Map(),
      parentStorage: null,
    });
    expect(facts.metricSource).toBe('test metrics of both records');
    expect(facts.sizes[0]).toEqual({ what: 'weight files', parent: 4000, child: 2100, ratio: 0.525 });
  });
});
