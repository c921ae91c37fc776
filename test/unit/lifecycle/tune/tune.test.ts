/**
 * `tune` in process, on small data with tiny budgets (one thread; the worker pool and
 * --parallel 2 are covered end to end in test/e2e/tune.test.ts): what the trials see (never the
 * test split), what the record holds (halving visible in it, valid, reproducible with train),
 * the ensemble as a version, Ctrl-C, and every bad input — with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readCsvFile } from '../../../../src/dataset/read-table.js';
import { encodeFeatures } from '../../../../src/dataset/signature.js';
import { evaluate } from '../../../../src/lifecycle/evaluate.js';
import { decodeTestSplit } from '../../../../src/lifecycle/test-split.js';
import { train } from '../../../../src/lifecycle/train.js';
import { tune, type TuneOptions, type TuneProgress } from '../../../../src/lifecycle/tune.js';
import { createInProcessExecutor, type ExecutorOptions } from '../../../../src/lifecycle/tune/executor.js';
import type { TrialJob } from '../../../../src/lifecycle/tune/trial-job.js';
import { Registry } from '../../../../src/registry/registry.js';
import type { VersionRecord } from '../../../../src/registry/version-record.js';
import { renderShowVersion } from '../../../../src/cli/render/version-show.js';
import { Chalk } from 'chalk';
import { makeTmpDir, removeTmpDir } from '../../../helpers/tmp-dir.js';
import { rejectionOf } from '../../../helpers/error-of.js';

const FIXTURES = path.resolve(__dirname, '../../../fixtures');
const IRIS = path.join(FIXTURES, 'ds-iris.csv');
const DIABETES = path.join(FIXTURES, 'ds-diabetes-head.csv');

/** A small space: short rungs (4 → 12 → 36 epochs), small networks. */
const SMALL = { epochs: { min: 4, max: 36 }, hidden: { layers: [0, 1], width: [8, 16] }, batchSize: [16, 32] };

let work: string;
let seq = 0;
const freshRegistry = () => new Registry(path.join(work, `reg-${++seq}`));

beforeAll(async () => {
  work = await makeTmpDir('mlctl-tune-');
  await writeFile(path.join(work, 'small.json'), JSON.stringify(SMALL));
});
afterAll(() => removeTmpDir(work));

const base = (registry: Registry, extra: Partial<TuneOptions> = {}): TuneOptions => ({
  registry,
  source: IRIS,
  target: 'species',
  name: 'iris',
  trials: 6,
  folds: 3,
  space: SMALL,
  parallel: 1,
  backend: 'cpu',
  cwd: work,
  ...extra,
});

/** Nothing was written: no model folder at all (so no version and no staging directory). */
const nothingWritten = (registry: Registry, name = 'iris') => expect(existsSync(registry.modelDir(name))).toBe(false);

