/**
 * train → evaluate → predict in-process on every built-in template (few epochs, to keep the suite
 * fast), plus the quick-start path `mlctl train iris` with the template's own defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/run-cli.js';
import { classificationMetrics, regressionMetrics } from '../../helpers/record-metrics.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { Registry } from '../../../src/registry/registry.js';
import { train } from '../../../src/lifecycle/train.js';
import { evaluate } from '../../../src/lifecycle/evaluate.js';
import { predict } from '../../../src/lifecycle/predict.js';
import type { ClassPrediction, ValuePrediction } from '../../../src/lifecycle/predict-rows.js';
import { renderTrain } from '../../../src/cli/render/train.js';
import { Chalk } from 'chalk';

let work: string;
let registry: Registry;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-templates-');
  registry = new Registry(path.join(work, 'model-registry'));
});
afterAll(async () => removeTmpDir(work));

const TEMPLATES = [
  { name: 'iris', task: 'classification', target: 'species', classes: 3 },
  { name: 'wine', task: 'classification', target: 'cultivar', classes: 3 },
  { name: 'breast-cancer', task: 'classification', target: 'diagnosis', classes: 2 },
  { name: 'diabetes', task: 'regression', target: 'progression', classes: 0 },
] as const;
const EPOCHS = 8;

/** the first rows of the template's CSV without the target column, as CSV text */
async function sampleRows(template: string, target: string, n: number): Promise<string> {
  const text = await readFile(path.join(REPO_ROOT, 'templates', template, `${template}.csv`), 'utf8');
  const [header, ...rows] = text.trim().split('\n');
  const t = header.split(',').indexOf(target);
  expect(t).toBeGreaterThanOrEqual(0);
  const drop = (line: string) =>
    line
      .split(',')
      .filter((_, i) => i !== t)
      .join(',');
  return [drop(header), ...rows.slice(0, n).map(drop)].join('\n') + '\n';
}

describe.each(TEMPLATES)('template $name', ({ name, task, target, classes }) => {
  it('trains, evaluates on its stored test split (reproducing the recorded metrics) and predicts', async () => {
    const { record } = await train({ registry, source: name, settings: { epochs: EPOCHS }, backend: 'wasm' });
    expect(record).toMatchObject({ model: name, version: 1, operation: 'train', backend: 'wasm', parent: null });
    expect(record.template).toMatchObject({ name, builtin: true });
    expect(record.target).toMatchObject({ name: target, task });
    expect(record.hyperparameters!.epochs).toBe(EPOCHS);
    // every epoch ran (patience is longer than the run) and is in the history, in order
    expect(record.history).toMatchObject({ epochsRun: EPOCHS, stoppedEarly: false });
    expect(record.history!.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(record.dataset!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const split = record.split!;
    expect(split.train + split.validation + split.test + split.droppedRows).toBe(record.dataset!.rows);

    const ev = await evaluate({ registry, model: name, backend: 'wasm' });
    expect(ev).toMatchObject({ model: name, version: 1, backend: 'wasm' });
    expect(ev.data).toMatchObject({ source: 'test-split', rows: split.test });
    if (ev.metrics.task === 'classification') {
      expect(task).toBe('classification');
      expect(ev.metrics.accuracy).toBeCloseTo(classificationMetrics(record).accuracy, 10);
      expect(ev.metrics.confusionMatrix).toHaveLength(classes);
    } else {
      expect(task).toBe('regression');
      expect(ev.metrics.rmse).toBeCloseTo(regressionMetrics(record).rmse, 6);
    }

    const out = await predict({
      registry,
      model: name,
      input: { text: await sampleRows(name, target, 5), name: 'stdin' },
      backend: 'wasm',
    });
    expect(out).toMatchObject({ model: name, version: 1, task, rows: 5 });
    expect(out.predictions).toHaveLength(5);
    if (out.task === 'classification') {
      expect(out.labels).toHaveLength(classes);
      for (const p of out.predictions as ClassPrediction[]) {
        expect(Object.keys(p.probabilities).sort()).toEqual([...out.labels].sort());
        const sum = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 4);
        expect(out.labels).toContain(p.label);
      }
    } else {
      expect(out.labels).toEqual([]);
      for (const p of out.predictions as ValuePrediction[]) expect(Number.isFinite(p.value)).toBe(true);
    }
  });
});

describe('quick start', () => {
  it('`mlctl train iris` with the template defaults gives a good model', async () => {
    const { record } = await train({ registry, source: 'iris', name: 'iris-default', backend: 'wasm' });
    expect(record.model).toBe('iris-default');
    expect(record.hyperparameters).toMatchObject({ epochs: 200, seed: 42 });
    const m = classificationMetrics(record);
    expect(m.accuracy).toBeGreaterThanOrEqual(0.9);
    // the human summary `mlctl train` prints
    const lines = renderTrain(record, new Chalk({ level: 0 })).split('\n');
    const h = record.history!;
    const stop = h.stoppedEarly ? `early stop at epoch ${h.epochsRun}, best ${h.bestEpoch}` : `${h.epochsRun} epochs`;
    expect(lines[0]).toMatch(new RegExp(`^✔ iris-default v1 trained in \\S+ m?s on wasm \\(${stop}\\)$`));
    expect(lines[1]).toBe(`  test      accuracy ${m.accuracy.toFixed(4)} · macro F1 ${m.macroF1.toFixed(4)} (${m.rows} rows)`);
  });
});
