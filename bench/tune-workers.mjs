#!/usr/bin/env node
// npm run bench:tune (second part) — one search shared by 1, 2 and 3 worker processes
// (`mlctl tune --study`) on a real PostgreSQL registry started for the run (127.0.0.1, a temp
// folder, removed afterwards).
//
// For each worker count the same search (same dataset, --trials, --folds, space and --seed), as a
// new study in one database, each worker a separate `node bin/mlctl.js tune … --study NAME
// --parallel 1` process started at the same time; the wall time runs from the first start to the
// last exit. Baseline in the same run: the same search without a study (`tune --parallel 1` on a
// folder registry). Rounds are interleaved (1, 2, 3, plain, 1, 2, 3, plain, …), medians reported.
// Every run's leaderboard, trial scores and weight checksums must be identical (else the bench
// fails): only the wall time may depend on the number of workers.
//
// Writes bench/results/tune-workers.json. Needs the build and PostgreSQL (as the tests do).
//
// Usage: node bench/tune-workers.mjs [--template breast-cancer] [--trials 27] [--folds 3]
//          [--workers 1,2,3] [--rounds 2] [--epochs 27:243]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres } from '../test/helpers/local-servers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(root, 'bin/mlctl.js');

function parseArgs(argv) {
  const out = { template: 'breast-cancer', trials: 27, folds: 3, workers: [1, 2, 3], rounds: 2, epochs: [27, 243], seed: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i];
    if (a === '--template') out.template = value();
    else if (a === '--trials') out.trials = Number(value());
    else if (a === '--folds') out.folds = Number(value());
    else if (a === '--workers') out.workers = value().split(',').map(Number);
    else if (a === '--rounds') out.rounds = Number(value());
    else if (a === '--seed') out.seed = Number(value());
    else if (a === '--epochs') out.epochs = value().split(':').map(Number);
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

// each mlctl process reports its own CPU time (all its threads) when it exits
const CPU_HOOK =
  'data:text/javascript,import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(process.env.BENCH_CPU_FILE, JSON.stringify(process.cpuUsage())));';
let cpuFiles = 0;

/** Runs one mlctl process; resolves with its JSON document and CPU milliseconds. */
function mlctl(args, cwd) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('MLCTL_')) delete env[k];
    const cpuFile = path.join(cwd, `cpu-${++cpuFiles}.json`);
    env.BENCH_CPU_FILE = cpuFile;
    const child = spawn(process.execPath, ['--import', CPU_HOOK, BIN, ...args, '--json'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`mlctl ${args.join(' ')} exited ${code}: ${stderr || stdout}`));
      else {
        const cpu = JSON.parse(readFileSync(cpuFile, 'utf8'));
        resolve({ record: JSON.parse(stdout), cpuMs: (cpu.user + cpu.system) / 1000 });
      }
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const signature = (record) =>
  JSON.stringify({
    leaderboard: record.search.leaderboard,
    trials: record.search.trials.map((t) => ({ trial: t.trial, status: t.status, rungs: t.rungs.map((r) => [r.rung, r.mean, r.folds]) })),
    files: record.files.map((f) => f.sha256),
  });

/**
 * The search's wall time on n dedicated machines, from one run's record: each rung's fold jobs
 * (a rung's training time split evenly over the folds it ran) spread over n workers, longest
 * first onto the least busy (list scheduling), a barrier between rungs as in the real search.
 * What the job structure allows, whatever else the bench machine was doing.
 */
function simulatedSearchMs(search, n) {
  let total = 0;
  for (let r = 0; r < search.rungs.length; r++) {
    const jobs = [];
    for (const t of search.trials) {
      const score = t.rungs.find((x) => x.rung === r);
      if (!score) continue;
      for (let f = 0; f < score.folds.length; f++) jobs.push(score.ms / score.folds.length);
    }
    const load = new Array(n).fill(0);
    for (const ms of jobs.sort((a, b) => b - a)) load[load.indexOf(Math.min(...load))] += ms;
    total += Math.max(...load);
  }
  return total;
}

