import { describe, expect, it } from 'vitest';
import { inferSchema } from '../../../src/dataset/infer-schema.js';
import { parseCsvText, readJsonRows } from '../../../src/dataset/read-table.js';
import {
  classLabels,
  decodeRegression,
  encodeFeatures,
  describeUnseen,
  encodeTargets,
  fitSignature,
  type FeatureSpec,
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

describe('many categories: the most frequent kept, the rest and unseen values as "other"', () => {
  // city: A x4, B x3, C x3, D x1, E x1 -> with 2 kept: A, then B (ties by name over C)
  const cities = ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'C', 'C', 'C', 'D', 'E', ''];
  const table = parseCsvText(`city,y\n${cities.map((c, i) => `${c},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`, 'c.csv');
  const s = fitSignature(inferSchema(table, { target: 'y', maxCategories: 2 }).schema, table.rows, { maxCategories: 2 });

  it('keeps maxCategories values by frequency (ties by name), then __other__ and __missing__', () => {
    expect(s.features[0]).toEqual({ name: 'city', type: 'categorical', categories: ['A', 'B', '__other__', '__missing__'] });
    expect(s.encodedNames).toEqual(['city=A', 'city=B', 'city=__other__', 'city=__missing__']);
  });

  it('encodes a folded value and an unseen one as other, and counts the unseen ones', () => {
    const unseen = {};
    const x = encodeFeatures(s, [{ city: 'C' }, { city: 'Zürich' }, { city: 'Zürich' }, { city: 'Oslo' }, { city: 'A' }], { unseen });
    expect(Array.from(x)).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0]);
    expect(unseen).toEqual({ city: { rows: 4, distinct: 3, values: ['C', 'Zürich', 'Oslo'] } });
    expect(describeUnseen(s, unseen)).toBe(
      'Categories outside the model\'s vocabulary: "city" in 4 rows ("C", "Zürich", "Oslo"; not among its kept categories, encoded as "other").',
    );
  });

  it('under unknownCategory: error a column with an other slot still takes any value (as training did)', () => {
    const unseen = {};
    const x = encodeFeatures(s, [{ city: 'C' }, { city: 'Oslo' }], { unknownCategory: 'error', unseen });
    expect(Array.from(x)).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect(unseen).toEqual({ city: { rows: 2, distinct: 2, values: ['C', 'Oslo'] } });
  });

  it('without a cap an unseen value is all zeros (as older records encode), and still counted', () => {
    const unseen = {};
    expect(Array.from(encodeFeatures(sig, [{ num: 2, flag: 1, color: 'green' }], { unseen }))).toEqual([0, 1, 0, 0, 0]);
    expect(describeUnseen(sig, unseen)).toBe(
      'Categories outside the model\'s vocabulary: "color" in 1 row ("green"; never seen in training, encoded as all zeros).',
    );
  });
});

describe('dates and times', () => {
  const rows = [
    ['2024-03-04', '2024-03-04T06:00', '06:00', 'a'], // Monday
    ['2024-03-06', '2024-03-06T12:00', '12:00', 'b'], // Wednesday
    ['2024-04-07', '2024-04-07T18:00', '18:00', 'a'], // Sunday
    ['', '', '', 'b'],
  ];
  const table = parseCsvText(`d,dt,t,y\n${rows.map((r) => r.join(',')).join('\n')}\n`, 'd.csv');
  const s = fitSignature(inferSchema(table, { target: 'y' }).schema, table.rows);
  const d = s.features[0] as Extract<FeatureSpec, { type: 'datetime' }>;

  it('stores the parts that vary (constant year left out), their statistics and the earliest date', () => {
    expect(d).toMatchObject({ type: 'datetime', kind: 'date', origin: '2024-03-04' });
    expect(d.parts.map((p) => p.part)).toEqual(['month', 'day', 'weekday', 'days']);
    const days = d.parts.find((p) => p.part === 'days')!;
    expect(days.mean).toBeCloseTo((0 + 2 + 34) / 3, 10);
    expect(s.features[1]).toMatchObject({ kind: 'datetime', origin: '2024-03-04T06:00:00' });
    expect((s.features[1] as typeof d).parts.map((p) => p.part)).toEqual(['month', 'day', 'weekday', 'hour', 'days']);
    expect(s.features[2]).toMatchObject({ kind: 'time', origin: null, parts: [{ part: 'hour', mean: 12 }] });
    expect(s.encodedNames.slice(0, 4)).toEqual(['d.month', 'd.day', 'd.weekday', 'd.days']);
  });

  it('encodes each part z-scored, missing as 0, identically from CSV, JSON and a JSON round trip of the signature', () => {
    const x = encodeFeatures(s, table);
    const weekday = d.parts.find((p) => p.part === 'weekday')!;
    expect(x[2]).toBeCloseTo((1 - weekday.mean) / weekday.std, 6);
    expect(x[s.inputSize * 2 + 2]).toBeCloseTo((7 - weekday.mean) / weekday.std, 6);
    expect(Array.from(x.subarray(s.inputSize * 3))).toEqual(new Array(s.inputSize).fill(0));
    const copy = JSON.parse(JSON.stringify(s)) as Signature;
    const objects = rows.map(([dd, dt, t]) => ({ d: dd || null, dt: dt || null, t: t || null }));
    expect(Buffer.from(encodeFeatures(copy, objects).buffer)).toEqual(Buffer.from(x.buffer));
    // a later date encodes beyond the training range, from the same origin
    const later = encodeFeatures(s, [{ d: '2025-03-04', dt: '2024-03-04T06:00', t: '06:00' }]);
    const daysPart = d.parts.findIndex((p) => p.part === 'days');
    expect(later[daysPart]).toBeCloseTo((365 - d.parts[daysPart].mean) / d.parts[daysPart].std, 5);
  });

  it('names every bad cell (up to five) in one error, by line', () => {
    const bad = parseCsvText('d,dt,t\nsoon,2024-03-04T06:00,06:00\n2024-03-04,2024-03-04T06:00,25:00\n', 'p.csv');
    const e = errorOf(() => encodeFeatures(s, bad));
    expect(e.message).toBe('Line 2, column "d": "soon" is not an ISO date; line 3, column "t": "25:00" is not a time of day.');
    expect(e.hint).toBe('"d" holds dates; give e.g. 2024-03-01 or 2024-03-01T08:30 (or leave it empty).');
  });
});
