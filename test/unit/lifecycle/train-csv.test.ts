/**
 * train → predict → evaluate in-process on a user's messy CSV (categorical, boolean and missing
 * values, an ID column): the signature, seed determinism, predictions from CSV, JSON and stdin
 * text, evaluation on a labelled CSV matched by column name, and quality gates. One registry is
 * trained in beforeAll (v1, v2 = same seed, v3 = another seed) and only read by the tests.
 * The CLI side (exit 3, the gate message, --output) is in test/e2e/train-evaluate-predict.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/run-cli.js';
import { classificationMetrics } from '../../helpers/record-metrics.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { Registry } from '../../../src/registry/registry.js';
import type { VersionRecord } from '../../../src/registry/version-record.js';
import { train, type TrainResult } from '../../../src/lifecycle/train.js';
import { predict, type PredictResult } from '../../../src/lifecycle/predict.js';
import { evaluate } from '../../../src/lifecycle/evaluate.js';
import { formatPredictions } from '../../../src/cli/render/predictions.js';
import { MlctlError } from '../../../src/errors.js';

/** wasm: several times faster than cpu for these small networks */
const BACKEND = 'wasm';
const CSV = path.join(REPO_ROOT, 'test/fixtures/churn.csv');
let work: string;
let registry: Registry;
let first: TrainResult;
let again: TrainResult;
let other: TrainResult;

const trainChurn = (seed: number) => train({ registry, source: CSV, target: 'churned', settings: { epochs: 30, seed }, backend: BACKEND });
const weightsSha = (record: VersionRecord) => record.files.find((f) => f.path === 'weights.bin')!.sha256;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-train-csv-');
  registry = new Registry(path.join(work, 'model-registry'));
  first = await trainChurn(3);
  again = await trainChurn(3);
  other = await trainChurn(4);
}, 120_000);
afterAll(async () => removeTmpDir(work));

/** rejection of `p` as an MlctlError (fails the test when it resolves) */
async function rejection(p: Promise<unknown>): Promise<MlctlError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlctlError);
  return e as MlctlError;
}

