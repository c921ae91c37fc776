/**
 * `mlctl serve` end to end: the built CLI on 127.0.0.1 with an ephemeral port, in temp registries.
 * Every endpoint and its shape, every bad-input case with its status and message, token auth,
 * stock `tf.loadLayersModel(url)` from the server, an alias moved under a request loop (zero
 * failures), a corrupt new version (the old one keeps serving), SIGTERM with slow requests in
 * flight (all complete), and --workers 2 with a worker killed. Request counts and times are bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, cp, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { loadTf } from '../../src/engine/tf.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { publishDir } from '../helpers/registry-fixture.js';
import { getJson, postJson, startServe, type ServeProcess } from '../helpers/serve-process.js';

let work: string;
let reg: string;
const TOKEN = 'e2e-secret-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.1, 4.7, 1.5],
  [6.3, 3.3, 6.0, 2.5],
];
/** what `mlctl predict` answers for ROWS, per version */
const expected: Record<number, { label: string; probabilities: Record<string, number> }[]> = {};

beforeAll(async () => {
  work = await makeTmpDir('mlctl-serve-e2e-');
  reg = path.join(work, 'reg');
  const t1 = await runCli(['train', 'iris', '--registry', reg, '--json'], { cwd: work });
  expect(t1.code, t1.stderr).toBe(0);
  const t2 = await runCli(['train', 'iris', '--hidden', '8', '--seed', '7', '--epochs', '60', '--registry', reg, '--json'], { cwd: work });
  expect(t2.code, t2.stderr).toBe(0);
  const a = await runCli(['version', 'alias', 'iris', 'production', '1', '--registry', reg], { cwd: work });
  expect(a.code, a.stderr).toBe(0);
  await writeFile(
    path.join(work, 'rows.json'),
    JSON.stringify(
      ROWS.map(([sepal_length, sepal_width, petal_length, petal_width]) => ({ sepal_length, sepal_width, petal_length, petal_width })),
    ),
  );
  for (const v of [1, 2]) {
    const p = await runCli(['predict', 'iris', '--version', String(v), '--input', 'rows.json', '--registry', reg, '--json'], { cwd: work });
    expect(p.code, p.stderr).toBe(0);
    expected[v] = p.json().predictions;
  }
}, 180_000);

afterAll(async () => removeTmpDir(work));

function expectSamePredictions(got: { label: string; probabilities: Record<string, number> }[], want: typeof got): void {
  expect(got.map((p) => p.label)).toEqual(want.map((p) => p.label));
  got.forEach((p, i) => {
    for (const [k, v] of Object.entries(want[i].probabilities)) expect(p.probabilities[k]).toBeCloseTo(v, 5);
  });
}

