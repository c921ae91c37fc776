/**
 * `mlctl serve --grpc-port` end to end: the built CLI on 127.0.0.1 (ephemeral ports) and a plain
 * grpc-js client of KServe's inference.GRPCInferenceService. Every RPC; FP32 contents and raw
 * contents answering the same as REST /v2/.../infer (and as `mlctl predict`); per-feature BYTES
 * inputs for a model with categories; every error status (INVALID_ARGUMENT, NOT_FOUND,
 * UNAUTHENTICATED, UNAVAILABLE while draining, RESOURCE_EXHAUSTED past --body-limit,
 * DEADLINE_EXCEEDED); a malformed message; token auth; a stream of calls while an alias moves
 * (zero failures); --workers 2. Request counts and times are bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { getJson, postJson, startServe, type ServeProcess } from '../helpers/serve-process.js';
import {
  STATUS,
  grpcClient,
  outputOf,
  rawBytes,
  rawFp32,
  serializeInferRequest,
  type GrpcResult,
  type TestGrpcClient,
} from '../helpers/grpc-client.js';

let work: string;
let reg: string;
const TOKEN = 'grpc-e2e-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.1, 4.7, 1.5],
  [6.3, 3.3, 6.0, 2.5],
];
const CHURN_ROWS = [
  { plan: 'pro', region: 'south', tenure_months: 51, monthly_fee: 81.6, has_support: 1, support_tickets: 8 },
  { plan: 'basic', region: 'north', tenure_months: 3, monthly_fee: 19.98, has_support: 0, support_tickets: 0 },
];
const expected: Record<string, { label: string; probabilities: Record<string, number> }[]> = {};

beforeAll(async () => {
  work = await makeTmpDir('mlctl-grpc-e2e-');
  reg = path.join(work, 'reg');
  const cli = async (args: string[]) => {
    const r = await runCli([...args, '--registry', reg], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  await cli(['train', 'iris', '--json']);
  await cli(['train', 'iris', '--hidden', '8', '--seed', '7', '--epochs', '60', '--json']);
  await cli(['version', 'alias', 'iris', 'production', '1']);
  await copyFile(path.join(REPO_ROOT, 'test/fixtures/churn.csv'), path.join(work, 'churn.csv'));
  await cli(['train', 'churn.csv', '--target', 'churned', '--epochs', '10', '--seed', '3', '--json']);
  await writeFile(
    path.join(work, 'rows.json'),
    JSON.stringify(
      ROWS.map(([sepal_length, sepal_width, petal_length, petal_width]) => ({ sepal_length, sepal_width, petal_length, petal_width })),
    ),
  );
  await writeFile(path.join(work, 'churn-rows.json'), JSON.stringify(CHURN_ROWS));
  for (const v of [1, 2])
    expected[`iris${v}`] = (await cli(['predict', 'iris', '--version', String(v), '--input', 'rows.json', '--json'])).json().predictions;
  expected.churn = (await cli(['predict', 'churn', '--input', 'churn-rows.json', '--json'])).json().predictions;
}, 240_000);

afterAll(async () => removeTmpDir(work));

function ok(r: GrpcResult): any {
  if (r.code !== 0) throw new Error(`gRPC call failed: ${r.code} ${(r as { details: string }).details}`);
  return r.value;
}

function expectError(r: GrpcResult, code: number, details: string | RegExp): void {
  expect(r.code, JSON.stringify(r)).toBe(code);
  const got = (r as { details: string }).details;
  if (typeof details === 'string') expect(got).toBe(details);
  else expect(got).toMatch(details);
}

/** label and probability rows of a ModelInferResponse vs `mlctl predict`'s answer */
function expectSameAsPredict(response: any, want: { label: string; probabilities: Record<string, number> }[]): void {
  expect(outputOf(response, 'label')).toEqual(want.map((p) => p.label));
  const probs = outputOf(response, 'probabilities') as number[];
  const classes = Object.keys(want[0].probabilities);
  want.forEach((p, r) => classes.forEach((c, k) => expect(probs[r * classes.length + k]).toBeCloseTo(p.probabilities[c], 5)));
}

const fp32Input = (rows: number[][]) => ({
  name: 'input',
  datatype: 'FP32',
  shape: [rows.length, rows[0].length],
  contents: { fp32_contents: rows.flat() },
});

