import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import { fileSystemIOHandler, loadModelArtifacts, saveModelArtifacts } from '../../../src/engine/fs-io-handler.js';
import { loadLayersModelFromDir, saveLayersModelToDir } from '../../../src/engine/load-model.js';
import { loadTf } from '../../../src/engine/tf.js';
import { createTinyModelDir, type TinyModel } from '../../helpers/tiny-model.js';

const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
  [-1, 0, 2.5, 10],
];

let tmp: string;
let tiny: TinyModel;
let expected: number[][];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlctl-fs-io-'));
  tiny = await createTinyModelDir(join(tmp, 'tiny'), { seed: 7 });
  expected = await tiny.predict(ROWS);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function predictWith(model: import('@tensorflow/tfjs').LayersModel, rows: number[][]): Promise<number[][]> {
  const { tf } = await loadTf('cpu');
  const x = tf.tensor2d(rows);
  const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
  const out = (await y.array()) as number[][];
  tf.dispose([x, y]);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<MlctlError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(MlctlError);
    return e as MlctlError;
  }
  throw new Error('expected the promise to reject');
}

describe('fileSystemIOHandler save', () => {
  it('writes model.json with exactly the keys and shape TF.js writes', async () => {
    const json = JSON.parse(await readFile(tiny.modelJsonPath, 'utf8'));
    expect(Object.keys(json)).toEqual(['modelTopology', 'format', 'generatedBy', 'convertedBy', 'weightsManifest']);
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v4\./);
    expect(json.convertedBy).toBeNull();
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'dense_1/kernel',
      'dense_1/bias',
      'dense_2/kernel',
      'dense_2/bias',
    ]);
    expect(await readdir(tiny.dir)).toEqual(['model.json', 'weights.bin']);
    expect((await stat(join(tiny.dir, 'weights.bin'))).size).toBe((4 * 8 + 8 + 8 * 3 + 3) * 4);
  });

  it('writes the same bytes for the same seed', async () => {
    const again = await createTinyModelDir(join(tmp, 'tiny-again'), { seed: 7 });
    expect(await readFile(join(again.dir, 'weights.bin'))).toEqual(await readFile(join(tiny.dir, 'weights.bin')));
    expect(await readFile(again.modelJsonPath, 'utf8')).toBe(await readFile(tiny.modelJsonPath, 'utf8'));
  });

  it('concatenates weightData given as a list of ArrayBuffers (tfjs 4 WeightData)', async () => {
    const artifacts = await loadModelArtifacts(tiny.dir);
    const whole = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const dir = join(tmp, 'split-data');
    const result = await saveModelArtifacts(dir, {
      ...artifacts,
      weightData: [whole.slice(0, 13).buffer, whole.slice(13).buffer],
    });
    expect(new Uint8Array(await readFile(join(dir, 'weights.bin')))).toEqual(whole);
    expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(whole.byteLength);
  });

  it('refuses a binary (GraphDef) topology', async () => {
    const handler = fileSystemIOHandler(join(tmp, 'binary'));
    const err = await rejection(handler.save!({ modelTopology: new ArrayBuffer(8), weightSpecs: [], weightData: new ArrayBuffer(0) }));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toMatch(/binary/);
  });

  it('keeps userDefinedMetadata and trainingConfig', async () => {
    const artifacts = await loadModelArtifacts(tiny.dir);
    const dir = join(tmp, 'with-meta');
    await saveModelArtifacts(dir, {
      ...artifacts,
      userDefinedMetadata: { mlctl: { note: 'x' } },
      trainingConfig: { loss: 'categoricalCrossentropy', optimizer_config: { class_name: 'Adam', config: {} } },
    });
    const loaded = await loadModelArtifacts(dir);
    expect(loaded.userDefinedMetadata).toEqual({ mlctl: { note: 'x' } });
    expect(loaded.trainingConfig?.loss).toBe('categoricalCrossentropy');
  });
});

describe('loadLayersModelFromDir', () => {
  it('round-trips a saved model to identical predictions on cpu', async () => {
    const { model, backend } = await loadLayersModelFromDir(tiny.dir, 'cpu');
    expect(backend).toBe('cpu');
    expect(await predictWith(model, ROWS)).toEqual(expected);
    model.dispose();
  });

  it('saves a loaded model back to byte-identical weights', async () => {
    const { model } = await loadLayersModelFromDir(tiny.dir, 'cpu');
    const dir = join(tmp, 'resaved');
    await saveLayersModelToDir(model, dir);
    expect(await readFile(join(dir, 'weights.bin'))).toEqual(await readFile(join(tiny.dir, 'weights.bin')));
    model.dispose();
  });

  it('fails on a truncated weights.bin with INVALID_MODEL before building any tensor', async () => {
    const { tf } = await loadTf('cpu');
    const dir = join(tmp, 'truncated');
    await createTinyModelDir(dir);
    const bin = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), bin.subarray(0, bin.length - 40));
    const before = tf.memory().numTensors;
    const err = await rejection(loadLayersModelFromDir(dir, 'cpu'));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toContain('weights.bin');
    expect(err.message).toContain(`is ${bin.length - 40} bytes but model.json's manifest needs ${bin.length}`);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('wraps a TF.js deserialisation failure (unknown layer class) as INVALID_MODEL naming the dir', async () => {
    const dir = join(tmp, 'unknown-layer');
    await createTinyModelDir(dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers[0].class_name = 'FancyDense';
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const err = await rejection(loadLayersModelFromDir(dir, 'cpu'));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toContain(dir);
    expect(err.message).toMatch(/: Unknown layer: FancyDense\.$/);
  });

  it('loads a manifest whose weights are split over two shard files', async () => {
    const dir = join(tmp, 'two-shards');
    await createTinyModelDir(dir, { seed: 7 });
    const bin = await readFile(join(dir, 'weights.bin'));
    // a split inside a tensor: shards are plain concatenated bytes
    await writeFile(join(dir, 'group1-shard1of2.bin'), bin.subarray(0, 70));
    await writeFile(join(dir, 'group1-shard2of2.bin'), bin.subarray(70));
    await rm(join(dir, 'weights.bin'));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const { model } = await loadLayersModelFromDir(dir, 'cpu');
    expect(await predictWith(model, ROWS)).toEqual(expected);
    model.dispose();
  });
});

describe('stock TF.js loading', () => {
  let server: Server;
  let base: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      const name = (req.url ?? '').replace(/^\//, '');
      if (requests > 10 || !['model.json', 'weights.bin'].includes(name)) {
        res.writeHead(404).end();
        return;
      }
      readFile(join(tiny.dir, name)).then(
        (body) =>
          res.writeHead(200, { 'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('loads the saved directory with unmodified tf.loadLayersModel over http and predicts the same', async () => {
    const { tf } = await loadTf('cpu');
    const model = await tf.loadLayersModel(`${base}/model.json`);
    expect(await predictWith(model, ROWS)).toEqual(expected);
    expect(requests).toBe(2);
    model.dispose();
  });
});

describe('wasm backend', () => {
  it('round-trips the same model on wasm', async () => {
    const { model, backend } = await loadLayersModelFromDir(tiny.dir, 'wasm');
    expect(backend).toBe('wasm');
    const { tf } = await loadTf('wasm');
    const x = tf.tensor2d(ROWS);
    const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
    const got = (await y.array()) as number[][];
    tf.dispose([x, y]);
    model.dispose();
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)));
    await loadTf('cpu');
  });
});