const opts = parseArgs(process.argv.slice(2));
let firstRecord = null;
const server = await startPostgres();
const work = mkdtempSync(path.join(os.tmpdir(), 'mlctl-bench-workers-'));
try {
  const admin = new pg.Client({ connectionString: `${server.url}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const db = `${server.url}/bench`;
  writeFileSync(path.join(work, 'space.json'), JSON.stringify({ epochs: { min: opts.epochs[0], max: opts.epochs[1] } }));
  const search = [
    'tune',
    opts.template,
    '--trials',
    String(opts.trials),
    '--folds',
    String(opts.folds),
    '--space',
    'space.json',
    '--seed',
    String(opts.seed),
    '--parallel',
    '1',
    '--backend',
    'wasm',
  ];
  const kinds = [...opts.workers.map((n) => ({ kind: 'study', workers: n })), { kind: 'plain', workers: 1 }];
  const runs = [];
  let reference = null;
  for (let round = 1; round <= opts.rounds; round++) {
    for (const k of kinds) {
      const t0 = performance.now();
      let done;
      if (k.kind === 'plain') {
        done = [await mlctl([...search, '--registry', `folder-${round}`], work)];
      } else {
        const study = `w${k.workers}-r${round}`;
        done = await Promise.all(
          Array.from({ length: k.workers }, () => mlctl([...search, '--study', study, '--registry', db, '--name', study], work)),
        );
      }
      const wallMs = performance.now() - t0;
      const records = done.map((d) => d.record);
      const cpuMs = done.reduce((a, d) => a + d.cpuMs, 0);
      const sig = signature(records[0]);
      for (const r of records) if (signature(r) !== sig) throw new Error(`${k.kind} ${k.workers}: workers disagree`);
      reference ??= sig;
      firstRecord ??= records[0];
      if (sig !== reference) throw new Error(`${k.kind} ${k.workers} workers gave another search than the first run`);
      const study = records[0].search.study;
      runs.push({
        ...k,
        round,
        wallMs: Math.round(wallMs),
        cpuMs: Math.round(cpuMs),
        load1: Number(os.loadavg()[0].toFixed(2)),
        searchMs: records[0].search.budget.elapsedMs,
        workersThatRan: study?.workers.length ?? 1,
      });
      console.error(
        `round ${round}: ${k.kind === 'plain' ? 'no study' : `${k.workers} worker${k.workers === 1 ? '' : 's'}`}  wall ${(wallMs / 1000).toFixed(1)} s, CPU ${(cpuMs / 1000).toFixed(1)} s (load ${os.loadavg()[0].toFixed(1)})`,
      );
    }
  }
  const summary = kinds.map((k) => {
    const mine = runs.filter((r) => r.kind === k.kind && r.workers === k.workers);
    return {
      kind: k.kind,
      workers: k.workers,
      wallMs: median(mine.map((r) => r.wallMs)),
      cpuMs: median(mine.map((r) => r.cpuMs)),
      rounds: mine.length,
    };
  });
  const one = summary.find((s) => s.kind === 'study' && s.workers === 1).wallMs;
  const plain = summary.find((s) => s.kind === 'plain').wallMs;
  for (const s of summary) {
    s.speedupOverOneWorker = Number((one / s.wallMs).toFixed(2));
    s.vsPlainTune = Number((plain / s.wallMs).toFixed(2));
  }
  // a cluster: the search on n dedicated machines (simulated from the job times) plus what does not
  // split (start-up, data, the final model: the measured 1-worker wall time minus its search time)
  const oneRuns = runs.filter((r) => r.kind === 'study' && r.workers === 1);
  const fixedMs = median(oneRuns.map((r) => r.wallMs - r.searchMs));
  const sim1 = simulatedSearchMs(firstRecord.search, 1);
  const cluster = [1, 2, 3, 4, 8].map((n) => {
    const searchMs = simulatedSearchMs(firstRecord.search, n);
    return {
      machines: n,
      searchMs: Math.round(searchMs),
      searchSpeedup: Number((sim1 / searchMs).toFixed(2)),
      wallSpeedup: Number(((fixedMs + sim1) / (fixedMs + searchMs)).toFixed(2)),
    };
  });
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: os.availableParallelism(), load: os.loadavg().map((l) => Number(l.toFixed(2))) },
    settings: { ...opts, backend: 'wasm', parallelPerWorker: 1 },
    identicalResults: true,
    summary,
    cluster: {
      fixedMs,
      note: 'simulated from the job times of one run: list scheduling per rung, a barrier between rungs',
      machines: cluster,
    },
    runs,
  };
  writeFileSync(path.join(root, 'bench/results/tune-workers.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.table(summary);
  console.table(cluster);
  console.error('wrote bench/results/tune-workers.json');
} finally {
  server.stop();
  rmSync(work, { recursive: true, force: true });
}
