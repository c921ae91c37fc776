#!/usr/bin/env node
// `npm run bench:serve`: autocannon (programmatic) against `mlctl serve` for the iris model —
// single-row POST /predict, TF Serving :predict and OIP /infer at 1, 16 and 64 connections — and,
// in the same run, against a bare node:http server that parses the same JSON body and returns a
// constant answer (the ceiling Node itself allows). Runs are interleaved per connection count
// (bare, then each endpoint), so the ratios compare like with like. Also 100-row /predict
// requests (rows/s). Prints requests/s, p50, p99, errors, the ratio to the bare server and the
// servers' peak RSS; writes bench/results/serve.json.
// Goals (issue 8): at 64 connections ≥ 0.75 of bare requests/s, p99 < 10 ms, 0 errors; RSS < 200 MB per worker.
// Also the TF.js path (--fast-path off) with request batching on and off (--no-tfjs skips it).
// gRPC (issue 11): the same server with --grpc-port answers single-row ModelInfer (fp32_contents)
// from a grpc-js client keeping 1, 16 and 64 calls in flight on one channel (HTTP/2 streams),
// beside a bare grpc-js server that decodes the same message and returns a constant answer (the
// ceiling grpc-js itself allows with this client); ratios to both bare servers are reported.
// Usage: node bench/serve.mjs [--duration 10] [--connections 1,16,64] [--rounds 1] [--workers 1] [--log-level info] [--fast-path auto|off] [--no-pin] [--no-tfjs]
// With --rounds N the whole interleaved matrix runs N times and each cell reports its median run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const duration = Number(opt('duration', 10));
const connectionCounts = opt('connections', '1,16,64').split(',').map(Number);
const workers = Number(opt('workers', 1));
const logLevel = opt('log-level', 'info');
const fastPath = opt('fast-path', 'auto');
const rounds = Number(opt('rounds', 1));

const env = { ...process.env };
for (const k of Object.keys(env)) if (k.startsWith('MLCTL_')) delete env[k];

// On a machine with spare cores, pin the load generator and the servers apart (autocannon on CPU 0,
// the servers on CPU 1..), so neither steals the other's core and both servers meet the same
// conditions; --no-pin leaves scheduling to the OS.
const cpus = os.cpus().length;
const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
const pin = !argv.includes('--no-pin') && cpus >= 2 && hasTaskset;
const serverCpus = `1-${cpus - 1}`;
if (pin) spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
/** node with args, pinned to the server cores when pinning */
const nodeCommand = (args) => (pin ? ['taskset', ['-c', serverCpus, process.execPath, ...args]] : [process.execPath, args]);

const dir = mkdtempSync(path.join(os.tmpdir(), 'mlctl-bench-serve-'));
const children = [];
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** CPU time (user + system, ms) used so far by a process and its children (workers). */
function cpuMs(pid) {
  const one = (p) => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
    } catch {
      return 0;
    }
  };
  let kids = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    // no children
  }
  return one(pid) + kids.reduce((a, k) => a + one(k), 0);
}

/** Peak resident set size (VmHWM) of a process and its children, in MB. */
function peakRssMb(pid) {
  const read = (p) => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : null;
    } catch {
      return null;
    }
  };
  const kids = (() => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  })();
  return { self: read(pid), children: kids.map((k) => ({ pid: k, mb: read(k) })) };
}

async function startBare() {
  const code = `
    const http = require('node:http');
    const answer = JSON.stringify({ model: 'iris', version: 1, predictions: [{ label: 'setosa', probabilities: { setosa: 0.98, versicolor: 0.01, virginica: 0.01 } }] });
    http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        try { JSON.parse(body); } catch { res.writeHead(400).end(); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });`;
  const [cmd, cmdArgs] = nodeCommand(['-e', code]);
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  return { url: `http://127.0.0.1:${port}`, child };
}

