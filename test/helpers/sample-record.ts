/** A complete, valid train record as mlctl writes it (every section), for record tests to mutate. */
import type { VersionRecord } from '../../src/registry/version-record.js';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/options/train.js';

export function sampleTrainRecord(): VersionRecord {
  return {
    schema: 1,
    model: 'iris',
    version: 1,
    createdAt: '2026-12-01T10:00:00.000Z',
    operation: 'train',
    parent: null,
    files: [
      { path: 'model.json', bytes: 1500, gzipBytes: 500, sha256: 'a'.repeat(64) },
      { path: 'weights.bin', bytes: 900, gzipBytes: 800, sha256: 'b'.repeat(64) },
    ],
    mlctlVersion: '0.1.0',
    tfjsVersion: '4.22.0',
    backend: 'wasm',
    durationMs: 1234,
    template: { name: 'iris', builtin: true, path: '<templates>/iris/template.json' },
    hyperparameters: { ...DEFAULT_TRAIN_SETTINGS, hidden: [8] },
    seed: 42,
    dataset: { path: '<templates>/iris/iris.csv', sha256: 'c'.repeat(64), rows: 150 },
    signature: {
      features: [
        { name: 'petal_length', type: 'numeric', mean: 3.7, std: 1.7, fill: 3.7 },
        { name: 'color', type: 'categorical', categories: ['blue', 'red'] },
        { name: 'wild', type: 'boolean', fill: 0 },
      ],
      target: { name: 'species', task: 'classification', classes: ['setosa', 'versicolor'] },
      inputSize: 4,
      encodedNames: ['petal_length', 'color=blue', 'color=red', 'wild'],
    },
    target: { name: 'species', task: 'classification', classes: ['setosa', 'versicolor'] },
    metrics: {
      accuracy: 0.9,
      macroF1: 0.89,
      macroPrecision: 0.9,
      macroRecall: 0.88,
      rows: 30,
      perClass: [
        { label: 'setosa', precision: 1, recall: 0.9, f1: 0.95, support: 10 },
        { label: 'versicolor', precision: 0.8, recall: 0.86, f1: 0.83, support: 20 },
      ],
      confusionMatrix: [
        [9, 1],
        [2, 18],
      ],
      labels: ['setosa', 'versicolor'],
    },
    split: {
      train: 108,
      validation: 12,
      test: 30,
      droppedRows: 0,
      droppedColumns: [],
      testRows: { encoding: 'bitmap-base64', datasetRows: 150, rows: 30, data: 'AAAA' },
    },
    history: {
      epochsRun: 2,
      bestEpoch: 2,
      stoppedEarly: false,
      epochs: [
        { epoch: 1, epochs: 2, loss: 1.1, acc: 0.4, valLoss: 1.0, valAcc: 0.5, learningRate: 0.003, elapsedMs: 10 },
        { epoch: 2, epochs: 2, loss: 0.9, acc: 0.6, valLoss: 0.8, valAcc: 0.7, learningRate: 0.003, elapsedMs: 20 },
      ],
    },
    crossValidation: { folds: 2, seed: 42, rows: 150, metrics: { accuracy: { mean: 0.9, std: 0.01, folds: [0.89, 0.91] } } },
    warnings: ['Column "id" was left out: all values are distinct.'],
  };
}
