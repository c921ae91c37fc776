#!/usr/bin/env node
// How the built-in templates' default settings were chosen (kept to document it; re-run it after
// changing the engine). Honest tuning: the test rows are never looked at.
//
// For each template:
//  1. The test split that `mlctl train <template>` holds out (same seed, fractions and stratified
//     split: prepareTrainingData) is removed first. Only the remaining "development" rows are used.
//  2. A candidate's score is its mean validation metric (accuracy; R² for regression) over
//     `--seeds` repetitions of a 5-fold inner cross-validation of the development rows — the
//     `crossValidate` code path of `mlctl train --folds`, which fits the preprocessing on each inner
//     training part only and carves the early-stopping validation part out of it, exactly as
//     training does. Every model is scored on development rows it was not trained on.
//     The tuning seeds (1 to 5 by default) are not the template's seed: the template's `seed`
//     (42) is kept as it is and is never chosen by score.
//  3. Search: coordinate descent from the current template settings, stage by stage (architecture;
//     optimisation; regularisation; schedule; optimizer; then architecture again). In each stage
//     every combination of that stage's values is scored with the other settings fixed at the
//     incumbent's; the best-scoring candidate wins (with --min-gain g, only when it beats the
//     incumbent by more than g; ties keep the incumbent, which favours the earlier settings).
//  4. With --write the winner's `model` and `training` values are written into
//     templates/<name>/template.json (other keys untouched).
//
// Results (every candidate's per-seed scores) go to bench/results/tune-<template>.json.
// The check is then `npm run bench:quality` (5-fold CV on all rows, template seed) and
// `mlctl train <template>` (the held-out test split). Note that bench:quality's folds include the
// development rows the selection looked at (as validation data), so its figures are slightly
// optimistic for the tuned settings; only the held-out test split was never seen.
//
// How the shipped defaults were produced: `node bench/tune-templates.mjs --write`, starting from the
// earlier defaults ([32,32] relu adam, no regularisation). History, for the record: a first run
// used --min-gain 0.003 (a candidate had to win by 0.003) and an l2 grid ending at 0.01; it left
// breast-cancer at [32] tanh without L2 (l2 0.01 scored +0.0026 on validation, just under the
// threshold) and that default fell short on bench:quality. The procedure was then changed to plain
// "best validation score wins" (min-gain 0), with l2 0.03 added because 0.01 sat at the grid's edge
// for two datasets, and re-run for ALL templates from the earlier defaults; the shipped settings are
// that second run's picks, unedited.
//
// Usage: node bench/tune-templates.mjs [--only iris,wine] [--seeds 1,2,3,4,5] [--folds 5]
//          [--backend wasm] [--min-gain 0] [--write]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href;
const TEMPLATES = ['iris', 'wine', 'breast-cancer', 'diabetes'];

// Per template limits: iris must train in well under 5 s end to end (`mlctl train iris`), so its
// epoch budget stays modest; the others are small enough for a few hundred epochs.
const MAX_EPOCHS = { iris: 200, wine: 300, 'breast-cancer': 300, diabetes: 500 };

/** The stages of the coordinate search: each is a small grid over a few settings. */
function stages(name) {
  const cap = MAX_EPOCHS[name];
  return [
    {
      name: 'architecture',
      grid: {
        hidden: [[16], [32], [64], [32, 32], [64, 64]],
        activation: ['relu', 'tanh', 'elu'],
      },
    },
    { name: 'optimisation', grid: { learningRate: [0.001, 0.003, 0.01, 0.03], batchSize: [16, 32, 64] } },
    { name: 'regularisation', grid: { l2: [0, 1e-4, 1e-3, 1e-2, 3e-2], dropout: [0, 0.1, 0.3] } },
    {
      name: 'schedule',
      grid: { patience: [10, 20, 40], decay: [0, 0.01, 0.05] },
      fixed: { epochs: cap },
    },
    { name: 'optimizer', grid: { optimizer: ['adam', 'rmsprop', 'momentum'] } },
    {
      name: 'architecture (again)',
      grid: {
        hidden: [[16], [32], [64], [32, 32], [64, 64]],
        activation: ['relu', 'tanh', 'elu'],
      },
    },
  ];
}

