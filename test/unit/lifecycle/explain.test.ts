/**
 * `mlctl explain` in-process on a synthetic table the test builds with a seeded generator: ten
 * columns of which only three carry signal (two numeric, one categorical); the other seven are
 * noise (numeric, categorical, boolean and a date). Global importance must rank the three first
 * and leave the seven within noise of zero, be the same for the same seed, and be stored beside
 * the record without disturbing verify. Local attributions must be complete within 1% on every
 * row tried, and a one-hot (or date) column's attribution must be the sum over its inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { NOISE, SIGNAL, syntheticCsv } from '../../helpers/synthetic-table.js';
import { Registry } from '../../../src/registry/registry.js';
import { train } from '../../../src/lifecycle/train.js';
import { explain, type AttributionsResult, type ImportanceResult } from '../../../src/lifecycle/explain.js';
import { verifyRegistry } from '../../../src/lifecycle/verify-registry.js';
import { MlctlError } from '../../../src/errors.js';
import { report } from '../../../src/report/report.js';
import { importModel } from '../../../src/lifecycle/import-model.js';
import { createTinyModelDir } from '../../helpers/tiny-model.js';
import { marks, num, parseReport } from '../../helpers/report-dom.js';
import { EXPLANATION_FILE, METADATA_FILE } from '../../../src/vocabulary.js';

const BACKEND = 'wasm';
let work: string;
let registry: Registry;
let csv: string;
let importance: ImportanceResult;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-explain-');
  registry = new Registry(path.join(work, 'model-registry'));
  csv = path.join(work, 'synthetic.csv');
  await writeFile(csv, syntheticCsv(1000, 7));
  await train({ registry, source: csv, target: 'label', name: 'synth', settings: { epochs: 80, seed: 1, hidden: [16] }, backend: BACKEND });
  importance = (await explain({ registry, model: 'synth', backend: BACKEND, repeats: 10, seed: 5 })) as ImportanceResult;
}, 180_000);
afterAll(async () => removeTmpDir(work));

async function rejection(p: Promise<unknown>): Promise<MlctlError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlctlError);
  return e as MlctlError;
}

describe('global importance (permutation, raw columns)', () => {
  it('ranks the three signal columns first and leaves the seven noise columns within noise of zero', () => {
    const { features, score, metric, data } = importance.importance;
    expect(metric).toBe('accuracy');
    expect(data).toMatchObject({ source: 'test-split', rows: 200 });
    expect(score).toBeGreaterThan(0.85);
    expect(features.map((f) => f.feature)).toHaveLength(10);
    expect(new Set(features.slice(0, 3).map((f) => f.feature))).toEqual(new Set(SIGNAL));
    for (const f of features.filter((g) => SIGNAL.includes(g.feature))) {
      expect(f.mean).toBeGreaterThan(0.05);
      expect(f.mean).toBeGreaterThan(3 * f.std);
      expect(f.drops).toHaveLength(10);
    }
    for (const f of features.filter((g) => NOISE.includes(g.feature))) {
      // one test row is 0.005 of accuracy: a noise column moves the score by a few rows at most
      expect(Math.abs(f.mean)).toBeLessThanOrEqual(2 * f.std + 0.01);
    }
  });

  it('gives the same importances for the same seed, and other shuffles for another seed', async () => {
    const again = (await explain({ registry, model: 'synth', backend: BACKEND, repeats: 10, seed: 5, save: false })) as ImportanceResult;
    expect(again.importance.features).toEqual(importance.importance.features);
    const other = (await explain({ registry, model: 'synth', backend: BACKEND, repeats: 10, seed: 6, save: false })) as ImportanceResult;
    expect(other.importance.features.map((f) => f.drops)).not.toEqual(importance.importance.features.map((f) => f.drops));
    expect(other.stored).toBeNull();
  });

  it('is stored beside the record (mlctl.json untouched) and verify still passes', async () => {
    const dir = registry.versionDir('synth', 1);
    expect(importance.stored).toBe(path.join(dir, EXPLANATION_FILE));
    const stored = await registry.readExplanation('synth', 1);
    expect(stored?.importance).toEqual(importance.importance);
    const record = JSON.parse(await readFile(path.join(dir, METADATA_FILE), 'utf8')) as Record<string, unknown>;
    expect(record.explanation).toBeUndefined();
    expect(await registry.verifyFiles('synth', 1)).toEqual([]);
    expect((await verifyRegistry({ registry })).ok).toBe(true);
  });

  it('shows up in the report: a ranked table and a bar chart with the stored numbers', async () => {
    const result = await report({ registry, model: 'synth', selector: { version: 1 }, cwd: work, backend: BACKEND });
    expect(result.sections.indexOf('importance')).toBe(result.sections.indexOf('evaluation') + 1);
    const doc = parseReport(await readFile(result.path, 'utf8'));
    const rows = [...doc.querySelectorAll('#importance tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-column'))).toEqual(importance.importance.features.map((f) => f.feature));
    const first = importance.importance.features[0];
    expect(num(doc.querySelector(`#importance tr[data-column="${first.feature}"] td[data-key="mean"]`)?.textContent)).toBeCloseTo(
      first.mean,
      4,
    );
    const bars = marks(doc, 'importance').filter((m) => 'drop' in m);
    expect(bars).toHaveLength(10);
    expect(num(bars.find((b) => b.column === first.feature)!.drop)).toBeCloseTo(first.mean, 2);
  });

  it('scores regression-style metrics only for regressors, and says which fit', async () => {
    const e = await rejection(explain({ registry, model: 'synth', metric: 'rmse' }));
    expect(e.code).toBe('USAGE');
    expect(e.message).toBe('--metric rmse does not fit a classification model ("label").');
    expect(e.hint).toBe('Use accuracy or macroF1.');
  });

  it('a damaged explanation.json is reported by verify, but the model still opens', async () => {
    await registry.writeExplanation('synth', 1, importance.importance);
    const file = path.join(registry.versionDir('synth', 1), EXPLANATION_FILE);
    const good = await readFile(file, 'utf8');
    await writeFile(file, '{"schema": 1');
    try {
      const issues = await registry.verifyFiles('synth', 1);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ problem: 'record', file: EXPLANATION_FILE });
      const local = await explain({ registry, model: 'synth', backend: BACKEND, rows: [1] });
      expect(local.kind).toBe('attributions');
    } finally {
      await writeFile(file, good);
    }
  });
});

describe('local attributions (integrated gradients)', () => {
  let local: AttributionsResult;
  beforeAll(async () => {
    local = (await explain({
      registry,
      model: 'synth',
      backend: BACKEND,
      rows: Array.from({ length: 25 }, (_, i) => i + 1),
    })) as AttributionsResult;
  }, 60_000);

  it('is complete within 1% on every row tried: attributions sum to prediction − baseline prediction', () => {
    expect(local.rows).toHaveLength(25);
    expect(local.baseline).toBe('training-means');
    expect(local.completeness.passed).toBe(true);
    for (const row of local.rows) {
      const delta = row.prediction - row.baselinePrediction;
      const sum = Object.values(row.attributions).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(row.sum, 6);
      expect(Math.abs(sum - delta)).toBeLessThanOrEqual(0.01 * Math.max(Math.abs(delta), 1e-3));
      expect(row.error).toBeLessThanOrEqual(0.01);
      expect(['yes', 'no']).toContain(row.explained);
    }
  });

  it('gives a one-hot column (and a date) the sum over its expanded inputs', () => {
    for (const row of local.rows) {
      const parts = (prefix: string) =>
        Object.entries(row.inputs)
          .filter(([name]) => name.startsWith(prefix))
          .map(([, v]) => v);
      const region = parts('region=');
      expect(region.length).toBe(4);
      expect(row.attributions.region).toBeCloseTo(
        region.reduce((a, b) => a + b, 0),
        6,
      );
      const signup = parts('signup.');
      expect(signup.length).toBeGreaterThan(1);
      expect(row.attributions.signup).toBeCloseTo(
        signup.reduce((a, b) => a + b, 0),
        6,
      );
      expect(Object.keys(row.attributions)).toHaveLength(10);
    }
  });

  it('puts the weight of the answer on the signal columns', () => {
    const total = (names: string[]) =>
      local.rows.reduce((sum, row) => sum + names.reduce((a, n) => a + Math.abs(row.attributions[n]), 0), 0);
    expect(total(SIGNAL)).toBeGreaterThan(3 * total(NOISE));
  });

  it('names the row and its raw values', () => {
    expect(local.rows.map((r) => r.row)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(Object.keys(local.rows[0].values)).toHaveLength(10);
    expect(typeof local.rows[0].values.region).toBe('string');
  });

  it('explains the rows of an input (JSON objects) the same way', async () => {
    const rows = [
      {
        income: 1.2,
        debt: -0.3,
        age: 40,
        region: 'north',
        height: 170,
        score: 0,
        colour: 'red',
        visits: 3,
        member: 'no',
        signup: '2022-05-01',
      },
      {
        income: -1,
        debt: 0.8,
        age: 30,
        region: 'atlantis',
        height: 160,
        score: 1,
        colour: 'blue',
        visits: 9,
        member: 'yes',
        signup: '2023-01-09',
      },
    ];
    const r = (await explain({
      registry,
      model: 'synth',
      backend: BACKEND,
      input: { text: JSON.stringify(rows), name: 'stdin' },
    })) as AttributionsResult;
    expect(r.data).toEqual({ source: 'input', path: 'stdin' });
    expect(r.rows.map((x) => x.explained)).toEqual(['yes', 'no']);
    expect(r.completeness.passed).toBe(true);
    // an unknown category is encoded as all zeros and reported
    expect(r.unseenCategories.region).toMatchObject({ rows: 1, values: ['atlantis'] });
  });

  it('rejects rows outside the split and --row with --input', async () => {
    const e = await rejection(explain({ registry, model: 'synth', rows: [201] }));
    expect(e.code).toBe('USAGE');
    expect(e.message).toMatch(/^--row 201 is outside the 200 rows of the test split of synthetic\.csv \(1 to 200\)\.$/);
    const both = await rejection(explain({ registry, model: 'synth', rows: [1], input: { text: '[]', name: 'stdin' } }));
    expect(both.code).toBe('USAGE');
  });
});

describe('an imported model (no signature)', () => {
  it('gets attributions per input element, from zeros, complete within 1%', async () => {
    const tiny = await createTinyModelDir(path.join(work, 'tiny'), { seed: 4, inputSize: 4, units: [8, 3] });
    await importModel({ registry, source: tiny.modelJsonPath, name: 'net', backend: BACKEND });
    const r = (await explain({
      registry,
      model: 'net',
      backend: BACKEND,
      input: { text: '[[0.5, -1, 2, 0.1], [1, 1, -1, 3]]', name: 'stdin' },
    })) as AttributionsResult;
    expect(r.baseline).toBe('zeros');
    expect(r.features).toEqual(['x1', 'x2', 'x3', 'x4']);
    expect(r.completeness.passed).toBe(true);
    const out = await tiny.predict([[0.5, -1, 2, 0.1]]);
    const best = out[0].indexOf(Math.max(...out[0]));
    expect(r.rows[0].explained).toBe(String(best));
    expect(r.rows[0].prediction).toBeCloseTo(out[0][best], 4);
    expect(r.rows[0].values).toEqual({ x1: 0.5, x2: -1, x3: 2, x4: 0.1 });
  });
});