describe('mlctl serve iris --alias production --grpc-port 0 --token …', () => {
  let server: ServeProcess;
  let client: TestGrpcClient;

  beforeAll(async () => {
    server = await startServe(['iris', '--alias', 'production', '--grpc-port', '0', '--registry', reg], {
      cwd: work,
      env: { MLCTL_TOKEN: TOKEN },
    });
    client = grpcClient(server.startup.grpc, TOKEN);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await server?.stop('SIGKILL');
  });

  it('announces the gRPC address beside the HTTP one', () => {
    expect(server.startup.grpc).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
    expect(server.startup.grpc).not.toBe(server.url.replace('http', 'grpc'));
  });

  it('every RPC answers in its shape', async () => {
    expect(ok(await client.call('ServerLive', {}, { token: null }))).toEqual({ live: true });
    expect(ok(await client.call('ServerReady', {}, { token: null }))).toEqual({ ready: true });
    expect(ok(await client.call('ModelReady', { name: 'iris' }))).toEqual({ ready: true });
    expect(ok(await client.call('ModelReady', { name: 'iris', version: '1' }))).toEqual({ ready: true });
    expect(ok(await client.call('ModelReady', { name: 'iris', version: '2' }))).toEqual({ ready: false });
    const meta = ok(await client.call('ServerMetadata', {}));
    expect(meta).toMatchObject({ name: 'mlctl', extensions: [] });
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+/);
    const model = ok(await client.call('ModelMetadata', { name: 'iris' }));
    // the same document as REST GET /v2/models/iris
    const rest = await getJson(`${server.url}/v2/models/iris`, AUTH);
    expect(model).toEqual(rest.body);
    expect(model).toEqual({
      name: 'iris',
      versions: ['1'],
      platform: 'tensorflowjs_layers',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
      ],
    });
    const infer = ok(await client.call('ModelInfer', { model_name: 'iris', id: 'g1', inputs: [fp32Input(ROWS)] }));
    expect(infer).toMatchObject({ model_name: 'iris', model_version: '1', id: 'g1', raw_output_contents: [] });
    expect(infer.outputs.map((o: any) => [o.name, o.datatype, o.shape])).toEqual([
      ['probabilities', 'FP32', [3, 3]],
      ['label', 'BYTES', [3]],
    ]);
    expectSameAsPredict(infer, expected.iris1);
  });

  it('FP32 contents, raw contents and REST /v2/models/iris/infer give the same answer', async () => {
    const contents = ok(await client.call('ModelInfer', { model_name: 'iris', inputs: [fp32Input(ROWS)] }));
    const raw = ok(
      await client.call('ModelInfer', {
        model_name: 'iris',
        inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 4] }],
        raw_input_contents: [rawFp32(ROWS.flat())],
      }),
    );
    // raw in, raw out
    expect(raw.raw_output_contents).toHaveLength(2);
    expect(raw.outputs.every((o: any) => o.contents === null)).toBe(true);
    const rest = await postJson(
      `${server.url}/v2/models/iris/infer`,
      { inputs: [{ name: 'input', shape: [3, 4], datatype: 'FP32', data: ROWS.flat() }] },
      AUTH,
    );
    expect(rest.status).toBe(200);
    const restOut = (name: string) => rest.body.outputs.find((o: any) => o.name === name).data;
    for (const response of [contents, raw]) {
      expect(outputOf(response, 'label')).toEqual(restOut('label'));
      // REST answers doubles; gRPC FP32: equal to float precision
      (outputOf(response, 'probabilities') as number[]).forEach((p, i) => expect(p).toBeCloseTo(restOut('probabilities')[i], 6));
    }
    expect(outputOf(raw, 'probabilities')).toEqual(outputOf(contents, 'probabilities'));
    // FP64 values and per-feature tensors are read too
    const perFeature = ok(
      await client.call('ModelInfer', {
        model_name: 'iris',
        outputs: [{ name: 'label' }],
        inputs: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name, j) => ({
          name,
          datatype: 'FP64',
          shape: [3],
          contents: { fp64_contents: ROWS.map((r) => r[j]) },
        })),
      }),
    );
    expect(perFeature.outputs.map((o: any) => o.name)).toEqual(['label']);
    expect(outputOf(perFeature, 'label')).toEqual(restOut('label'));
  });

  it('INVALID_ARGUMENT for a bad tensor, with the REST message', async () => {
    const badShape = { model_name: 'iris', inputs: [{ ...fp32Input(ROWS), shape: [3, 5] }] };
    const grpcBad = await client.call('ModelInfer', badShape);
    expect(grpcBad.code).toBe(STATUS.INVALID_ARGUMENT);
    const restBad = await postJson(
      `${server.url}/v2/models/iris/infer`,
      { inputs: [{ name: 'input', shape: [3, 5], datatype: 'FP32', data: Array(15).fill(1) }] },
      AUTH,
    );
    expect(restBad.status).toBe(400);
    // the per-input message is shared, except the count (15 values sent over REST, 12 in contents)
    const cases: [unknown, string | RegExp][] = [
      [{ model_name: 'iris', inputs: [{ ...fp32Input(ROWS), datatype: 'FLOAT' }] }, /^Input "input": "datatype" must be one of BOOL, /],
      [
        { model_name: 'iris', inputs: [{ ...fp32Input(ROWS), shape: [3, 5] }] },
        'Input "input": shape [3, 5] holds 15 values but contents.fp32_contents has 12.',
      ],
      [
        { model_name: 'iris', inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 4], contents: { fp64_contents: ROWS.flat() } }] },
        'Input "input": datatype FP32 takes its values in contents.fp32_contents, got contents.fp64_contents.',
      ],
      [
        {
          model_name: 'iris',
          inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 4] }],
          raw_input_contents: [rawFp32(ROWS.flat()).subarray(0, 40)],
        },
        'Input "input": raw contents hold 40 bytes but shape [3, 4] of FP32 needs 48 (12 × 4).',
      ],
      [
        { model_name: 'iris', inputs: [fp32Input(ROWS)], raw_input_contents: [rawFp32(ROWS.flat())] },
        'Input "input": values in both contents.fp32_contents and raw_input_contents; use one or the other.',
      ],
      [
        { model_name: 'iris', inputs: [fp32Input(ROWS), fp32Input(ROWS)], raw_input_contents: [rawFp32(ROWS.flat())] },
        '"raw_input_contents" has 1 entries but the request has 2 inputs; give one per input, in the same order.',
      ],
      [{ model_name: 'iris', inputs: [] }, '"inputs" must be a non-empty list of tensors ({name, shape, datatype, data}).'],
      [
        { model_name: 'iris', inputs: [fp32Input(ROWS)], outputs: [{ name: 'logits' }] },
        'Unknown output "logits"; this model\'s outputs are: probabilities, label.',
      ],
      [
        { model_name: 'iris', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, NaN, 4] } }] },
        'Input "input", value 2: NaN is not a finite number (datatype FP32).',
      ],
      [{ model_name: '', inputs: [fp32Input(ROWS)] }, 'The request names no model.'],
    ];
    for (const [request, details] of cases) expectError(await client.call('ModelInfer', request), STATUS.INVALID_ARGUMENT, details);
    // the same validation as REST, word for word
    const restSame = await postJson(`${server.url}/v2/models/iris/infer`, { inputs: [] }, AUTH);
    expect(restSame.body.error).toBe('"inputs" must be a non-empty list of tensors ({name, shape, datatype, data}).');
    // a message that does not decode: INVALID_ARGUMENT, and the server keeps serving
    expectError(
      await client.callRaw('ModelInfer', Buffer.from([0x2a, 0x03, 0x0a, 0x01])),
      STATUS.INVALID_ARGUMENT,
      /^The request is not a valid ModelInferRequest message: /,
    );
    expect(ok(await client.call('ServerLive', {}))).toEqual({ live: true });
  });

  it('NOT_FOUND for an unknown model or version; UNAUTHENTICATED without the token', async () => {
    expectError(
      await client.call('ModelInfer', { model_name: 'nope', inputs: [fp32Input(ROWS)] }),
      STATUS.NOT_FOUND,
      'Servable not found for request: Latest(nope): model "nope" is not served here.',
    );
    const rest = await postJson(`${server.url}/v2/models/nope/infer`, { inputs: [] }, AUTH);
    expect(rest.body.error).toBe('Servable not found for request: Latest(nope): model "nope" is not served here.');
    expectError(
      await client.call('ModelInfer', { model_name: 'iris', model_version: '9', inputs: [fp32Input(ROWS)] }),
      STATUS.NOT_FOUND,
      'Servable not found for request: Specific(iris, 9).',
    );
    expectError(
      await client.call('ModelMetadata', { name: 'iris', version: 'v1' }),
      STATUS.NOT_FOUND,
      /^Servable not found for request: iris version "v1"/,
    );
    expectError(await client.call('ModelReady', { name: 'nope' }), STATUS.NOT_FOUND, /model "nope" is not served here/);

    const missing = await client.call('ModelInfer', { model_name: 'iris', inputs: [fp32Input(ROWS)] }, { token: null });
    expectError(missing, STATUS.UNAUTHENTICATED, 'Missing "authorization: Bearer <token>" metadata.');
    expect((missing as { metadata: Record<string, unknown> }).metadata['mlctl-hint']).toMatch(/--token or MLCTL_TOKEN/);
    expectError(
      await client.call('ModelMetadata', { name: 'iris' }, { token: 'wrong' }),
      STATUS.UNAUTHENTICATED,
      'The bearer token is not valid.',
    );
    expectError(await client.call('ServerMetadata', {}, { token: null }), STATUS.UNAUTHENTICATED, /^Missing/);
    // probes stay open, as /v2/health/* do
    expect(ok(await client.call('ServerReady', {}, { token: null }))).toEqual({ ready: true });

    const metrics = await getJson(`${server.url}/metrics`, AUTH);
    expect(metrics.body).toMatch(/^mlctl_grpc_requests_total\{method="ModelInfer",code="OK",model="iris",version="1"\} [1-9]/m);
    expect(metrics.body).toMatch(
      /^mlctl_grpc_requests_total\{method="ModelInfer",code="INVALID_ARGUMENT",model="iris",version="1"\} [1-9]/m,
    );
    expect(metrics.body).toMatch(/^mlctl_grpc_requests_total\{method="ModelInfer",code="UNAUTHENTICATED",model="",version=""\} [1-9]/m);
    expect(metrics.body).toMatch(/^mlctl_grpc_request_duration_seconds_count\{method="ModelInfer",model="iris",version="1"\} [1-9]/m);
  });

  it('a stream of calls while the alias moves: zero failures, then the new version answers', async () => {
    const failures: string[] = [];
    const versions: string[] = [];
    let moved = false;
    let afterMove = 0;
    const deadline = Date.now() + 20_000;
    const loop = async () => {
      while (Date.now() < deadline && !(moved && afterMove >= 60)) {
        const r = await client.call('ModelInfer', { model_name: 'iris', inputs: [fp32Input(ROWS)] });
        if (r.code !== 0) failures.push(`${r.code} ${(r as { details: string }).details}`);
        else {
          versions.push(r.value.model_version);
          if (r.value.model_version === '2') {
            afterMove++;
            expectSameAsPredict(r.value, expected.iris2);
          }
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
    expect(versions.slice(versions.indexOf('2')).every((v) => v === '2')).toBe(true);
    expect(ok(await client.call('ModelMetadata', { name: 'iris' })).versions).toEqual(['2']);
  }, 60_000);

  it('SIGTERM: a gRPC call in flight completes, new calls get UNAVAILABLE, exit 0', async () => {
    const port = Number(server.url.split(':')[2]);
    const body = JSON.stringify({ input_data: ROWS });
    // a REST request in flight (half its body sent) keeps the drain going
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/predict',
      headers: { ...AUTH, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const done = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10));
    // and a gRPC call in flight: HTTP/2 stream open, half of its length-prefixed message sent
    const message = serializeInferRequest({ model_name: 'iris', inputs: [fp32Input(ROWS)] });
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), message]);
    frame.writeUInt32BE(message.length, 1);
    const session = http2.connect(`http://${server.startup.grpc.slice('grpc://'.length)}`);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/inference.GRPCInferenceService/ModelInfer',
      'content-type': 'application/grpc',
      te: 'trailers',
      ...AUTH,
    });
    const chunks: Buffer[] = [];
    const grpcDone = new Promise<{ status: string | undefined; body: Buffer }>((resolve, reject) => {
      let status: string | undefined;
      stream.on('trailers', (t) => (status = String(t['grpc-status'])));
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
      stream.on('error', reject);
    });
    stream.write(frame.subarray(0, 20));
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    await server.waitForLog(/^SIGTERM: draining/);
    const late = grpcClient(server.startup.grpc, TOKEN);
    const during = await late.call('ModelInfer', { model_name: 'iris', inputs: [fp32Input(ROWS)] });
    late.close();
    expect(during.code).toBe(STATUS.UNAVAILABLE);
    stream.end(frame.subarray(20));
    const answered = await grpcDone;
    session.close();
    expect(answered.status).toBe('0');
    // one length-prefixed ModelInferResponse naming the version that served
    expect(answered.body.readUInt32BE(1)).toBe(answered.body.length - 5);
    expect(answered.body.includes(Buffer.from('setosa'))).toBe(true);
    req.end(body.slice(10));
    expect(await done).toBe(200);
    const { code } = await server.exited;
    expect(code).toBe(0);
  }, 60_000);
});

