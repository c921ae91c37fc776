/**
 * Issue 7, data items 1-6, end to end through the built CLI on tables built here: numeric columns
 * with bad cells and missing tokens; many categories, IDs, names, free text and a rare class;
 * dates and times; semicolons, tabs, decimal commas and Latin-1; JSON overflow, exact CSV output
 * and unseen categories; imported models fed plain numbers. Each block trains once and reuses it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { messyCustomers, toCsv } from '../helpers/messy-tables.js';
import { createTinyModelDir } from '../helpers/tiny-model.js';

let work: string;
const cli = (args: string[], input?: string) => runCli([...args, '--backend', 'cpu'], { cwd: work, input });
const write = (name: string, data: string | Buffer) => writeFile(path.join(work, name), data);
const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
const models = async () => readdir(path.join(work, 'model-registry')).catch(() => [] as string[]);
const warnings = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('warning: '))
    .map((l) => l.slice('warning: '.length));

beforeAll(async () => {
  work = await makeTmpDir();
});
afterAll(async () => removeTmpDir(work));

describe('1. numeric columns with a few bad cells, and missing tokens', () => {
  it('names every bad cell with its column, value and line in one error (exit 1), and publishes nothing', async () => {
    await write(
      'prices.csv',
      `price,qty,y\n${lines(40, (i) => `${i === 5 ? '12..5' : i === 30 ? '1e999' : 10 + (i % 7) / 2},${i === 17 ? 'Infinity' : i % 5},${i % 2 ? 'a' : 'b'}`)}\n`,
    );
    const r = await cli(['train', 'prices.csv', '--target', 'y', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toEqual({
      code: 'INVALID_DATA',
      message:
        '2 columns have problems: "price" is numeric except 2 values: "12..5" on line 7 (not a number), "1e999" on line 32 (out of range); "qty" is numeric except 1 value: "Infinity" on line 19 (infinite).',
      hint: 'Fix those cells or empty them (empty, NA, N/A, none, NaN, null and - mean missing), or leave the columns out with --ignore price,qty.',
      details: { columns: ['price', 'qty'] },
    });
    expect(await models()).not.toContain('prices');
  });

  it('reads na, n/a, none, nan, null, - and empty (any case) as missing: trains and predicts', async () => {
    const tokens = ['na', 'N/A', 'None', 'NaN', 'NULL', '-', ''];
    await write(
      'tokens.csv',
      `v,w,y\n${lines(60, (i) => `${i % 6 === 0 ? tokens[(i / 6) % tokens.length] : (i * 7) % 13},${i % 9 === 0 ? 'none' : i % 4 ? 'p' : 'q'},${(i * 7) % 13 > 6 ? 'hi' : 'lo'}`)}\n`,
    );
    const train = await cli(['train', 'tokens.csv', '--target', 'y', '--epochs', '5', '--json']);
    expect(train.code, train.stderr).toBe(0);
    const features = train.json().signature.features;
    expect(features[0]).toMatchObject({ name: 'v', type: 'numeric' });
    expect(features[1]).toMatchObject({ name: 'w', type: 'categorical', categories: ['p', 'q', '__missing__'] });
    const predict = await cli(['predict', 'tokens', '--input', '-', '--json'], 'v,w\nNONE,-\n3,n/a\n');
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.json().predictions).toHaveLength(2);
  });
});

describe('2. many categories, IDs, names, free text and a rare class, without flags', () => {
  const table = messyCustomers({ rows: 400, cities: 80, delimiter: ',', seed: 3 });

  it('trains, warning about each column left out, the "other" category and the rare class', async () => {
    await write('customers.csv', table.text);
    const r = await cli(['train', 'customers.csv', '--target', 'status', '--epochs', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const cities = new Set(table.rows.map((row) => row[5])).size;
    const names = new Set(table.rows.map((row) => row[2])).size;
    const got = warnings(r.stderr);
    expect(got).toEqual([
      'Dropped column "customer_id": every value is different (an ID, a name or free text?), so it cannot help predict; --keep customer_id uses it anyway.',
      'Dropped column "row": its values are unique, evenly spaced integers (a row number or an ID?), so it cannot help predict; --keep row uses it anyway.',
      `Dropped column "name": ${Math.floor((100 * names) / 400)}% of its values are different (an ID, a name or free text?), so it cannot help predict; --keep name uses it anyway.`,
      'Dropped column "comment": every value is different (an ID, a name or free text?), so it cannot help predict; --keep comment uses it anyway.',
      'Class "fraud" has only 2 rows, too few to hold some out for validation and test; they are all in the training split.',
      expect.stringMatching(
        /^Column "city" has \d+ distinct values; the 50 most frequent are kept and the other \d+ \(\d+ of 280 training rows\) are encoded as "other" \(--max-categories sets how many are kept\)\.$/,
      ),
    ]);
    expect(cities).toBeGreaterThan(50);
    const record = r.json();
    expect(record.split.droppedColumns).toEqual(['customer_id', 'row', 'name', 'comment']);
    const city = record.signature.features.find((f: { name: string }) => f.name === 'city');
    expect(city.categories).toHaveLength(51);
    expect(city.categories.at(-1)).toBe('__other__');
    expect(record.target.classes).toEqual(['active', 'churned', 'fraud']);
  });

  it('--keep forces a left-out column in', async () => {
    const r = await cli(['train', 'customers.csv', '--target', 'status', '--epochs', '1', '--keep', 'row', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().signature.features.map((f: { name: string }) => f.name)).toContain('row');
  });
});

describe('3. dates, date-times and times of day', () => {
  it('become numeric parts stored in the signature and applied identically at predict time', async () => {
    const day0 = Date.UTC(2023, 0, 2); // a Monday
    const body = lines(300, (i) => {
      const d = new Date(day0 + ((i * 37) % 400) * 86_400_000);
      const iso = d.toISOString();
      const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
      return `${iso.slice(0, 10)},${iso.slice(0, 10)}T${String(i % 24).padStart(2, '0')}:30,${String((i * 5) % 24).padStart(2, '0')}:15,${weekend ? 'weekend' : 'weekday'}`;
    });
    await write('visits.csv', `day,seen_at,opens,kind\n${body}\n`);
    const r = await cli(['train', 'visits.csv', '--target', 'kind', '--epochs', '150', '--hidden', '16', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [day, seen, opens] = r.json().signature.features;
    expect(day).toMatchObject({ name: 'day', type: 'datetime', kind: 'date', origin: '2023-01-02' });
    expect(day.parts.map((p: { part: string }) => p.part)).toEqual(['year', 'month', 'day', 'weekday', 'days']);
    expect(seen.parts.map((p: { part: string }) => p.part)).toEqual(['year', 'month', 'day', 'weekday', 'hour', 'days']);
    expect(opens).toMatchObject({ kind: 'time', origin: null, parts: [{ part: 'hour' }] });
    expect(r.json().metrics.accuracy).toBeGreaterThan(0.9);
    // dates after the training range: a Saturday and a Wednesday
    const rows = [
      { day: '2024-06-08', seen_at: '2024-06-08T10:00', opens: '08:00' },
      { day: '2024-06-12', seen_at: '2024-06-12T10:00', opens: '08:00' },
    ];
    const p = await cli(['predict', 'visits', '--input', '-', '--json'], JSON.stringify(rows));
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().predictions.map((x: { label: string }) => x.label)).toEqual(['weekend', 'weekday']);
    const bad = await cli(['predict', 'visits', '--input', '-', '--json'], 'day,seen_at,opens\n2024-02-30,2024-06-12T10:00,8:00\n');
    expect(bad.code).toBe(1);
    expect(bad.json().error.message).toBe('Line 2, column "day": "2024-02-30" is not an ISO date.');
  });
});

describe('4. semicolons, tabs, decimal commas and encodings', () => {
  const rows = Array.from({ length: 80 }, (_, i) => [
    `${(i % 9) + 0.25}`,
    ['Zoé', 'Noël', 'Anaïs'][i % 3],
    (i % 9) + 0.25 > 4.5 ? 'oui' : 'non',
  ]);

  it('detects ";" and reads its decimal commas, with a warning; evaluate re-reads the file the same way', async () => {
    await write(
      'semi.csv',
      toCsv(
        ['prix', 'nom', 'cible'],
        rows.map(([p, n, c]) => [p.replace('.', ','), n, c]),
        ';',
      ),
    );
    const r = await cli(['train', 'semi.csv', '--target', 'cible', '--epochs', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(warnings(r.stderr)).toEqual([
      'Read decimal commas in column "prix" of this semicolon-separated file (3,5 = 3.5); pass --decimal . to read it otherwise.',
    ]);
    expect(r.json().signature.features[0]).toMatchObject({ name: 'prix', type: 'numeric' });
    expect(r.json().dataset.format).toEqual({ encoding: 'utf-8', delimiter: ';', decimal: 'auto' });
    const e = await cli(['evaluate', 'semi', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json().data.source).toBe('test-split');
  });

  it('refuses a Latin-1 file with the line of the first bad byte (exit 1); --encoding latin1 --delimiter tab --decimal , reads it', async () => {
    const text = toCsv(
      ['prix', 'nom', 'cible'],
      rows.map(([p, n, c]) => [p.replace('.', ','), n, c]),
      '\t',
    );
    await write('latin.tsv', Buffer.from(text, 'latin1'));
    const refused = await cli(['train', 'latin.tsv', '--target', 'cible', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json().error).toMatchObject({
      code: 'INVALID_DATA',
      message: `${path.join(work, 'latin.tsv')} is not valid UTF-8 (byte 0xE9 on line 2).`,
      hint: 'Save it as UTF-8, or read it as Latin-1 / Windows-1252 with --encoding latin1.',
    });
    const r = await cli([
      'train',
      'latin.tsv',
      '--target',
      'cible',
      '--epochs',
      '5',
      '--encoding',
      'latin1',
      '--delimiter',
      'tab',
      '--decimal',
      ',',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().signature.features).toEqual([
      expect.objectContaining({ name: 'prix', type: 'numeric' }),
      { name: 'nom', type: 'categorical', categories: ['Anaïs', 'Noël', 'Zoé'] },
    ]);
    // predict from a semicolon file with decimal commas, detected
    const p = await cli(['predict', 'latin', '--input', '-', '--json'], 'prix;nom\n8,25;Zoé\n0,25;Noël\n');
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().predictions).toHaveLength(2);
  });
});

describe('5. JSON overflow, exact CSV output, unseen categories', () => {
  it('an infinite JSON number (1e400) is an error, not a missing value', async () => {
    const r = await cli(['predict', 'semi', '--input', '-', '--json'], '[{"prix": 1e400, "nom": "Zoé"}]');
    expect(r.code).toBe(1);
    expect(r.json().error.message).toBe(
      'Row 1, column "prix": the number is out of range (JSON numbers such as 1e400 overflow to infinity).',
    );
  });

  it('CSV output keeps every digit of the probabilities JSON gives', async () => {
    const input = 'prix;nom\n3,5;Zoé\n7,25;Anaïs\n';
    const csv = await cli(['predict', 'semi', '--input', '-'], input);
    const json = await cli(['predict', 'semi', '--input', '-', '--json'], input);
    expect(csv.code, csv.stderr).toBe(0);
    const [header, ...out] = csv.stdout.trim().split('\n');
    expect(header).toBe('label,p_non,p_oui');
    out.forEach((line, i) => {
      const [label, pNon, pOui] = line.split(',');
      const want = json.json().predictions[i];
      expect(label).toBe(want.label);
      expect(Number(pNon)).toBe(want.probabilities.non);
      expect(Number(pOui)).toBe(want.probabilities.oui);
    });
  });

  it('predict and evaluate count and report categories the model never saw', async () => {
    const p = await cli(['predict', 'semi', '--input', '-', '--json'], 'prix;nom\n3;Zoé\n3;Léa\n4;Léa\n5;Émile\n');
    expect(p.code, p.stderr).toBe(0);
    const message =
      'Categories outside the model\'s vocabulary: "nom" in 3 rows ("Léa", "Émile"; never seen in training, encoded as all zeros).';
    expect(warnings(p.stderr)).toEqual([message]);
    expect(p.json()).toMatchObject({ unseenCategories: { nom: { rows: 3, distinct: 2 } }, warnings: [message] });
    await write('holdout.csv', 'prix;nom;cible\n1;Léa;non\n8;Zoé;oui\n');
    const e = await cli(['evaluate', 'semi', '--data', 'holdout.csv', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json().warnings).toEqual([
      'Categories outside the model\'s vocabulary: "nom" in 1 row ("Léa"; never seen in training, encoded as all zeros).',
    ]);
  });
});

describe('6. imported models (no signature) take rows of plain numbers', () => {
  it('predicts from JSON arrays and headerless CSV, evaluates headerless CSV, and checks the input width', async () => {
    const tiny = await createTinyModelDir(path.join(work, 'tiny-src'), { seed: 5, inputSize: 3, units: [6, 2] });
    const imported = await cli(['import', tiny.modelJsonPath, '--name', 'net', '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const x = [
      [0.5, -1, 2],
      [3, 0.25, -0.5],
    ];
    const want = await tiny.predict(x);
    const fromJson = await cli(['predict', 'net', '--input', '-', '--json'], JSON.stringify(x));
    expect(fromJson.code, fromJson.stderr).toBe(0);
    const got = fromJson.json();
    expect(got).toMatchObject({ task: 'classification', labels: ['0', '1'], rows: 2 });
    got.predictions.forEach((p: { probabilities: Record<string, number> }, i: number) => {
      expect(p.probabilities['0']).toBeCloseTo(want[i][0], 5);
      expect(p.probabilities['1']).toBeCloseTo(want[i][1], 5);
    });
    const csvIn = x.map((r) => r.join(',')).join('\n') + '\n';
    const fromCsv = await cli(['predict', 'net', '--input', '-', '--no-header', '--json'], csvIn);
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    expect(fromCsv.json().predictions).toEqual(got.predictions);

    const labels = want.map((p) => (p[1] > p[0] ? 1 : 0));
    await write('net-eval.csv', x.map((r, i) => [...r, labels[i]].join(',')).join('\n') + '\n');
    const e = await cli(['evaluate', 'net', '--data', 'net-eval.csv', '--no-header', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json().metrics.accuracy).toBe(1);

    const wide = await cli(['predict', 'net', '--input', '-', '--no-header', '--json'], '1,2,3,4\n');
    expect(wide.code).toBe(1);
    expect(wide.json().error.message).toBe('The rows have 4 values each; net v1 takes 3 numbers per row (input shape [null, 3]).');
  });
});
