/**
 * train → evaluate → predict on every built-in template through the built binary (few epochs, to
 * keep the suite fast), plus the quick-start path `mlctl train iris` with its defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
const cli = (args: string[], input?: string) => runCli(args, { cwd: work, input });

beforeAll(async () => {
  work = await makeTmpDir();
});
afterAll(async () => removeTmpDir(work));

const TEMPLATES = [
  { name: 'iris', task: 'classification', target: 'species', classes: 3 },
  { name: 'wine', task: 'classification', target: 'cultivar', classes: 3 },
  { name: 'breast-cancer', task: 'classification', target: 'diagnosis', classes: 2 },
  { name: 'diabetes', task: 'regression', target: 'progression', classes: 0 },
] as const;

/** the first rows of the template's CSV without the target column */
async function sampleRows(template: string, target: string, n: number): Promise<string> {
  const text = await readFile(path.join(REPO_ROOT, 'templates', template, `${template}.csv`), 'utf8');
  const [header, ...rows] = text.trim().split('\n');
  const cols = header.split(',');
  const t = cols.indexOf(target);
  const drop = (line: string) =>
    line
      .split(',')
      .filter((_, i) => i !== t)
      .join(',');
  return [drop(header), ...rows.slice(0, n).map(drop)].join('\n') + '\n';
}

describe.each(TEMPLATES)('template $name', ({ name, task, target, classes }) => {
  it('trains, evaluates on its stored test split and predicts', async () => {
    const trained = await cli(['train', name, '--epochs', '8', '--json', '--backend', 'wasm']);
    expect(trained.code, trained.stderr).toBe(0);
    const record = trained.json();
    expect(record).toMatchObject({ model: name, version: 1, operation: 'train', backend: 'wasm', parent: null });
    expect(record.target).toMatchObject({ name: target, task });
    expect(record.hyperparameters.epochs).toBe(8);
    expect(record.history.epochs.length).toBeGreaterThan(0);
    expect(record.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);

    const evaluated = await cli(['evaluate', name, '--json', '--backend', 'wasm']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const ev = evaluated.json();
    expect(ev.data).toMatchObject({ source: 'test-split', rows: record.split.test });
    // the stored test split reproduces the metrics recorded at training time
    if (task === 'classification') {
      expect(ev.metrics.accuracy).toBeCloseTo(record.metrics.accuracy, 10);
      expect(ev.metrics.confusionMatrix).toHaveLength(classes);
    } else {
      expect(ev.metrics.rmse).toBeCloseTo(record.metrics.rmse, 6);
    }

    const rowsFile = path.join(work, `${name}-rows.csv`);
    await writeFile(rowsFile, await sampleRows(name, target, 5));
    const predicted = await cli(['predict', name, '--input', rowsFile, '--json', '--backend', 'wasm']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const out = predicted.json();
    expect(out.rows).toBe(5);
    if (task === 'classification') {
      expect(out.labels).toHaveLength(classes);
      for (const p of out.predictions) {
        const sum = Object.values(p.probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 4);
        expect(out.labels).toContain(p.label);
      }
    } else {
      for (const p of out.predictions) expect(Number.isFinite(p.value)).toBe(true);
    }
  });
});

describe('quick start', () => {
  it('`mlctl train iris` with the template defaults gives a good model', async () => {
    const r = await runCli(['train', 'iris', '--name', 'iris-default'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/iris-default v1 trained/);
    expect(r.stdout).toMatch(/accuracy/);
    const show = await cli(['version', 'show', 'iris-default', '--json']);
    expect(show.json().record.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
