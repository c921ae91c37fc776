/**
 * `mlctl train`, `evaluate` and `predict` through the built binary: one happy path each with its
 * --json shape, and every exit code they document (0, 1 bad data, 2 usage, 3 quality gate).
 * Their human renderings are tested in-process (render functions) beside the verbs. What the verbs compute (signatures, determinism, metrics, every bad-data case,
 * every template) is tested in-process in test/unit/lifecycle/train-*.test.ts.
 * One registry: churn v1 is trained in beforeAll and only read afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonDocument, REPO_ROOT, runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
let trained: CliResult;
const cli = (args: string[], input?: string) => runCli(args, { cwd: work, input });
const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const ANSI = /\u001b\[/;

const ROWS = [
  { plan: 'basic', region: 'north', tenure_months: 2, monthly_fee: 110, has_support: 'no', support_tickets: 7 },
  { plan: 'enterprise', region: '', tenure_months: 70, monthly_fee: 20, has_support: 'yes', support_tickets: 0 },
];
const ROWS_CSV = `${Object.keys(ROWS[0]).join(',')}\n${ROWS.map((r) => Object.values(r).join(',')).join('\n')}\n`;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-e2e-train-');
  await copyFile(path.join(REPO_ROOT, 'test/fixtures/churn.csv'), path.join(work, 'churn.csv'));
  await writeFile(path.join(work, 'rows.json'), JSON.stringify(ROWS));
  trained = await cli(['train', 'churn.csv', '--target', 'churned', '--epochs', '20', '--seed', '3', '--json', '--backend', 'cpu']);
}, 120_000);
afterAll(async () => removeTmpDir(work));

describe.concurrent('mlctl train', () => {
  it('--json: exit 0, the new version record as the one document, warnings on stderr', async () => {
    expect(trained.code, trained.stderr).toBe(0);
    // the ID column's warning goes to stderr, never into the JSON document
    const record = jsonDocument(trained, { stderr: null });
    expect(trained.stderr).toMatch(/^warning: Dropped column "customer_id": every value is different \(an ID, a name or free text\?\)/m);
    expect(trained.stderr).not.toMatch(ANSI);
    // the document is exactly what was published
    const stored = JSON.parse(await readFile(path.join(work, 'model-registry', 'churn', '1', 'mlctl.json'), 'utf8'));
    expect(record).toEqual(stored);
    expect(record).toMatchObject({
      model: 'churn',
      version: 1,
      operation: 'train',
      backend: 'cpu',
      hyperparameters: { epochs: 20, seed: 3 },
    });
    expect(Object.keys(record.signature)).toEqual(['features', 'target', 'inputSize', 'encodedNames', 'inputMeans']);
    // the encoded training means: the baseline of mlctl explain (0 for standardised columns)
    expect(record.signature.inputMeans).toHaveLength(record.signature.inputSize);
  });

  it('bad data: exit 1 with one error (a JSON document, or one line without a stack) and nothing written', async () => {
    await writeFile(path.join(work, 'ragged.csv'), 'x,y,label\n1,2,a\n3,4\n5,6,b\n');
    const json = await cli(['train', 'ragged.csv', '--target', 'label', '--json']);
    expect(json.code).toBe(1);
    expect(jsonDocument(json)).toEqual({
      error: {
        code: 'INVALID_DATA',
        message: `${path.join(work, 'ragged.csv')} line 3 has 2 fields but the header has 3.`,
        hint: expect.any(String),
      },
    });
    const human = await cli(['train', 'ragged.csv', '--target', 'label']);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^error: \S+\/ragged\.csv line 3 has 2 fields but the header has 3\. .+\n$/);
    expect(human.stderr).not.toMatch(STACK);
    expect(await readdir(path.join(work, 'model-registry'))).toEqual(['churn']);
  });

  it('usage errors exit 2: a CSV without --target, an invalid flag value', async () => {
    const noTarget = await cli(['train', 'churn.csv', '--json']);
    expect(noTarget.code).toBe(2);
    expect(jsonDocument(noTarget).error).toMatchObject({
      code: 'USAGE',
      message: 'Training on churn.csv needs --target <column>: the column to predict.',
    });
    const badFlag = await cli(['train', 'iris', '--epochs', 'many']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/^error: option '--epochs <n>' argument 'many' is invalid/);
    expect(await readdir(path.join(work, 'model-registry'))).toEqual(['churn']);
  });
});

describe.concurrent('mlctl evaluate', () => {
  it('--json: exit 0 with the metrics on the stored test split and the gates passed', async () => {
    const r = await cli(['evaluate', 'churn', '--version', '1', '--min-accuracy', '0.5', '--json', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonDocument(r);
    expect(Object.keys(doc)).toEqual(['model', 'version', 'data', 'metrics', 'gates', 'passed', 'backend', 'unseenCategories', 'warnings']);
    expect(doc).toMatchObject({ model: 'churn', version: 1, passed: true, backend: 'cpu', warnings: [] });
    expect(doc.data).toMatchObject({ source: 'test-split', rows: trained.json().split.test });
    expect(doc.metrics.accuracy).toBe(trained.json().metrics.accuracy);
    expect(doc.gates).toEqual([
      { gate: '--min-accuracy', metric: 'accuracy', threshold: 0.5, value: doc.metrics.accuracy, passed: true, shortBy: 0 },
    ]);
  });

  it('a gate that falls short: exit 3 naming the gate and the shortfall (human), or passed: false (--json)', async () => {
    const human = await cli(['evaluate', 'churn', '--min-accuracy', '0.999', '--min-f1', '0.1', '--backend', 'cpu']);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/accuracy/);
    const accuracy = trained.json().metrics.accuracy as number;
    expect(human.stderr).toBe(
      `error: Quality gate failed: accuracy ${accuracy.toFixed(4)} < --min-accuracy 0.999 (short by ${(0.999 - accuracy).toFixed(4)}).\n`,
    );
    const json = await cli(['evaluate', 'churn', '--min-accuracy', '0.999', '--json', '--backend', 'cpu']);
    expect(json.code).toBe(3);
    // the report is the one document (no second error document after it)
    expect(jsonDocument(json)).toMatchObject({ passed: false, gates: [{ gate: '--min-accuracy', passed: false, value: accuracy }] });
  });

  it('a gate that does not fit the task is a usage error (exit 2)', async () => {
    const r = await cli(['evaluate', 'churn', '--max-rmse', '3', '--json']);
    expect(r.code).toBe(2);
    expect(jsonDocument(r).error).toMatchObject({
      code: 'USAGE',
      message: '--max-rmse applies to regression models; this one is a classification model.',
    });
  });
});

describe.concurrent('mlctl predict', () => {
  it('--json: exit 0, the predictions for rows read from stdin (--input -), in input order, as one document', async () => {
    const r = await cli(['predict', 'churn', '--input', '-', '--json', '--backend', 'cpu'], ROWS_CSV);
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonDocument(r);
    expect(Object.keys(doc)).toEqual([
      'model',
      'version',
      'task',
      'labels',
      'rows',
      'backend',
      'predictions',
      'unseenCategories',
      'warnings',
    ]);
    expect(doc).toMatchObject({ model: 'churn', version: 1, task: 'classification', labels: ['no', 'yes'], rows: 2, backend: 'cpu' });
    expect(doc.predictions).toHaveLength(2);
    for (const p of doc.predictions) {
      expect(Object.keys(p)).toEqual(['label', 'probabilities']);
      expect(p.probabilities.no + p.probabilities.yes).toBeCloseTo(1, 5);
    }
  });

  it('--output writes CSV (label, p_<class>…) to the file and says so on stdout', async () => {
    const r = await cli(['predict', 'churn', '--input', 'rows.json', '--output', 'out.csv', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('✔ 2 predictions from churn v1 written to out.csv\n');
    const lines = (await readFile(path.join(work, 'out.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('label,p_no,p_yes');
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(1)) {
      const [label, no, yes] = line.split(',');
      expect(['no', 'yes']).toContain(label);
      expect(Number(no) + Number(yes)).toBeCloseTo(1, 4);
      expect(label).toBe(Number(yes) > Number(no) ? 'yes' : 'no');
    }
  });

  it('a missing input file is exit 1; a missing --input is a usage error (exit 2)', async () => {
    const missing = await cli(['predict', 'churn', '--input', 'nope.csv', '--json']);
    expect(missing.code).toBe(1);
    expect(jsonDocument(missing).error).toMatchObject({ code: 'NOT_FOUND', message: 'nope.csv does not exist.' });
    const noInput = await cli(['predict', 'churn']);
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toContain("error: required option '-i, --input <file|->' not specified");
  });
});
