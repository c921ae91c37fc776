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
      'Dropped column "id": every value is a different string (an ID?), so it cannot help predict; --keep id uses it anyway.',
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