describe('a search on iris', () => {
  let registry: Registry;
  let record: VersionRecord;
  let seen: ExecutorOptions;
  const jobs: TrialJob[] = [];
  const events: TuneProgress[] = [];

  beforeAll(async () => {
    registry = freshRegistry();
    const result = await tune(
      base(registry, {
        // the real in-process executor, watched: the data it gets is all the trials ever see
        executorFactory: (options) => {
          seen = options;
          const inner = createInProcessExecutor(options);
          return {
            ...inner,
            run: (job) => (jobs.push(job), inner.run(job)),
            cancelAll: () => inner.cancelAll(),
            close: () => inner.close(),
          };
        },
        onProgress: (e) => events.push(e),
      }),
    );
    record = result.record;
  });

  it('publishes a "tune" version whose record (read back, validated) holds the search', async () => {
    const stored = await registry.readRecord('iris', record.version);
    expect(stored.operation).toBe('tune');
    const search = stored.search!;
    expect(search).toMatchObject({
      strategy: 'successive-halving',
      metric: 'accuracy',
      higherIsBetter: true,
      folds: 3,
      eta: 3,
      rungs: [4, 12, 36],
    });
    expect(search.budget).toMatchObject({ trials: 6, timeBudgetMs: null, parallel: 1, stoppedBy: 'trials' });
    expect(search.trials.map((t) => t.trial)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(search.space.epochs).toEqual(SMALL.epochs);
    expect(search.space.learningRate).toEqual({ min: 0.0003, max: 0.03, log: true }); // the built-in space fills the rest
    expect(search.leaderboard[0]).toBe(search.winner.trial);
    const winner = search.trials[search.winner.trial - 1];
    expect(winner.status).toBe('completed');
    expect(search.winner.mean).toBe(winner.rungs[winner.rungs.length - 1].mean);
    expect(stored.metrics).toBeDefined();
    expect(stored.hyperparameters).toMatchObject({ ...winner.settings, epochs: search.winner.epochs, patience: 0, validationSplit: 0 });
  });

  it('successive halving stopped the poor trials early (from the record)', () => {
    const { trials } = record.search!;
    const reached = (r: number) => trials.filter((t) => t.rungs.some((s) => s.rung === r));
    expect(reached(0)).toHaveLength(6);
    expect(reached(1)).toHaveLength(2);
    expect(reached(2)).toHaveLength(1);
    const stopped = trials.filter((t) => t.status === 'stopped');
    expect(stopped).toHaveLength(5);
    const epochsTrained = (t: (typeof trials)[number]) => t.rungs.reduce((a, r) => a + r.epochsRun.reduce((x, y) => x + y, 0), 0);
    const winner = trials[record.search!.winner.trial - 1];
    for (const t of stopped) {
      expect(epochsTrained(t)).toBeLessThan(epochsTrained(winner));
      // it scored below every trial promoted from its last rung
      const r = t.rungs[t.rungs.length - 1].rung;
      for (const p of reached(r + 1)) expect(t.rungs[t.rungs.length - 1].mean).toBeLessThanOrEqual(p.rungs.find((s) => s.rung === r)!.mean);
    }
    // the jobs the executor ran: 6×3 folds at rung 0, 2×3 at rung 1, 1×3 at rung 2 (minus folds reused after early stopping)
    const foldJobs = jobs.filter((j) => j.kind === 'fold');
    expect(foldJobs.filter((j) => j.rung === 0)).toHaveLength(18);
    expect(foldJobs.filter((j) => j.rung === 1).length).toBeLessThanOrEqual(6);
    expect(foldJobs.filter((j) => j.rung === 2).length).toBeLessThanOrEqual(3);
  });

  it('the trials never see the test split: every fold row is a training row, and every training row is in a fold', async () => {
    const testRows = new Set(decodeTestSplit(record.split!.testRows));
    expect(testRows.size).toBe(30);
    const table = await readCsvFile(IRIS);
    const testFolds: number[] = [];
    expect(seen.data.folds).toHaveLength(3);
    for (const fold of seen.data.folds) {
      for (const part of ['train', 'validation', 'test'] as const) {
        const rows = Array.from(fold.rows[part]);
        expect(rows.length).toBeGreaterThan(0);
        for (const r of rows) expect(testRows.has(r)).toBe(false);
        // the encoded data the jobs train and score on is exactly these rows
        expect(fold[part].n).toBe(rows.length);
        expect(Array.from(fold[part].x)).toEqual(
          Array.from(encodeFeatures(fold.signature, table, { indices: fold.rows[part], unknownCategory: 'ignore' })),
        );
      }
      testFolds.push(...fold.rows.test);
    }
    const training = Array.from({ length: table.rows.length }, (_, i) => i).filter((i) => !testRows.has(i));
    expect(testFolds.sort((a, b) => a - b)).toEqual(training);
    expect(seen.data.full.train.n).toBe(training.length);
    // the fold signatures were fitted without the test rows: their means differ from one fitted on all rows
    const allMean = table.rows.reduce((a, r) => a + Number(r[0]), 0) / table.rows.length;
    for (const fold of seen.data.folds) {
      const f = fold.signature.features.find((s) => s.name === 'sepal_length') as { mean: number };
      expect(f.mean).not.toBeCloseTo(allMean, 6);
    }
    // the final model trained on the whole training split, fold jobs on folds only
    expect(jobs.filter((j) => j.kind === 'final')).toHaveLength(1);
  });

  it('`mlctl train` with the recorded hyperparameters reproduces the published weights', async () => {
    const again = await train({
      registry,
      source: IRIS,
      target: 'species',
      name: 'iris',
      settings: record.hyperparameters,
      backend: 'cpu',
    });
    expect(again.record.split!.testRows).toEqual(record.split!.testRows);
    const sha = (r: VersionRecord) => r.files.find((f) => f.path === 'weights.bin')!.sha256;
    expect(sha(again.record)).toBe(sha(record));
    expect(again.record.metrics).toEqual(record.metrics);
  });

  it('reports progress: data, start, search snapshots ending at 100%, final, publish', () => {
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases).toEqual(['data', 'start', 'search', 'final', 'publish']);
    const snaps = events.filter((e): e is Extract<TuneProgress, { phase: 'search' }> => e.phase === 'search');
    expect(snaps[snaps.length - 1].snapshot.progress).toBeCloseTo(1, 5);
  });

  it('`version show` displays the search', async () => {
    const { showVersion } = await import('../../../../src/lifecycle/show-version.js');
    const text = renderShowVersion(
      await showVersion({ registry, model: 'iris', selector: { version: record.version } }),
      new Chalk({ level: 0 }),
    );
    expect(text).toContain('search (accuracy, successive-halving)');
    expect(text).toContain(`winner    trial ${record.search!.winner.trial}`);
    expect(text).toMatch(/rungs 4 → 12 → 36 epochs/);
    expect(text).toMatch(/5 trials stopped early by successive halving/);
  });

  it('a damaged search section is refused when the record is read', async () => {
    const file = registry.versionFile('iris', record.version, 'mlctl.json');
    const original = await readFile(file, 'utf8');
    const damaged = JSON.parse(original);
    damaged.search.trials[0].settings.activation = 'gelu';
    await writeFile(file, JSON.stringify(damaged));
    try {
      const e = await rejectionOf(registry.readRecord('iris', record.version));
      expect(e.code).toBe('INVALID_MODEL');
      expect(e.message).toContain('search.trials[0].settings.activation');
    } finally {
      await writeFile(file, original);
    }
  });
});

