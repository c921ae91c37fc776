#!/usr/bin/env node
// Training throughput: mlctl's trainModel vs TF.js's stock model.fit (and, with --peers,
// PyTorch and scikit-learn), same data, same MLP, same optimizer, interleaved rounds.
//
//   npm run bench:train                      # build, then: node bench/train-throughput.mjs
//   node bench/train-throughput.mjs --rounds 5 --backend cpu
//   node bench/train-throughput.mjs --rows 20000 --epochs 2 --rounds 1   # a quick look
//   node bench/train-throughput.mjs --peers  # + PyTorch / scikit-learn (needs /usr/bin/python3)
//
// Workload (defaults): synth.mjs data (100,000 rows x 20 features, 5 classes, seed 42), MLP
// 20-64-64-5 (relu, softmax), Adam lr 1e-3, 5 epochs, batch 32 and 256, reshuffled every epoch.
// Timed: the training call only (model.fit gets its tensors made beforehand; trainModel's time
// includes its own data checks and shuffles). Train accuracy is measured after each run with the
// same predict code, so equal work is visible. Writes bench/results/train-throughput.json.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const dist = path.join(repoRoot, 'dist', 'engine');

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    epochs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '32,256' },
    rounds: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'wasm' },
    all: { type: 'boolean', default: false },
    peers: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(repoRoot, 'bench', 'results', 'train-throughput.json') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(`usage: node bench/train-throughput.mjs [--rows N] [--epochs N] [--batch 32,256] [--rounds N]
       [--backend wasm|cpu] [--all] [--peers] [--out FILE]
  --all    both wasm and cpu backends   --peers  also PyTorch and scikit-learn (--threads 1)`);
  process.exit(0);
}
const ROWS = positiveInt(opts.rows, '--rows');
const EPOCHS = positiveInt(opts.epochs, '--epochs');
const ROUNDS = positiveInt(opts.rounds, '--rounds');
const BATCHES = opts.batch.split(',').map((b) => positiveInt(b, '--batch'));
const BACKENDS = opts.all ? ['wasm', 'cpu'] : [opts.backend];
const FEATURES = 20;
const CLASSES = 5;
const HIDDEN = [64, 64];
const LR = 1e-3;
const SEED = 42;

if (!existsSync(path.join(dist, 'training', 'train-loop.js'))) {
  console.error('bench: dist/ is missing; run "npm run build" (or npm run bench:train) first.');
  process.exit(2);
}
const { loadTf } = await import(pathToFileURL(path.join(dist, 'tf.js')).href);
const { buildMlp } = await import(pathToFileURL(path.join(dist, 'build-model.js')).href);
const { trainModel } = await import(pathToFileURL(path.join(dist, 'training', 'train-loop.js')).href);
const { predictBatch } = await import(pathToFileURL(path.join(dist, 'predict.js')).href);

// ---- data: the shared generator when ../shared is there, else the identical local copy
const sharedSynth = path.resolve(repoRoot, '../shared/peers/synth.mjs');
const synthPath = existsSync(sharedSynth) ? sharedSynth : path.join(here, 'synth.mjs');
const { synth } = await import(pathToFileURL(synthPath).href);
const { X, y: yBytes } = synth({ rows: ROWS, features: FEATURES, classes: CLASSES, seed: SEED });
const dataSha = createHash('sha256').update(X).update(yBytes).digest('hex');
const Y = Int32Array.from(yBytes);

// ---- peers (optional): PyTorch and scikit-learn on one BLAS thread
const peerScript = path.resolve(repoRoot, '../shared/peers/train_throughput.py');
const python = '/usr/bin/python3';
let peerFrameworks = [];
if (opts.peers) {
  if (!existsSync(python) || !existsSync(peerScript)) {
    console.error(`bench: --peers needs ${python} and ${peerScript}; skipping the peers.`);
  } else {
    for (const fw of ['torch', 'sklearn']) {
      const mod = fw === 'torch' ? 'torch' : 'sklearn';
      if (
        await run(python, ['-c', `import ${mod}`]).then(
          () => true,
          () => false,
        )
      )
        peerFrameworks.push(fw);
      else
        console.error(
          `bench: ${python} cannot import ${mod}; skipping it (apt-get install python3-${fw === 'torch' ? 'torch' : 'sklearn'}).`,
        );
    }
  }
}

