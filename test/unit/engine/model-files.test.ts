import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import {
  checkShards,
  readModelJson,
  shardPaths,
  weightSpecBytes,
  type ModelJson,
  type WeightSpec,
} from '../../../src/engine/model-files.js';
import { loadModelArtifacts } from '../../../src/engine/fs-io-handler.js';
import { loadLayersModelFromDir } from '../../../src/engine/load-model.js';
import { loadTf } from '../../../src/engine/tf.js';
import { createGraphModelJson, createTinyModelDir } from '../../helpers/tiny-model.js';

let tmp: string;
let counter = 0;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mlctl-model-files-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** a fresh tiny model directory per test, so tests can damage it freely */
async function tinyDir(seed = 3): Promise<string> {
  counter += 1;
  const { dir } = await createTinyModelDir(join(tmp, `m${counter}`), { seed });
  return dir;
}

async function editModelJson(dir: string, edit: (json: ModelJson) => void): Promise<void> {
  const path = join(dir, 'model.json');
  const json = JSON.parse(await readFile(path, 'utf8')) as ModelJson;
  edit(json);
  await writeFile(path, JSON.stringify(json));
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

function thrown(fn: () => unknown): MlctlError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MlctlError);
    return e as MlctlError;
  }
  throw new Error('expected a throw');
}

const spec = (shape: number[], extra: Partial<WeightSpec> = {}): WeightSpec => ({ name: 'w', shape, dtype: 'float32', ...extra });

describe('weightSpecBytes', () => {
  it('counts float32 and int32 as 4 bytes per element, bool as 1', () => {
    expect(weightSpecBytes(spec([4, 8]))).toBe(128);
    expect(weightSpecBytes(spec([3], { dtype: 'int32' }))).toBe(12);
    expect(weightSpecBytes(spec([5], { dtype: 'bool' }))).toBe(5);
  });

  it('counts a scalar (shape []) as one element', () => {
    expect(weightSpecBytes(spec([]))).toBe(4);
  });

  it('counts quantized weights by their storage dtype', () => {
    expect(weightSpecBytes(spec([4, 8], { quantization: { dtype: 'uint8', scale: 0.1, min: -1 } }))).toBe(32);
    expect(weightSpecBytes(spec([4, 8], { quantization: { dtype: 'uint16', scale: 0.1, min: -1 } }))).toBe(64);
    expect(weightSpecBytes(spec([4, 8], { quantization: { dtype: 'float16' } }))).toBe(64);
  });

  it('refuses string weights as INVALID_MODEL', () => {
    const err = thrown(() => weightSpecBytes(spec([2], { name: 'vocab', dtype: 'string' })));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toContain('"vocab"');
    expect(err.message).toContain('string');
  });
});

