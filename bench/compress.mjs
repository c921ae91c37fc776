#!/usr/bin/env node
// npm run bench:compress — what prune and quantize save and cost on the built-in templates.
//
// For each template (iris, wine, breast-cancer, diabetes) and each seed: train the template with
// its default settings and that seed (the seed drives the split and the initial weights), then,
// through the same lifecycle calls as the CLI, derive from that float32 parent:
//   float16, uint16, uint8                      mlctl quantize --dtype …
//   prune 0.8 + fine-tune                       mlctl prune --sparsity 0.8 --per-layer --fine-tune-epochs 100
//                                                 --schedule polynomial
//   prune 0.8 + fine-tune + uint8               mlctl quantize --dtype uint8 of the pruned version
// and record weight bytes (the shards), gzip bytes (level 6, what a web server sends) and the test
// metric (accuracy; R² for diabetes) on the parent's stored test split. Sizes and metrics are
// compared with the parent trained in the same run; figures are means over the seeds (small test
// splits are noisy: one iris row is 3.3 points). Verdicts against issue 9's goals:
//   uint8: weights ≤ 0.26 × float32, accuracy within 0.5 point (R² within 0.01)
//   float16: within 0.1 point;  prune 0.8 + fine-tune: within 1 point, gzip ≤ 0.35 × parent
//   prune 0.8 + uint8: ≥ 8× smaller than the parent after gzip, within 1.5 points
// (a point is 0.01 of the metric, for R² too). Writes bench/results/compress.json; exit 0
// whatever the verdicts (a report), non-zero only on errors.
//
// Usage: node bench/compress.mjs [--seeds 1,2,3,4,5] [--backend wasm|cpu|auto] [--only iris,wine]
//          [--fine-tune-epochs 100] [--schedule polynomial|constant] [--global]
//
// Pruning is per layer by default here (each kernel to 0.8, as the TensorFlow Model Optimization
// Toolkit prunes): one global cut can zero a whole small-valued layer (diabetes' output layer),
// which no fine-tuning brings back. --global measures mlctl's default instead.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href;
const TEMPLATES = ['iris', 'wine', 'breast-cancer', 'diabetes'];

function parseArgs(argv) {
  const out = { seeds: [1, 2, 3, 4, 5], backend: 'wasm', only: null, epochs: 100, schedule: 'polynomial', perLayer: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--seeds') out.seeds = value().split(',').map(Number);
    else if (flag === '--backend') out.backend = value();
    else if (flag === '--only') out.only = value().split(',');
    else if (flag === '--fine-tune-epochs') out.epochs = Number(value());
    else if (flag === '--schedule') out.schedule = value();
    else if (flag === '--global') out.perLayer = false;
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!out.seeds.every((s) => Number.isInteger(s) && s >= 0)) throw new Error('--seeds: whole numbers ≥ 0');
  return out;
}

const args = parseArgs(process.argv.slice(2));
const { Registry } = await import(dist('registry/registry.js'));
const { train } = await import(dist('lifecycle/train.js'));
const { quantize } = await import(dist('lifecycle/quantize.js'));
const { prune } = await import(dist('lifecycle/prune.js'));
const { activateBackend } = await import(dist('engine/model-handle.js'));
const { backend, tfjsVersion } = await activateBackend(args.backend);

const VARIANTS = ['float32', 'float16', 'uint16', 'uint8', 'prune0.8+ft', 'prune0.8+ft+uint8'];
const weights = (record) => {
  const files = record.files.filter((f) => f.path !== 'model.json');
  return { bytes: files.reduce((a, f) => a + f.bytes, 0), gzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0) };
};

