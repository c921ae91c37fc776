/**
 * Every route, its response shape and every client mistake (status + exact message), through
 * fastify's inject() over a ServableManager of fake servables (no sockets, no TF.js).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { encodeFeatures } from '../../../src/dataset/signature.js';
import { createApp, tokenChecker, type AppOptions } from '../../../src/serve/app.js';
import { ServeMetrics } from '../../../src/serve/metrics.js';
import { ServableManager } from '../../../src/serve/servable-manager.js';
import { fakeRegressionSignature, fakeServable, fakeSignature, type FakeServable } from '../../helpers/fake-servable.js';

async function appWith(servables: FakeServable[], options: Partial<AppOptions> = {}, aliases: Record<string, Record<string, number>> = {}) {
  const byKey = new Map(servables.map((s) => [`${s.model}/${s.version}`, s]));
  const manager = new ServableManager({ load: async (m, v) => byKey.get(`${m}/${v}`)! });
  for (const s of servables) await manager.aspire({ model: s.model, version: s.version, aliases: aliases[s.model] ?? {} });
  const metrics = new ServeMetrics({ serving: () => manager.available(), processMetrics: false });
  const app = await createApp({ manager, metrics, bodyLimit: 2048, maxRows: 5, maxBatchSize: 1, batchTimeoutMs: 0, ...options });
  return { app, manager, metrics };
}

const post = (app: FastifyInstance, url: string, body: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** p(yes) the fake classifier gives a row (float64): sigmoid(version · sum of the encoded row) */
function pYesExact(row: Record<string, unknown> | unknown[], version = 1): number {
  const x = encodeFeatures(fakeSignature(), [row as never]);
  const sum = x.reduce((a, b) => a + b, 0);
  return 1 / (1 + Math.exp(-version * sum));
}
/** p(yes) as the server answers it (a float32 output) */
const pYes = (row: Record<string, unknown> | unknown[], version = 1): number => Math.fround(pYesExact(row, version));
const pNo = (row: Record<string, unknown> | unknown[], version = 1): number => Math.fround(1 - pYesExact(row, version));

const ROW = { a: 3, b: -0.5, color: 'red', flag: true };
const ROW_ARRAY = [3, -0.5, 'red', true];

let multi: FastifyInstance;
let single: FastifyInstance;
let draining = false;

beforeAll(async () => {
  multi = (
    await appWith(
      [
        fakeServable({ model: 'demo', version: 2 }),
        fakeServable({ model: 'price', version: 1, signature: fakeRegressionSignature() }),
        fakeServable({ model: 'raw', version: 1, signature: null, inputShape: [3], outputShape: [2] }),
        fakeServable({ model: 'grid', version: 1, signature: null, inputShape: [2, 2], outputShape: [2] }),
      ],
      { isDraining: () => draining },
      { demo: { stable: 2, old: 1 } },
    )
  ).app;
  const s = await appWith([fakeServable({ model: 'demo', version: 1 })], { token: 's3cret', cors: 'https://app.example' });
  single = s.app;
});

afterAll(async () => {
  await multi.close();
  await single.close();
});

const AUTH = { authorization: 'Bearer s3cret' };

