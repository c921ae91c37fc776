#!/usr/bin/env node
// npm run bench:tune — does `mlctl tune` find models at or above the best scikit-learn model?
//
// For each built-in dataset (iris, wine, breast-cancer, diabetes) and each seed: an outer 5-fold
// cross-validation whose folds are made by scikit-learn exactly as ../shared/peers/cv_quality.py
// makes its own (bench/outer-folds.py imports cv_quality's reader and uses the same splitter), so
// mlctl and the peers are scored on the very same test rows. For each outer fold, the built CLI
// runs, as a user would:
//   mlctl tune train.csv --target T --test-split 0 --trials N --folds 5 --ensemble K --seed s --parallel 2
//   mlctl evaluate <model> --data test.csv
// (the search sees the outer training rows only; --test-split 0 because the outer fold is the test).
// The peers (LogisticRegression or Ridge, RandomForest, HistGradientBoosting, MLP) run in the same
// run through cv_quality.py --folds 5 --seed s on the whole CSV. Scores: accuracy (classification)
// or R² (regression), mean over every seed × fold.
//
// Also measured in the same run: the search's wall time (the record's search.budget.elapsedMs and
// the command's wall time), and the speed-up of --parallel 2 over --parallel 1 on one outer fold
// per dataset (both runs back to back; their leaderboards and weight checksums must be identical).
//
// Writes bench/results/tune.json. Needs the build (npm run bench:tune builds first) and, for the
// peers, Debian's python3-sklearn under /usr/bin/python3.
//
// Usage: node bench/tune.mjs [--seeds 0,1,2] [--trials 20] [--folds 5] [--inner-folds 5] [--ensemble 3]
//          [--only iris,wine] [--no-speedup] [--speedup-only]
// --speedup-only: phase 1 alone (e.g. again on a quieter machine); it updates the speed-up figures
// of bench/results/tune.json and leaves its quality figures as they are.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(root, 'bin/mlctl.js');
const PYTHON = '/usr/bin/python3';
const PEERS = [process.env.PEERS, path.resolve(root, '../shared/peers'), '/work/shared/peers'].find(
  (p) => p && existsSync(path.join(p, 'cv_quality.py')),
);
const DATASETS = ['iris', 'wine', 'breast-cancer', 'diabetes'];
const EPS = 1e-9;

function parseArgs(argv) {
  const out = { seeds: [0, 1, 2], trials: 20, folds: 5, innerFolds: 5, ensemble: 3, only: null, speedup: true, speedupOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i];
    if (a === '--seeds')
      out.seeds = value()
        .split(',')
        .map(Number)
        .sort((x, y) => x - y);
    else if (a === '--trials') out.trials = Number(value());
    else if (a === '--folds') out.folds = Number(value());
    else if (a === '--inner-folds') out.innerFolds = Number(value());
    else if (a === '--ensemble') out.ensemble = Number(value());
    else if (a === '--only') out.only = value().split(',');
    else if (a === '--no-speedup') out.speedup = false;
    else if (a === '--speedup-only') out.speedupOnly = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};

async function mlctl(args, cwd) {
  const t0 = performance.now();
  try {
    const { stdout } = await run(process.execPath, [BIN, ...args, '--json'], {
      cwd,
      maxBuffer: 64 << 20,
      env: { ...process.env, CI: '1' },
    });
    return { doc: JSON.parse(stdout), wallMs: performance.now() - t0 };
  } catch (e) {
    throw new Error(`mlctl ${args.join(' ')} failed: ${e.stdout || e.stderr || e.message}`);
  }
}