describe('an ensemble on a regression (rmse: lower is better)', () => {
  it('publishes one model averaging the 2 best trials; evaluate scores it', async () => {
    const registry = freshRegistry();
    const { record } = await tune(
      base(registry, { source: DIABETES, target: 'progression', name: 'diabetes', metric: 'rmse', ensemble: 2, trials: 4 }),
    );
    const search = record.search!;
    expect(search.higherIsBetter).toBe(false);
    expect(search.ensemble!.map((m) => m.trial)).toEqual(search.leaderboard.slice(0, 2));
    expect(search.ensemble![0].seed).toBe(record.seed);
    expect(search.ensemble![1].seed).not.toBe(record.seed);
    // ranked ascending by rmse among trials at the last rung
    const top = search.ensemble!.map((m) => m.mean);
    expect(top[0]).toBeLessThanOrEqual(top[1]);
    const modelJson = JSON.parse(await readFile(registry.versionFile('diabetes', record.version, 'model.json'), 'utf8'));
    const layers = modelJson.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name);
    expect(layers).toContain('Average');
    const evaluated = await evaluate({ registry, model: 'diabetes', backend: 'cpu' });
    expect(evaluated.metrics).toMatchObject({ task: 'regression' });
    expect((evaluated.metrics as { rmse: number }).rmse).toBeCloseTo((record.metrics as { rmse: number }).rmse, 4);
  });
});

describe('stopping (Ctrl-C) publishes nothing', () => {
  it('during the search: INTERRUPTED naming the best trial so far', async () => {
    const registry = freshRegistry();
    const controller = new AbortController();
    const e = await rejectionOf(
      tune(
        base(registry, {
          signal: controller.signal,
          onProgress: (ev) => {
            if (ev.phase === 'search' && ev.snapshot.leaderboard.some((t) => t.rungs.length > 0)) controller.abort();
          },
        }),
      ),
    );
    expect(e.code).toBe('INTERRUPTED');
    expect(e.exitCode).toBe(130);
    expect(e.message).toMatch(/during the search; nothing was published/);
    expect(e.hint).toMatch(/Best so far .*trial \d+, accuracy/);
    expect((e.details as { best: { trial: number } }).best.trial).toBeGreaterThan(0);
    nothingWritten(registry);
  });

  it('while the final model trains', async () => {
    const registry = freshRegistry();
    const controller = new AbortController();
    const e = await rejectionOf(
      tune(
        base(registry, {
          trials: 1,
          signal: controller.signal,
          onProgress: (ev) => {
            if (ev.phase === 'final') controller.abort();
          },
        }),
      ),
    );
    expect(e.code).toBe('INTERRUPTED');
    expect(e.message).toMatch(/final model/);
    nothingWritten(registry);
  });
});

