import { describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import { cellNumber } from '../../../src/dataset/cell.js';
import { prepareEvaluationData, prepareTrainingData } from '../../../src/dataset/prepare.js';
import { parseCsvText, readCsvFile } from '../../../src/dataset/read-table.js';

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname;
const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('prepareTrainingData on the template datasets', () => {
  const cases = [
    { file: 'ds-iris.csv', target: 'species', task: 'classification', rows: 150, inputSize: 4, classes: 3 },
    { file: 'ds-wine.csv', target: 'cultivar', task: 'classification', rows: 178, inputSize: 13, classes: 3 },
    { file: 'ds-breast-cancer-head.csv', target: 'diagnosis', task: 'classification', rows: 120, inputSize: 30, classes: 2 },
    { file: 'ds-diabetes-head.csv', target: 'progression', task: 'regression', rows: 150, inputSize: 10, classes: 0 },
  ] as const;
  for (const c of cases) {
    it(`loads and prepares ${c.file} without warnings`, async () => {
      const table = await readCsvFile(fixture(c.file));
      const p = prepareTrainingData(table, { target: c.target, seed: 0 });
      expect(p.warnings).toEqual([]);
      expect(p.dropped).toEqual([]);
      expect(p.signature.target.task).toBe(c.task);
      expect(p.signature.inputSize).toBe(c.inputSize);
      expect(p.n.train + p.n.validation + p.n.test).toBe(c.rows);
      expect(p.x.train.length).toBe(p.n.train * c.inputSize);
      expect(p.y.test.length).toBe(p.n.test);
      if (c.task === 'classification') {
        expect(p.signature.target).toMatchObject({ classes: expect.any(Array) });
        expect(p.y.train).toBeInstanceOf(Int32Array);
        expect(new Set(p.y.test).size).toBe(c.classes);
      } else {
        expect(p.y.train).toBeInstanceOf(Float32Array);
      }
    });
  }

  it('gives iris 105/15/30 rows, stratified', async () => {
    const p = prepareTrainingData(await readCsvFile(fixture('ds-iris.csv')), { target: 'species', seed: 0 });
    expect(p.n).toEqual({ train: 105, validation: 15, test: 30 });
    const counts = [0, 0, 0];
    for (const k of p.y.test) counts[k]++;
    expect(counts).toEqual([10, 10, 10]);
  });

  it('standardises features to mean 0 on the training split', async () => {
    const p = prepareTrainingData(await readCsvFile(fixture('ds-wine.csv')), { target: 'cultivar', seed: 1 });
    const w = p.signature.inputSize;
    for (let j = 0; j < w; j++) {
      let sum = 0;
      for (let i = 0; i < p.n.train; i++) sum += p.x.train[i * w + j];
      expect(Math.abs(sum / p.n.train)).toBeLessThan(1e-5);
    }
  });
});

describe('prepareTrainingData', () => {
  it('imputes a missing value with the training-split mean, not the whole-data mean', async () => {
    const table = await readCsvFile(fixture('ds-impute.csv'));
    const p = prepareTrainingData(table, { target: 'y', seed: 3 });
    const mean = (rows: Iterable<number>) => {
      const xs = [...rows].map((r) => cellNumber(table.rows[r][0]) as number).filter((x) => !Number.isNaN(x));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const trainMean = mean(p.indices.train);
    const wholeMean = mean(table.rows.keys());
    const spec = p.signature.features[0];
    expect(spec.type).toBe('numeric');
    if (spec.type !== 'numeric') return;
    expect(spec.fill).toBeCloseTo(trainMean, 10);
    expect(Math.abs(trainMean - wholeMean)).toBeGreaterThan(1);
    // every row with a missing x, in any split, encodes to the standardised training mean
    const w = p.signature.inputSize;
    let seen = 0;
    let outsideTrain = 0;
    for (const part of ['train', 'validation', 'test'] as const) {
      p.indices[part].forEach((r, i) => {
        if (table.rows[r][0] === '') {
          seen++;
          if (part !== 'train') outsideTrain++;
          expect(p.x[part][i * w]).toBeCloseTo((trainMean - spec.mean) / spec.std, 6);
          expect(p.x[part][i * w]).not.toBeCloseTo((wholeMean - spec.mean) / spec.std, 3);
        }
      });
    }
    expect(seen).toBe(4);
    expect(outsideTrain).toBeGreaterThan(0); // the held-out rows are imputed with the training mean too
  });

  it('one-hot encodes a categorical with missing as its own category', async () => {
    const p = prepareTrainingData(await readCsvFile(fixture('ds-impute.csv')), { target: 'y', seed: 3 });
    expect(p.signature.encodedNames).toEqual(['x', 'colour=blue', 'colour=green', 'colour=red', 'colour=__missing__']);
  });

  it('is reproducible: same seed, same indices and bytes; another seed differs', async () => {
    const table = await readCsvFile(fixture('ds-iris.csv'));
    const a = prepareTrainingData(table, { target: 'species', seed: 9 });
    const b = prepareTrainingData(table, { target: 'species', seed: 9 });
    const c = prepareTrainingData(table, { target: 'species', seed: 10 });
    expect(bytes(b.indices.test)).toBe(bytes(a.indices.test));
    expect(bytes(b.x.train)).toBe(bytes(a.x.train));
    expect(b.signature).toEqual(a.signature);
    expect(bytes(c.indices.test)).not.toBe(bytes(a.indices.test));
  });

  it('reports dropped columns and rows', async () => {
    const table = await readCsvFile(fixture('ds-messy.csv'));
    const p = prepareTrainingData(table, { target: 'label', seed: 0, testFraction: 0.2, validationFraction: 0 });
    expect(p.dropped).toEqual(['id', 'const']);
    expect(p.droppedRows).toBe(1);
    expect(p.warnings).toHaveLength(3);
    expect([...p.indices.train, ...p.indices.test].sort()).toEqual([0, 1, 2, 4, 5]);
  });

  it('keeps a class too small to stratify in the training split, with a warning naming it', () => {
    const t = parseCsvText('f,y\n3,a\n1,a\n4,a\n1,a\n5,b\n9,b\n2,a\n6,a\n5,a\n3,c\n', 'small.csv');
    const p = prepareTrainingData(t, { target: 'y', seed: 0 });
    expect(p.warnings).toEqual([
      'Class "b" has only 2 rows, too few to hold some out for validation and test; they are all in the training split.',
      'Class "c" has only 1 row, too few to hold any out for validation or test; it is in the training split.',
    ]);
    const trainLabels = [...p.indices.train].map((r) => t.rows[r][1]);
    expect(trainLabels.filter((y) => y === 'b')).toHaveLength(2);
    expect(trainLabels.filter((y) => y === 'c')).toHaveLength(1);
    expect(p.signature.target).toMatchObject({ classes: ['a', 'b', 'c'] });
  });
});

describe('prepareEvaluationData', () => {
  it('re-encodes the stored test split identically', async () => {
    const table = await readCsvFile(fixture('ds-iris.csv'));
    const p = prepareTrainingData(table, { target: 'species', seed: 5 });
    const stored = JSON.parse(JSON.stringify({ signature: p.signature, test: Array.from(p.indices.test) }));
    const e = prepareEvaluationData(stored.signature, table, { indices: stored.test });
    expect(bytes(e.x)).toBe(bytes(p.x.test));
    expect(bytes(e.y)).toBe(bytes(p.y.test));
  });

  it('skips rows without a target and needs the target column', async () => {
    const table = await readCsvFile(fixture('ds-iris.csv'));
    const { signature } = prepareTrainingData(table, { target: 'species', seed: 0 });
    const data = parseCsvText('species,petal_width,petal_length,sepal_width,sepal_length\nsetosa,0.2,1.4,3.5,5.1\n,1,1,1,1\n', 'new.csv');
    const e = prepareEvaluationData(signature, data);
    expect(e.droppedRows).toBe(1);
    expect(Array.from(e.rows)).toEqual([0]);
    expect(e.x.length).toBe(4);
    const noTarget = parseCsvText('petal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n', 'new.csv');
    const err = (() => {
      try {
        prepareEvaluationData(signature, noTarget);
      } catch (x) {
        return x as MlctlError;
      }
    })();
    expect(err?.code).toBe('INVALID_DATA');
    expect(err?.message).toBe('Target column "species" not found; columns are: petal_width, petal_length, sepal_width, sepal_length.');
  });
});

describe('prepareTrainingData on a table with many categories', () => {
  it('keeps the most frequent categories, folds the rest into "other", and says how many rows', () => {
    // 60 rows: city0..city4 twice as often as city5..city19
    const cities = Array.from({ length: 60 }, (_, i) => (i < 30 ? `city${i % 5}` : `city${5 + (i % 15)}`));
    const t = parseCsvText(`city,v,y\n${cities.map((c, i) => `${c},${(i * 7) % 11},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`, 'c.csv');
    const p = prepareTrainingData(t, { target: 'y', seed: 1, maxCategories: 5 });
    const spec = p.signature.features[0];
    expect(spec).toMatchObject({ name: 'city', type: 'categorical' });
    expect(spec.type === 'categorical' && spec.categories.at(-1)).toBe('__other__');
    const kept = spec.type === 'categorical' ? spec.categories.slice(0, -1) : [];
    expect(kept).toEqual(['city0', 'city1', 'city2', 'city3', 'city4']);
    const trainCities = [...p.indices.train].map((r) => t.rows[r][0]);
    const inOther = trainCities.filter((c) => !kept.includes(c)).length;
    const folded = new Set(trainCities.filter((c) => !kept.includes(c))).size;
    expect(p.warnings).toEqual([
      `Column "city" has ${5 + folded} distinct values; the 5 most frequent are kept and the other ${folded} (${inOther} of ${p.n.train} training rows) are encoded as "other" (--max-categories sets how many are kept).`,
    ]);
    expect(inOther).toBeGreaterThan(0);
  });
});
