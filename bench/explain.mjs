#!/usr/bin/env node
// npm run bench:explain — what `mlctl explain` costs on the built-in templates.
//
// For each template (iris, wine, breast-cancer, diabetes): train it with its default settings
// (seed 1), then time, through the same lifecycle calls as the CLI (each after one warm-up call):
//   evaluate                   one scoring pass over the stored test split: the baseline
//   importance                 mlctl explain (permutation importance, --repeats 10, not stored)
//   attributions               mlctl explain --row 1,…,N (integrated gradients, N test rows)
// and, on an already opened version (what a server pays), the computation alone: one forward pass
// over the split (the baseline), the importance run and the attributions of the same rows;
// and report ms per importance run (and its ratio to evaluate: it scores the split
// 1 + columns × repeats times), ms per explained row (and its ratio to evaluate's ms per row), the
// integration steps the rows needed and the largest completeness error (must be ≤ 1%).
// Times are medians of --runs runs. Writes bench/results/explain.json; exit 0 whatever the
// figures (a report), non-zero only on errors or a completeness error above 1%.
//
// Usage: node bench/explain.mjs [--backend wasm|cpu|auto] [--only iris,wine] [--repeats 10] [--rows 50] [--runs 3]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href;
const TEMPLATES = ['iris', 'wine', 'breast-cancer', 'diabetes'];

function parseArgs(argv) {
  const out = { backend: 'wasm', only: null, repeats: 10, rows: 50, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--backend') out.backend = value();
    else if (flag === '--only') out.only = value().split(',');
    else if (flag === '--repeats') out.repeats = Number(value());
    else if (flag === '--rows') out.rows = Number(value());
    else if (flag === '--runs') out.runs = Number(value());
    else throw new Error(`unknown argument ${flag}`);
  }
  for (const k of ['repeats', 'rows', 'runs'])
    if (!(Number.isInteger(out[k]) && out[k] >= 1)) throw new Error(`--${k}: a whole number ≥ 1`);
  return out;
}

const args = parseArgs(process.argv.slice(2));
const { Registry } = await import(dist('registry/registry.js'));
const { train } = await import(dist('lifecycle/train.js'));
const { evaluate } = await import(dist('lifecycle/evaluate.js'));
const { explain } = await import(dist('lifecycle/explain.js'));
const { activateBackend } = await import(dist('engine/model-handle.js'));
const { openVersion, readVersion } = await import(dist('lifecycle/open-version.js'));
const { evaluationRows } = await import(dist('lifecycle/evaluate.js'));
const { permutationImportance } = await import(dist('lifecycle/explain/importance.js'));
const { attributeRows } = await import(dist('lifecycle/explain/attributions.js'));
const { backend, tfjsVersion } = await activateBackend(args.backend);

const r4 = (x) => Math.round(x * 1e4) / 1e4;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(fn) {
  await fn(); // warm-up: file cache, TF.js kernels
  const ms = [];
  let last;
  for (let i = 0; i < args.runs; i++) {
    const t = performance.now();
    last = await fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), result: last };
}

