#!/usr/bin/env node
// `npm run bench:registry`: the folder store against the PostgreSQL store, in the same run, on a
// throw-away PostgreSQL server (initdb in a temp folder, test/helpers/local-servers.mjs):
//   - publish: 1,000 versions of a tiny trained model (iris, 4-8-3), in-process through the store
//     contract (RegistryStore.publishVersion), ms per publish;
//   - `mlctl version list <model> --json` on those 1,000 versions (the built CLI, median of runs);
//   - model load: openVersion (record, checksums, TF.js model) of versions spread over the 1,000;
//   - serve throughput through nginx (foreground, temp config) with one and with two
//     `mlctl serve --alias production` replicas on the PostgreSQL registry (autocannon, single-row
//     POST /predict), and the two/one ratio. With 2 cores shared by the load generator, nginx and
//     the replicas, the ratio says more about the machine than about mlctl; see the figures' notes;
//   - alias propagation: `production` moved --moves times; ms until both replicas serve the new
//     version (the goal: within 2 s).
// Writes bench/results/registry.json.
// Usage: node bench/registry.mjs [--versions 1000] [--loads 50] [--duration 5] [--connections 16] [--list-runs 3] [--moves 5]
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { startNginx, startPostgres } from '../test/helpers/local-servers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const VERSIONS = Number(arg('versions', '1000'));
const LOADS = Number(arg('loads', '50'));
const DURATION = Number(arg('duration', '5'));
const CONNECTIONS = Number(arg('connections', '16'));
const LIST_RUNS = Number(arg('list-runs', '3'));
const MOVES = Number(arg('moves', '5'));

const { openRegistryStore } = await import(path.join(root, 'dist/registry/open-registry.js'));
const { openVersion } = await import(path.join(root, 'dist/lifecycle/open-version.js'));

