import { describe, expect, it } from 'vitest';
import { inferSchema } from '../../../src/dataset/infer-schema.js';
import { parseCsvText, readJsonRows } from '../../../src/dataset/read-table.js';
import {
  classLabels,
  decodeRegression,
  encodeFeatures,
  encodeTargets,
  fitSignature,
  type Signature,
} from '../../../src/dataset/signature.js';
import { errorOf } from '../../helpers/error-of.js';

// num: train values 1, 3, (missing) -> mean 2, population std 1
const TRAIN = parseCsvText(['num,flag,color,y', '1,yes,red,a', '3,no,blue,b', 'NA,yes,,a', '7,yes,red,b'].join('\n'), 'train.csv');
const schema = inferSchema(TRAIN, { target: 'y' }).schema;
// fit on the first three rows only: the "training split"
const sig: Signature = fitSignature(schema, TRAIN.rows.slice(0, 3));

describe('fitSignature', () => {
  it('fits numeric mean, population std and fill on the training rows only', () => {
    expect(sig.features[0]).toEqual({ name: 'num', type: 'numeric', mean: 2, std: 1, fill: 2 });
  });

  it('fills booleans with the training majority', () => {
    expect(sig.features[1]).toEqual({ name: 'flag', type: 'boolean', fill: 1 });
  });

  it('keeps a sorted category vocabulary plus a __missing__ slot', () => {
    expect(sig.features[2]).toEqual({ name: 'color', type: 'categorical', categories: ['blue', 'red', '__missing__'] });
    expect(sig.encodedNames).toEqual(['num', 'flag', 'color=blue', 'color=red', 'color=__missing__']);
    expect(sig.inputSize).toBe(5);
  });

  it('guards a zero standard deviation with 1', () => {
    const s = fitSignature(schema, [TRAIN.rows[0], TRAIN.rows[0]]);
    expect(s.features[0]).toMatchObject({ mean: 1, std: 1 });
  });

  it('is plain JSON that encodes identically after a round trip', () => {
    const copy = JSON.parse(JSON.stringify(sig)) as Signature;
    expect(encodeFeatures(copy, TRAIN)).toEqual(encodeFeatures(sig, TRAIN));
  });
});

describe('encodeFeatures', () => {
  it('imputes, standardises and one-hot encodes with missing as its own category', () => {
    expect(Array.from(encodeFeatures(sig, TRAIN))).toEqual([
      -1,
      1,
      0,
      1,
      0, // 1 -> (1-2)/1
      1,
      0,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      1, // NA -> fill 2 -> 0; missing colour -> __missing__
      5,
      1,
      0,
      1,
      0,
    ]);
  });

  it('matches columns by name, ignores extra columns, and encodes only the given indices', () => {
    const t = parseCsvText('extra,color,y,flag,num\nz,blue,a,no,3\nz,red,b,yes,1\n', 'other.csv');
    expect(Array.from(encodeFeatures(sig, t, { indices: [1] }))).toEqual([-1, 1, 0, 1, 0]);
  });

  it('encodes CSV strings and JSON objects to identical bytes', () => {
    const fromCsv = encodeFeatures(sig, parseCsvText('num,flag,color\n2.5,YES,red\n,false,?\n4e0,no,blue\n', 'p.csv'));
    const objects = [
      { num: 2.5, flag: true, color: 'red' },
      { num: null, flag: false, color: null },
      { num: 4, flag: 'no', color: 'blue' },
    ];
    const fromJson = encodeFeatures(sig, objects);
    const fromJsonTable = encodeFeatures(sig, readJsonRows(objects));
    const fromArrays = encodeFeatures(sig, [
      [2.5, true, 'red'],
      [null, false, null],
      [4, 'no', 'blue'],
    ]);
    const bytes = (a: Float32Array) => Buffer.from(a.buffer).toString('hex');
    expect(bytes(fromJson)).toBe(bytes(fromCsv));
    expect(bytes(fromJsonTable)).toBe(bytes(fromCsv));
    expect(bytes(fromArrays)).toBe(bytes(fromCsv));
  });

  it('encodes an unknown category as all zeros by default', () => {
    const x = encodeFeatures(sig, [{ num: 2, flag: 1, color: 'green' }]);
    expect(Array.from(x)).toEqual([0, 1, 0, 0, 0]);
  });

  it('rejects an unknown category with unknownCategory: error, naming row, column and value', () => {
    const e = errorOf(() =>
      encodeFeatures(
        sig,
        [
          { num: 2, flag: 1, color: 'red' },
          { num: 2, flag: 1, color: 'green' },
        ],
        { unknownCategory: 'error' },
      ),
    );
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe('Row 2, column "color": "green" is not a category the model knows (blue, red).');
  });

  it('rejects a non-number in a numeric column, naming row and column', () => {
    const t = parseCsvText('num,flag,color\n1,yes,red\nabc,no,red\n', 'p.csv');
    const e = errorOf(() => encodeFeatures(sig, t));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe('Line 3, column "num": "abc" is not a number.');
  });

  it('rejects a non-boolean in a boolean column', () => {
    const e = errorOf(() => encodeFeatures(sig, [{ num: 1, flag: 'maybe', color: 'red' }]));
    expect(e.message).toBe('Row 1, column "flag": "maybe" is not true/false or yes/no.');
  });

  it('rejects data without a feature column, listing what the model needs', () => {
    const t = parseCsvText('num,color\n1,red\n', 'p.csv');
    const e = errorOf(() => encodeFeatures(sig, t));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe('Column "flag" is missing from the data; the model needs: num, flag, color.');
  });

  it('rejects an object row without a feature key, and an array row of the wrong width', () => {
    expect(errorOf(() => encodeFeatures(sig, [{ num: 1, color: 'red' }])).message).toBe(
      'Row 1: column "flag" is missing; the model needs: num, flag, color.',
    );
    expect(errorOf(() => encodeFeatures(sig, [[1, 'yes']])).message).toBe('Row 1 has 2 values; the model needs 3 (num, flag, color).');
  });

  it('names the original row when encoding a subset', () => {
    const t = parseCsvText('num,flag,color\n1,yes,red\n2,yes,red\nx,yes,red\n', 'p.csv');
    expect(errorOf(() => encodeFeatures(sig, t, { indices: [2] })).message).toBe('Line 4, column "num": "x" is not a number.');
  });
});

describe('targets', () => {
  it('encodes classes as indices and rejects an unknown class by name', () => {
    expect(Array.from(encodeTargets(sig, ['b', 'a', ' b ']))).toEqual([1, 0, 1]);
    expect(classLabels(sig)).toEqual(['a', 'b']);
    const e = errorOf(() => encodeTargets(sig, ['a', 'c']));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe('Row 2, column "y": class "c" was not in the training data; the model knows: a, b.');
  });

  it('standardises regression targets with training statistics and decodes them back', () => {
    const t = parseCsvText('x,y\n1,10\n2,20\n3,30.5\n4,100\n', 'r.csv');
    const s = fitSignature(inferSchema(t, { target: 'y' }).schema, t.rows.slice(0, 2));
    expect(s.target).toEqual({ name: 'y', task: 'regression', mean: 15, std: 5 });
    const y = encodeTargets(s, ['10', 25, '100']);
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(y)).toEqual([-1, 2, 17]);
    expect(decodeRegression(s, y)).toEqual([10, 25, 100]);
    expect(classLabels(s)).toEqual([]);
    expect(errorOf(() => encodeTargets(s, ['1', 'lots'])).message).toBe('Row 2, column "y": "lots" is not a number.');
  });
});