describe('train on a CSV with categorical, boolean and missing values', () => {
  it('names the model after the file, leaves the ID column out with a warning, and records the signature', () => {
    const { record } = first;
    expect(record).toMatchObject({ model: 'churn', version: 1, operation: 'train', parent: null, backend: BACKEND });
    expect(first.warnings.filter((w) => w.includes('customer_id'))).toHaveLength(1);
    expect(record.warnings).toEqual(first.warnings);
    const features = record.signature!.features;
    expect(features.map((f) => f.name)).toEqual(['plan', 'region', 'tenure_months', 'monthly_fee', 'has_support', 'support_tickets']);
    expect(features.find((f) => f.name === 'plan')).toMatchObject({ type: 'categorical', categories: ['basic', 'enterprise', 'pro'] });
    expect(features.find((f) => f.name === 'has_support')!.type).toBe('boolean');
    expect(features.find((f) => f.name === 'monthly_fee')!.type).toBe('numeric');
    // region has missing values: missing is its own category
    const region = features.find((f) => f.name === 'region')!;
    expect(region.type === 'categorical' && region.categories).toContain('__missing__');
    expect(record.target).toMatchObject({ name: 'churned', task: 'classification', classes: ['no', 'yes'] });
    expect(classificationMetrics(record).accuracy).toBeGreaterThan(0.6);
    expect(record.hyperparameters).toMatchObject({ epochs: 30, seed: 3 });
    expect(record.dataset).toMatchObject({ rows: 240 });
    expect(record.dataset!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the same seed gives bit-identical weights; another seed does not', () => {
    expect(again.record.version).toBe(2);
    expect(weightsSha(again.record)).toBe(weightsSha(first.record));
    expect(other.record.version).toBe(3);
    expect(weightsSha(other.record)).not.toBe(weightsSha(first.record));
  });
});

describe('predict', () => {
  const rows = [
    { plan: 'basic', region: 'north', tenure_months: 2, monthly_fee: 110, has_support: 'no', support_tickets: 7 },
    { plan: 'enterprise', region: '', tenure_months: 70, monthly_fee: 20, has_support: 'yes', support_tickets: 0 },
  ];
  const csvText = `${Object.keys(rows[0]).join(',')}\n${rows.map((r) => Object.values(r).join(',')).join('\n')}\n`;
  const run = (input: Parameters<typeof predict>[0]['input']) =>
    predict({ registry, model: 'churn', selector: { version: 1 }, input, backend: BACKEND });

  it('gives the same predictions, in input order, from a CSV file, a JSON file and stdin text (CSV or JSON)', async () => {
    await writeFile(path.join(work, 'new.csv'), csvText);
    await writeFile(path.join(work, 'new.json'), JSON.stringify(rows, null, 2));
    const fromCsv = await run({ path: path.join(work, 'new.csv') });
    expect(fromCsv).toMatchObject({ model: 'churn', version: 1, task: 'classification', labels: ['no', 'yes'], rows: 2, backend: BACKEND });
    const [risky, loyal] = fromCsv.predictions as { label: string; probabilities: Record<string, number> }[];
    expect(risky.label).toBe('yes');
    expect(loyal.label).toBe('no');
    for (const p of [risky, loyal]) expect(p.probabilities.no + p.probabilities.yes).toBeCloseTo(1, 5);
    for (const input of [
      { path: path.join(work, 'new.json') },
      { text: csvText, name: 'stdin' },
      { text: JSON.stringify(rows), name: 'stdin' },
    ]) {
      expect((await run(input)).predictions).toEqual(fromCsv.predictions);
    }
  });

  it('renders CSV (label, p_<class>…) and JSON output', async () => {
    const result: PredictResult = await run({ text: csvText, name: 'stdin' });
    const csv = formatPredictions(result, 'csv').trim().split('\n');
    expect(csv[0]).toBe('label,p_no,p_yes');
    expect(csv).toHaveLength(3);
    const [risky] = result.predictions as { label: string; probabilities: Record<string, number> }[];
    const [label, pNo, pYes] = csv[1].split(',');
    expect(label).toBe('yes');
    expect(Number(pNo)).toBeCloseTo(risky.probabilities.no, 6);
    expect(Number(pYes)).toBeCloseTo(risky.probabilities.yes, 6);
    expect(JSON.parse(formatPredictions(result, 'json'))).toEqual(result.predictions);
  });
});

describe('evaluate', () => {
  it('on the stored test split reproduces the metrics recorded at training time', async () => {
    const r = await evaluate({ registry, model: 'churn', selector: { version: 1 }, backend: BACKEND });
    expect(r.data).toMatchObject({ source: 'test-split', rows: first.record.split!.test });
    expect(r.metrics.task).toBe('classification');
    expect(r.metrics.task === 'classification' && r.metrics.accuracy).toBeCloseTo(classificationMetrics(first.record).accuracy, 10);
    expect(r).toMatchObject({ passed: true, gates: [] });
  });

  it('on a labelled CSV matched by column name (extra and reordered columns are fine)', async () => {
    const [header, ...lines] = (await readFile(CSV, 'utf8')).trim().split('\n');
    const cols = header.split(',');
    const order = [...cols].reverse();
    const reordered = [
      order.join(',') + ',extra',
      ...lines.map((l) => {
        const cells = l.split(',');
        return order.map((c) => cells[cols.indexOf(c)]).join(',') + ',x';
      }),
    ].join('\n');
    const file = path.join(work, 'labelled.csv');
    await writeFile(file, reordered);
    const r = await evaluate({ registry, model: 'churn', selector: { version: 1 }, data: file, backend: BACKEND });
    expect(r.data).toEqual({ source: 'file', path: file, rows: 240, droppedRows: 0 });
    // the same rows in the original order score the same
    const same = await evaluate({ registry, model: 'churn', selector: { version: 1 }, data: CSV, backend: BACKEND });
    expect(r.metrics).toEqual(same.metrics);
  });

  it('a missing feature column in the data is a clear error naming it', async () => {
    const file = path.join(work, 'nofee.csv');
    await writeFile(file, 'plan,region,tenure_months,has_support,support_tickets,churned\nbasic,north,3,no,4,yes\n');
    const e = await rejection(evaluate({ registry, model: 'churn', selector: { version: 1 }, data: file, backend: BACKEND }));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain('"monthly_fee"');
  });

  it('quality gates: each gate reports its value and shortfall; passed only when all pass', async () => {
    const pass = await evaluate({ registry, model: 'churn', selector: { version: 1 }, gates: { minAccuracy: 0.5 }, backend: BACKEND });
    const accuracy = pass.metrics.task === 'classification' ? pass.metrics.accuracy : NaN;
    expect(pass.passed).toBe(true);
    expect(pass.gates).toEqual([{ gate: '--min-accuracy', metric: 'accuracy', threshold: 0.5, value: accuracy, passed: true, shortBy: 0 }]);

    const fail = await evaluate({
      registry,
      model: 'churn',
      selector: { version: 1 },
      gates: { minAccuracy: 0.999, minF1: 0.1 },
      backend: BACKEND,
    });
    expect(fail.passed).toBe(false);
    expect(fail.gates).toHaveLength(2);
    expect(fail.gates[0]).toMatchObject({ gate: '--min-accuracy', threshold: 0.999, value: accuracy, passed: false });
    expect(fail.gates[0].shortBy).toBeCloseTo(0.999 - accuracy, 12);
    expect(fail.gates[1]).toMatchObject({ gate: '--min-f1', metric: 'macroF1', threshold: 0.1, passed: true, shortBy: 0 });
  });

  it('a regression gate on a classifier is a usage error', async () => {
    const e = await rejection(evaluate({ registry, model: 'churn', gates: { maxRmse: 3 }, backend: BACKEND }));
    expect(e.code).toBe('USAGE');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^--max-rmse applies to regression models; this one is a classification model\.$/);
  });
});
