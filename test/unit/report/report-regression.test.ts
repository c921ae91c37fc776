/**
 * `report()` on a regression model (the diabetes template): R², RMSE and MAE from the record, the
 * predicted-vs-actual scatter and the residuals holding one point per test row — so the metrics
 * recomputed from the plotted points equal the recorded ones — and MAE curves in target units.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { train } from '../../../src/lifecycle/train.js';
import { Registry } from '../../../src/registry/registry.js';
import type { RegressionMetricsSection, VersionRecord } from '../../../src/registry/version-record.js';
import { report } from '../../../src/report/report.js';
import { externalReferences, kv, marks, num, parseReport, text, type Doc } from '../../helpers/report-dom.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { REPO_ROOT } from '../../helpers/run-cli.js';

let work: string;
let registry: Registry;
let record: VersionRecord;
let doc: Doc;

beforeAll(async () => {
  work = await makeTmpDir();
  registry = new Registry(path.join(work, 'reg'));
  record = (await train({ registry, source: 'diabetes', settings: { epochs: 15 }, backend: 'cpu', cwd: work })).record;
  const result = await report({ registry, model: 'diabetes', cwd: work, backend: 'cpu' });
  doc = parseReport(await readFile(result.path, 'utf8'));
}, 120_000);
afterAll(async () => removeTmpDir(work));

const metrics = () => record.metrics as RegressionMetricsSection;

describe('report of a regression model', () => {
  it('shows R², RMSE and MAE from the record', () => {
    for (const key of ['r2', 'rmse', 'mae'] as const) {
      expect(num(text(doc.querySelector(`.card[data-metric="${key}"] .value`)))).toBeCloseTo(metrics()[key], 4);
    }
    expect(kv(doc, 'summary-table', 'model')).toBe('diabetes');
    const t = record.target!;
    if (t.task !== 'regression') throw new Error('diabetes is a regression template');
    expect(doc.querySelector('#target')!.getAttribute('data-task')).toBe('regression');
    expect(num(text(doc.querySelector('#target [data-key="target-mean"]')))).toBeCloseTo(t.mean, 2); // printed with 2 decimals from 100 up
  });

  it('plots one predicted-vs-actual point per test row, and they reproduce the recorded metrics', () => {
    const target = record.target!.name;
    const points = marks(doc, 'scatter', 'path')
      .filter((p) => `actual ${target}` in p)
      .map((p) => ({ actual: num(p[`actual ${target}`]), predicted: num(p[`predicted ${target}`]) }));
    expect(points).toHaveLength(record.split!.test);
    const n = points.length;
    const rmse = Math.sqrt(points.reduce((a, p) => a + (p.actual - p.predicted) ** 2, 0) / n);
    const mae = points.reduce((a, p) => a + Math.abs(p.actual - p.predicted), 0) / n;
    expect(rmse).toBeCloseTo(metrics().rmse, 3);
    expect(mae).toBeCloseTo(metrics().mae, 3);
  });

  it('plots the residuals (actual − predicted) of the same rows', () => {
    const target = record.target!.name;
    const scatter = marks(doc, 'scatter', 'path').filter((p) => `actual ${target}` in p);
    const residuals = marks(doc, 'residuals', 'path').filter((p) => 'residual' in p);
    expect(residuals).toHaveLength(scatter.length);
    const expected = scatter.map((p) => num(p[`actual ${target}`]) - num(p[`predicted ${target}`])).sort((a, b) => a - b);
    const plotted = residuals.map((p) => num(p.residual)).sort((a, b) => a - b);
    plotted.forEach((r, i) => expect(r).toBeCloseTo(expected[i], 4));
  });

  it('draws MAE per epoch in the target’s units (the loop works on the standardised target)', () => {
    const t = record.target!;
    if (t.task !== 'regression') throw new Error('regression');
    const first = record.history!.epochs[0];
    const line = marks(doc, 'metric', 'path').find((l) => l.series === 'validation')!;
    expect(num(line['MAE (target units)'])).toBeCloseTo(first.valMae! * t.std, 3);
    expect(doc.querySelector('figure[data-chart="confusion"]')).toBeNull();
    expect(externalReferences(doc)).toEqual([]);
  });

  it('leaves the scatter out, saying why, when the training data changed since', async () => {
    // a template copy whose CSV is then edited: the stored split cannot be recovered
    const dir = path.join(work, 'tpl');
    const { mkdir, copyFile } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(REPO_ROOT, 'templates/diabetes/diabetes.csv'), path.join(dir, 'diabetes.csv'));
    const tpl = JSON.parse(await readFile(path.join(REPO_ROOT, 'templates/diabetes/template.json'), 'utf8'));
    await writeFile(path.join(dir, 'template.json'), JSON.stringify({ ...tpl, name: 'diab2' }));
    await train({ registry, source: path.join(dir, 'template.json'), settings: { epochs: 2 }, backend: 'cpu', cwd: work });
    await writeFile(path.join(dir, 'diabetes.csv'), `${await readFile(path.join(dir, 'diabetes.csv'), 'utf8')}\n`);
    const result = await report({ registry, model: 'diab2', cwd: work, backend: 'cpu' });
    const d = parseReport(await readFile(result.path, 'utf8'));
    expect(d.querySelector('figure[data-chart="scatter"]')).toBeNull();
    expect(result.notes.join(' ')).toMatch(/changed since diab2 v1 was trained/);
    expect(text(d.querySelector('#notes'))).toMatch(/Predicted-vs-actual plots left out/);
  });
});