const protoFile = path.join(root, 'proto/grpc_predict_v2.proto');
const protoOptions = { keepCase: true, longs: Number, defaults: true };

async function startBareGrpc() {
  const code = `
    const grpc = require('@grpc/grpc-js');
    const protoLoader = require('@grpc/proto-loader');
    const def = protoLoader.loadSync(${JSON.stringify(protoFile)}, ${JSON.stringify(protoOptions)});
    const { inference } = grpc.loadPackageDefinition(def);
    const answer = { model_name: 'iris', model_version: '1', outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: [0.98, 0.01, 0.01] } },
      { name: 'label', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [Buffer.from('setosa')] } } ] };
    const server = new grpc.Server();
    server.addService(inference.GRPCInferenceService.service, { ModelInfer: (call, cb) => cb(null, answer) });
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => process.stdout.write(String(port) + '\\n'));`;
  const [cmd, cmdArgs] = nodeCommand(['-e', code]);
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  return { target: `127.0.0.1:${port}`, child };
}

const { inference } = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile, protoOptions));

/**
 * gRPC load: one channel, `streams` ModelInfer calls kept in flight for `duration` seconds (a
 * closed loop, as autocannon's connections); latency per call; the server's CPU per call.
 */
async function runGrpc(target, request, streams, pid) {
  const client = new inference.GRPCInferenceService(target, grpc.credentials.createInsecure());
  await new Promise((resolve, reject) => client.waitForReady(Date.now() + 5000, (e) => (e ? reject(e) : resolve())));
  const before = cpuMs(pid);
  const latencies = [];
  let errors = 0;
  const until = performance.now() + duration * 1000;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const ok = await new Promise((resolve) => client.ModelInfer(request, (e) => resolve(!e)));
      if (ok) latencies.push(performance.now() - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: streams }, loop));
  const seconds = (performance.now() - started) / 1000;
  client.close();
  latencies.sort((a, b) => a - b);
  const at = (q) =>
    latencies.length ? Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2)) : null;
  const total = latencies.length + errors;
  return {
    requestsPerSec: Math.round(latencies.length / seconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
    non2xx: 0,
    requests: total,
    cpuUsPerRequest: Number((((cpuMs(pid) - before) * 1000) / Math.max(1, total)).toFixed(1)),
  };
}

async function startServe(extra = []) {
  const args = [
    path.join(root, 'bin/mlctl.js'),
    'serve',
    'iris',
    '--port',
    '0',
    '--json',
    '--log-level',
    logLevel,
    '--workers',
    String(workers),
    '--fast-path',
    fastPath,
    ...extra,
  ];
  const [cmd, cmdArgs] = nodeCommand(args);
  const child = spawn(cmd, cmdArgs, { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  let out = '';
  child.stdout.setEncoding('utf8');
  const startup = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out));
      } catch {
        // wait for the rest of the document
      }
    });
    child.once('exit', (c) => reject(new Error(`mlctl serve exited (${c}): ${out}`)));
  });
  return { url: startup.url, startup, child };
}

/** One autocannon run; also the server's CPU time per request (robust when other processes share the machine). */
function run(url, body, connections, pid) {
  const before = cpuMs(pid);
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration, pipelining: 1 },
      (err, r) => (err ? reject(err) : resolve({ ...r, cpuUsPerRequest: ((cpuMs(pid) - before) * 1000) / Math.max(1, r.requests.total) })),
    );
  });
}

const summarize = (r) => ({
  requestsPerSec: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  errors: r.errors + r.timeouts,
  non2xx: r.non2xx,
  requests: r.requests.total,
  cpuUsPerRequest: Number(r.cpuUsPerRequest.toFixed(1)),
});

