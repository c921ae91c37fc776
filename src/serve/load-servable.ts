/**
 * Turns a loaded version into a Servable (TF Serving's Loader::Load): its files in memory for
 * the model-file routes (gzipped once, ETag from their sha256), the plain-JS forward pass
 * compiled from its weights and checked against TF.js on its test rows, a warm-up, and the
 * measurement that decides whether coalescing concurrent requests into one forward pass pays.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { MlctlError } from '../errors.js';
import type { BackendChoice } from '../vocabulary.js';
import { createRng } from '../random.js';
import type { RegistryStore } from '../registry/store.js';
import { compilePlainForward } from './plain-forward.js';
import type { BatchingInfo, FastPathInfo, Servable, ServableFile, ServableLoader } from './servable.js';
import { openServingVersion, type ServingVersion } from './version-adapter.js';

const gzip = promisify(gzipCb);

/** Largest |plain − TF.js| difference on any output for the plain pass to be used (issue 8). */
export const FAST_PATH_TOLERANCE = 1e-5;
/** Rows checked when the version's test rows cannot be recovered (imported versions, moved data). */
const SYNTHETIC_CHECK_ROWS = 64;

export interface LoadServableOptions {
  registry: RegistryStore;
  backend?: BackendChoice;
  /** 'auto': use the plain pass when it compiles and matches TF.js; 'off': always TF.js */
  fastPath?: 'auto' | 'off';
  /** 'auto': coalesce requests when the load-time measurement says it is faster */
  batching?: 'auto' | 'on' | 'off';
  maxBatchSize?: number;
  /** log lines (fast path off, measurements) */
  log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

export function createServableLoader(options: LoadServableOptions): ServableLoader {
  return async (model, version) => {
    const opened = await openServingVersion({ registry: options.registry, model, version, backend: options.backend });
    try {
      return await buildServable(opened, options);
    } catch (e) {
      opened.dispose();
      throw e;
    }
  };
}

export async function buildServable(opened: ServingVersion, options: Omit<LoadServableOptions, 'registry' | 'backend'>): Promise<Servable> {
  const log = options.log ?? (() => {});
  const { files, unversionedModelJson, modelJson } = await readServedFiles(opened);
  const inputSize = opened.inputShape.reduce((a, b) => a * b, 1);
  const outputSize = opened.outputShape.reduce((a, b) => a * b, 1);
  const check = (await opened.readTestRows()) ?? syntheticRows(inputSize, SYNTHETIC_CHECK_ROWS);
  const checkSource: FastPathInfo['checkSource'] = 'synthetic' in check ? 'synthetic' : 'test-split';

  let forward = opened.predict;
  let fastPath: FastPathInfo = {
    enabled: false,
    reason: 'turned off (--fast-path off)',
    maxAbsDiff: null,
    checkRows: 0,
    checkSource: null,
  };
  if ((options.fastPath ?? 'auto') === 'auto') {
    const compiled = opened.inputShape.length === 1 ? compilePlainForward(modelJson.modelTopology, opened.readWeights()) : null;
    if (!compiled || !compiled.ok) {
      const reason = compiled ? `not compiled: ${compiled.reason}` : 'not compiled: the input is not a flat vector';
      fastPath = { enabled: false, reason, maxAbsDiff: null, checkRows: 0, checkSource: null };
      log('info', `${opened.model} v${opened.version}: fast path off (${reason}); using TF.js`);
    } else if (compiled.forward.inputSize !== inputSize || compiled.forward.outputSize !== outputSize) {
      const reason = `compiled shape ${compiled.forward.inputSize}→${compiled.forward.outputSize} differs from the model's ${inputSize}→${outputSize}`;
      fastPath = { enabled: false, reason, maxAbsDiff: null, checkRows: 0, checkSource: null };
      log('warn', `${opened.model} v${opened.version}: fast path off (${reason}); using TF.js`);
    } else {
      const reference = opened.predict(check.x, check.n);
      const plain = compiled.forward.run(check.x, check.n);
      const diff = maxAbsDiff(reference, plain);
      if (diff <= FAST_PATH_TOLERANCE) {
        forward = compiled.forward.run;
        fastPath = {
          enabled: true,
          reason: `matches TF.js to ${diff.toExponential(1)} on ${check.n} ${checkSource === 'test-split' ? 'test' : 'synthetic'} rows`,
          maxAbsDiff: diff,
          checkRows: check.n,
          checkSource,
        };
      } else {
        const reason = `outputs differ from TF.js by ${Number.isNaN(diff) ? 'NaN' : diff.toExponential(2)} (> ${FAST_PATH_TOLERANCE}) on ${check.n} ${checkSource === 'test-split' ? 'test' : 'synthetic'} rows`;
        fastPath = { enabled: false, reason, maxAbsDiff: diff, checkRows: check.n, checkSource };
        log('warn', `${opened.model} v${opened.version}: fast path off (${reason}); using TF.js`);
      }
    }
  }

  const maxBatch = Math.max(1, options.maxBatchSize ?? 64);
  warmUp(forward, check, inputSize, maxBatch);
  const batching = measureBatching(forward, check, inputSize, maxBatch, options.batching ?? 'auto');

  let disposed = false;
  return {
    model: opened.model,
    version: opened.version,
    record: opened.record,
    signature: opened.signature,
    inputShape: opened.inputShape,
    inputSize,
    outputShape: opened.outputShape,
    outputSize,
    backend: opened.backend,
    fastPath,
    batching,
    files,
    unversionedModelJson,
    forward,
    explain: (x, n) => opened.explain(x, n),
    dispose() {
      if (disposed) return;
      disposed = true;
      opened.dispose();
    },
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) max = d; // NaN sticks
  }
  return max;
}