describe('POST /predict', () => {
  it('answers model, version and per row the label and probabilities, for a flat row, rows and objects', async () => {
    for (const input_data of [ROW_ARRAY, [ROW_ARRAY], [ROW]]) {
      const res = await post(single, '/predict', { input_data }, AUTH);
      expect(res.statusCode).toBe(200);
      const p = pYes(ROW);
      expect(res.json()).toEqual({
        model: 'demo',
        version: 1,
        predictions: [{ label: p > 0.5 ? 'yes' : 'no', probabilities: { no: pNo(ROW), yes: p } }],
      });
    }
    const two = await post(single, '/predict', { input_data: [ROW, { ...ROW, a: -9, color: null, flag: 'no' }] }, AUTH);
    expect(two.json().predictions.map((x: { label: string }) => x.label)).toEqual(['yes', 'no']);
  });

  it('with several models the body names one; regression answers values in the target units; raw versions answer outputs', async () => {
    const noModel = await post(multi, '/predict', { input_data: ROW });
    expect(noModel.statusCode).toBe(400);
    expect(noModel.json().error.message).toBe('This server serves 4 models (demo, grid, price, raw); name one with "model" in the body.');
    const demo = await post(multi, '/predict', { model: 'demo', input_data: ROW });
    expect(demo.json().version).toBe(2);
    expect(demo.json().predictions[0].probabilities.yes).toBe(pYes(ROW, 2));
    // fake regression: output = version · z where z = (x - 10) / 5; value = output · 10 + 100
    const price = await post(multi, '/predict', { model: 'price', input_data: [[20], [10]] });
    expect(price.json()).toEqual({ model: 'price', version: 1, predictions: [{ value: 120 }, { value: 100 }] });
    const raw = await post(multi, '/predict', { model: 'raw', input_data: [1, 2, 3] });
    expect(raw.json()).toEqual({ model: 'raw', version: 1, predictions: [[6, 7]] });
    const grid = await post(multi, '/predict', {
      model: 'grid',
      input_data: [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [0, 0],
          [0, 1],
        ],
      ],
    });
    expect(grid.json().predictions).toEqual([
      [10, 11],
      [1, 2],
    ]);
  });

  const BAD: [string, unknown, number, string][] = [
    ['wrong number of features', { input_data: [3, -0.5, 'red'] }, 400, 'Row 1 has 3 values; the model needs 4 (a, b, color, flag).'],
    [
      'a missing named feature',
      { input_data: [{ a: 3, b: 1, color: 'red' }] },
      400,
      'Row 1: feature "flag" is missing; the model\'s features are: a, b, color, flag.',
    ],
    [
      'an unknown named feature',
      { input_data: [ROW, { ...ROW, colour: 'red' }] },
      400,
      'Row 2: unknown feature "colour"; the model\'s features are: a, b, color, flag.',
    ],
    ['a non-numeric value', { input_data: [{ ...ROW, b: 'abc' }] }, 400, 'Row 1, feature "b": "abc" is not a number.'],
    ['a non-finite value', '{"input_data": [[3, 1e999, "red", true]]}', 400, 'Row 1, feature "b": Infinity is not a finite number.'],
    [
      'an unknown category',
      { input_data: [ROW, ROW, { ...ROW, color: 'purple' }] },
      400,
      'Row 3, feature "color": "purple" is not a category the model knows (blue, green, red).',
    ],
    ['a non-boolean', { input_data: [{ ...ROW, flag: 'maybe' }] }, 400, 'Row 1, feature "flag": "maybe" is not true/false or yes/no.'],
    ['a nested value', { input_data: [{ ...ROW, a: [1] }] }, 400, 'Row 1, feature "a": expected one value, got a list.'],
    ['an empty batch', { input_data: [] }, 400, '"input_data" is empty: send at least one row.'],
    [
      'too many rows',
      { input_data: Array(6).fill(ROW) },
      400,
      '"input_data" has 6 rows; this server accepts at most 5 per request (--max-rows).',
    ],
    [
      'a row that is not a row',
      { input_data: [ROW, 5] },
      400,
      'Row 2 is a number; send each row as [value, ...] in feature order or {"feature": value, ...}.',
    ],
    ['no input_data', { rows: [ROW] }, 400, 'Request body has no "input_data".'],
    ['a body that is not an object', [ROW], 400, 'Request body must be a JSON object with "input_data".'],
    ['an empty body', '', 400, 'Request body is empty; send a JSON object.'],
  ];
  it.each(BAD)('%s → 4xx with a message saying where', async (_name, body, status, message) => {
    const res = await post(single, '/predict', body, AUTH);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_DATA', message } });
  });

  it('malformed JSON → 400 naming where it breaks', async () => {
    const res = await post(single, '/predict', '{"input_data": [1, 2,]}', AUTH);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      message: expect.stringMatching(/^Request body is not valid JSON: Unexpected token '\]'.*\.$/),
      hint: 'Check the JSON: double-quoted keys, no trailing commas, no NaN or Infinity.',
    });
  });

  it('a wrong content type → 415; a body over --body-limit → 413', async () => {
    const text = await single.inject({
      method: 'POST',
      url: '/predict',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      payload: '{"input_data": [1]}',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type must be application/json, got "text/plain".',
    });
    const big = await post(single, '/predict', { input_data: [ROW], pad: 'x'.repeat(3000) }, AUTH);
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body is larger than the 2048-byte limit (--body-limit).',
    });
  });

  it('raw versions validate against the input shape', async () => {
    const short = await post(multi, '/predict', { model: 'raw', input_data: [[1, 2]] });
    expect(short.json().error.message).toBe('Row 1: expected 3 values (input shape [3]), got 2 values.');
    const text = await post(multi, '/predict', {
      model: 'raw',
      input_data: [
        [1, 2, 3],
        [1, 'x', 3],
      ],
    });
    expect(text.json().error.message).toBe('Row 2, value [1]: "x" is not a number.');
    const grid = await post(multi, '/predict', { model: 'grid', input_data: [[[1, 2], [3]]] });
    expect(grid.json().error.message).toBe('Row 1 at [1]: expected 2 values (input shape [2, 2]), got 1 values.');
    expect(grid.statusCode).toBe(400);
  });
});