const dir = mkdtempSync(path.join(os.tmpdir(), 'mlctl-bench-registry-'));
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLCTL_')));
const mlctl = path.join(root, 'bin/mlctl.js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 2) => Number(x.toFixed(d));

const loadAtStart = os.loadavg();
console.error(`load average ${loadAtStart.map((x) => x.toFixed(2)).join(' ')} (other processes share these ${os.cpus().length} cores)`);
console.error('starting PostgreSQL …');
const server = await startPostgres();
const admin = new pg.Client({ connectionString: `${server.url}/postgres` });
await admin.connect();
await admin.query('CREATE DATABASE bench');
await admin.end();
const pgUrl = `${server.url}/bench`;
const folder = path.join(dir, 'model-registry');

const children = [];
let nginx = null;
try {
  console.error('training the model to publish (iris, 1 epoch) …');
  const trained = spawnSync(process.execPath, [mlctl, 'train', 'iris', '--epochs', '1', '--registry', path.join(dir, 'seed'), '--json'], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  if (trained.status !== 0) throw new Error(`train failed: ${trained.stderr}`);
  const seedDir = path.join(dir, 'seed', 'iris', '1');
  const seedStore = await openRegistryStore(path.join(dir, 'seed'), { cwd: dir });
  const seedRecord = await seedStore.readRecord('iris', 1);
  const modelFiles = readdirSync(seedDir).filter((f) => f !== 'mlctl.json');

  const stores = { folder: await openRegistryStore(folder, { cwd: dir }), postgres: await openRegistryStore(pgUrl, { cwd: dir }) };
  const results = {};
  for (const [kind, store] of Object.entries(stores)) {
    console.error(`${kind}: publishing ${VERSIONS} versions …`);
    const times = [];
    const started = performance.now();
    for (let i = 0; i < VERSIONS; i++) {
      const t = performance.now();
      await store.publishVersion('iris', {
        writeFiles: async (staging) => {
          for (const f of modelFiles) copyFileSync(path.join(seedDir, f), path.join(staging, f));
        },
        buildRecord: (version, files) => ({ ...seedRecord, version, files, createdAt: new Date().toISOString() }),
      });
      times.push(performance.now() - t);
    }
    const publishTotalMs = performance.now() - started;
    await store.setAlias('iris', 'production', VERSIONS, { force: true });

    console.error(`${kind}: version list (${LIST_RUNS} runs) …`);
    const listMs = [];
    for (let r = 0; r < LIST_RUNS; r++) {
      const t = performance.now();
      const out = spawnSync(
        process.execPath,
        [mlctl, 'version', 'list', 'iris', '--json', '--registry', kind === 'folder' ? folder : pgUrl],
        { cwd: dir, env, encoding: 'utf8' },
      );
      listMs.push(performance.now() - t);
      if (out.status !== 0) throw new Error(`version list failed: ${out.stderr}`);
      const n = JSON.parse(out.stdout).models[0].versions.length;
      if (n !== VERSIONS) throw new Error(`version list shows ${n} versions, expected ${VERSIONS}`);
    }

    console.error(`${kind}: loading ${LOADS} versions …`);
    const loadMs = [];
    for (let i = 0; i < LOADS; i++) {
      const v = 1 + Math.floor((i * VERSIONS) / LOADS);
      const t = performance.now();
      const opened = await openVersion({ registry: store, model: 'iris', selector: { version: v } });
      loadMs.push(performance.now() - t);
      opened.dispose();
    }
    results[kind] = {
      publish: {
        versions: VERSIONS,
        totalS: round(publishTotalMs / 1000),
        medianMs: round(median(times)),
        p95Ms: round([...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)]),
      },
      versionList: { medianMs: Math.round(median(listMs)), runsMs: listMs.map((x) => Math.round(x)) },
      load: { versions: LOADS, medianMs: round(median(loadMs)), firstMs: round(loadMs[0]) },
    };
  }
  for (const s of Object.values(stores)) await s.close();
  await seedStore.close();

  console.error('serve: starting two replicas on the PostgreSQL registry …');
  const startReplica = () =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [mlctl, 'serve', 'iris', '--alias', 'production', '--registry', pgUrl, '--port', '0', '--json', '--log-level', 'warn'],
        { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] },
      );
      children.push(child);
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d) => {
        out += d;
        try {
          resolve(JSON.parse(out));
        } catch {
          // more to come
        }
      });
      child.once('exit', (c) => reject(new Error(`mlctl serve exited (${c}): ${out}`)));
    });
  const replicas = [await startReplica(), await startReplica()];
  const ports = replicas.map((r) => Number(new URL(r.url).port));
  const body = JSON.stringify({ input_data: [5.1, 3.5, 1.4, 0.2] });
  const cannon = (url) =>
    new Promise((resolve, reject) =>
      autocannon(
        {
          url: `${url}/predict`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          connections: CONNECTIONS,
          duration: DURATION,
        },
        (e, r) =>
          e
            ? reject(e)
            : resolve({
                requestsPerSec: Math.round(r.requests.average),
                p50Ms: r.latency.p50,
                p99Ms: r.latency.p99,
                errors: r.errors + r.timeouts,
                non2xx: r.non2xx,
                requests: r.requests.total,
              }),
      ),
    );
  const serve = {};
  for (const [name, upstream] of [
    ['oneReplica', ports.slice(0, 1)],
    ['twoReplicas', ports],
  ]) {
    nginx = await startNginx(upstream);
    console.error(`serve: nginx → ${upstream.length} replica(s), ${DURATION} s at ${CONNECTIONS} connections …`);
    await cannon(nginx.url).catch(() => undefined); // warm-up is the first second of a short run; discard
    serve[name] = await cannon(nginx.url);
    await nginx.stop();
    nginx = null;
  }
  serve.twoOverOne = round(serve.twoReplicas.requestsPerSec / Math.max(1, serve.oneReplica.requestsPerSec));

  // alias propagation: from the alias move's commit until both replicas' /readyz name the new version
  console.error(`serve: ${MOVES} alias moves, time until both replicas serve the new version …`);
  const served = async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
    return (await res.json()).models.find((m) => m.model === 'iris')?.version ?? null;
  };
  const mover = await openRegistryStore(pgUrl, { cwd: dir });
  const propagationMs = [];
  for (let i = 1; i <= MOVES; i++) {
    const target = VERSIONS - i;
    await mover.setAlias('iris', 'production', target, { force: true });
    const t = performance.now();
    while (!(await Promise.all(ports.map(served))).every((v) => v === target)) {
      if (performance.now() - t > 30_000) throw new Error(`alias move to v${target} did not reach both replicas in 30 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    propagationMs.push(performance.now() - t);
  }
  await mover.close();
  serve.aliasPropagation = {
    moves: MOVES,
    medianMs: Math.round(median(propagationMs)),
    maxMs: Math.round(Math.max(...propagationMs)),
    runsMs: propagationMs.map((x) => Math.round(x)),
    goalMs: 2000,
    met: Math.max(...propagationMs) <= 2000,
  };

  const out = {
    benchmark: 'registry',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverageAtStart: loadAtStart.map((x) => round(x)),
    loadAverageAtEnd: os.loadavg().map((x) => round(x)),
    model: { name: 'iris', bytes: seedRecord.files.reduce((a, f) => a + f.bytes, 0), files: seedRecord.files.length },
    stores: results,
    ratios: {
      publishPgOverFolder: round(results.postgres.publish.medianMs / results.folder.publish.medianMs),
      versionListPgOverFolder: round(results.postgres.versionList.medianMs / results.folder.versionList.medianMs),
      loadPgOverFolder: round(results.postgres.load.medianMs / results.folder.load.medianMs),
    },
    serve: { connections: CONNECTIONS, durationSec: DURATION, ...serve },
    command: `node bench/registry.mjs ${argv.join(' ')}`.trim(),
  };
  console.log(JSON.stringify(out, null, 2));
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/registry.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.error('wrote bench/results/registry.json');
} finally {
  for (const c of children) c.kill('SIGTERM');
  if (nginx) await nginx.stop();
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