function syntheticRows(inputSize: number, n: number): { x: Float32Array; n: number; synthetic: true } {
  const rng = createRng(0x5e12e);
  return { x: Float32Array.from({ length: n * inputSize }, () => rng.normal()), n, synthetic: true };
}

/** Rows cut from the check rows (repeated when there are fewer): real-looking inputs for warm-up and timing. */
function rowsOf(check: { x: Float32Array; n: number }, inputSize: number, n: number): Float32Array {
  const out = new Float32Array(n * inputSize);
  for (let r = 0; r < n; r++) out.set(check.x.subarray((r % check.n) * inputSize, ((r % check.n) + 1) * inputSize), r * inputSize);
  return out;
}

function warmUp(
  forward: (x: Float32Array, n: number) => Float32Array,
  check: { x: Float32Array; n: number },
  inputSize: number,
  maxBatch: number,
): void {
  const one = rowsOf(check, inputSize, 1);
  const many = rowsOf(check, inputSize, maxBatch);
  // enough calls for the JIT (plain pass) and kernel set-up (TF.js) before anything is timed
  for (let i = 0; i < 50; i++) {
    forward(one, 1);
    if (i % 5 === 0) forward(many, maxBatch);
  }
}

/**
 * Coalescing pays when a forward pass has a fixed cost per call well above its cost per row
 * (TF.js: tens of microseconds per call, under one per row) and not when the call itself is
 * about as cheap as handing a request over (the plain pass).
 */
function measureBatching(
  forward: (x: Float32Array, n: number) => Float32Array,
  check: { x: Float32Array; n: number },
  inputSize: number,
  maxBatch: number,
  mode: 'auto' | 'on' | 'off',
): BatchingInfo {
  const one = rowsOf(check, inputSize, 1);
  const batch = Math.min(maxBatch, 64);
  const many = rowsOf(check, inputSize, batch);
  const time = (x: Float32Array, n: number, budgetMs: number): number => {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      forward(x, n);
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < budgetMs && calls < 2000);
    return (elapsed * 1000) / calls;
  };
  // alternate and keep the best of three, so a busy machine does not decide for us
  let singleRowUs = Infinity;
  let batchedRowUs = Infinity;
  for (let round = 0; round < 3; round++) {
    singleRowUs = Math.min(singleRowUs, time(one, 1, 10));
    batchedRowUs = Math.min(batchedRowUs, time(many, batch, 10) / batch);
  }
  const round = (x: number): number => Math.round(x * 100) / 100;
  if (mode !== 'auto' || maxBatch <= 1) {
    const enabled = mode === 'on' && maxBatch > 1;
    return {
      enabled,
      singleRowUs: round(singleRowUs),
      batchedRowUs: round(batchedRowUs),
      reason: maxBatch <= 1 ? '--max-batch-size 1' : `--batching ${mode}`,
    };
  }
  // handing a request to a batch costs a few microseconds (a deferred flush and a promise)
  const saved = singleRowUs - batchedRowUs;
  const enabled = saved > 5 && singleRowUs > 2 * batchedRowUs;
  return {
    enabled,
    singleRowUs: round(singleRowUs),
    batchedRowUs: round(batchedRowUs),
    reason: `measured ${round(singleRowUs)} µs for one row alone vs ${round(batchedRowUs)} µs per row in a batch of ${batch}`,
  };
}

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json; charset=utf-8', '.bin': 'application/octet-stream' };

async function readServedFiles(opened: ServingVersion): Promise<{
  files: Map<string, ServableFile>;
  unversionedModelJson: ServableFile | null;
  modelJson: { modelTopology: unknown; weightsManifest?: { paths: string[] }[] };
}> {
  const files = new Map<string, ServableFile>();
  for (const entry of opened.record.files) {
    const body = await readFile(path.join(opened.dir, ...entry.path.split('/')));
    files.set(entry.path, await servedFile(entry.path, body, entry.sha256));
  }
  const json = files.get('model.json');
  if (!json) throw new MlctlError('INVALID_MODEL', `${opened.model} v${opened.version} has no model.json in its record.`);
  const modelJson = JSON.parse(json.body.toString('utf8')) as { modelTopology: unknown; weightsManifest?: { paths: string[] }[] };
  // the unversioned URL (/models/NAME/model.json) names the weights by version, so a swap between
  // fetching model.json and its weights gives a 404 rather than weights of another version
  const rewritten = {
    ...modelJson,
    weightsManifest: (modelJson.weightsManifest ?? []).map((group) => ({
      ...group,
      paths: group.paths.map((p) => `versions/${opened.version}/${p}`),
    })),
  };
  const body = Buffer.from(JSON.stringify(rewritten));
  const unversionedModelJson = await servedFile('model.json', body, createHash('sha256').update(body).digest('hex'));
  return { files, unversionedModelJson, modelJson };
}

async function servedFile(relPath: string, body: Buffer, sha256: string): Promise<ServableFile> {
  const zipped = await gzip(body, { level: 6 });
  return {
    path: relPath,
    contentType: CONTENT_TYPES[path.extname(relPath).toLowerCase()] ?? 'application/octet-stream',
    body,
    gzip: zipped.length < body.length ? zipped : null,
    etag: `"${sha256.slice(0, 40)}"`,
  };
}