// ---- runners
function makeModel(tf) {
  return buildMlp(
    tf,
    { inputSize: FEATURES, outputSize: CLASSES, task: 'classification', hidden: HIDDEN, activation: 'relu', dropout: 0, l2: 0 },
    SEED,
  );
}

function trainAccuracy(tf, model) {
  const p = predictBatch(tf, model, X, ROWS, FEATURES);
  let correct = 0;
  for (let i = 0; i < ROWS; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (p[i * CLASSES + c] > p[i * CLASSES + best]) best = c;
    if (best === Y[i]) correct++;
  }
  return correct / ROWS;
}

async function runFit(tf, batch) {
  const model = makeModel(tf);
  model.compile({ optimizer: tf.train.adam(LR), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor2d(X, [ROWS, FEATURES]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Y, 'int32'), CLASSES));
  try {
    const t0 = performance.now();
    await model.fit(xs, ys, { epochs: EPOCHS, batchSize: batch, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - t0) / 1000;
    return { samplesPerSec: (ROWS * EPOCHS) / seconds, seconds, trainAcc: trainAccuracy(tf, model) };
  } finally {
    tf.dispose([xs, ys]);
    model.optimizer?.dispose();
    model.dispose();
  }
}

async function runMlctl(tf, batch) {
  const model = makeModel(tf);
  try {
    const t0 = performance.now();
    await trainModel(
      tf,
      model,
      { x: X, y: Y, n: ROWS },
      { epochs: EPOCHS, batchSize: batch, optimizer: 'adam', learningRate: LR, seed: SEED },
    );
    const seconds = (performance.now() - t0) / 1000;
    return { samplesPerSec: (ROWS * EPOCHS) / seconds, seconds, trainAcc: trainAccuracy(tf, model) };
  } finally {
    model.dispose();
  }
}

async function runPeer(framework, batch) {
  const args = [
    peerScript,
    '--framework',
    framework,
    '--batch',
    String(batch),
    '--threads',
    '1',
    '--rows',
    String(ROWS),
    '--epochs',
    String(EPOCHS),
    '--features',
    String(FEATURES),
    '--classes',
    String(CLASSES),
    '--hidden',
    HIDDEN.join(','),
    '--seed',
    String(SEED),
  ];
  const out = JSON.parse((await run(python, args)).trim().split('\n').pop());
  if (out.data_sha256 !== dataSha) console.error(`bench: ${framework} trained on different data (sha ${out.data_sha256} vs ${dataSha})`);
  return {
    samplesPerSec: out.samples_per_s,
    seconds: out.seconds,
    trainAcc: out.train_acc,
    version: out.torch ?? out.sklearn,
    blas: out.blas,
  };
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 1_800_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

// ---- the rounds: every runner once per round, the order rotated from round to round
const results = []; // { backend, batch, runner, runs: [{samplesPerSec, seconds, trainAcc}] }
const entry = (backend, batch, runner) => {
  let e = results.find((r) => r.backend === backend && r.batch === batch && r.runner === runner);
  if (!e) results.push((e = { backend, batch, runner, runs: [] }));
  return e;
};
let tfjsVersion = '';
const started = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const backend of BACKENDS) {
    const { tf, tfjsVersion: v } = await loadTf(backend);
    tfjsVersion = v;
    for (const batch of BATCHES) {
      const runners = [
        ['model.fit', () => runFit(tf, batch)],
        ['mlctl', () => runMlctl(tf, batch)],
        ...(backend === BACKENDS[0]
          ? peerFrameworks.map((fw) => [fw === 'torch' ? 'pytorch' : 'scikit-learn', () => runPeer(fw, batch)])
          : []),
      ];
      const order = runners.map((_, i) => runners[(i + round) % runners.length]);
      for (const [name, fn] of order) {
        const backendLabel = name === 'pytorch' || name === 'scikit-learn' ? 'python, 1 thread' : backend;
        const r = await fn();
        entry(backendLabel, batch, name).runs.push(r);
        process.stderr.write(
          `round ${round + 1}/${ROUNDS} ${backendLabel.padEnd(16)} batch ${String(batch).padStart(4)} ${name.padEnd(12)} ${fmt(r.samplesPerSec).padStart(9)} samples/s  acc ${r.trainAcc.toFixed(4)}\n`,
        );
      }
    }
  }
}