const loadAtStart = os.loadavg();
console.error(`load average ${loadAtStart.map((x) => x.toFixed(2)).join(' ')} (other processes share these ${os.cpus().length} cores)`);
console.error('training iris in a temp registry …');
const trained = spawnSync(process.execPath, [path.join(root, 'bin/mlctl.js'), 'train', 'iris', '--json'], {
  cwd: dir,
  env,
  encoding: 'utf8',
});
if (trained.status !== 0) throw new Error(`train failed: ${trained.stderr}`);

const row = [5.1, 3.5, 1.4, 0.2];
const rows100 = Array.from({ length: 100 }, (_, i) => [4.5 + (i % 30) / 10, 3 + (i % 7) / 10, 1 + (i % 50) / 10, 0.1 + (i % 20) / 10]);
const endpoints = [
  { name: '/predict', path: '/predict', body: JSON.stringify({ input_data: row }) },
  { name: 'TF Serving :predict', path: '/v1/models/iris:predict', body: JSON.stringify({ instances: [row] }) },
  {
    name: 'OIP /infer',
    path: '/v2/models/iris/infer',
    body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: row }] }),
  },
];

const grpcRequest = {
  model_name: 'iris',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: row } }],
};
const bare = await startBare();
const bareGrpc = await startBareGrpc();
const serve = await startServe(['--grpc-port', '0']);
const serveGrpc = serve.startup.grpc.replace('grpc://', '');
console.error(
  `bare node:http at ${bare.url}; mlctl serve at ${serve.url} (${workers} worker(s)); ${duration} s per run; ${pin ? `autocannon on CPU 0, servers on CPU ${serverCpus}` : 'not pinned'}`,
);

// warm both up (JIT, connection set-up)
await run(bare.url, endpoints[0].body, 16, bare.child.pid).catch(() => {});
await run(serve.url + endpoints[0].path, endpoints[0].body, 16, serve.child.pid);
await runGrpc(bareGrpc.target, grpcRequest, 16, bareGrpc.child.pid);
await runGrpc(serveGrpc, grpcRequest, 16, serve.child.pid);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
/** the median run of a cell (by requests/s) across rounds */
const medianRun = (runs) => runs.find((r) => r.requestsPerSec === median(runs.map((x) => x.requestsPerSec)));

const results = [];
const print = (label, c, s, ratio, cpuRatio) =>
  console.log(
    `${label.padEnd(26)} c=${String(c).padStart(2)}  ${String(s.requestsPerSec).padStart(7)} req/s  p50 ${String(s.p50Ms).padStart(3)} ms  p99 ${String(s.p99Ms).padStart(3)} ms  errors ${s.errors + s.non2xx}  cpu ${s.cpuUsPerRequest.toFixed(1).padStart(5)} µs/req${ratio !== null ? `  ${ratio.toFixed(2)}× bare req/s, ${cpuRatio.toFixed(2)}× bare by CPU` : ''}`,
  );
