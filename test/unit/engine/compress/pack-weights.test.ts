import { describe, expect, it } from 'vitest';
import { packWeights, type PackInput } from '../../../../src/engine/compress/pack-weights.js';
import { decodeFloatTensor, floatWeightsOf, splitManifestTensors } from '../../../../src/engine/compress/manifest-tensors.js';
import type { WeightSpec } from '../../../../src/engine/model-files.js';
import { loadTf } from '../../../../src/engine/tf.js';
import { createRng } from '../../../../src/random.js';

function floats(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

const kernel: WeightSpec = { name: 'dense_1/kernel', shape: [30, 10], dtype: 'float32' };
const bias: WeightSpec = { name: 'dense_1/bias', shape: [10], dtype: 'float32' };
const steps: WeightSpec = { name: 'counter/steps', shape: [3], dtype: 'int32' };
const embeddings: WeightSpec = { name: 'emb/embeddings', shape: [7, 5], dtype: 'float32', group: 'model' };

function inputs(): PackInput[] {
  return [
    { spec: kernel, values: floats(300, 1), encoding: { kind: 'affine', dtype: 'uint8' } },
    { spec: bias, values: floats(10, 2), encoding: { kind: 'float16' } },
    { spec: steps, bytes: new Uint8Array(Int32Array.from([7, -3, 123456]).buffer), encoding: { kind: 'copy' } },
    { spec: embeddings, values: floats(35, 3), encoding: { kind: 'step', dtype: 'uint16', step: 0.001 } },
    { spec: { ...bias, name: 'dense_2/bias' }, values: floats(10, 4), encoding: { kind: 'float32' } },
  ];
}

function concat(shards: { data: Uint8Array }[]): ArrayBuffer {
  const total = shards.reduce((a, s) => a + s.data.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const s of shards) {
    out.set(s.data, o);
    o += s.data.byteLength;
  }
  return out.buffer;
}

describe('packWeights', () => {
  it('writes the manifest entries TF.js expects, keeping the logical dtype float32', () => {
    const packed = packWeights(inputs());
    const specs = packed.weightsManifest[0].weights;
    expect(specs.map((s) => s.name)).toEqual(['dense_1/kernel', 'dense_1/bias', 'counter/steps', 'emb/embeddings', 'dense_2/bias']);
    expect(specs[0]).toMatchObject({ dtype: 'float32', quantization: { dtype: 'uint8', original_dtype: 'float32' } });
    expect(typeof specs[0].quantization!.scale).toBe('number');
    expect(typeof specs[0].quantization!.min).toBe('number');
    expect(specs[1]).toEqual({
      name: 'dense_1/bias',
      shape: [10],
      dtype: 'float32',
      quantization: { dtype: 'float16', original_dtype: 'float32' },
    });
    expect(specs[2]).toEqual(steps);
    expect(specs[3]).toMatchObject({ group: 'model', quantization: { dtype: 'uint16', scale: 0.001 } });
    expect(specs[4]).toEqual({ name: 'dense_2/bias', shape: [10], dtype: 'float32' });
    expect(packed.totalBytes).toBe(300 + 20 + 12 + 70 + 40);
    expect(packed.tensors.map((t) => t.storage)).toEqual(['uint8', 'float16', 'int32', 'uint16', 'float32']);
  });

  it('cuts the bytes into converter-named shards that concatenate back to the same weights', () => {
    const one = packWeights(inputs());
    const many = packWeights(inputs(), { shardBytes: 100 });
    expect(one.shards.map((s) => s.path)).toEqual(['group1-shard1of1.bin']);
    expect(many.shards.map((s) => s.path)).toEqual([1, 2, 3, 4, 5].map((i) => `group1-shard${i}of5.bin`));
    expect(many.weightsManifest[0].paths).toEqual(many.shards.map((s) => s.path));
    expect(many.shards.slice(0, 4).every((s) => s.data.byteLength === 100)).toBe(true);
    expect(new Uint8Array(concat(many.shards))).toEqual(new Uint8Array(concat(one.shards)));
  });

  it('is decoded by stock TF.js decodeWeights to exactly the values it reports, int32 unchanged', async () => {
    const { tf } = await loadTf('cpu');
    const packed = packWeights(inputs(), { shardBytes: 64 });
    const decoded = tf.io.decodeWeights(concat(packed.shards), packed.weightsManifest[0].weights as never);
    try {
      for (const t of packed.tensors) {
        const theirs = decoded[t.name].dataSync();
        if (t.decoded) expect(Array.from(theirs), t.name).toEqual(Array.from(t.decoded));
      }
      expect(decoded['counter/steps'].dtype).toBe('int32');
      expect(Array.from(decoded['counter/steps'].dataSync())).toEqual([7, -3, 123456]);
    } finally {
      tf.dispose(Object.values(decoded));
    }
  });

  it('reads back through splitManifestTensors: copies stay byte-identical, floats decode as packed', () => {
    const packed = packWeights(inputs(), { shardBytes: 50 });
    const tensors = splitManifestTensors(packed.weightsManifest, [new Uint8Array(concat(packed.shards))]);
    expect(tensors.map((t) => t.spec.name)).toEqual(packed.tensors.map((t) => t.name));
    expect(Array.from(new Int32Array(tensors[2].bytes.buffer))).toEqual([7, -3, 123456]);
    expect(Array.from(decodeFloatTensor(tensors[0]))).toEqual(Array.from(packed.tensors[0].decoded!));
    expect(floatWeightsOf(tensors).map((w) => w.name)).toEqual(['dense_1/kernel', 'dense_1/bias', 'emb/embeddings', 'dense_2/bias']);
    // packing the read-back tensors again with 'copy' reproduces the bytes
    const again = packWeights(tensors.map((t) => ({ spec: t.spec, bytes: t.bytes, encoding: { kind: 'copy' } })));
    expect(new Uint8Array(concat(again.shards))).toEqual(new Uint8Array(concat(packed.shards)));
    expect(again.weightsManifest[0].weights).toEqual(packed.weightsManifest[0].weights);
  });

  it('splitManifestTensors refuses bytes that do not match the manifest', () => {
    const packed = packWeights(inputs());
    const bytes = new Uint8Array(concat(packed.shards));
    expect(() => splitManifestTensors(packed.weightsManifest, [bytes.subarray(0, 310)])).toThrow(/end before weight "dense_1\/bias"/);
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);
    expect(() => splitManifestTensors(packed.weightsManifest, [longer])).toThrow(/hold 443 bytes; its weights need 442/);
  });
});
