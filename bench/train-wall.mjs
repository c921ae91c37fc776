#!/usr/bin/env node
// Part of `npm run bench:train`: wall time of `mlctl train iris` end to end (process start, TF.js
// load, data, training with the template's defaults, publish), in a fresh temp registry each run,
// interleaved with `node -e 0` as the same-run baseline. Goal: under 5 s on this machine.
// Usage: node bench/train-wall.mjs [--rounds 5] [--backend auto|wasm|cpu]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const rounds = Number(opt('rounds', 5));
const backend = opt('backend', 'auto');

const time = (args, cwd) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, MLCTL_REGISTRY: '' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const train = [];
const node = [];
let last;
for (let r = 0; r < rounds; r++) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlctl-bench-train-'));
  try {
    node.push(time(['-e', '0'], dir).ms);
    const run = time([path.join(root, 'bin/mlctl.js'), 'train', 'iris', '--json', '--backend', backend], dir);
    train.push(run.ms);
    last = JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const result = {
  benchmark: 'train-iris-wall',
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  rounds,
  backend: last.backend,
  epochsRun: last.history.epochsRun,
  testAccuracy: last.metrics.accuracy,
  trainIrisMs: { median: median(train), min: Math.min(...train), max: Math.max(...train) },
  nodeStartMs: { median: median(node), min: Math.min(...node), max: Math.max(...node) },
  goalMs: 5000,
};
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/train-wall.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `mlctl train iris (${result.backend}, ${result.epochsRun} epochs, test accuracy ${result.testAccuracy.toFixed(4)}): ` +
    `median ${(result.trainIrisMs.median / 1000).toFixed(2)} s (min ${(result.trainIrisMs.min / 1000).toFixed(2)}, max ${(result.trainIrisMs.max / 1000).toFixed(2)}) ` +
    `over ${rounds} runs; node -e 0 median ${result.nodeStartMs.median.toFixed(0)} ms; goal < 5 s: ${result.trainIrisMs.median < 5000 ? 'met' : 'NOT met'}`,
);