describe('batching', () => {
  it('concurrent requests for a batching version share forward passes, and each gets its own rows back', async () => {
    const s = fakeServable({ model: 'demo', version: 1, batching: true });
    const { app } = await appWith([s], { maxBatchSize: 8 });
    const rows = [-3, -1, 0, 1, 2, 4].map((a) => ({ ...ROW, a }));
    const answers = await Promise.all(rows.map((row) => post(app, '/predict', { input_data: [row] })));
    answers.forEach((res, i) => {
      expect(res.statusCode).toBe(200);
      expect(res.json().predictions[0].probabilities.yes).toBe(pYes(rows[i]));
    });
    expect(s.passes.reduce((a, n) => a + n, 0)).toBe(6);
    expect(s.passes.length).toBeLessThan(6);
    expect(Math.max(...s.passes)).toBeGreaterThan(1);
    await app.close();
  });
});

describe('TF Serving REST (/v1)', () => {
  it(':predict with instances → predictions; inputs (columnar) → outputs', async () => {
    const rows = await post(multi, '/v1/models/demo:predict', { instances: [ROW, ROW_ARRAY] });
    expect(rows.statusCode).toBe(200);
    const p = pYes(ROW, 2);
    const q = pNo(ROW, 2);
    expect(rows.json()).toEqual({
      predictions: [
        [q, p],
        [q, p],
      ],
    });
    const cols = await post(multi, '/v1/models/demo/versions/2:predict', { inputs: { a: [3], b: [-0.5], color: ['red'], flag: [true] } });
    expect(cols.json()).toEqual({ outputs: [[q, p]] });
    const byLabel = await post(multi, '/v1/models/demo/labels/stable:predict', { instances: [ROW], signature_name: 'serving_default' });
    expect(byLabel.json()).toEqual({ predictions: [[q, p]] });
    const price = await post(multi, '/v1/models/price:predict', { instances: [[20]] });
    expect(price.json()).toEqual({ predictions: [[120]] });
    const raw = await post(multi, '/v1/models/raw:predict', {
      instances: [
        [1, 2, 3],
        [0, 0, 1],
      ],
    });
    expect(raw.json()).toEqual({
      predictions: [
        [6, 7],
        [1, 2],
      ],
    });
  });

  it.each([
    [
      '/v1/models/demo:predict',
      { instances: [ROW], inputs: {} },
      400,
      'Send either "instances" (row format) or "inputs" (columnar format), not both.',
    ],
    ['/v1/models/demo:predict', { rows: [ROW] }, 400, 'Missing "instances" or "inputs" in the request body.'],
    [
      '/v1/models/demo:predict',
      { instances: [ROW], signature_name: 'other' },
      400,
      'Serving signature name: "other" not found in signature def; the model has "serving_default".',
    ],
    [
      '/v1/models/demo:predict',
      { inputs: { a: [1, 2], b: [1], color: ['red'], flag: [true] } },
      400,
      'Input "b" has 1 values but "a" has 2; every input needs one value per row.',
    ],
    [
      '/v1/models/demo:predict',
      { inputs: { a: [1], b: [1], color: ['red'] } },
      400,
      'Input "flag" is missing from "inputs"; the model\'s inputs are: a, b, color, flag.',
    ],
    [
      '/v1/models/demo:predict',
      { instances: [{ ...ROW, color: 'teal' }] },
      400,
      'Row 1, feature "color": "teal" is not a category the model knows (blue, green, red).',
    ],
    ['/v1/models/demo/versions/7:predict', { instances: [ROW] }, 404, 'Servable not found for request: Specific(demo, 7).'],
    ['/v1/models/demo/labels/old:predict', { instances: [ROW] }, 404, 'Servable not found for request: Label(demo, old).'],
    [
      '/v1/models/nope:predict',
      { instances: [ROW] },
      404,
      'Servable not found for request: Latest(nope): model "nope" is not served here.',
    ],
    ['/v1/models/demo:regress', { instances: [ROW] }, 404, ':regress is not supported; use :predict.'],
    ['/v1/models/demo:explode', { instances: [ROW] }, 404, 'Malformed request: POST /v1/models/demo:explode'],
  ])('POST %s → {"error": …}', async (url, body, status, error) => {
    const res = await post(multi, url, body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error });
  });

  it('malformed JSON and a wrong content type answer {"error": "<message>"} too', async () => {
    const bad = await post(multi, '/v1/models/demo:predict', '{"instances": [');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/^Request body is not valid JSON: /);
    const type = await multi.inject({
      method: 'POST',
      url: '/v1/models/demo:predict',
      headers: { 'content-type': 'application/xml' },
      payload: '<instances/>',
    });
    expect(type.statusCode).toBe(415);
    expect(type.json()).toEqual({ error: 'Content-Type must be application/json, got "application/xml".' });
  });

  it('reads a `curl -d` body (application/x-www-form-urlencoded) as JSON, as TF Serving does', async () => {
    const res = await multi.inject({
      method: 'POST',
      url: '/v1/models/demo:predict',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify({ instances: [ROW] }),
    });
    const json = await post(multi, '/v1/models/demo:predict', JSON.stringify({ instances: [ROW] }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(json.json());
    const notJson = await multi.inject({
      method: 'POST',
      url: '/v1/models/demo:predict',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=1',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toMatch(/^Request body is not valid JSON: /);
  });

  it("GET model status in TF Serving's model_version_status shape", async () => {
    const all = await multi.inject('/v1/models/demo');
    expect(all.json()).toEqual({
      model_version_status: [{ version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
    expect((await multi.inject('/v1/models/demo/versions/2')).statusCode).toBe(200);
    expect((await multi.inject('/v1/models/demo/labels/stable')).json().model_version_status[0].version).toBe('2');
    const missing = await multi.inject('/v1/models/demo/versions/5');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'Could not find version 5 of model demo' });
    expect((await multi.inject('/v1/models/nope')).json()).toEqual({ error: 'Could not find any versions of model nope' });
    expect((await multi.inject('/v1/models/demo:predict')).json()).toEqual({ error: 'Use POST for :predict.' });
  });

  it("GET metadata: signature_def with one input per feature, plus mlctl's signature", async () => {
    const res = await multi.inject('/v1/models/demo/metadata');
    const body = res.json();
    expect(body.model_spec).toEqual({ name: 'demo', signature_name: '', version: '2' });
    const def = body.metadata.signature_def.signature_def.serving_default;
    expect(def.method_name).toBe('tensorflow/serving/predict');
    expect(Object.keys(def.inputs)).toEqual(['a', 'b', 'color', 'flag']);
    expect(def.inputs.color).toEqual({
      dtype: 'DT_STRING',
      tensor_shape: { dim: [{ size: '-1', name: '' }], unknown_rank: false },
      name: 'color:0',
    });
    expect(def.outputs.probabilities.tensor_shape.dim).toEqual([
      { size: '-1', name: '' },
      { size: '2', name: '' },
    ]);
    expect(body.metadata.mlctl.signature).toEqual(fakeSignature());
    const raw = (await multi.inject('/v1/models/grid/metadata')).json();
    expect(
      raw.metadata.signature_def.signature_def.serving_default.inputs.input.tensor_shape.dim.map((d: { size: string }) => d.size),
    ).toEqual(['-1', '2', '2']);
  });
});

describe('Open Inference Protocol v2', () => {
  const tensors = [
    { name: 'a', shape: [2], datatype: 'FP32', data: [3, -9] },
    { name: 'b', shape: [2, 1], datatype: 'FP32', data: [[-0.5], [-0.5]] },
    { name: 'color', shape: [2], datatype: 'BYTES', data: ['red', 'blue'] },
    { name: 'flag', shape: [2], datatype: 'BOOL', data: [true, false] },
  ];

  it('infer: one tensor per feature in; probabilities and labels out; id echoed; outputs filtered', async () => {
    const res = await post(multi, '/v2/models/demo/infer', { id: 'req-7', inputs: tensors });
    expect(res.statusCode).toBe(200);
    const row2 = { a: -9, b: -0.5, color: 'blue', flag: false };
    const p1 = pYes(ROW, 2);
    const p2 = pYes(row2, 2);
    expect(res.json()).toEqual({
      model_name: 'demo',
      model_version: '2',
      id: 'req-7',
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [2, 2], data: [pNo(ROW, 2), p1, pNo(row2, 2), p2] },
        { name: 'label', datatype: 'BYTES', shape: [2], data: [p1 > 0.5 ? 'yes' : 'no', p2 > 0.5 ? 'yes' : 'no'] },
      ],
    });
    const onlyLabel = await post(multi, '/v2/models/demo/versions/2/infer', { inputs: tensors, outputs: [{ name: 'label' }] });
    expect(onlyLabel.json().outputs.map((o: { name: string }) => o.name)).toEqual(['label']);
    const price = await post(multi, '/v2/models/price/infer', {
      inputs: [{ name: 'input', shape: [2, 1], datatype: 'FP32', data: [20, 10] }],
    });
    expect(price.json().outputs).toEqual([{ name: 'value', datatype: 'FP32', shape: [2, 1], data: [120, 100] }]);
    const raw = await post(multi, '/v2/models/grid/infer', {
      inputs: [{ name: 'x', shape: [1, 2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }],
    });
    expect(raw.json().outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [1, 2], data: [10, 11] }]);
  });

  it.each([
    [{ inputs: [] }, '"inputs" must be a non-empty list of tensors ({name, shape, datatype, data}).'],
    [{ inputs: [{ ...tensors[0], shape: [3] }, ...tensors.slice(1)] }, 'Input "a": shape [3] holds 3 values but "data" has 2.'],
    [
      { inputs: [{ ...tensors[0], datatype: 'FLOAT' }] },
      'Input "a": "datatype" must be one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES, got "FLOAT".',
    ],
    [
      { inputs: [{ ...tensors[0], data: [3, 'x'] }, ...tensors.slice(1)] },
      'Input "a", value 1: "x" is not a finite number (datatype FP32).',
    ],
    [{ inputs: tensors.slice(0, 3) }, 'Input "flag" is missing; the model\'s inputs are: a, b, color, flag.'],
    [
      { inputs: [...tensors, { name: 'z', shape: [2], datatype: 'FP32', data: [1, 2] }] },
      'Unknown input "z"; the model\'s inputs are: a, b, color, flag (or one tensor of shape [n, 4] with values in that order).',
    ],
    [{ inputs: tensors, outputs: [{ name: 'logits' }] }, 'Unknown output "logits"; this model\'s outputs are: probabilities, label.'],
    [
      { inputs: [{ ...tensors[2], data: ['red', 'mauve'] }, ...tensors.filter((t) => t.name !== 'color')] },
      'Row 2, feature "color": "mauve" is not a category the model knows (blue, green, red).',
    ],
    [{ id: 7, inputs: tensors }, '"id" must be a string.'],
  ])('infer rejects %j', async (body, error) => {
    const res = await post(multi, '/v2/models/demo/infer', body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error });
  });

  it("raw versions: one tensor in the model's input shape", async () => {
    const res = await post(multi, '/v2/models/grid/infer', {
      inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
    });
    expect(res.json()).toEqual({ error: 'Input "x": shape [1, 4] does not match the model\'s input [-1, 2, 2].' });
  });

  it('server and model metadata, liveness and readiness', async () => {
    expect((await multi.inject('/v2')).json()).toEqual({ name: 'mlctl', version: '0.0.0', extensions: [] });
    expect((await multi.inject('/v2/health/live')).json()).toEqual({ live: true });
    expect((await multi.inject('/v2/health/ready')).json()).toEqual({ ready: true });
    expect((await multi.inject('/v2/models/demo/ready')).json()).toEqual({ name: 'demo', ready: true });
    const notLoaded = await multi.inject('/v2/models/demo/versions/1/ready');
    expect(notLoaded.statusCode).toBe(503);
    expect(notLoaded.json()).toEqual({ name: 'demo', ready: false });
    expect((await multi.inject('/v2/models/nope/ready')).statusCode).toBe(404);
    expect((await multi.inject('/v2/models/demo')).json()).toEqual({
      name: 'demo',
      versions: ['2'],
      platform: 'tensorflowjs_layers',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [-1] },
        { name: 'b', datatype: 'FP32', shape: [-1] },
        { name: 'color', datatype: 'BYTES', shape: [-1] },
        { name: 'flag', datatype: 'FP32', shape: [-1] },
      ],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
      ],
    });
  });
});

