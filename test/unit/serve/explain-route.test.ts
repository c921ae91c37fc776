/**
 * `POST /v1/models/NAME[/versions/N|/labels/L]:explain` through fastify's inject(): the same
 * bodies and validation as :predict, its own row limit (--explain-max-rows), auth; the
 * predictions it returns equal :predict's. Fake servables cover the route's shape and every
 * client mistake; a real trained version (the synthetic table, through the real loader) covers
 * completeness of what the server returns and the raw-column sums.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApp, type AppOptions } from '../../../src/serve/app.js';
import { ServeMetrics } from '../../../src/serve/metrics.js';
import { ServableManager } from '../../../src/serve/servable-manager.js';
import { createServableLoader } from '../../../src/serve/load-servable.js';
import { Registry } from '../../../src/registry/registry.js';
import { train } from '../../../src/lifecycle/train.js';
import { fakeRegressionSignature, fakeServable, type FakeServable } from '../../helpers/fake-servable.js';
import { syntheticCsv } from '../../helpers/synthetic-table.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

async function appWith(servables: FakeServable[], options: Partial<AppOptions> = {}, aliases: Record<string, Record<string, number>> = {}) {
  const byKey = new Map(servables.map((s) => [`${s.model}/${s.version}`, s]));
  const manager = new ServableManager({ load: async (m, v) => byKey.get(`${m}/${v}`)! });
  for (const s of servables) await manager.aspire({ model: s.model, version: s.version, aliases: aliases[s.model] ?? {} });
  const metrics = new ServeMetrics({ serving: () => manager.available(), processMetrics: false });
  const app = await createApp({
    manager,
    metrics,
    bodyLimit: 4096,
    maxRows: 5,
    explainMaxRows: 2,
    maxBatchSize: 1,
    batchTimeoutMs: 0,
    ...options,
  });
  return { app, metrics };
}

const post = (app: FastifyInstance, url: string, body: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

const ROW = { a: 3, b: -0.5, color: 'red', flag: true };
const OTHER = { a: -9, b: 0, color: 'blue', flag: false };

interface Explanation {
  explained: string;
  prediction: number;
  baseline_prediction: number;
  attributions: Record<string, number>;
  completeness_error: number;
  steps: number;
}

let app: FastifyInstance;
let metrics: ServeMetrics;
let demo: FakeServable;
beforeAll(async () => {
  demo = fakeServable({ model: 'demo', version: 2 });
  ({ app, metrics } = await appWith(
    [
      demo,
      fakeServable({ model: 'price', version: 1, signature: fakeRegressionSignature() }),
      fakeServable({ model: 'raw', version: 1, signature: null, inputShape: [3], outputShape: [2] }),
    ],
    { token: 's3cret' },
    { demo: { stable: 2 } },
  ));
});
afterAll(async () => app.close());

const AUTH = { authorization: 'Bearer s3cret' };

describe('POST /v1/models/NAME:explain (fake servables)', () => {
  it('returns the :predict predictions plus per-feature attributions, for instances and for columnar inputs', async () => {
    const predicted = await post(app, '/v1/models/demo:predict', { instances: [ROW, OTHER] }, AUTH);
    const res = await post(app, '/v1/models/demo:explain', { instances: [ROW, OTHER] }, AUTH);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { predictions: number[][]; explanation: unknown; explanations: Explanation[] };
    expect(body.predictions).toEqual(predicted.json().predictions);
    expect(body.explanation).toEqual({ method: 'integrated-gradients', baseline: 'signature', unit: 'probability', tolerance: 0.01 });
    expect(body.explanations).toHaveLength(2);
    expect(body.explanations.map((e) => e.explained)).toEqual(['yes', 'no']);
    for (const [i, e] of body.explanations.entries()) {
      expect(Object.keys(e.attributions)).toEqual(['a', 'b', 'color', 'flag']);
      const sum = Object.values(e.attributions).reduce((x, y) => x + y, 0);
      expect(sum).toBeCloseTo(e.prediction - e.baseline_prediction, 5);
      expect(e.prediction).toBeCloseTo(Math.max(...body.predictions[i]), 6);
    }
    expect(demo.explained.at(-1)).toBe(2);

    const columnar = await post(
      app,
      '/v1/models/demo/versions/2:explain',
      { inputs: { a: [3], b: [-0.5], color: ['red'], flag: [true] } },
      AUTH,
    );
    expect(columnar.statusCode).toBe(200);
    expect(columnar.json().outputs).toEqual([body.predictions[0]]);
    expect(columnar.json().explanations[0].attributions).toEqual(body.explanations[0].attributions);
    const labelled = await post(app, '/v1/models/demo/labels/stable:explain', { instances: [ROW] }, AUTH);
    expect(labelled.json().explanations[0]).toEqual(body.explanations[0]);
  });

  it('explains a regressor in the target units, and a version without a signature per input element', async () => {
    const price = await post(app, '/v1/models/price:explain', { instances: [[20]] }, AUTH);
    expect(price.json().predictions).toEqual([[120]]);
    expect(price.json().explanations[0]).toMatchObject({
      explained: 'y',
      prediction: 120,
      baseline_prediction: 100,
      attributions: { x: 20 },
    });
    const raw = await post(app, '/v1/models/raw:explain', { instances: [[1, 2, 3]] }, AUTH);
    expect(raw.statusCode).toBe(200);
    expect(raw.json().explanation.baseline).toBe('zeros');
    expect(Object.keys(raw.json().explanations[0].attributions)).toEqual(['x1', 'x2', 'x3']);
  });

  it('has its own row limit (--explain-max-rows), separate from --max-rows', async () => {
    const three = { instances: [ROW, ROW, ROW] };
    expect((await post(app, '/v1/models/demo:predict', three, AUTH)).statusCode).toBe(200);
    const res = await post(app, '/v1/models/demo:explain', three, AUTH);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: '"instances" has 3 rows; this server accepts at most 2 per request (--explain-max-rows).' });
    const cols = await post(
      app,
      '/v1/models/demo:explain',
      { inputs: { a: [1, 2, 3], b: [1, 2, 3], color: ['red', 'red', 'red'], flag: [1, 0, 1] } },
      AUTH,
    );
    expect(cols.json()).toEqual({ error: '"inputs" has 3 rows; this server accepts at most 2 per request (--explain-max-rows).' });
  });

  const BAD: [string, string, unknown, number, string][] = [
    ['a body that is not an object', 'demo', [ROW], 400, 'Request body must be a JSON object with "instances" or "inputs".'],
    ['neither instances nor inputs', 'demo', { rows: [ROW] }, 400, 'Missing "instances" or "inputs" in the request body.'],
    [
      'both instances and inputs',
      'demo',
      { instances: [ROW], inputs: [ROW] },
      400,
      'Send either "instances" (row format) or "inputs" (columnar format), not both.',
    ],
    [
      'another signature name',
      'demo',
      { signature_name: 'other', instances: [ROW] },
      400,
      'Serving signature name: "other" not found in signature def; the model has "serving_default".',
    ],
    ['no rows', 'demo', { instances: [] }, 400, '"instances" is empty: send at least one row.'],
    [
      'wrong number of features',
      'demo',
      { instances: [[3, -0.5, 'red']] },
      400,
      'Row 1 has 3 values; the model needs 4 (a, b, color, flag).',
    ],
    ['a non-numeric value', 'demo', { instances: [{ ...ROW, b: 'abc' }] }, 400, 'Row 1, feature "b": "abc" is not a number.'],
    [
      'an unknown category',
      'demo',
      { instances: [{ ...ROW, color: 'purple' }] },
      400,
      'Row 1, feature "color": "purple" is not a category the model knows (blue, green, red).',
    ],
    [
      'an unknown model',
      'nope',
      { instances: [ROW] },
      404,
      'Servable not found for request: Latest(nope): model "nope" is not served here.',
    ],
    ['a raw row of the wrong shape', 'raw', { instances: [[1, 2]] }, 400, 'Row 1: expected 3 values (input shape [3]), got 2 values.'],
  ];
  for (const [what, model, body, status, message] of BAD) {
    it(`rejects ${what} with ${status}, as :predict does`, async () => {
      const res = await post(app, `/v1/models/${model}:explain`, body, AUTH);
      const predict = await post(app, `/v1/models/${model}:predict`, body, AUTH);
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ error: message });
      expect(predict.json()).toEqual(res.json());
    });
  }

  it('needs the token, answers GET with "use POST", and counts requests under its own route', async () => {
    const none = await post(app, '/v1/models/demo:explain', { instances: [ROW] });
    expect(none.statusCode).toBe(401);
    const get = await app.inject({ method: 'GET', url: '/v1/models/demo:explain', headers: AUTH });
    expect(get.statusCode).toBe(400);
    expect(get.json()).toEqual({ error: 'Use POST for :explain.' });
    expect(await metrics.text()).toMatch(/mlctl_http_requests_total\{route="tfs_explain",code="200",model="demo",version="2"\} \d+/);
  });
});

describe('POST :explain on a real trained version', () => {
  let work: string;
  let real: FastifyInstance;
  beforeAll(async () => {
    work = await makeTmpDir('mlctl-explain-route-');
    const registry = new Registry(path.join(work, 'model-registry'));
    const csv = path.join(work, 'synthetic.csv');
    await writeFile(csv, syntheticCsv(400, 3));
    await train({ registry, source: csv, target: 'label', name: 'synth', settings: { epochs: 30, seed: 2, hidden: [12] }, backend: 'cpu' });
    const manager = new ServableManager({ load: createServableLoader({ registry, backend: 'cpu' }) });
    await manager.aspire({ model: 'synth', version: 1, aliases: {} });
    const m = new ServeMetrics({ serving: () => manager.available(), processMetrics: false });
    real = await createApp({ manager, metrics: m, bodyLimit: 65536, maxRows: 100, explainMaxRows: 10, maxBatchSize: 1, batchTimeoutMs: 0 });
  }, 120_000);
  afterAll(async () => {
    await real?.close();
    await removeTmpDir(work);
  });

  it('answers attributions on raw columns that sum to prediction − baseline prediction within 1%', async () => {
    const rows = [
      {
        income: 1.2,
        debt: -0.3,
        age: 40,
        region: 'north',
        height: 170,
        score: 0,
        colour: 'red',
        visits: 3,
        member: 'no',
        signup: '2022-05-01',
      },
      {
        income: -1,
        debt: 0.8,
        age: 30,
        region: 'south',
        height: 160,
        score: 1,
        colour: 'blue',
        visits: 9,
        member: 'yes',
        signup: '2023-01-09',
      },
      { income: 0.1, debt: 0.1, age: 50, region: 'east', height: 180, score: -1, colour: 'green', visits: 0, member: 'no', signup: null },
    ];
    const res = await post(real, '/v1/models/synth:explain', { instances: rows });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { predictions: number[][]; explanation: { baseline: string }; explanations: Explanation[] };
    expect(body.explanation.baseline).toBe('training-means');
    const predicted = (await post(real, '/v1/models/synth:predict', { instances: rows })).json().predictions as number[][];
    body.explanations.forEach((e, i) => {
      expect(Object.keys(e.attributions)).toHaveLength(10);
      const sum = Object.values(e.attributions).reduce((x, y) => x + y, 0);
      const delta = e.prediction - e.baseline_prediction;
      expect(Math.abs(sum - delta)).toBeLessThanOrEqual(0.01 * Math.max(Math.abs(delta), 1e-3));
      expect(e.completeness_error).toBeLessThanOrEqual(0.01);
      expect(e.prediction).toBeCloseTo(Math.max(...predicted[i]), 4);
    });
  });
});