describe('mlctl serve iris --alias production --token … --cors …', () => {
  let server: ServeProcess;

  beforeAll(async () => {
    server = await startServe(['iris', '--alias', 'production', '--registry', reg, '--cors', 'https://app.example'], {
      cwd: work,
      env: { MLCTL_TOKEN: TOKEN },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('starts on 127.0.0.1 with an ephemeral port and says what it serves', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(server.url.split(':')[2])).toBeGreaterThan(0);
    expect(server.startup).toMatchObject({ workers: 1, watching: true, auth: true, policy: { kind: 'alias', alias: 'production' } });
    expect(server.startup.models).toHaveLength(1);
    const m = server.startup.models[0];
    expect(m).toMatchObject({ model: 'iris', version: 1, fastPath: { enabled: true, checkSource: 'test-split', checkRows: 30 } });
    expect(['wasm', 'cpu', 'tensorflow']).toContain(m.backend);
    expect(m.fastPath.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it('every endpoint answers in its shape, with the same predictions as mlctl predict', async () => {
    const u = server.url;
    const predict = await postJson(`${u}/predict`, { input_data: ROWS }, AUTH);
    expect(predict.status).toBe(200);
    expect(predict.body.model).toBe('iris');
    expect(predict.body.version).toBe(1);
    expectSamePredictions(predict.body.predictions, expected[1]);
    const named = await postJson(
      `${u}/predict`,
      { input_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] },
      AUTH,
    );
    expectSamePredictions(named.body.predictions, expected[1].slice(0, 1));

    const classes = Object.keys(expected[1][0].probabilities);
    const tfs = await postJson(`${u}/v1/models/iris/labels/production:predict`, { instances: ROWS }, AUTH);
    expect(tfs.status).toBe(200);
    tfs.body.predictions.forEach((row: number[], i: number) =>
      row.forEach((p, k) => expect(p).toBeCloseTo(expected[1][i].probabilities[classes[k]], 5)),
    );
    const cols = await postJson(
      `${u}/v1/models/iris/versions/1:predict`,
      { inputs: { sepal_length: [5.1], sepal_width: [3.5], petal_length: [1.4], petal_width: [0.2] } },
      AUTH,
    );
    expect(cols.body.outputs[0]).toEqual(tfs.body.predictions[0]);
    expect((await getJson(`${u}/v1/models/iris`, AUTH)).body).toEqual({
      model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
    const meta = (await getJson(`${u}/v1/models/iris/metadata`, AUTH)).body;
    expect(Object.keys(meta.metadata.signature_def.signature_def.serving_default.inputs)).toEqual([
      'sepal_length',
      'sepal_width',
      'petal_length',
      'petal_width',
    ]);
    expect(meta.metadata.mlctl.signature.target.classes).toEqual(classes);

    const oip = await postJson(
      `${u}/v2/models/iris/infer`,
      { id: 'x1', inputs: [{ name: 'input', shape: [3, 4], datatype: 'FP32', data: ROWS.flat() }] },
      AUTH,
    );
    expect(oip.status).toBe(200);
    expect(oip.body).toMatchObject({ model_name: 'iris', model_version: '1', id: 'x1' });
    expect(oip.body.outputs[1]).toEqual({ name: 'label', datatype: 'BYTES', shape: [3], data: expected[1].map((p) => p.label) });
    expect(oip.body.outputs[0].shape).toEqual([3, classes.length]);
    expect((await getJson(`${u}/v2`, AUTH)).body).toMatchObject({ name: 'mlctl', extensions: [] });
    expect((await getJson(`${u}/v2/models/iris`, AUTH)).body).toMatchObject({
      name: 'iris',
      versions: ['1'],
      platform: 'tensorflowjs_layers',
    });
    expect((await getJson(`${u}/v2/models/iris/ready`, AUTH)).body).toEqual({ name: 'iris', ready: true });
    expect((await getJson(`${u}/v2/health/live`)).body).toEqual({ live: true });
    expect((await getJson(`${u}/v2/health/ready`)).body).toEqual({ ready: true });
    expect((await getJson(`${u}/healthz`)).body).toEqual({ status: 'ok' });
    expect((await getJson(`${u}/readyz`)).body).toEqual({ ready: true, models: [{ model: 'iris', version: 1 }] });

    const metrics = await getJson(`${u}/metrics`, AUTH);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^mlctl_http_requests_total\{route="predict",code="200",model="iris",version="1"\} [1-9]/m);
    expect(metrics.body).toMatch(/^mlctl_feature_drift\{model="iris",version="1",feature="petal_width"\} -?\d/m);
    expect(metrics.body).toMatch(/^mlctl_predictions_total\{model="iris",version="1",class="setosa"\} [1-9]/m);
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+/m);
    // one access-log line per request (JSON on stderr)
    const access = await server.waitForLog(/^request$/);
    expect(access).toMatchObject({ level: 30, method: 'POST', url: '/predict', status: 200, model: 'iris', version: '1', rows: 3 });
    expect(typeof access.ms).toBe('number');
  });

  const BAD: [string, unknown, number, string][] = [
    [
      'wrong number of features',
      { input_data: [5.1, 3.5, 1.4] },
      400,
      'Row 1 has 3 values; the model needs 4 (sepal_length, sepal_width, petal_length, petal_width).',
    ],
    [
      'a missing named feature',
      { input_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4 }] },
      400,
      'Row 1: feature "petal_width" is missing; the model\'s features are: sepal_length, sepal_width, petal_length, petal_width.',
    ],
    [
      'an unknown named feature',
      { input_data: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_widht: 0.2 }] },
      400,
      'Row 1: unknown feature "petal_widht"; the model\'s features are: sepal_length, sepal_width, petal_length, petal_width.',
    ],
    [
      'a non-numeric value',
      { input_data: [ROWS[0], [5.1, 'wide', 1.4, 0.2]] },
      400,
      'Row 2, feature "sepal_width": "wide" is not a number.',
    ],
    [
      'a non-finite value',
      '{"input_data": [[5.1, 3.5, 1e400, 0.2]]}',
      400,
      'Row 1, feature "petal_length": Infinity is not a finite number.',
    ],
    ['an empty batch', { input_data: [] }, 400, '"input_data" is empty: send at least one row.'],
    [
      'too many rows',
      { input_data: Array(1001).fill(ROWS[0]) },
      400,
      '"input_data" has 1001 rows; this server accepts at most 1000 per request (--max-rows).',
    ],
    [
      'a body over --body-limit',
      { input_data: Array(900).fill(ROWS[0]), pad: 'x'.repeat(1024 * 1024) },
      413,
      'Request body is larger than the 1048576-byte limit (--body-limit).',
    ],
  ];
  it.each(BAD)('%s: status and message', async (_name, body, status, message) => {
    const res = await postJson(`${server.url}/predict`, body, AUTH);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
  });

  it('malformed JSON (400), a wrong content type (415), an unknown category (400, on a model with categories: see inject tests)', async () => {
    const bad = await postJson(`${server.url}/predict`, '{"input_data": [5.1, 3.5,', AUTH);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^Request body is not valid JSON: /);
    const res = await fetch(`${server.url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'text/csv' },
      body: '5.1,3.5,1.4,0.2',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ error: 'Content-Type must be application/json, got "text/csv".' });
    // the server is still fine after every client mistake
    expect((await postJson(`${server.url}/predict`, { input_data: ROWS[0] }, AUTH)).status).toBe(200);
  });

  it('token auth: 401 without or with a wrong token, except on health endpoints', async () => {
    const none = await postJson(`${server.url}/predict`, { input_data: ROWS[0] });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await postJson(`${server.url}/v2/models/iris/infer`, {}, { authorization: 'Bearer nope' })).body).toEqual({
      error: 'The bearer token is not valid.',
    });
    expect((await getJson(`${server.url}/metrics`)).status).toBe(401);
    expect((await getJson(`${server.url}/models/iris/model.json`)).status).toBe(401);
    expect((await getJson(`${server.url}/healthz`)).status).toBe(200);
    expect((await getJson(`${server.url}/readyz`)).status).toBe(200);
  });

  it('stock tf.loadLayersModel(url) loads the model files from the server and predicts the same', async () => {
    const { tf } = await loadTf('cpu');
    const model = await tf.loadLayersModel(`${server.url}/models/iris/model.json`, { requestInit: { headers: AUTH } });
    const meta = (await getJson(`${server.url}/v1/models/iris/metadata`, AUTH)).body.metadata.mlctl.signature;
    const x = ROWS.map((row) => row.map((v, j) => (v - meta.features[j].mean) / meta.features[j].std));
    const out = (await (model.predict(tf.tensor2d(x)) as import('@tensorflow/tfjs').Tensor).array()) as number[][];
    const classes: string[] = meta.target.classes;
    out.forEach((row, i) => row.forEach((p, k) => expect(p).toBeCloseTo(expected[1][i].probabilities[classes[k]], 5)));
    model.dispose();
    // the browser side of it: CORS, gzip, ETag
    const res = await fetch(`${server.url}/models/iris/versions/1/model.json`, { headers: { ...AUTH, origin: 'https://app.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('content-encoding')).toBe('gzip'); // fetch asks for gzip and decodes it
    const etag = res.headers.get('etag')!;
    await res.arrayBuffer();
    expect((await fetch(`${server.url}/models/iris/versions/1/model.json`, { headers: { ...AUTH, 'if-none-match': etag } })).status).toBe(
      304,
    );
  });

  it('an alias moved while a request loop runs: zero failed requests, then the new version answers', async () => {
    const failures: string[] = [];
    const versions: number[] = [];
    let moved = false;
    let afterMove = 0;
    const deadline = Date.now() + 20_000;
    const loop = async () => {
      while (Date.now() < deadline && !(moved && afterMove >= 60)) {
        try {
          const r = await postJson(`${server.url}/predict`, { input_data: ROWS }, AUTH);
          if (r.status !== 200) failures.push(`${r.status} ${JSON.stringify(r.body)}`);
          else {
            versions.push(r.body.version);
            if (r.body.version === 2) {
              afterMove++;
              expectSamePredictions(r.body.predictions, expected[2]);
            }
          }
        } catch (e) {
          failures.push(String(e));
        }
      }
    };
    const loops = Promise.all([loop(), loop(), loop(), loop()]);
    await new Promise((r) => setTimeout(r, 300));
    const before = versions.length;
    const mv = await runCli(['version', 'alias', 'iris', 'production', '2', '--force', '--registry', reg], { cwd: work });
    expect(mv.code, mv.stderr).toBe(0);
    moved = true;
    await loops;
    expect(failures).toEqual([]);
    expect(before).toBeGreaterThan(0);
    expect(afterMove).toBeGreaterThanOrEqual(60);
    // once v2 answered, v1 never did again
    expect(versions.slice(versions.indexOf(2)).every((v) => v === 2)).toBe(true);
    await server.waitForLog(/^unloaded iris v1$/);
    expect(
      (await getJson(`${server.url}/v1/models/iris`, AUTH)).body.model_version_status.map((s: { version: string; state: string }) => [
        s.version,
        s.state,
      ]),
    ).toEqual([
      ['2', 'AVAILABLE'],
      ['1', 'END'],
    ]);
  }, 60_000);

  it('SIGTERM while slow requests are in flight: all complete, new connections are refused, exit 0', async () => {
    const port = Number(server.url.split(':')[2]);
    const body = JSON.stringify({ input_data: ROWS });
    // five clients that have sent their headers and half of their bodies: requests in flight
    const inFlight = Array.from({ length: 5 }, () => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/predict',
        headers: { ...AUTH, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      const done = new Promise<{ status: number; body: any }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on('error', reject);
      });
      req.write(body.slice(0, 10));
      return { req, done };
    });
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    await server.waitForLog(/^SIGTERM: draining/);
    // no new connections
    const refused = await fetch(`${server.url}/healthz`).then(
      () => 'accepted',
      (e) => String(e.cause?.code ?? e),
    );
    expect(refused).toBe('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 300));
    for (const f of inFlight) f.req.end(body.slice(10));
    const results = await Promise.all(inFlight.map((f) => f.done));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    results.forEach((r) => expectSamePredictions(r.body.predictions, expected[2]));
    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(server.logs().some((l) => /^drained in \d+ ms; stopped$/.test(l.msg))).toBe(true);
  }, 60_000);
});

describe('mlctl serve (latest) when a new version is corrupt', () => {
  let server: ServeProcess;
  let reg2: string;

  beforeAll(async () => {
    reg2 = path.join(work, 'reg-corrupt');
    await cp(reg, reg2, { recursive: true });
    server = await startServe(['iris', '--registry', reg2, '--drain-timeout', '300ms'], { cwd: work });
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('logs the failure, reports it on the status endpoint, and keeps serving the old version', async () => {
    expect(server.startup.models[0].version).toBe(2);
    const files = path.join(work, 'v1-files');
    await mkdir(files, { recursive: true });
    for (const f of ['model.json', 'weights.bin']) await cp(path.join(reg2, 'iris', '1', f), path.join(files, f));
    const signature = (await getJson(`${server.url}/v1/models/iris/metadata`)).body.metadata.mlctl.signature;
    const published = await publishDir(reg2, 'iris', files, { operation: 'train', signature });
    // files changed after publishing: the checksums no longer match
    await appendFile(path.join(published.dir, 'weights.bin'), Buffer.from('corrupt'));
    const failed = await server.waitForLog(/^iris v3 failed to load/);
    expect(failed.msg).toMatch(/weights\.bin.*\(still serving v2\)$/);
    const status = (await getJson(`${server.url}/v1/models/iris`)).body.model_version_status;
    expect(status[0]).toMatchObject({
      version: '3',
      state: 'END',
      status: { error_code: 'INVALID_ARGUMENT', error_message: expect.stringContaining('weights.bin') },
    });
    expect(status[1]).toMatchObject({ version: '2', state: 'AVAILABLE' });
    const res = await postJson(`${server.url}/predict`, { input_data: ROWS });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    expectSamePredictions(res.body.predictions, expected[2]);
    expect((await getJson(`${server.url}/readyz`)).status).toBe(200);
  }, 60_000);

  it('a request still in flight when --drain-timeout runs out is cut off, and the exit code says so', async () => {
    const port = Number(server.url.split(':')[2]);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/predict',
      headers: { 'content-type': 'application/json', 'content-length': 100 },
    });
    const outcome = new Promise<string>((resolve) => {
      req.on('response', (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? String(e)));
    });
    req.write('{"input_data": ['); // and never the rest
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(await outcome).toBe('ECONNRESET');
    expect(server.logs().some((l) => /^drain timed out after 300 ms; 1 request\(s\) cut off$/.test(l.msg))).toBe(true);
  }, 30_000);
});

/** One POST on a fresh connection (so node:cluster hands each request to a worker). */
function postFresh(url: string, body: string): Promise<{ status: number; pid: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/predict`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, pid: 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // a bounded wait: a connection handed to a worker at the moment it dies would otherwise hang
    req.setTimeout(5000, () => req.destroy(new Error('no answer within 5 s')));
    req.end(body);
  });
}

describe('mlctl serve --workers 2', () => {
  it('a killed worker is restarted and the other takes the requests meanwhile; SIGTERM drains both', async () => {
    // TF.js answers here (--fast-path off), coalescing concurrent requests where measured faster
    const server = await startServe(['iris', '--version', '1', '--workers', '2', '--fast-path', 'off', '--registry', reg], { cwd: work });
    try {
      expect(server.startup.workers).toBe(2);
      expect(server.startup.models[0].fastPath).toMatchObject({ enabled: false, reason: 'turned off (--fast-path off)' });
      expect(server.startup.models[0].batching.enabled).toBe(true);
      const tfjs = await postJson(`${server.url}/predict`, { input_data: ROWS });
      expectSamePredictions(tfjs.body.predictions, expected[1]);
      expect(server.startup.workerPids).toHaveLength(2);
      const body = JSON.stringify({ input_data: ROWS[0] });
      const httpErrors: number[] = [];
      const connectionErrors: { at: number; error: string }[] = [];
      let ok = 0;
      let killedAt = 0;
      let stopAt = Date.now() + 15_000;
      const loop = async () => {
        while (Date.now() < stopAt) {
          try {
            const r = await postFresh(server.url, body);
            if (r.status === 200) ok++;
            else httpErrors.push(r.status);
          } catch (e) {
            connectionErrors.push({ at: Date.now(), error: String(e) });
          }
        }
      };
      const loops = Promise.all([loop(), loop(), loop()]);
      await new Promise((r) => setTimeout(r, 500));
      const victim = server.startup.workerPids[0];
      killedAt = Date.now();
      const okBeforeKill = ok;
      process.kill(victim, 'SIGKILL');
      const restarted = await server.waitForLog(/exited \(signal SIGKILL\); started worker/, 30_000);
      expect(restarted.msg).toContain(`pid ${victim}`);
      await server.waitForLog(/^worker 3 \(pid \d+\) ready$/, 60_000);
      const okAtRestart = ok;
      stopAt = Math.min(stopAt, Date.now() + 1000);
      await loops;
      expect(okBeforeKill).toBeGreaterThan(0);
      // the surviving worker answered while the other was down
      expect(okAtRestart).toBeGreaterThan(okBeforeKill);
      expect(ok).toBeGreaterThan(okAtRestart);
      // never an HTTP error; only requests in flight on the killed worker can be lost
      expect(httpErrors).toEqual([]);
      expect(connectionErrors.length).toBeLessThanOrEqual(3);
      for (const e of connectionErrors) expect(e.at - killedAt).toBeLessThan(1000);
      // metrics are merged across both workers
      const metrics = await getJson(`${server.url}/metrics`);
      expect(metrics.body).toMatch(/^mlctl_http_requests_total\{route="predict",code="200",model="iris",version="1"\} \d+/m);
      expect(await server.stop('SIGTERM')).toBe(0);
      for (const pid of server.startup.workerPids) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await server.stop('SIGKILL');
    }
  }, 120_000);
});