const cells = new Map(); // "target|c" → runs
const record = (target, c, s) => {
  const key = `${target}|${c}`;
  if (!cells.has(key)) cells.set(key, []);
  cells.get(key).push(s);
};
const big = JSON.stringify({ input_data: rows100 });
for (let round = 0; round < rounds; round++) {
  if (rounds > 1) console.error(`round ${round + 1} of ${rounds}`);
  for (const c of connectionCounts) {
    record('bare node:http', c, summarize(await run(bare.url, endpoints[0].body, c, bare.child.pid)));
    for (const e of endpoints) record(`mlctl ${e.name}`, c, summarize(await run(serve.url + e.path, e.body, c, serve.child.pid)));
    record('bare grpc-js', c, await runGrpc(bareGrpc.target, grpcRequest, c, bareGrpc.child.pid));
    record('mlctl gRPC ModelInfer', c, await runGrpc(serveGrpc, grpcRequest, c, serve.child.pid));
  }
  for (const c of connectionCounts)
    record('mlctl /predict 100 rows', c, summarize(await run(serve.url + '/predict', big, c, serve.child.pid)));
}
for (const c of connectionCounts) {
  const b = medianRun(cells.get(`bare node:http|${c}`));
  print('bare node:http', c, b, null, null);
  results.push({ target: 'bare node:http', connections: c, ...b, runs: cells.get(`bare node:http|${c}`).map((r) => r.requestsPerSec) });
  for (const e of endpoints) {
    const runs = cells.get(`mlctl ${e.name}|${c}`);
    const s = medianRun(runs);
    const ratio = s.requestsPerSec / b.requestsPerSec;
    // requests/s a CPU-bound server would reach relative to bare: bare's CPU per request over ours
    const cpuRatio = b.cpuUsPerRequest / s.cpuUsPerRequest;
    print(`mlctl ${e.name}`, c, s, ratio, cpuRatio);
    results.push({
      target: `mlctl ${e.name}`,
      connections: c,
      ...s,
      ratioToBare: Number(ratio.toFixed(3)),
      cpuRatioToBare: Number(cpuRatio.toFixed(3)),
      runs: runs.map((r) => r.requestsPerSec),
    });
  }
}
// gRPC: against the bare grpc-js server (same client, same message) and the bare node:http one
const grpcResults = [];
for (const c of connectionCounts) {
  const bh = medianRun(cells.get(`bare node:http|${c}`));
  const bg = medianRun(cells.get(`bare grpc-js|${c}`));
  print('bare grpc-js', c, bg, null, null);
  grpcResults.push({ target: 'bare grpc-js', streams: c, ...bg, runs: cells.get(`bare grpc-js|${c}`).map((r) => r.requestsPerSec) });
  const runs = cells.get(`mlctl gRPC ModelInfer|${c}`);
  const s = medianRun(runs);
  const ratio = s.requestsPerSec / bg.requestsPerSec;
  const cpuRatio = bg.cpuUsPerRequest / s.cpuUsPerRequest;
  const httpRatio = s.requestsPerSec / bh.requestsPerSec;
  console.log(
    `${'mlctl gRPC ModelInfer'.padEnd(26)} c=${String(c).padStart(2)}  ${String(s.requestsPerSec).padStart(7)} req/s  p50 ${String(s.p50Ms).padStart(4)} ms  p99 ${String(s.p99Ms).padStart(4)} ms  errors ${s.errors}  cpu ${s.cpuUsPerRequest.toFixed(1).padStart(5)} µs/req  ${ratio.toFixed(2)}× bare grpc-js req/s, ${cpuRatio.toFixed(2)}× by CPU; ${httpRatio.toFixed(2)}× bare node:http req/s`,
  );
  grpcResults.push({
    target: 'mlctl gRPC ModelInfer',
    streams: c,
    ...s,
    ratioToBareGrpc: Number(ratio.toFixed(3)),
    cpuRatioToBareGrpc: Number(cpuRatio.toFixed(3)),
    ratioToBareHttp: Number(httpRatio.toFixed(3)),
    runs: runs.map((r) => r.requestsPerSec),
  });
}
const bigResults = [];
for (const c of connectionCounts) {
  const s = medianRun(cells.get(`mlctl /predict 100 rows|${c}`));
  const rowsPerSec = s.requestsPerSec * 100;
  console.log(
    `${'mlctl /predict 100 rows'.padEnd(26)} c=${String(c).padStart(2)}  ${String(s.requestsPerSec).padStart(7)} req/s = ${rowsPerSec} rows/s  p50 ${s.p50Ms} ms  p99 ${s.p99Ms} ms  errors ${s.errors + s.non2xx}`,
  );
  bigResults.push({ target: 'mlctl /predict 100 rows', connections: c, ...s, rowsPerSec });
}