describe('mlctl serve --all --grpc-port 0 (a model with categories; limits)', () => {
  let server: ServeProcess;
  let client: TestGrpcClient;

  beforeAll(async () => {
    // batches wait 300 ms for company, so a call with a shorter deadline runs out while queued
    server = await startServe(
      ['--all', '--grpc-port', '0', '--body-limit', '2kb', '--batching', 'on', '--batch-timeout-ms', '300', '--registry', reg],
      { cwd: work },
    );
    client = grpcClient(server.startup.grpc);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await server?.stop('SIGKILL');
  });

  it('metadata has one input per raw feature (BYTES for categories); BYTES contents and raw contents answer as REST and mlctl predict', async () => {
    const meta = ok(await client.call('ModelMetadata', { name: 'churn' }));
    expect(meta.inputs).toEqual([
      { name: 'plan', datatype: 'BYTES', shape: [-1] },
      { name: 'region', datatype: 'BYTES', shape: [-1] },
      { name: 'tenure_months', datatype: 'FP32', shape: [-1] },
      { name: 'monthly_fee', datatype: 'FP32', shape: [-1] },
      { name: 'has_support', datatype: 'FP32', shape: [-1] },
      { name: 'support_tickets', datatype: 'FP32', shape: [-1] },
    ]);
    const columns = meta.inputs.map((i: any) => ({ ...i, values: CHURN_ROWS.map((r) => (r as Record<string, unknown>)[i.name]) }));
    const contents = ok(
      await client.call('ModelInfer', {
        model_name: 'churn',
        inputs: columns.map((c: any) => ({
          name: c.name,
          datatype: c.datatype,
          shape: [CHURN_ROWS.length],
          contents: c.datatype === 'BYTES' ? { bytes_contents: c.values.map((v: string) => Buffer.from(v)) } : { fp32_contents: c.values },
        })),
      }),
    );
    const raw = ok(
      await client.call('ModelInfer', {
        model_name: 'churn',
        inputs: columns.map((c: any) => ({ name: c.name, datatype: c.datatype, shape: [CHURN_ROWS.length, 1] })),
        raw_input_contents: columns.map((c: any) => (c.datatype === 'BYTES' ? rawBytes(c.values) : rawFp32(c.values))),
      }),
    );
    const rest = await postJson(`${server.url}/v2/models/churn/infer`, {
      inputs: columns.map((c: any) => ({ name: c.name, datatype: c.datatype, shape: [CHURN_ROWS.length], data: c.values })),
    });
    expect(rest.status).toBe(200);
    for (const r of [contents, raw]) {
      expectSameAsPredict(r, expected.churn);
      expect(outputOf(r, 'label')).toEqual(rest.body.outputs.find((o: any) => o.name === 'label').data);
    }
    // an unknown category: the REST message
    const unknown = await client.call('ModelInfer', {
      model_name: 'churn',
      inputs: columns.map((c: any) => ({
        name: c.name,
        datatype: c.datatype,
        shape: [1],
        contents:
          c.datatype === 'BYTES'
            ? { bytes_contents: [Buffer.from(c.name === 'plan' ? 'platinum' : c.values[0])] }
            : { fp32_contents: [c.values[0]] },
      })),
    });
    expect(unknown.code).toBe(STATUS.INVALID_ARGUMENT);
    const restUnknown = await postJson(`${server.url}/v2/models/churn/infer`, {
      inputs: columns.map((c: any) => ({
        name: c.name,
        datatype: c.datatype,
        shape: [1],
        data: [c.name === 'plan' ? 'platinum' : c.values[0]],
      })),
    });
    expect((unknown as { details: string }).details).toBe(restUnknown.body.error);
    // a BYTES raw element whose length runs past the end
    expectError(
      await client.call('ModelInfer', {
        model_name: 'churn',
        inputs: columns.map((c: any) => ({ name: c.name, datatype: c.datatype, shape: [2] })),
        raw_input_contents: columns.map((c: any) => (c.datatype === 'BYTES' ? rawBytes(c.values).subarray(0, 9) : rawFp32(c.values))),
      }),
      STATUS.INVALID_ARGUMENT,
      /^Input "plan": raw BYTES contents must be elements of a 4-byte little-endian length followed by that many bytes/,
    );
  });

  it("mlctl infer asks REST and gRPC alike and exits 0; 1 with the server's message when refused or unreachable", async () => {
    await writeFile(
      path.join(work, 'churn-rows.csv'),
      ['plan,region,tenure_months,monthly_fee,has_support,support_tickets', 'pro,south,51,81.6,yes,8', 'basic,north,3,19.98,no,0'].join(
        '\n',
      ),
    );
    for (const url of [server.startup.grpc, server.url]) {
      const iris = await runCli(['infer', url, 'iris', '--input', 'rows.json', '--json'], { cwd: work });
      expect(iris.code, iris.stderr).toBe(0);
      expect(iris.json()).toMatchObject({ url, protocol: url.startsWith('grpc') ? 'grpc' : 'rest', model: 'iris', version: '2', rows: 3 });
      expect(iris.json().predictions.map((p: any) => p.label)).toEqual(expected.iris2.map((p) => p.label));
      const churn = await runCli(['infer', url, 'churn', '--input', 'churn-rows.csv', '--json'], { cwd: work });
      expect(churn.code, churn.stderr).toBe(0);
      expect(churn.json().predictions.map((p: any) => p.label)).toEqual(expected.churn.map((p) => p.label));
      churn
        .json()
        .predictions.forEach((p: any, i: number) =>
          expect(p.probabilities[1]).toBeCloseTo(Object.values(expected.churn[i].probabilities)[1], 5),
        );
    }
    const text = await runCli(['infer', server.startup.grpc, 'iris', '--input', 'rows.json'], { cwd: work });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/3 predictions from iris v2 over gRPC/);
    const unknown = await runCli(['infer', server.startup.grpc, 'nope', '--input', 'rows.json'], { cwd: work });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/The server answered NOT_FOUND: Servable not found for request: Latest\(nope\)/);
    const down = await runCli(['infer', 'grpc://127.0.0.1:1', 'iris', '--input', 'rows.json'], { cwd: work });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/Cannot reach grpc:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    const usage = await runCli(['infer', 'ftp://x', 'iris', '--input', 'rows.json'], { cwd: work });
    expect(usage.code).toBe(2);
  }, 60_000);

  it('a message over --body-limit is RESOURCE_EXHAUSTED; a call past its deadline is DEADLINE_EXCEEDED; the server keeps serving', async () => {
    const big = Array.from({ length: 200 }, () => ROWS[0]);
    const tooBig = await client.call('ModelInfer', { model_name: 'iris', inputs: [fp32Input(big)] });
    expect(tooBig.code).toBe(STATUS.RESOURCE_EXHAUSTED);
    const late = await client.call('ModelInfer', { model_name: 'iris', inputs: [fp32Input(ROWS)] }, { deadlineMs: 50 });
    expect(late.code).toBe(STATUS.DEADLINE_EXCEEDED);
    const fine = ok(await client.call('ModelInfer', { model_name: 'iris', inputs: [fp32Input(ROWS)] }, { deadlineMs: 10_000 }));
    expectSameAsPredict(fine, expected.iris2);
    // the server saw the deadline pass and counted it (the batch it was queued in still ran for the others)
    const metrics = await getJson(`${server.url}/metrics`);
    expect(metrics.body).toMatch(/^mlctl_grpc_requests_total\{method="ModelInfer",code="DEADLINE_EXCEEDED",model="iris",version="2"\} 1$/m);
    expect(await server.stop('SIGTERM')).toBe(0);
  }, 30_000);
});

describe('mlctl serve --workers 2 --grpc-port 0', () => {
  it('every worker serves gRPC on the one port; metrics are merged', async () => {
    const server = await startServe(['iris', '--version', '1', '--workers', '2', '--grpc-port', '0', '--registry', reg], { cwd: work });
    try {
      expect(server.startup.grpc).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
      // fresh channels (one connection each) spread over the workers by the kernel
      for (let i = 0; i < 12; i++) {
        const c = grpcClient(server.startup.grpc, null, { 'grpc.use_local_subchannel_pool': 1 });
        expectSameAsPredict(ok(await c.call('ModelInfer', { model_name: 'iris', inputs: [fp32Input(ROWS)] })), expected.iris1);
        c.close();
      }
      const metrics = await getJson(`${server.url}/metrics`);
      expect(metrics.body).toMatch(/^mlctl_grpc_requests_total\{method="ModelInfer",code="OK",model="iris",version="1"\} 12$/m);
      expect(await server.stop('SIGTERM')).toBe(0);
    } finally {
      await server.stop('SIGKILL');
    }
  }, 120_000);
});