describe('readModelJson', () => {
  it('reads a saved model.json, from its path or its directory', async () => {
    const dir = await tinyDir();
    const json = await readModelJson(join(dir, 'model.json'));
    expect(json.format).toBe('layers-model');
    expect(shardPaths(json)).toEqual(['weights.bin']);
    expect(await readModelJson(dir)).toEqual(json);
  });

  it('reports a missing file as NOT_FOUND naming it', async () => {
    const path = join(tmp, 'nowhere', 'model.json');
    const err = await rejection(readModelJson(path));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(path);
  });

  it('reports invalid JSON as INVALID_MODEL with the parser message', async () => {
    const dir = join(tmp, 'bad-json');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'model.json'), '{"modelTopology": ');
    const err = await rejection(readModelJson(join(dir, 'model.json')));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toMatch(/^model\.json at .*bad-json\/model\.json is not valid JSON \(.+\)\.$/);
  });

  it('refuses a graph model with the graph-model message and a converter hint', async () => {
    const path = await createGraphModelJson(join(tmp, 'graph'));
    const err = await rejection(readModelJson(path));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toBe(`${path} is a TF.js graph model; mlctl needs a layers model (one that tf.loadLayersModel loads).`);
    expect(err.hint).toContain('tensorflowjs_converter');
    expect(err.hint).toContain('--output_format tfjs_layers_model');
  });

  it('refuses a GraphDef topology even without format "graph-model"', async () => {
    const path = await createGraphModelJson(join(tmp, 'graph-noformat'));
    const json = JSON.parse(await readFile(path, 'utf8'));
    delete json.format;
    await writeFile(path, JSON.stringify(json));
    const err = await rejection(readModelJson(path));
    expect(err.message).toContain('is a TF.js graph model');
  });

  it('refuses a model.json without modelTopology or without weightsManifest', async () => {
    const a = await tinyDir();
    await editModelJson(a, (j) => delete (j as Partial<ModelJson>).modelTopology);
    const noTopology = await rejection(readModelJson(a));
    expect(noTopology.code).toBe('INVALID_MODEL');
    expect(noTopology.message).toContain('modelTopology');

    const b = await tinyDir();
    await editModelJson(b, (j) => delete (j as Partial<ModelJson>).weightsManifest);
    const noManifest = await rejection(readModelJson(b));
    expect(noManifest.code).toBe('INVALID_MODEL');
    expect(noManifest.message).toContain('weightsManifest');
  });

  it('refuses a topology that is not Keras layers JSON', async () => {
    const dir = await tinyDir();
    await editModelJson(dir, (j) => {
      j.modelTopology = { layers: [] };
    });
    const err = await rejection(readModelJson(dir));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toContain('class_name');
  });

  it('accepts a Keras-saved topology nested under model_config', async () => {
    const dir = await tinyDir();
    await editModelJson(dir, (j) => {
      j.modelTopology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: j.modelTopology };
    });
    const json = await readModelJson(dir);
    expect((json.modelTopology.model_config as { class_name: string }).class_name).toBe('Sequential');
  });

  it('refuses a uint8 quantization entry without scale and min', async () => {
    const dir = await tinyDir();
    await editModelJson(dir, (j) => {
      j.weightsManifest[0].weights[0].quantization = { dtype: 'uint8' };
    });
    const err = await rejection(readModelJson(dir));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toContain('"scale" and "min"');
  });
});

describe('checkShards', () => {
  it('returns every shard and the total size of a valid model', async () => {
    const dir = await tinyDir();
    const check = await checkShards(dir, await readModelJson(dir));
    const size = (4 * 8 + 8 + 8 * 3 + 3) * 4;
    expect(check.totalBytes).toBe(size);
    expect(check.shards.map(({ path, bytes }) => ({ path, bytes }))).toEqual([{ path: 'weights.bin', bytes: size }]);
  });

  it('refuses a truncated shard, naming it and both sizes', async () => {
    const dir = await tinyDir();
    const bin = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), bin.subarray(0, 200));
    const err = await rejection(checkShards(dir, await readModelJson(dir)));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toBe(
      `Weight file weights.bin in ${dir} is 200 bytes but model.json's manifest needs ${bin.length}; ` +
        'the file is truncated or does not belong to this model.',
    );
  });

  it('refuses a shard that is too long as well', async () => {
    const dir = await tinyDir();
    const bin = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), Buffer.concat([bin, Buffer.alloc(4)]));
    const err = await rejection(checkShards(dir, await readModelJson(dir)));
    expect(err.message).toContain(`is ${bin.length + 4} bytes but model.json's manifest needs ${bin.length}`);
  });

  it('reports a missing shard naming it', async () => {
    const dir = await tinyDir();
    await rm(join(dir, 'weights.bin'));
    const err = await rejection(checkShards(dir, await readModelJson(dir)));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toMatch(/^Weight file weights\.bin named in .*model\.json is missing\.$/);
  });

  it.each(['../../etc/passwd', '/etc/passwd', 'sub/../../weights.bin'])('refuses manifest path %s outside the directory', async (bad) => {
    const dir = await tinyDir();
    await editModelJson(dir, (j) => {
      j.weightsManifest[0].paths = [bad];
    });
    const err = await rejection(checkShards(dir, await readModelJson(dir)));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toContain(`"${bad}"`);
    expect(err.message).toContain('outside the model directory');
  });

  it('accepts a group split over two shard files', async () => {
    const dir = await tinyDir();
    const bin = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'a.bin'), bin.subarray(0, 100));
    await writeFile(join(dir, 'b.bin'), bin.subarray(100));
    await editModelJson(dir, (j) => {
      j.weightsManifest[0].paths = ['a.bin', 'b.bin'];
    });
    const check = await checkShards(dir, await readModelJson(dir));
    expect(check.shards.map((s) => [s.path, s.bytes])).toEqual([
      ['a.bin', 100],
      ['b.bin', bin.length - 100],
    ]);
    expect(check.totalBytes).toBe(bin.length);
  });
});

