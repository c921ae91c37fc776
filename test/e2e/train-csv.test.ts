/**
 * Training on a user's messy CSV: categorical, boolean and missing values, an ID column; seed
 * determinism; predict from CSV, JSON and stdin; evaluate on --data; quality gates (exit 3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
let csv: string;
const cli = (args: string[], input?: string) => runCli(args, { cwd: work, input });
const weightsSha = (record: { files: { path: string; sha256: string }[] }) => record.files.find((f) => f.path === 'weights.bin')!.sha256;

beforeAll(async () => {
  work = await makeTmpDir();
  csv = path.join(work, 'churn.csv');
  await copyFile(path.join(REPO_ROOT, 'test/fixtures/churn.csv'), csv);
});
afterAll(async () => removeTmpDir(work));

describe('train on a CSV with categorical, boolean and missing values', () => {
  let record: any;

  it('trains, leaves the ID column out with a warning, and records the signature', async () => {
    const r = await cli(['train', 'churn.csv', '--target', 'churned', '--epochs', '30', '--seed', '3', '--json', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/customer_id/);
    record = r.json();
    expect(record.model).toBe('churn');
    const features = record.signature.features as { name: string; type: string; categories?: string[] }[];
    expect(features.map((f) => f.name)).not.toContain('customer_id');
    expect(features.find((f) => f.name === 'plan')).toMatchObject({ type: 'categorical', categories: ['basic', 'enterprise', 'pro'] });
    expect(features.find((f) => f.name === 'has_support')!.type).toBe('boolean');
    expect(features.find((f) => f.name === 'monthly_fee')!.type).toBe('numeric');
    // region has missing values: missing is its own category
    expect(features.find((f) => f.name === 'region')!.categories).toContain('__missing__');
    expect(record.target).toMatchObject({ task: 'classification', classes: ['no', 'yes'] });
    expect(record.metrics.accuracy).toBeGreaterThan(0.6);
  });

  it('the same seed gives bit-identical weights; another seed does not', async () => {
    const again = await cli(['train', 'churn.csv', '--target', 'churned', '--epochs', '30', '--seed', '3', '--json', '--backend', 'cpu']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json().version).toBe(2);
    expect(weightsSha(again.json())).toBe(weightsSha(record));
    const other = await cli(['train', 'churn.csv', '--target', 'churned', '--epochs', '30', '--seed', '4', '--json', '--backend', 'cpu']);
    expect(weightsSha(other.json())).not.toBe(weightsSha(record));
  });

  it('predicts from CSV, JSON and stdin with the same results, in input order', async () => {
    const rows = [
      { plan: 'basic', region: 'north', tenure_months: 2, monthly_fee: 110, has_support: 'no', support_tickets: 7 },
      { plan: 'enterprise', region: '', tenure_months: 70, monthly_fee: 20, has_support: 'yes', support_tickets: 0 },
    ];
    const header = Object.keys(rows[0]).join(',');
    const csvText = `${header}\n${rows.map((r) => Object.values(r).join(',')).join('\n')}\n`;
    await writeFile(path.join(work, 'new.csv'), csvText);
    await writeFile(path.join(work, 'new.json'), JSON.stringify(rows));
    const fromCsv = await cli(['predict', 'churn', '--version', '1', '--input', 'new.csv', '--json', '--backend', 'cpu']);
    const fromJson = await cli(['predict', 'churn', '--version', '1', '--input', 'new.json', '--json', '--backend', 'cpu']);
    const fromStdin = await cli(['predict', 'churn', '--version', '1', '--input', '-', '--json', '--backend', 'cpu'], csvText);
    for (const r of [fromCsv, fromJson, fromStdin]) expect(r.code, r.stderr).toBe(0);
    expect(fromJson.json().predictions).toEqual(fromCsv.json().predictions);
    expect(fromStdin.json().predictions).toEqual(fromCsv.json().predictions);
    const [risky, loyal] = fromCsv.json().predictions;
    expect(risky.label).toBe('yes');
    expect(loyal.label).toBe('no');

    const asCsv = await cli(['predict', 'churn', '--version', '1', '--input', 'new.csv', '--backend', 'cpu']);
    expect(asCsv.stdout.split('\n')[0]).toBe('label,p_no,p_yes');
    expect(asCsv.stdout.trim().split('\n')).toHaveLength(3);

    const toFile = await cli(['predict', 'churn', '--version', '1', '--input', 'new.csv', '--output', 'out.json', '--backend', 'cpu']);
    expect(toFile.code).toBe(0);
    expect(JSON.parse(await readFile(path.join(work, 'out.json'), 'utf8'))).toEqual(fromCsv.json().predictions);
  });

  it('evaluates on a labelled CSV matched by column name (extra and reordered columns are fine)', async () => {
    const text = await readFile(csv, 'utf8');
    const [header, ...lines] = text.trim().split('\n');
    const cols = header.split(',');
    const order = [...cols].reverse();
    const reordered = [
      order.join(',') + ',extra',
      ...lines.map((l) => {
        const cells = l.split(',');
        return order.map((c) => cells[cols.indexOf(c)]).join(',') + ',x';
      }),
    ].join('\n');
    await writeFile(path.join(work, 'labelled.csv'), reordered);
    const r = await cli(['evaluate', 'churn', '--version', '1', '--data', 'labelled.csv', '--json', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().data).toMatchObject({ source: 'file', rows: 240 });
  });

  it('a missing feature column in --data is a clear error', async () => {
    await writeFile(
      path.join(work, 'nofee.csv'),
      'plan,region,tenure_months,has_support,support_tickets,churned\nbasic,north,3,no,4,yes\n',
    );
    const r = await cli(['evaluate', 'churn', '--version', '1', '--data', 'nofee.csv', '--json', '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.json().error.message).toContain('"monthly_fee"');
  });

  it('quality gates: pass → exit 0; fall short → exit 3 naming the gate and the shortfall', async () => {
    const pass = await cli(['evaluate', 'churn', '--version', '1', '--min-accuracy', '0.5', '--json', '--backend', 'cpu']);
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.json().passed).toBe(true);
    const fail = await cli(['evaluate', 'churn', '--version', '1', '--min-accuracy', '0.999', '--min-f1', '0.1', '--backend', 'cpu']);
    expect(fail.code).toBe(3);
    expect(fail.stderr).toMatch(/accuracy 0\.\d+ < --min-accuracy 0\.999 \(short by 0\.\d+\)/);
    const json = await cli(['evaluate', 'churn', '--version', '1', '--min-accuracy', '0.999', '--json', '--backend', 'cpu']);
    expect(json.code).toBe(3);
    expect(json.json()).toMatchObject({ passed: false, gates: [{ gate: '--min-accuracy', passed: false }] });
  });

  it('a regression gate on a classifier is a usage error', async () => {
    const r = await cli(['evaluate', 'churn', '--max-rmse', '3', '--json', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toMatch(/--max-rmse applies to regression models/);
  });
});