describe('health, readiness, draining', () => {
  it('healthz always; readyz once every model serves, and not while draining (with Connection: close)', async () => {
    expect((await multi.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await multi.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().models).toContainEqual({ model: 'demo', version: 2 });
    draining = true;
    try {
      const drainingRes = await multi.inject('/readyz');
      expect(drainingRes.statusCode).toBe(503);
      expect(drainingRes.json()).toMatchObject({ ready: false, reason: 'draining' });
      expect(drainingRes.headers.connection).toBe('close');
      expect((await multi.inject('/v2/health/ready')).statusCode).toBe(503);
    } finally {
      draining = false;
    }
  });

  it('readyz is 503 while the first version is still loading', async () => {
    let release: () => void = () => {};
    const manager = new ServableManager({ load: () => new Promise((r) => (release = () => r(fakeServable())) as never) });
    const loading = manager.aspire({ model: 'demo', version: 1, aliases: {} });
    const app = await createApp({
      manager,
      metrics: new ServeMetrics({ serving: () => manager.available(), processMetrics: false }),
      bodyLimit: 1000,
      maxRows: 1,
      maxBatchSize: 1,
      batchTimeoutMs: 0,
    });
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ready: false, reason: 'loading', models: [{ model: 'demo', version: null }] });
    const predict = await post(app, '/predict', { input_data: ROW });
    expect(predict.statusCode).toBe(503);
    expect(predict.json().error.message).toBe('Model "demo" is still loading.');
    release();
    await loading;
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    await app.close();
  });
});