describe('a hand-written uint8-quantized manifest entry (TF.js quantization format)', () => {
  let dir: string;
  let original: Float32Array;
  let scale: number;
  let minValue: number;
  let floatBytes: number;

  beforeAll(async () => {
    dir = await tinyDir(11);
    const bin = await readFile(join(dir, 'weights.bin'));
    floatBytes = bin.length;
    const kernelLength = 4 * 8;
    original = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + kernelLength * 4));
    // the converter's uint8 quantizer (quantization.py): nudge so that 0 is exact
    const lo = Math.min(...original);
    const hi = Math.max(...original);
    scale = (hi - lo) / 255;
    const zeroPoint = Math.round(-lo / scale);
    minValue = -zeroPoint * scale;
    const maxValue = 255 * scale + minValue;
    const q = Uint8Array.from(original, (x) => Math.round((Math.min(Math.max(x, minValue), maxValue) - minValue) / scale));
    await writeFile(join(dir, 'weights.bin'), Buffer.concat([Buffer.from(q), bin.subarray(kernelLength * 4)]));
    await editModelJson(dir, (j) => {
      j.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale, min: minValue, original_dtype: 'float32' };
    });
  });

  it('counts the quantized kernel as 1 byte per element', async () => {
    const check = await checkShards(dir, await readModelJson(dir));
    expect(check.totalBytes).toBe(floatBytes - 32 * 3);
  });

  it('keeps the quantization block on load and TF.js dequantizes it to about the original values', async () => {
    const artifacts = await loadModelArtifacts(dir);
    expect(artifacts.weightSpecs![0]).toMatchObject({ name: 'dense_1/kernel', dtype: 'float32', quantization: { dtype: 'uint8' } });
    const { tf } = await loadTf('cpu');
    const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    const kernel = decoded['dense_1/kernel'].dataSync();
    expect(kernel).toHaveLength(32);
    kernel.forEach((v, i) => expect(Math.abs(v - original[i])).toBeLessThanOrEqual(scale / 2 + 1e-6));
    tf.dispose(Object.values(decoded));

    const { model } = await loadLayersModelFromDir(dir, 'cpu');
    const loadedKernel = model.layers[0].getWeights()[0].dataSync();
    loadedKernel.forEach((v, i) => expect(Math.abs(v - original[i])).toBeLessThanOrEqual(scale / 2 + 1e-6));
    model.dispose();
  });
});

describe('module boundaries', () => {
  it.each(['model-files.ts', 'fs-io-handler.ts'])('%s has no runtime import of TF.js', async (file) => {
    const source = await readFile(fileURLToPath(new URL(`../../../src/engine/${file}`, import.meta.url)), 'utf8');
    const tfImports = source.split('\n').filter((line) => /from '@tensorflow\//.test(line) || /import\('@tensorflow\//.test(line));
    expect(tfImports.every((line) => line.startsWith('import type '))).toBe(true);
  });
});