// The TF.js path (--fast-path off), where the load-time measurement turns batching on: the same
// single-row /predict at the most connections with batching on and off.
const tfjs = [];
if (!argv.includes('--no-tfjs')) {
  const c = Math.max(...connectionCounts);
  for (const mode of ['on', 'off']) {
    const server = await startServe(['--fast-path', 'off', '--batching', mode]);
    await run(server.url + '/predict', endpoints[0].body, c, server.child.pid); // warm-up
    const s = summarize(await run(server.url + '/predict', endpoints[0].body, c, server.child.pid));
    console.log(
      `${`mlctl TF.js, batching ${mode}`.padEnd(26)} c=${String(c).padStart(2)}  ${String(s.requestsPerSec).padStart(7)} req/s  p50 ${String(s.p50Ms).padStart(3)} ms  p99 ${String(s.p99Ms).padStart(3)} ms  errors ${s.errors + s.non2xx}  cpu ${s.cpuUsPerRequest.toFixed(1).padStart(5)} µs/req`,
    );
    tfjs.push({ target: `mlctl /predict, TF.js, batching ${mode}`, connections: c, ...s, batching: server.startup.models[0].batching });
    server.child.kill('SIGTERM');
  }
}

const rss = { serve: peakRssMb(serve.child.pid), bare: peakRssMb(bare.child.pid) };
const workerPeaks = workers > 1 ? rss.serve.children.map((k) => k.mb) : [rss.serve.self];
console.log(
  `peak RSS: mlctl serve ${workerPeaks.map((m) => `${m?.toFixed(0)} MB`).join(', ')} per worker${workers > 1 ? ` (primary ${rss.serve.self?.toFixed(0)} MB)` : ''}; bare node:http ${rss.bare.self?.toFixed(0)} MB`,
);

const at64 = results.filter((r) => r.connections === Math.max(...connectionCounts) && r.target.startsWith('mlctl'));
const goals = {
  ratioAtMaxConnections: { goal: 0.75, worst: Math.min(...at64.map((r) => r.ratioToBare)) },
  cpuRatioAtMaxConnections: { worst: Math.min(...at64.map((r) => r.cpuRatioToBare)) },
  p99MsAtMaxConnections: { goal: 10, worst: Math.max(...at64.map((r) => r.p99Ms)) },
  errors: {
    goal: 0,
    total: [...results, ...bigResults, ...grpcResults].reduce((a, r) => a + (r.target.startsWith('mlctl') ? r.errors + r.non2xx : 0), 0),
  },
  rssMbPerWorker: { goal: 200, worst: Math.max(...workerPeaks.filter((m) => m !== null)) },
};
console.log(
  `goals: ratio@${Math.max(...connectionCounts)} ${goals.ratioAtMaxConnections.worst} (≥ 0.75; by CPU per request ${goals.cpuRatioAtMaxConnections.worst}) · p99 ${goals.p99MsAtMaxConnections.worst} ms (< 10) · errors ${goals.errors.total} (0) · RSS ${goals.rssMbPerWorker.worst.toFixed(0)} MB (< 200)`,
);

serve.child.kill('SIGTERM');
const exit = await new Promise((resolve) => serve.child.once('exit', (code) => resolve(code)));
const out = {
  benchmark: 'serve',
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  durationSec: duration,
  rounds,
  pinned: pin ? { autocannon: '0', servers: serverCpus } : null,
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: os.loadavg(),
  workers,
  fastPath,
  logLevel,
  models: serve.startup.models.map((m) => ({
    model: m.model,
    version: m.version,
    backend: m.backend,
    fastPath: m.fastPath.enabled,
    batching: m.batching.enabled,
  })),
  results,
  grpc: grpcResults,
  rows100: bigResults,
  tfjsPath: tfjs,
  peakRssMb: { serveWorkers: workerPeaks, servePrimary: workers > 1 ? rss.serve.self : null, bare: rss.bare.self },
  goals,
  drainExitCode: exit,
};
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/serve.json'), `${JSON.stringify(out, null, 2)}\n`);
console.error('wrote bench/results/serve.json');
cleanup();
process.exit(0);