const work = mkdtempSync(path.join(os.tmpdir(), 'mlctl-bench-explain-'));
const results = {};
const t0 = performance.now();
let failed = false;
try {
  for (const template of args.only ?? TEMPLATES) {
    const registry = new Registry(path.join(work, template));
    const { record } = await train({ registry, source: template, settings: { seed: 1 }, backend: args.backend });
    const base = { registry, model: record.model, backend: args.backend };
    const ev = await timed(() => evaluate(base));
    const testRows = ev.result.data.rows;
    const imp = await timed(() => explain({ ...base, repeats: args.repeats, seed: 1, save: false }));
    const n = Math.min(args.rows, testRows);
    const rows = Array.from({ length: n }, (_, i) => i + 1);
    const att = await timed(() => explain({ ...base, rows }));
    const steps = att.result.rows.map((r) => r.steps);
    const maxError = att.result.completeness.maxError;
    if (maxError > 0.01) failed = true;
    const columns = record.signature.features.length;
    // the computation alone, on an opened version (no file checks, no model load): one forward pass
    // over the split, the importance run, the attributions of the same rows
    const info = await readVersion({ registry, model: record.model });
    const data = await evaluationRows(info);
    const opened = await openVersion({ registry, model: record.model, backend: args.backend }, info);
    let core;
    try {
      const { x, y, rows: kept } = data.prepared;
      const width = data.signature.inputSize;
      const pass = await timed(async () => opened.handle.predict(x, kept.length));
      const perm = await timed(async () =>
        permutationImportance({
          predict: (a, m) => opened.handle.predict(a, m),
          signature: data.signature,
          x,
          y,
          n: kept.length,
          metric: imp.result.importance.metric,
          repeats: args.repeats,
          seed: 1,
        }),
      );
      const ig = await timed(async () => attributeRows(opened.handle, data.signature, x.subarray(0, n * width), n));
      core = {
        forwardPassMs: r4(pass.ms),
        importanceMs: r4(perm.ms),
        importanceVsForwardPass: r4(perm.ms / pass.ms),
        attributionMsPerRow: r4(ig.ms / n),
        attributionVsForwardPassPerRow: r4(ig.ms / n / (pass.ms / kept.length)),
      };
    } finally {
      opened.dispose();
    }
    results[template] = {
      task: record.target.task,
      columns,
      encodedInputs: record.signature.inputSize,
      testRows,
      evaluateMs: r4(ev.ms),
      importance: {
        repeats: args.repeats,
        metric: imp.result.importance.metric,
        ms: r4(imp.ms),
        vsEvaluate: r4(imp.ms / ev.ms),
        scoringPasses: 1 + columns * args.repeats,
        top: imp.result.importance.features.slice(0, 3).map((f) => f.feature),
      },
      core,
      attributions: {
        rows: n,
        msPerRow: r4(att.ms / n),
        vsEvaluatePerRow: r4(att.ms / n / (ev.ms / testRows)),
        steps: { min: Math.min(...steps), median: median(steps), max: Math.max(...steps) },
        maxCompletenessError: r4(maxError),
      },
    };
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const doc = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: os.cpus().length,
  backend,
  tfjsVersion,
  runs: args.runs,
  seconds: r4((performance.now() - t0) / 1000),
  notes:
    'Times are medians of the runs after a warm-up, through the lifecycle calls the CLI makes (opening the version included). ' +
    'vsEvaluate: importance time over one evaluate of the same split; vsEvaluatePerRow: ms per explained row over evaluate ms per test row. ' +
    'maxCompletenessError: largest |Σ attributions − (prediction − baseline)| / |prediction − baseline| over the rows (goal ≤ 0.01).',
  templates: results,
};
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/explain.json'), `${JSON.stringify(doc, null, 2)}\n`);

console.log(`backend ${backend}, median of ${args.runs} runs, importance with --repeats ${args.repeats}`);
console.log(
  `${'template'.padEnd(15)}${'cols'.padStart(5)}${'test'.padStart(6)}${'evaluate'.padStart(10)}${'importance'.padStart(12)}${'×eval'.padStart(7)}${'ms/row'.padStart(9)}${'×eval/row'.padStart(11)}${'steps'.padStart(12)}${'max err'.padStart(9)}`,
);
for (const [name, r] of Object.entries(results)) {
  const s = r.attributions.steps;
  console.log(
    `${name.padEnd(15)}${String(r.columns).padStart(5)}${String(r.testRows).padStart(6)}${`${r.evaluateMs.toFixed(1)} ms`.padStart(10)}${`${r.importance.ms.toFixed(1)} ms`.padStart(12)}${r.importance.vsEvaluate.toFixed(1).padStart(7)}${r.attributions.msPerRow.toFixed(2).padStart(9)}${r.attributions.vsEvaluatePerRow.toFixed(0).padStart(11)}${`${s.min}/${s.median}/${s.max}`.padStart(12)}${`${(r.attributions.maxCompletenessError * 100).toFixed(2)}%`.padStart(9)}`,
  );
}
console.log('\ncomputation alone (opened version): one forward pass over the split is the baseline');
console.log(
  `${'template'.padEnd(15)}${'pass'.padStart(10)}${'importance'.padStart(12)}${'×pass'.padStart(8)}${'ms/row'.padStart(9)}${'×pass/row'.padStart(11)}`,
);
for (const [name, r] of Object.entries(results)) {
  const c = r.core;
  console.log(
    `${name.padEnd(15)}${`${c.forwardPassMs.toFixed(2)} ms`.padStart(10)}${`${c.importanceMs.toFixed(1)} ms`.padStart(12)}${c.importanceVsForwardPass.toFixed(0).padStart(8)}${c.attributionMsPerRow.toFixed(2).padStart(9)}${c.attributionVsForwardPassPerRow.toFixed(0).padStart(11)}`,
  );
}
if (failed) {
  console.error('✖ completeness above 1% on some template (see bench/results/explain.json)');
  process.exitCode = 1;
}