// ---- summary
const stats = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s.at(-1), runs: values };
};
const summary = results.map((e) => ({
  ...e,
  samplesPerSec: stats(e.runs.map((r) => r.samplesPerSec)),
  trainAcc: stats(e.runs.map((r) => r.trainAcc)),
}));
const mlctlOf = (batch) => summary.filter((s) => s.runner === 'mlctl' && s.batch === batch);
for (const s of summary) {
  if (s.runner === 'mlctl') continue;
  const mine =
    s.runner === 'model.fit'
      ? summary.find((m) => m.runner === 'mlctl' && m.batch === s.batch && m.backend === s.backend)
      : mlctlOf(s.batch)[0];
  if (!mine) continue;
  // ratio of the medians, and the spread of the per-round ratios (same round = same machine state)
  const perRound = mine.runs.map((r, i) => r.samplesPerSec / s.runs[i].samplesPerSec);
  s.mlctlRatio = {
    vs: `${mine.backend} mlctl`,
    ofMedians: mine.samplesPerSec.median / s.samplesPerSec.median,
    ...minMax(perRound),
    perRound,
  };
}

const lines = [];
lines.push(
  `train throughput: ${ROWS} rows x ${FEATURES} features, ${CLASSES} classes, MLP ${[FEATURES, ...HIDDEN, CLASSES].join('-')} relu/softmax, Adam lr ${LR}, ${EPOCHS} epochs, ${ROUNDS} round(s)`,
);
lines.push(
  `node ${process.version}, tfjs ${tfjsVersion}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}; data sha256 ${dataSha.slice(0, 16)}...`,
);
lines.push('');
lines.push(
  `${'backend'.padEnd(17)}${'batch'.padStart(6)}  ${'runner'.padEnd(13)}${'samples/s (median)'.padStart(19)}  ${'min - max'.padStart(19)}  ${'train acc'.padStart(9)}  mlctl ratio (per-round min - max)`,
);
for (const s of summary) {
  const ratio = s.mlctlRatio
    ? `${s.mlctlRatio.ofMedians.toFixed(2)}x (${s.mlctlRatio.min.toFixed(2)} - ${s.mlctlRatio.max.toFixed(2)})`
    : '';
  lines.push(
    `${s.backend.padEnd(17)}${String(s.batch).padStart(6)}  ${s.runner.padEnd(13)}${fmt(s.samplesPerSec.median).padStart(19)}  ${`${fmt(s.samplesPerSec.min)} - ${fmt(s.samplesPerSec.max)}`.padStart(19)}  ${s.trainAcc.median.toFixed(4).padStart(9)}  ${ratio}`,
  );
}
if (peerFrameworks.length)
  lines.push(
    '',
    'peers ran with --threads 1 (one BLAS/OpenMP thread), the per-core comparison; TF.js wasm/cpu are single-threaded in Node.',
  );
console.log(lines.join('\n'));

const report = {
  benchmark: 'train-throughput',
  date: new Date().toISOString(),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  machine: {
    cpu: os.cpus()[0]?.model,
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    platform: process.platform,
    arch: process.arch,
    loadavg: os.loadavg(),
  },
  node: process.version,
  tfjs: tfjsVersion,
  backends: BACKENDS,
  workload: {
    rows: ROWS,
    features: FEATURES,
    classes: CLASSES,
    hidden: HIDDEN,
    activation: 'relu',
    optimizer: 'adam',
    learningRate: LR,
    epochs: EPOCHS,
    batches: BATCHES,
    rounds: ROUNDS,
    dataSeed: SEED,
    dataSha256: dataSha,
    dataSource: synthPath === sharedSynth ? '../shared/peers/synth.mjs' : 'bench/synth.mjs',
  },
  peers: peerFrameworks.length ? { threads: 1, frameworks: peerFrameworks } : null,
  command: `node bench/train-throughput.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  results: summary,
};
mkdirSync(path.dirname(opts.out), { recursive: true });
writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), opts.out) || opts.out}`);

function fmt(v) {
  return Math.round(v).toLocaleString('en-US');
}
function minMax(values) {
  return { min: Math.min(...values), max: Math.max(...values) };
}
function positiveInt(value, flag) {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench: ${flag} must be a positive integer, got "${value}"`);
    process.exit(2);
  }
  return v;
}
