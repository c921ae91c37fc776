/**
 * FakeServable: the Servable seam without TF.js (TF Serving's test_util/fake_loader), so the
 * manager, batcher and routes are tested in-process and fast. Its forward pass is a small fixed
 * function of the encoded row, so answers are predictable and differ between versions.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { baselineRow, featureSlices, type Signature } from '../../src/dataset/signature.js';
import type { AttributionSet } from '../../src/lifecycle/explain/attributions.js';
import { plainSignature } from '../../src/lifecycle/plain-input.js';
import type { Servable, ServableFile } from '../../src/serve/servable.js';
import type { VersionRecord } from '../../src/registry/version-record.js';

/** Two numeric features, one categorical (blue, green, red), one boolean; classes no / yes. */
export function fakeSignature(): Signature {
  return {
    features: [
      { name: 'a', type: 'numeric', mean: 1, std: 2, fill: 1 },
      { name: 'b', type: 'numeric', mean: 0, std: 1, fill: 0 },
      { name: 'color', type: 'categorical', categories: ['blue', 'green', 'red'] },
      { name: 'flag', type: 'boolean', fill: 0 },
    ],
    target: { name: 'label', task: 'classification', classes: ['no', 'yes'] },
    inputSize: 6,
    encodedNames: ['a', 'b', 'color=blue', 'color=green', 'color=red', 'flag'],
  };
}

export function fakeRegressionSignature(): Signature {
  return {
    features: [{ name: 'x', type: 'numeric', mean: 10, std: 5, fill: 10 }],
    target: { name: 'y', task: 'regression', mean: 100, std: 10 },
    inputSize: 1,
    encodedNames: ['x'],
  };
}

export interface FakeServable extends Servable {
  disposed: boolean;
  /** rows of each forward pass */
  passes: number[];
  /** rows of each explain call */
  explained: number[];
}

export interface FakeServableOptions {
  model?: string;
  version?: number;
  /** null: an imported version (raw tensors) */
  signature?: Signature | null;
  /** for raw versions (default [3]) */
  inputShape?: number[];
  outputShape?: number[];
  batching?: boolean;
}