const work = mkdtempSync(path.join(os.tmpdir(), 'mlctl-bench-compress-'));
const results = {};
const t0 = performance.now();
try {
  for (const template of args.only ?? TEMPLATES) {
    const runs = [];
    for (const seed of args.seeds) {
      const registry = new Registry(path.join(work, `${template}-${seed}`));
      const { record: parent } = await train({ registry, source: template, settings: { seed }, backend: args.backend });
      const metricName = 'accuracy' in parent.metrics ? 'accuracy' : 'r2';
      const row = { seed, metric: metricName, variants: {} };
      const add = (name, record, extra = {}) => (row.variants[name] = { ...weights(record), metric: record.metrics[metricName], ...extra });
      add('float32', parent);
      for (const dtype of ['float16', 'uint16', 'uint8']) {
        const q = await quantize({ registry, model: template, selector: { version: 1 }, dtype, backend: args.backend });
        add(dtype, q.record, { maxWeightError: q.maxWeightError });
      }
      const p = await prune({
        registry,
        model: template,
        selector: { version: 1 },
        sparsity: 0.8,
        perLayer: args.perLayer,
        fineTuneEpochs: args.epochs,
        schedule: args.schedule,
        backend: args.backend,
      });
      add('prune0.8+ft', p.record, { sparsity: p.sparsity.overall.sparsity });
      const pq = await quantize({ registry, model: template, selector: { version: p.version }, dtype: 'uint8', backend: args.backend });
      add('prune0.8+ft+uint8', pq.record, { sparsity: p.sparsity.overall.sparsity });
      runs.push(row);
      process.stderr.write(
        `${template} seed ${seed}: ${VARIANTS.map((v) => `${v} ${row.variants[v].gzipBytes} B gz ${row.variants[v].metric.toFixed(4)}`).join(' | ')}\n`,
      );
    }
    results[template] = summarize(runs);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function std(xs) {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}
function r4(x) {
  return Number(x.toPrecision(4));
}

function summarize(runs) {
  const metric = runs[0].metric;
  const variants = {};
  for (const v of VARIANTS) {
    const bytes = mean(runs.map((r) => r.variants[v].bytes));
    const gzipBytes = mean(runs.map((r) => r.variants[v].gzipBytes));
    const values = runs.map((r) => r.variants[v].metric);
    // per-seed change against that seed's own parent, then averaged
    const deltas = runs.map((r) => r.variants[v].metric - r.variants.float32.metric);
    variants[v] = {
      bytes: r4(bytes),
      gzipBytes: r4(gzipBytes),
      bytesRatio: r4(mean(runs.map((r) => r.variants[v].bytes / r.variants.float32.bytes))),
      gzipRatio: r4(mean(runs.map((r) => r.variants[v].gzipBytes / r.variants.float32.gzipBytes))),
      gzipVsParentBytes: r4(mean(runs.map((r) => r.variants[v].gzipBytes / r.variants.float32.bytes))),
      [metric]: r4(mean(values)),
      [`${metric}Std`]: r4(std(values)),
      change: r4(mean(deltas)),
      worstChange: r4(Math.min(...deltas)),
      ...(runs[0].variants[v].sparsity !== undefined ? { sparsity: r4(mean(runs.map((r) => r.variants[v].sparsity))) } : {}),
    };
  }
  const within = (v, points) => variants[v].change >= -points / 100 - 1e-12;
  const goals = [
    { goal: `uint8 weights ≤ 0.26 × float32`, value: variants.uint8.bytesRatio, met: variants.uint8.bytesRatio <= 0.26 },
    {
      goal: `uint8 ${metric} within ${metric === 'r2' ? '0.01' : '0.5 point'}`,
      value: variants.uint8.change,
      met: within('uint8', metric === 'r2' ? 1 : 0.5),
    },
    { goal: `float16 ${metric} within 0.1 point`, value: variants.float16.change, met: within('float16', 0.1) },
    { goal: `prune 0.8 + fine-tune ${metric} within 1 point`, value: variants['prune0.8+ft'].change, met: within('prune0.8+ft', 1) },
    {
      goal: 'prune 0.8 + fine-tune gzip ≤ 0.35 × parent gzip',
      value: variants['prune0.8+ft'].gzipRatio,
      met: variants['prune0.8+ft'].gzipRatio <= 0.35,
    },
    {
      goal: 'prune 0.8 + uint8 ≥ 8× smaller than the parent after gzip',
      value: r4(1 / variants['prune0.8+ft+uint8'].gzipRatio),
      met: variants['prune0.8+ft+uint8'].gzipRatio <= 1 / 8,
    },
    {
      goal: `prune 0.8 + uint8 ${metric} within 1.5 points`,
      value: variants['prune0.8+ft+uint8'].change,
      met: within('prune0.8+ft+uint8', 1.5),
    },
  ];
  return { metric, seeds: runs.map((r) => r.seed), variants, goals, runs };
}

const doc = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: os.cpus().length,
  backend,
  tfjsVersion,
  seeds: args.seeds,
  prune: { sparsity: 0.8, scope: args.perLayer ? 'per-layer' : 'global', fineTuneEpochs: args.epochs, schedule: args.schedule },
  seconds: r4((performance.now() - t0) / 1000),
  notes:
    "bytes/gzipBytes: weight shards only (model.json excluded); ratios and changes are per seed against that seed's float32 parent, then averaged; " +
    "gzipVsParentBytes: gzip bytes over the parent's raw bytes; change/worstChange: metric difference (a point = 0.01).",
  templates: results,
};
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/compress.json'), `${JSON.stringify(doc, null, 2)}\n`);

for (const [name, r] of Object.entries(results)) {
  console.log(`\n${name} (${r.metric}, mean of seeds ${r.seeds.join(',')})`);
  console.log(
    `${'variant'.padEnd(20)}${'bytes'.padStart(9)}${'gzip'.padStart(9)}${'×bytes'.padStart(8)}${'×gzip'.padStart(8)}${r.metric.padStart(9)}${'change'.padStart(9)}`,
  );
  for (const v of VARIANTS) {
    const x = r.variants[v];
    console.log(
      `${v.padEnd(20)}${String(Math.round(x.bytes)).padStart(9)}${String(Math.round(x.gzipBytes)).padStart(9)}${x.bytesRatio.toFixed(3).padStart(8)}${x.gzipRatio.toFixed(3).padStart(8)}${x[r.metric].toFixed(4).padStart(9)}${(x.change >= 0 ? '+' : '') + x.change.toFixed(4).padStart(8)}`,
    );
  }
  for (const g of r.goals) console.log(`  ${g.met ? '✔' : '✖'} ${g.goal}: ${g.value}`);
}
console.log(`\nwrote bench/results/compress.json (${doc.seconds} s, ${backend} backend)`);