describe('auth, CORS, unknown routes', () => {
  it('a token is required everywhere except the health endpoints (401 with WWW-Authenticate)', async () => {
    const none = await post(single, '/predict', { input_data: ROW });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Missing "Authorization: Bearer <token>" header.' });
    const wrong = await post(single, '/v1/models/demo:predict', { instances: [ROW] }, { authorization: 'Bearer s3cre' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'The bearer token is not valid.' });
    for (const url of ['/metrics', '/models/demo/model.json', '/v1/models/demo', '/v2/models/demo'])
      expect((await single.inject(url)).statusCode, url).toBe(401);
    for (const url of ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready'])
      expect((await single.inject(url)).statusCode, url).toBe(200);
    expect((await post(single, '/predict', { input_data: ROW }, { authorization: 'bearer s3cret' })).statusCode).toBe(200);
  });

  it('tokenChecker compares whole tokens', () => {
    const check = tokenChecker('abc');
    expect([
      check('Bearer abc'),
      check('Bearer abcd'),
      check('Bearer ab'),
      check('Basic abc'),
      check(undefined),
      check('Bearer  abc '),
    ]).toEqual([true, false, false, false, false, true]);
  });

  it('CORS: a preflight from the allowed origin passes without a token; responses carry the origin', async () => {
    const pre = await single.inject({
      method: 'OPTIONS',
      url: '/predict',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    const get = await single.inject({ url: '/models/demo/model.json', headers: { ...AUTH, origin: 'https://app.example' } });
    expect(get.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(
      (await multi.inject({ url: '/healthz', headers: { origin: 'https://app.example' } })).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });

  it('unknown routes: 404 in the style of the API family', async () => {
    const own = await single.inject({ url: '/nope', headers: AUTH });
    expect(own.statusCode).toBe(404);
    expect(own.json().error).toMatchObject({ code: 'NOT_FOUND', message: 'Not found: GET /nope' });
    expect((await multi.inject('/v1/nope')).json()).toEqual({ error: 'Not found: GET /v1/nope' });
  });
});

describe('model files', () => {
  it('gzip when accepted, ETag and 304, versioned URLs immutable, unversioned model.json naming weights by version', async () => {
    const plain = await multi.inject('/models/demo/versions/2/weights.bin');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('application/octet-stream');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const etag = plain.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect((await multi.inject({ url: '/models/demo/versions/2/weights.bin', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    const json = await multi.inject({ url: '/models/demo/model.json', headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
    expect(json.headers['content-encoding']).toBe('gzip');
    expect(json.headers['cache-control']).toBe('no-cache');
    const body = JSON.parse(gunzipSync(json.rawPayload).toString());
    expect(body.weightsManifest[0].paths).toEqual(['versions/2/weights.bin']);
    const refused = await multi.inject({ url: '/models/demo/model.json', headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.body).weightsManifest[0].paths).toEqual(['versions/2/weights.bin']);
  });

  it.each([
    '/models/demo/mlctl.json',
    '/models/demo/..%2f..%2fetc%2fpasswd',
    '/models/demo/versions/2/%2e%2e/%2e%2e/secret',
    '/models/demo/versions/1/model.json',
    '/models/nope/model.json',
  ])('GET %s → 404, nothing outside the loaded files', async (url) => {
    const res: LightMyRequestResponse = await multi.inject(url);
    expect(res.statusCode).toBe(404);
  });
});

describe('metrics', () => {
  const scrape = async () => (await single.inject({ url: '/metrics', headers: AUTH })).body;
  const value = (text: string, line: string) =>
    Number(new RegExp(`^${line.replace(/[{}"()[\].+]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

  it('requests by route and code, latency histogram, predictions by class, feature drift', async () => {
    const rows = [ROW, ROW, { ...ROW, a: -40, color: 'blue', flag: false }];
    const yes = rows.filter((r) => pYes(r) > 0.5).length;
    const before = await scrape();
    await post(single, '/predict', { input_data: rows }, AUTH);
    await post(single, '/predict', { input_data: [] }, AUTH);
    const res = await single.inject({ url: '/metrics', headers: AUTH });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    const text = res.body;
    const delta = (line: string) => value(text, line) - value(before, line);
    expect(delta('mlctl_http_requests_total{route="predict",code="200",model="demo",version="1"}')).toBe(1);
    expect(delta('mlctl_http_requests_total{route="predict",code="400",model="demo",version="1"}')).toBe(1);
    expect(delta('mlctl_http_request_duration_seconds_count{route="predict",model="demo",version="1"}')).toBe(2);
    expect(text).toMatch(/^mlctl_http_request_duration_seconds_bucket\{route="predict",model="demo",version="1",le="\+Inf"\} \d+$/m);
    expect(delta('mlctl_predictions_total{model="demo",version="1",class="yes"}')).toBe(yes);
    expect(delta('mlctl_predictions_total{model="demo",version="1",class="no"}')).toBe(3 - yes);
    expect(delta('mlctl_batch_size_count{model="demo",version="1"}')).toBe(1);
    expect(value(text, 'mlctl_feature_train_mean{model="demo",version="1",feature="a"}')).toBe(1);
    // the window holds every row predicted so far by this app: a = 3 everywhere but one
    const shift = value(text, 'mlctl_feature_drift{model="demo",version="1",feature="a"}');
    const live = value(text, 'mlctl_feature_live_mean{model="demo",version="1",feature="a"}');
    expect(live).toBeCloseTo(1 + 2 * shift, 5);
    expect(text).toMatch(/^mlctl_feature_category_share\{model="demo",version="1",feature="color",category="red"\} 0\.\d+$/m);
    expect(value(text, 'mlctl_servable_info{model="demo",version="1",backend="fake",fast_path="on",batching="off"}')).toBe(1);
  });
});