function file(path: string, body: Buffer, contentType: string): ServableFile {
  const gzip = gzipSync(body);
  return {
    path,
    contentType,
    body,
    gzip: gzip.length < body.length ? gzip : null,
    etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`,
  };
}

export function fakeServable(options: FakeServableOptions = {}): FakeServable {
  const model = options.model ?? 'demo';
  const version = options.version ?? 1;
  const signature = options.signature === undefined ? fakeSignature() : options.signature;
  const inputShape = signature ? [signature.inputSize] : (options.inputShape ?? [3]);
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const outputShape = signature
    ? [signature.target.task === 'classification' ? signature.target.classes.length : 1]
    : (options.outputShape ?? [2]);
  const outputSize = outputShape.reduce((a, b) => a * b, 1);
  const record: VersionRecord = {
    schema: 1,
    model,
    version,
    createdAt: '2026-01-01T00:00:00.000Z',
    operation: signature ? 'train' : 'import',
    parent: null,
    files: [],
    mlctlVersion: '0.0.0-test',
    tfjsVersion: null,
    backend: 'cpu',
    durationMs: 1,
  };
  // a long, compressible model.json so gzip pays
  const modelJson = Buffer.from(
    JSON.stringify({
      modelTopology: {
        class_name: 'Sequential',
        config: { layers: Array.from({ length: 20 }, (_, i) => ({ class_name: 'Dense', config: { name: `dense_${i}`, units: 8 } })) },
      },
      weightsManifest: [{ paths: ['weights.bin'], weights: [] }],
    }),
  );
  const weights = Buffer.from(Float32Array.from({ length: 64 }, (_, i) => Math.sin(i + version)).buffer);
  const rewritten = Buffer.from(modelJson.toString().replace('"weights.bin"', `"versions/${version}/weights.bin"`));
  const fake: FakeServable = {
    model,
    version,
    record,
    signature,
    inputShape,
    inputSize,
    outputShape,
    outputSize,
    backend: 'fake',
    fastPath: { enabled: true, reason: 'fake', maxAbsDiff: 0, checkRows: 0, checkSource: null },
    batching: { enabled: options.batching ?? false, singleRowUs: 0, batchedRowUs: 0, reason: 'fake' },
    files: new Map([
      ['model.json', file('model.json', modelJson, 'application/json; charset=utf-8')],
      ['weights.bin', file('weights.bin', weights, 'application/octet-stream')],
    ]),
    unversionedModelJson: file('model.json', rewritten, 'application/json; charset=utf-8'),
    disposed: false,
    passes: [],
    /**
     * classification: p(yes) = sigmoid(version · Σx), rows of [p(no), p(yes)];
     * regression / raw: output j = version · Σx + j
     */
    forward(x: Float32Array, n: number): Float32Array {
      if (fake.disposed) throw new Error('forward on a disposed servable');
      fake.passes.push(n);
      const out = new Float32Array(n * outputSize);
      for (let r = 0; r < n; r++) {
        let sum = 0;
        for (let i = 0; i < inputSize; i++) sum += x[r * inputSize + i];
        if (signature?.target.task === 'classification') {
          const p = 1 / (1 + Math.exp(-version * sum));
          out[r * 2] = 1 - p;
          out[r * 2 + 1] = p;
        } else {
          for (let j = 0; j < outputSize; j++) out[r * outputSize + j] = version * sum + j;
        }
      }
      return out;
    },
    /**
     * exact integrated gradients of the fake's function from the baseline row (zeros here): the
     * output depends on Σx only, so every input gets (x_i − b_i) · (f(x) − f(b)) / Σ(x − b)
     */
    explain(x: Float32Array, n: number): AttributionSet {
      if (fake.disposed) throw new Error('explain on a disposed servable');
      fake.explained.push(n);
      const sig = signature ?? plainSignature({ inputShape, inputSize, outputSize });
      const base = baselineRow(sig);
      const out = fake.forward(x, n);
      const baseOut = fake.forward(base, 1);
      fake.passes.splice(-2, 2);
      const classification = sig.target.task === 'classification';
      const labels = classification ? (sig.target as { classes: string[] }).classes : [];
      const slices = featureSlices(sig);
      const rows = Array.from({ length: n }, (_, r) => {
        let k = 0;
        if (classification) for (let c = 1; c < outputSize; c++) if (out[r * outputSize + c] > out[r * outputSize + k]) k = c;
        // a regressor's attributions in the target's units, as the real servable gives them
        const scale = sig.target.task === 'regression' ? sig.target.std : 1;
        const offset = sig.target.task === 'regression' ? sig.target.mean : 0;
        const prediction = out[r * outputSize + k] * scale + offset;
        const baselinePrediction = baseOut[k] * scale + offset;
        let span = 0;
        for (let i = 0; i < inputSize; i++) span += x[r * inputSize + i] - base[i];
        const slope = span === 0 ? 0 : (prediction - baselinePrediction) / span;
        const inputs: Record<string, number> = {};
        for (let i = 0; i < inputSize; i++) inputs[sig.encodedNames[i]] = (x[r * inputSize + i] - base[i]) * slope;
        const attributions: Record<string, number> = {};
        for (const sl of slices) {
          attributions[sl.name] = 0;
          for (let i = sl.start; i < sl.start + sl.width; i++) attributions[sl.name] += inputs[sig.encodedNames[i]];
        }
        return {
          row: r + 1,
          explained: classification ? labels[k] : sig.target.name,
          prediction,
          baselinePrediction,
          attributions,
          inputs,
          sum: prediction - baselinePrediction,
          error: 0,
          steps: 1,
        };
      });
      return {
        task: sig.target.task,
        unit: classification ? 'probability' : 'value',
        features: slices.map((sl) => sl.name),
        baseline: signature ? 'signature' : 'zeros',
        tolerance: 0.01,
        rows,
        completeness: { maxError: 0, passed: true, maxSteps: 1 },
      };
    },
    explained: [],
    dispose() {
      fake.disposed = true;
    },
  };
  return fake;
}