describe("the data step is train's own", () => {
  it('reads a semicolon file with decimal commas, keeps an ID column under --keep, and gives the same test rows as train', async () => {
    // 60 rows: x carries the class, id is unique and evenly spaced (dropped unless kept)
    const lines = ['id;x;noise;label'];
    for (let i = 0; i < 60; i++)
      lines.push(`${100 + i};${i % 2 ? '1,5' : '-1,5'};${((i * 7) % 11) / 10};${i % 2 ? 'yes' : 'no'}`.replace(/\./g, ','));
    const csv = path.join(work, 'semi.csv');
    await writeFile(csv, lines.join('\n') + '\n');
    const opts = { source: csv, target: 'label', name: 'semi', settings: { seed: 3 } };
    const events: TuneProgress[] = [];
    const tuned = await tune({ ...base(freshRegistry(), opts), trials: 2, folds: 2, keep: ['id'], onProgress: (e) => events.push(e) });
    const names = tuned.record.signature!.features.map((f) => f.name);
    expect(names).toEqual(['id', 'x', 'noise']);
    expect(tuned.record.signature!.features.every((f) => f.type === 'numeric')).toBe(true);
    const data = events.find((e) => e.phase === 'data');
    expect(data && data.phase === 'data' && data.warnings.join(' ')).toMatch(/Read decimal commas in columns "x", "noise"/);
    const trained = await train({
      registry: freshRegistry(),
      ...opts,
      keep: ['id'],
      settings: { seed: 3, epochs: 2 },
      backend: 'cpu',
      cwd: work,
    });
    expect(tuned.record.split!.testRows).toEqual(trained.record.split!.testRows);
    // the same origin sections: project-relative path, fingerprint and the CSV format evaluate re-reads it with
    expect(tuned.record.dataset).toEqual(trained.record.dataset);
    expect(tuned.record.dataset!.format).toMatchObject({ delimiter: ';' });
    expect(tuned.record.target).toEqual(trained.record.target);
  });
});

describe('bad input: a clear error and nothing written', () => {
  const cases: [string, () => Promise<Partial<TuneOptions>>, string, RegExp][] = [
    ['an empty space file', async () => ({ space: await file('empty.json', '  \n') }), 'USAGE', /Space file .*empty\.json is empty/],
    [
      'a space file that is not JSON',
      async () => ({ space: await file('broken.json', '{"dropout": [0, 0.1,]}') }),
      'USAGE',
      /is not valid JSON/,
    ],
    ['a space file with no keys', async () => ({ space: await file('nokeys.json', '{}') }), 'USAGE', /has no keys/],
    [
      'an unknown key',
      async () => ({ space: await file('typo.json', '{"learning_rate": 0.1}') }),
      'USAGE',
      /"learning_rate" is not a search-space key/,
    ],
    [
      'a wrong value, naming the key',
      async () => ({ space: await file('bad.json', '{"learningRate": {"min": 0, "max": 0.1, "log": true}}') }),
      'USAGE',
      /bad\.json: "learningRate\.min" expected a number > 0, got 0/,
    ],
    ['a missing space file', async () => ({ space: 'nope.json' }), 'USAGE', /Space file .*nope\.json not found/],
    [
      'a metric that does not fit the task',
      async () => ({ metric: 'rmse' }),
      'USAGE',
      /--metric rmse does not fit a classification target \("species"\)/,
    ],
    ['--parallel 0', async () => ({ parallel: 0 }), 'USAGE', /--parallel must be at least 1/],
    ['--folds 1', async () => ({ folds: 1 }), 'USAGE', /--folds must be an integer of at least 2/],
    ['--ensemble above --trials', async () => ({ trials: 2, ensemble: 3 }), 'USAGE', /--ensemble 3 needs at least 3 trials/],
    [
      'more folds than the training split has rows',
      async () => ({ folds: 500 }),
      'INVALID_DATA',
      /only \d+ rows; 500-fold cross-validation needs at least 500/,
    ],
    [
      'a time budget too small for one trial',
      async () => ({ trials: undefined, timeBudgetMs: 5 }),
      'USAGE',
      /The time budget \(5 ms\) ran out before any trial finished its first rung/,
    ],
  ];
  async function file(name: string, text: string): Promise<string> {
    await writeFile(path.join(work, name), text);
    return name;
  }
  it.each(cases)('%s', async (_name, extra, code, message) => {
    const registry = freshRegistry();
    const e = await rejectionOf(tune(base(registry, await extra())));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    nothingWritten(registry);
  });
});
