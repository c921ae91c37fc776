import { describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import { inferSchema, type InferSchemaOptions } from '../../../src/dataset/infer-schema.js';
import { parseCsvText, readCsvFile, type Table } from '../../../src/dataset/read-table.js';
import { errorOf } from '../../helpers/error-of.js';

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname;
const csv = (text: string): Table => parseCsvText(text, 'data.csv');

function invalid(table: Table, options: InferSchemaOptions): MlctlError {
  const e = errorOf(() => inferSchema(table, options));
  expect(e.code).toBe('INVALID_DATA');
  return e;
}

describe('inferSchema on a messy CSV', async () => {
  const table = await readCsvFile(fixture('ds-messy.csv'));
  const result = inferSchema(table, { target: 'label' });
  const types = Object.fromEntries(result.schema.features.map((f) => [f.name, f.type]));

  it('infers numeric (with missing tokens and padding), boolean (yes/no/true/false) and categorical', () => {
    expect(types).toEqual({ 'city, state': 'categorical', size: 'numeric', member: 'boolean', plan: 'categorical' });
  });

  it('drops an all-distinct string column (ID) and a constant column, with warnings naming them', () => {
    expect(result.schema.dropped).toEqual([
      { name: 'id', reason: 'identifier' },
      { name: 'const', reason: 'constant' },
    ]);
    expect(result.warnings).toContain(
      'Dropped column "id": every value is different (an ID, a name or free text?), so it cannot help predict; --keep id uses it anyway.',
    );
    expect(result.warnings).toContain(
      'Dropped column "const": it has a single value ("x"), so it cannot help predict; --keep const uses it anyway.',
    );
  });

  it('drops and counts rows with a missing target, with a warning', () => {
    expect(result.droppedRows).toBe(1);
    expect(result.rows).toEqual([0, 1, 2, 4, 5]);
    expect(result.warnings).toContain('Dropped 1 row with no value in target "label" (line 5).');
  });

  it('counts missing values per column', () => {
    const plan = result.schema.features.find((f) => f.name === 'plan');
    expect(plan).toMatchObject({ distinct: 2, missing: 2 });
  });
});

describe('inferSchema type rules', () => {
  it('keeps a 0/1 column numeric', () => {
    const r = inferSchema(csv('f,y\n0,a\n1,b\n1,a\n0,b\n'), { target: 'y' });
    expect(r.schema.features[0].type).toBe('numeric');
  });

  it('keeps a categorical column with one value plus missing values (missing is a category)', () => {
    const r = inferSchema(csv('f,g,y\nred,1,a\n,2,b\nred,3,a\n'), { target: 'y' });
    expect(r.schema.features.map((f) => f.name)).toEqual(['f', 'g']);
  });

  it('drops a numeric column with one value even when some are missing', () => {
    const r = inferSchema(csv('f,g,y\n5,1,a\n,2,b\n5.0,3,a\n'), { target: 'y' });
    expect(r.schema.dropped).toEqual([{ name: 'f', reason: 'constant' }]);
  });

  it('does not take a numeric column of distinct values for an ID', () => {
    const r = inferSchema(csv('f,y\n1,a\n2,b\n3,a\n'), { target: 'y' });
    expect(r.schema.features.map((f) => f.name)).toEqual(['f']);
  });
});

describe('inferSchema target and task', () => {
  it('lists the columns when the target is missing', () => {
    const e = invalid(csv('a,b,c\n1,2,3\n'), { target: 'label' });
    expect(e.message).toBe('Target column "label" not found; columns are: a, b, c.');
  });

  it('infers classification for text and for <= 20 distinct integers, with "1.0" and "1" one class', () => {
    const text = inferSchema(csv('f,y\n1,cat\n2,dog\n3,cat\n'), { target: 'y' }).schema.target;
    expect(text).toMatchObject({ task: 'classification', taskSource: 'inferred', classes: ['cat', 'dog'] });
    const ints = inferSchema(csv('f,y\n1,2\n2,10\n3,1.0\n4,1\n'), { target: 'y' }).schema.target;
    expect(ints).toMatchObject({ task: 'classification', classes: ['1', '2', '10'] });
  });

  it('infers regression for non-integer or many-valued numeric targets', () => {
    expect(inferSchema(csv('f,y\n1,0.5\n2,1.5\n3,2\n'), { target: 'y' }).schema.target.task).toBe('regression');
    const many = 'f,y\n' + Array.from({ length: 21 }, (_, i) => `${i % 3},${i}`).join('\n');
    expect(inferSchema(csv(many), { target: 'y' }).schema.target.task).toBe('regression');
  });

  it('uses a given task', () => {
    const r = inferSchema(csv('f,y\n1,1\n2,2\n3,1\n'), { target: 'y', task: 'regression' });
    expect(r.schema.target).toMatchObject({ task: 'regression', taskSource: 'given', classes: null });
  });

  it('rejects text in a regression target, naming the row and value', () => {
    const e = invalid(csv('f,y\n1,0.5\n2,abc\n'), { target: 'y', task: 'regression' });
    expect(e.message).toBe('Row 2, column "y": "abc" is not a number, so "y" cannot be a regression target.');
    expect(e.hint).toMatch(/--task classification/);
  });

  it('rejects a classification target with a single class', () => {
    const e = invalid(csv('f,y\n1,a\n2,a\n'), { target: 'y' });
    expect(e.message).toBe('Target column "y" has only one class (a).');
  });
});

describe('inferSchema column errors', () => {
  it('rejects an entirely empty feature column with an --ignore hint', () => {
    const e = invalid(csv('f,empty,y\n1,,a\n2,NA,b\n'), { target: 'y' });
    expect(e.message).toBe('Column "empty" has no values (every row is empty or missing).');
    expect(e.hint).toBe('Leave the column out with --ignore empty.');
  });

  it('keeps a categorical column with more than maxCategories values (the signature folds the rest into "other")', () => {
    const rows = Array.from({ length: 12 }, (_, i) => `${i % 5},city${i % 6},${i % 2}`);
    const r = inferSchema(csv('f,city,y\n' + rows.join('\n')), { target: 'y', maxCategories: 5 });
    expect(r.schema.features.find((f) => f.name === 'city')).toMatchObject({ type: 'categorical', distinct: 6 });
  });

  it('rejects an unknown --features name, listing the columns', () => {
    const e = invalid(csv('a,b,y\n1,2,x\n2,1,z\n'), { target: 'y', features: ['a', 'nope'] });
    expect(e.message).toBe('--features names column "nope", which is not in the data; columns are: a, b, y.');
  });

  it('rejects an unknown --ignore name', () => {
    const e = invalid(csv('a,b,y\n1,2,x\n2,1,z\n'), { target: 'y', ignore: ['c'] });
    expect(e.message).toBe('--ignore names column "c", which is not in the data; columns are: a, b, y.');
  });

  it('selects --features in the given order and removes --ignore columns', () => {
    const t = csv('a,b,c,y\n1,2,3,x\n2,1,4,z\n3,3,1,x\n');
    expect(inferSchema(t, { target: 'y', features: ['c', 'a'] }).schema.features.map((f) => f.name)).toEqual(['c', 'a']);
    expect(inferSchema(t, { target: 'y', ignore: ['b'] }).schema.features.map((f) => f.name)).toEqual(['a', 'c']);
  });

  it('rejects the target as a feature', () => {
    const e = invalid(csv('a,y\n1,x\n2,z\n'), { target: 'y', features: ['a', 'y'] });
    expect(e.message).toBe('--features names "y", which is the target column.');
  });

  it('fails when no feature column is left', () => {
    const e = invalid(csv('id,y\nu1,x\nu2,z\n'), { target: 'y' });
    expect(e.message).toBe('No usable feature columns remain to predict "y".');
  });
});

describe('inferSchema on real-world columns', () => {
  const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

  it('reports every numeric column with a few bad cells in one error: value, line and why', () => {
    // 40 rows; price has a typo and an overflow, qty an Infinity; 'note' is text and fine
    const body = lines(40, (i) => {
      const price = i === 5 ? '12..5' : i === 30 ? '1e999' : String(10 + (i % 7) / 2);
      const qty = i === 17 ? 'Infinity' : String(i % 5);
      return `${price},${qty},note${i % 3},${i % 2 ? 'a' : 'b'}`;
    });
    const e = invalid(csv(`price,qty,note,y\n${body}\n`), { target: 'y' });
    expect(e.message).toBe(
      '2 columns have problems: "price" is numeric except 2 values: "12..5" on line 7 (not a number), "1e999" on line 32 (out of range); "qty" is numeric except 1 value: "Infinity" on line 19 (infinite).',
    );
    expect(e.hint).toBe(
      'Fix those cells or empty them (empty, NA, N/A, none, NaN, null and - mean missing), or leave the columns out with --ignore price,qty.',
    );
    expect(e.details).toEqual({ columns: ['price', 'qty'] });
  });

  it('counts every missing token as missing, not as a bad cell', () => {
    const tokens = ['', 'NA', 'n/a', 'None', 'nan', 'NULL', '-', '?'];
    const body = lines(40, (i) => `${i % 5 === 0 ? tokens[(i / 5) % tokens.length] : (i * 7) % 13},${i % 2 ? 'a' : 'b'}`);
    const r = inferSchema(csv(`v,y\n${body}\n`), { target: 'y' });
    expect(r.schema.features[0]).toMatchObject({ name: 'v', type: 'numeric', missing: 8 });
  });

  it('reports a bad date in a date column and a column with no values in the same error', () => {
    const body = lines(30, (i) => `${i === 4 ? '2023-02-30' : `2023-01-${String(1 + (i % 28)).padStart(2, '0')}`},,${i % 2 ? 'a' : 'b'}`);
    const e = invalid(csv(`when,blank,y\n${body}\n`), { target: 'y' });
    expect(e.message).toBe(
      '2 columns have problems: "when" holds dates except 1 value: "2023-02-30" on line 6 (no such date or time); "blank" has no values (every row is empty or missing).',
    );
  });

  it('keeps mostly-text columns with a number or two categorical (no error)', () => {
    const body = lines(20, (i) => `${i === 3 ? '42' : ['red', 'green', 'blue'][i % 3]},${i % 2 ? 'a' : 'b'}`);
    expect(inferSchema(csv(`c,y\n${body}\n`), { target: 'y' }).schema.features[0].type).toBe('categorical');
  });

  it('types ISO dates, date-times and times of day as datetime columns', () => {
    const body = lines(30, (i) => {
      const d = `2024-0${1 + (i % 9)}-1${i % 10}`;
      return `${d},${d}T0${i % 10}:15:00,${String(i % 24).padStart(2, '0')}:30,${i % 2 ? 'a' : 'b'}`;
    });
    const r = inferSchema(csv(`d,dt,t,y\n${body}\n`), { target: 'y' });
    expect(r.schema.features.map((f) => [f.name, f.type, f.kind])).toEqual([
      ['d', 'datetime', 'date'],
      ['dt', 'datetime', 'datetime'],
      ['t', 'datetime', 'time'],
    ]);
  });

  it('drops nearly-unique text (names, free text) and evenly spaced unique integers, with warnings; --keep forces them in', () => {
    const body = lines(50, (i) => `${1000 + i},Person ${i < 45 ? i : 0},${(i * 37) % 101},${['x', 'y', 'z'][i % 3]},${i % 2 ? 'a' : 'b'}`);
    const table = csv(`customer_no,name,score,group,y\n${body}\n`);
    const r = inferSchema(table, { target: 'y' });
    expect(r.schema.features.map((f) => f.name)).toEqual(['score', 'group']);
    expect(r.schema.dropped).toEqual([
      { name: 'customer_no', reason: 'row-number' },
      { name: 'name', reason: 'identifier' },
    ]);
    expect(r.warnings).toEqual([
      'Dropped column "customer_no": its values are unique, evenly spaced integers (a row number or an ID?), so it cannot help predict; --keep customer_no uses it anyway.',
      'Dropped column "name": 90% of its values are different (an ID, a name or free text?), so it cannot help predict; --keep name uses it anyway.',
    ]);
    const kept = inferSchema(table, { target: 'y', keep: ['name', 'customer_no'] });
    expect(kept.schema.features.map((f) => f.name)).toEqual(['customer_no', 'name', 'score', 'group']);
    expect(errorOf(() => inferSchema(table, { target: 'y', keep: ['name'], ignore: ['name'] })).code).toBe('USAGE');
  });

  it('keeps unique integers that are not evenly spaced (a real measurement)', () => {
    const body = lines(30, (i) => `${i * i + (i % 3)},${i % 2 ? 'a' : 'b'}`);
    expect(inferSchema(csv(`v,y\n${body}\n`), { target: 'y' }).schema.features.map((f) => f.name)).toEqual(['v']);
  });
});