function parseArgs(argv) {
  const out = { only: TEMPLATES, seeds: [1, 2, 3, 4, 5], folds: 5, backend: 'wasm', minGain: 0, write: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--only') {
      out.only = next().split(',').filter(Boolean);
      const bad = out.only.filter((n) => !TEMPLATES.includes(n));
      if (bad.length) throw new Error(`unknown template(s) ${bad.join(', ')}`);
    } else if (a === '--seeds') out.seeds = next().split(',').map(Number);
    else if (a === '--folds') out.folds = Number(next());
    else if (a === '--backend') out.backend = next();
    else if (a === '--min-gain') out.minGain = Number(next());
    else if (a === '--write') out.write = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

/** All combinations of a grid ({key: values[]}) as a list of partial settings. */
function combinations(grid) {
  let out = [{}];
  for (const [key, values] of Object.entries(grid)) {
    out = out.flatMap((partial) => values.map((v) => ({ ...partial, [key]: v })));
  }
  return out;
}

const MODEL_KEYS = ['hidden', 'activation', 'dropout', 'l2'];
const TUNED_KEYS = ['hidden', 'activation', 'dropout', 'l2', 'epochs', 'batchSize', 'optimizer', 'learningRate', 'decay', 'patience'];
const key = (s) => JSON.stringify(TUNED_KEYS.map((k) => s[k]));
const describe = (s) =>
  `[${s.hidden.join(',')}] ${s.activation} lr ${s.learningRate} bs ${s.batchSize} l2 ${s.l2} do ${s.dropout} ` +
  `${s.optimizer} decay ${s.decay} ep ${s.epochs} pat ${s.patience}`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const [
    { resolveTrainSource },
    { mergeSettings, templateSettings },
    { readCsvFile },
    { crossValidate },
    { loadTf },
    { prepareTrainingData },
  ] = await Promise.all([
    import(dist('lifecycle/templates.js')),
    import(dist('lifecycle/train-settings.js')),
    import(dist('dataset/read-table.js')),
    import(dist('lifecycle/cross-validate.js')),
    import(dist('engine/tf.js')),
    import(dist('dataset/prepare.js')),
  ]);
  const { tf, backend } = await loadTf(opts.backend);
  console.error(
    `tune-templates: backend ${backend}, tuning seeds ${opts.seeds.join(',')}, ${opts.folds}-fold inner CV on the non-test rows`,
  );

  for (const name of opts.only) {
    const source = await resolveTrainSource(name, { cwd: root });
    const template = source.template;
    const base = mergeSettings(templateSettings(template));
    const table = await readCsvFile(source.dataPath);

    // 1. drop the rows `mlctl train` would test on (same call, same seed and fractions)
    const prepared = prepareTrainingData(table, {
      target: template.target,
      features: template.features,
      ignore: template.ignore,
      task: template.task,
      seed: base.seed,
      testFraction: base.testSplit,
      validationFraction: base.validationSplit,
      maxCategories: base.maxCategories,
    });
    const testRows = new Set(prepared.indices.test);
    const dev = { columns: table.columns, rows: table.rows.filter((_, i) => !testRows.has(i)), source: table.source };
    const task = prepared.signature.target.task;
    const metric = task === 'classification' ? 'accuracy' : 'r2';
    console.error(`\n${name}: ${table.rows.length} rows, ${testRows.size} test rows set aside, tuning on ${dev.rows.length} (${metric})`);

    // 2. score = mean inner-CV validation metric over the tuning seeds
    const cache = new Map();
    const evaluate = async (settings) => {
      const k = key(settings);
      if (cache.has(k)) return cache.get(k);
      const t0 = performance.now();
      const perSeed = [];
      const second = [];
      for (const seed of opts.seeds) {
        const report = await crossValidate({
          tf,
          table: dev,
          target: template.target,
          features: template.features,
          ignore: template.ignore,
          task: template.task,
          settings: { ...settings, seed },
          folds: opts.folds,
        });
        perSeed.push(report.metrics[metric].mean);
        second.push(task === 'classification' ? report.metrics.macroF1.mean : report.metrics.rmse.mean);
      }
      const mean = perSeed.reduce((a, b) => a + b, 0) / perSeed.length;
      const result = {
        settings,
        score: mean,
        perSeed,
        second: second.reduce((a, b) => a + b, 0) / second.length,
        seconds: (performance.now() - t0) / 1000,
      };
      cache.set(k, result);
      return result;
    };

    // 3. coordinate descent
    let incumbent = await evaluate({ ...base });
    const start = incumbent;
    console.error(`  start      ${incumbent.score.toFixed(4)}  ${describe(incumbent.settings)}  (${incumbent.seconds.toFixed(1)} s)`);
    const log = [{ stage: 'start', candidates: [incumbent] }];
    for (const stage of stages(name)) {
      const candidates = [];
      const stageStart = incumbent;
      for (const change of combinations(stage.grid)) {
        const settings = mergeSettings({ ...stageStart.settings, ...(stage.fixed ?? {}), ...change });
        const r = await evaluate(settings);
        candidates.push(r);
        const mark = r.score > incumbent.score + opts.minGain ? ' *' : '';
        console.error(
          `  ${stage.name.padEnd(10).slice(0, 10)} ${r.score.toFixed(4)}  ${describe(r.settings)}  [${r.perSeed.map((v) => v.toFixed(3)).join(' ')}] (${r.seconds.toFixed(1)} s)${mark}`,
        );
        if (r.score > incumbent.score + opts.minGain) incumbent = r;
      }
      log.push({ stage: stage.name, candidates });
      console.error(`  → after ${stage.name}: ${incumbent.score.toFixed(4)}  ${describe(incumbent.settings)}`);
    }

    const chosen = incumbent.settings;
    console.log(
      `${name}: ${metric} (inner CV on ${dev.rows.length} non-test rows, seeds ${opts.seeds.join(',')}) ` +
        `${start.score.toFixed(4)} → ${incumbent.score.toFixed(4)}\n  was:    ${describe(start.settings)}\n  chosen: ${describe(chosen)}`,
    );

    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    writeFileSync(
      path.join(root, `bench/results/tune-${name}.json`),
      JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          backend,
          template: name,
          metric,
          tuningRows: dev.rows.length,
          testRowsSetAside: testRows.size,
          seeds: opts.seeds,
          folds: opts.folds,
          minGain: opts.minGain,
          start: { settings: start.settings, score: start.score, perSeed: start.perSeed },
          chosen: { settings: chosen, score: incumbent.score, perSeed: incumbent.perSeed },
          stages: log.map((s) => ({
            stage: s.stage,
            candidates: s.candidates.map((c) => ({
              settings: Object.fromEntries(TUNED_KEYS.map((k) => [k, c.settings[k]])),
              score: c.score,
              perSeed: c.perSeed,
              second: c.second,
              seconds: Number(c.seconds.toFixed(2)),
            })),
          })),
        },
        null,
        2,
      ) + '\n',
    );

    // 4. write the template (only the model / training values)
    if (opts.write) {
      const file = source.templatePath;
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.model = Object.fromEntries(MODEL_KEYS.map((k) => [k, chosen[k]]));
      json.training = {
        ...json.training,
        ...Object.fromEntries(TUNED_KEYS.filter((k) => !MODEL_KEYS.includes(k)).map((k) => [k, chosen[k]])),
      };
      writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
      console.error(`  wrote ${path.relative(root, file)}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench/tune-templates.mjs: error: ${e.message ?? e}`);
    if (process.env.DEBUG) console.error(e.stack);
    process.exit(1);
  },
);