/** The CSV as header + data lines (cv_quality skips blank lines; the built-in CSVs have no quoted newlines). */
function readLines(csv) {
  const lines = readFileSync(csv, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  return { header: lines[0], rows: lines.slice(1).filter((l) => l.trim() !== '') };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!PEERS || !existsSync(PYTHON)) throw new Error('the peers need /usr/bin/python3 and ../shared/peers/cv_quality.py');
  const names = opts.only ?? DATASETS;
  const work = await mkdtemp(path.join(os.tmpdir(), 'mlctl-bench-tune-'));
  const budget = `mlctl tune --trials ${opts.trials} --folds ${opts.innerFolds} --ensemble ${opts.ensemble} (built-in search space) --parallel 2, wasm backend`;
  console.error(`bench:tune: outer ${opts.folds}-fold CV × seeds ${opts.seeds.join(',')}; budget per search: ${budget}`);
  const results = {};
  try {
    // ---- the datasets and their outer folds (made by scikit-learn as cv_quality.py makes them)
    const datasets = [];
    for (const name of names) {
      const template = JSON.parse(readFileSync(path.join(root, 'templates', name, 'template.json'), 'utf8'));
      const csv = path.join(root, 'templates', name, template.data);
      const target = template.target;
      const { stdout } = await run(
        PYTHON,
        [path.join(root, 'bench/outer-folds.py'), csv, target, String(opts.folds), opts.seeds.join(',')],
        {
          env: { ...process.env, PEERS },
          maxBuffer: 16 << 20,
        },
      );
      const outer = JSON.parse(stdout);
      const { header, rows } = readLines(csv);
      if (rows.length !== outer.rows) throw new Error(`${name}: ${rows.length} data lines but cv_quality reads ${outer.rows} rows`);
      const metric = outer.task === 'classification' ? 'accuracy' : 'r2';
      const second = outer.task === 'classification' ? 'macroF1' : 'rmse';
      datasets.push({ name, csv, target, outer, header, rows, metric, second });
      results[name] = { task: outer.task, metric, rows: rows.length, mlctl: { perSeed: {} }, peers: {}, speedup: null };
    }

    /** The outer fold's training and test CSVs in their own directory. */
    const foldDir = async (ds, seed, f) => {
      const test = new Set(ds.outer.folds[String(seed)][f]);
      const dir = path.join(work, `${ds.name}-s${seed}-f${f}`);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        await writeFile(path.join(dir, 'train.csv'), [ds.header, ...ds.rows.filter((_, i) => !test.has(i))].join('\n') + '\n');
        await writeFile(path.join(dir, 'test.csv'), [ds.header, ...ds.rows.filter((_, i) => test.has(i))].join('\n') + '\n');
      }
      return dir;
    };
    const tuneArgs = (ds, seed, parallel, registry) => [
      'tune',
      'train.csv',
      '--target',
      ds.target,
      '--name',
      'bench',
      '--test-split',
      '0',
      '--trials',
      String(opts.trials),
      '--folds',
      String(opts.innerFolds),
      '--ensemble',
      String(opts.ensemble),
      '--seed',
      String(seed),
      '--parallel',
      String(parallel),
      '--backend',
      'wasm',
      '--registry',
      registry,
    ];
    /** the --parallel 2 search of (dataset, seed, fold) already run by the speed-up phase */
    const cache = new Map();

    // ---- phase 1: the speed-up of --parallel 2 over 1, first, so nothing else of this run overlaps it:
    // the same search with 2 threads, 1, then 2 again (A B A: drift in the machine's load hits both sides)
    if (opts.speedup) {
      for (const ds of datasets) {
        const seed = opts.seeds[0];
        const dir = await foldDir(ds, seed, 0);
        const first = await mlctl(tuneArgs(ds, seed, 2, 'reg'), dir);
        const one = await mlctl(tuneArgs(ds, seed, 1, 'reg1'), dir);
        const again = await mlctl(tuneArgs(ds, seed, 2, 'reg2'), dir);
        cache.set(`${ds.name}:${seed}:0`, first);
        const sameAs = (doc) =>
          JSON.stringify(doc.search.leaderboard) === JSON.stringify(first.doc.search.leaderboard) &&
          JSON.stringify(doc.files.map((x) => x.sha256)) === JSON.stringify(first.doc.files.map((x) => x.sha256));
        const p2 = [first.doc.search.budget.elapsedMs, again.doc.search.budget.elapsedMs];
        results[ds.name].speedup = {
          parallel1: { searchMs: one.doc.search.budget.elapsedMs, wallMs: Math.round(one.wallMs) },
          parallel2: { searchMs: p2, wallMs: [Math.round(first.wallMs), Math.round(again.wallMs)] },
          searchRatio: one.doc.search.budget.elapsedMs / mean(p2),
          wallRatio: one.wallMs / mean([first.wallMs, again.wallMs]),
          identical: sameAs(one.doc) && sameAs(again.doc),
          loadavg: os.loadavg(),
        };
        console.error(
          `  ${ds.name}: --parallel 1 search ${(one.doc.search.budget.elapsedMs / 1000).toFixed(1)} s vs --parallel 2 ${p2.map((x) => (x / 1000).toFixed(1)).join(' / ')} s → ${results[ds.name].speedup.searchRatio.toFixed(2)}× (identical results: ${results[ds.name].speedup.identical}; load average ${os.loadavg()[0].toFixed(1)})`,
        );
      }
    }

    // ---- phase 2: quality, every seed × outer fold, and the peers on the same folds
    for (const ds of opts.speedupOnly ? [] : datasets) {
      const { name, metric, second } = ds;
      const entry = results[name];
      for (const seed of opts.seeds) {
        // the peers on the same folds (cv_quality makes them itself from the same seed)
        const peer = JSON.parse(
          (
            await run(
              PYTHON,
              [
                path.join(PEERS, 'cv_quality.py'),
                ds.csv,
                '--target',
                ds.target,
                '--folds',
                String(opts.folds),
                '--seed',
                String(seed),
                '--json',
              ],
              {
                maxBuffer: 16 << 20,
                timeout: 900_000,
              },
            )
          ).stdout,
        );
        for (const r of peer.results) {
          const key = r.model.split('(')[0].replace(/Classifier|Regressor/, '');
          (entry.peers[key] ??= { model: r.model, folds: [], seconds: 0 }).folds.push(...r[metric].folds);
          entry.peers[key].seconds += r.seconds;
        }

        const folds = [];
        for (let f = 0; f < opts.folds; f++) {
          const dir = await foldDir(ds, seed, f);
          const tuned = cache.get(`${name}:${seed}:${f}`) ?? (await mlctl(tuneArgs(ds, seed, 2, 'reg'), dir));
          const record = tuned.doc;
          const evaluated = (await mlctl(['evaluate', 'bench', '--data', 'test.csv', '--registry', 'reg', '--backend', 'wasm'], dir)).doc;
          const fold = {
            seed,
            fold: f + 1,
            [metric]: evaluated.metrics[metric],
            [second]: evaluated.metrics[second],
            searchMs: record.search.budget.elapsedMs,
            wallMs: Math.round(tuned.wallMs),
            winner: {
              trial: record.search.winner.trial,
              cv: record.search.winner.mean,
              epochs: record.search.winner.epochs,
              settings: record.search.trials[record.search.winner.trial - 1].settings,
            },
            ensemble: record.search.ensemble?.map((m) => m.trial) ?? null,
            stopped: record.search.trials.filter((t) => t.status === 'stopped').length,
          };
          folds.push(fold);
          console.error(
            `  ${name} seed ${seed} fold ${f + 1}: ${metric} ${fold[metric].toFixed(4)} (search ${(fold.searchMs / 1000).toFixed(1)} s, inner CV ${fold.winner.cv.toFixed(4)})`,
          );
          await rm(dir, { recursive: true, force: true });
        }
        entry.mlctl.perSeed[seed] = folds;
      }

      const all = Object.values(entry.mlctl.perSeed).flat();
      entry.mlctl.mean = mean(all.map((x) => x[metric]));
      entry.mlctl.std = std(all.map((x) => x[metric]));
      entry.mlctl.meanBySeed = Object.fromEntries(
        Object.entries(entry.mlctl.perSeed).map(([s, fs]) => [s, mean(fs.map((x) => x[metric]))]),
      );
      entry.mlctl.searchSeconds = { mean: mean(all.map((x) => x.searchMs)) / 1000, max: Math.max(...all.map((x) => x.searchMs)) / 1000 };
      for (const p of Object.values(entry.peers)) {
        p.mean = mean(p.folds);
        p.std = std(p.folds);
      }
      const [bestName, best] = Object.entries(entry.peers).sort((a, b) => b[1].mean - a[1].mean)[0];
      // paired: the same test rows for mlctl and the best peer, fold by fold
      const diffs = all.map((x, i) => x[metric] - best.folds[i]);
      entry.verdict = {
        bestPeer: bestName,
        bestPeerMean: best.mean,
        gap: entry.mlctl.mean - best.mean,
        pass: entry.mlctl.mean >= best.mean - EPS,
        paired: {
          meanDiff: mean(diffs),
          wins: diffs.filter((d) => d > EPS).length,
          ties: diffs.filter((d) => Math.abs(d) <= EPS).length,
          losses: diffs.filter((d) => d < -EPS).length,
        },
      };
      console.error(
        `  ${name}: mlctl ${metric} ${entry.mlctl.mean.toFixed(4)} ± ${entry.mlctl.std.toFixed(4)} vs best peer ${bestName} ${best.mean.toFixed(4)} → ${entry.verdict.pass ? 'PASS' : 'short'} (${entry.verdict.gap >= 0 ? '+' : ''}${entry.verdict.gap.toFixed(4)})`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const dir = path.join(root, 'bench/results');
  const file = path.join(dir, 'tune.json');
  if (opts.speedupOnly) {
    const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { datasets: {} };
    for (const [name, r] of Object.entries(results)) {
      previous.datasets[name] = { ...(previous.datasets[name] ?? {}), speedup: { ...r.speedup, date: new Date().toISOString() } };
      console.log(
        `${name}: --parallel 2 over 1: ${r.speedup.searchRatio.toFixed(2)}× (search), ${r.speedup.wallRatio.toFixed(2)}× (wall), identical results: ${r.speedup.identical}`,
      );
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(previous, null, 2) + '\n');
    console.error('updated the speed-up figures of bench/results/tune.json');
    return;
  }

  // ---------------------------------------------------------------- report
  const lines = [];
  lines.push(
    `mlctl tune vs scikit-learn: outer ${opts.folds}-fold CV (scikit-learn's folds) × seeds ${opts.seeds.join(',')} · node ${process.version} · ${os.cpus().length} cores`,
  );
  lines.push(`budget per search: ${budget}`);
  lines.push('');
  const peerNames = ['LogisticRegression', 'Ridge', 'RandomForest', 'HistGradientBoosting', 'MLP'];
  const header = [
    'dataset',
    'metric',
    'mlctl tune',
    ...peerNames.filter((n) => n !== 'Ridge').map((n) => (n === 'LogisticRegression' ? 'LogReg/Ridge' : n)),
    'verdict',
    'W/T/L',
    'search s (mean)',
    '×par2',
  ];
  const rowsOut = [header];
  for (const name of names) {
    const r = results[name];
    const peer = (n) => r.peers[n] ?? (n === 'LogisticRegression' ? r.peers.Ridge : undefined);
    rowsOut.push([
      name,
      r.metric,
      `${r.mlctl.mean.toFixed(4)} ± ${r.mlctl.std.toFixed(4)}`,
      ...['LogisticRegression', 'RandomForest', 'HistGradientBoosting', 'MLP'].map((n) => (peer(n) ? peer(n).mean.toFixed(4) : '-')),
      `${r.verdict.pass ? 'PASS' : 'short'} ${r.verdict.gap >= 0 ? '+' : ''}${r.verdict.gap.toFixed(4)}`,
      `${r.verdict.paired.wins}/${r.verdict.paired.ties}/${r.verdict.paired.losses}`,
      r.mlctl.searchSeconds.mean.toFixed(1),
      r.speedup ? `${r.speedup.searchRatio.toFixed(2)}${r.speedup.identical ? '' : ' (DIFFERENT RESULTS)'}` : '-',
    ]);
  }
  const widths = rowsOut[0].map((_, c) => Math.max(...rowsOut.map((r) => String(r[c]).length)));
  lines.push(...rowsOut.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join('  ')));
  lines.push('');
  lines.push(
    'verdict: mlctl mean over all seeds × folds against the best scikit-learn mean on the same folds (W/T/L: paired folds won/tied/lost against that model).',
  );
  lines.push(
    '×par2: search time with --parallel 1 divided by the mean of two --parallel 2 runs around it (same search, same results), on one outer fold.',
  );
  console.log(lines.join('\n'));

  const out = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    loadavg: os.loadavg(),
    note: 'search times are wall times on a shared machine: other sessions run on the same 2 cores (Linux autogroup shares the CPU between sessions, so more threads do not buy more CPU while the machine is saturated)',
    outerFolds: opts.folds,
    seeds: opts.seeds,
    budget: {
      trials: opts.trials,
      innerFolds: opts.innerFolds,
      ensemble: opts.ensemble,
      space: 'built-in',
      parallel: 2,
      backend: 'wasm',
      text: budget,
    },
    datasets: results,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.error('wrote bench/results/tune.json');
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench/tune.mjs: error: ${e.message ?? e}`);
    process.exit(1);
  },
);
