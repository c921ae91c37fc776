/** Imported models (no signature): shapes from model.json, the identity signature, and plain-number rows. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import { encodeFeatures, encodeTargets } from '../../../src/dataset/signature.js';
import { parseCsvText, readJsonRows } from '../../../src/dataset/read-table.js';
import { plainIoOf, plainSignature, plainTable, type PlainIo } from '../../../src/lifecycle/plain-input.js';
import type { VersionRecord } from '../../../src/registry/version-record.js';
import { errorOf } from '../../helpers/error-of.js';
import { createTinyModelDir } from '../../helpers/tiny-model.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let work: string;
beforeAll(async () => {
  work = await makeTmpDir();
});
afterAll(async () => removeTmpDir(work));

const record = (io?: unknown) => ({ model: 'net', version: 2, operation: 'import', io }) as unknown as VersionRecord;

describe('plainIoOf', () => {
  it('reads the input shape from model.json and the output size from the record or the last layer', async () => {
    const tiny = await createTinyModelDir(path.join(work, 'tiny'), { inputSize: 3, units: [5, 2] });
    expect(await plainIoOf(record(), tiny.dir)).toEqual({ inputShape: [null, 3], inputSize: 3, outputSize: 2 });
    expect(await plainIoOf(record({ outputShape: [[null, 7]] }), tiny.dir)).toMatchObject({ outputSize: 7 });
  });

  it('refuses a model whose input is not [null, n]', async () => {
    const dir = path.join(work, 'img');
    const tiny = await createTinyModelDir(dir, { inputSize: 3, units: [2] });
    const json = JSON.parse(await readFile(tiny.modelJsonPath, 'utf8'));
    json.modelTopology.config.layers[0].config.batch_input_shape = [null, 28, 28, 1];
    await writeFile(tiny.modelJsonPath, JSON.stringify(json));
    const e = (await plainIoOf(record(), dir).then(
      () => null,
      (err: unknown) => err,
    )) as MlctlError;
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.message).toBe(
      'net v2 takes input of shape [null, 28, 28, 1]; rows of plain numbers work only for models with input shape [null, n].',
    );
  });
});

describe('plain rows through the one encoding path', () => {
  const classifier: PlainIo = { inputShape: [null, 3], inputSize: 3, outputSize: 2 };
  const regressor: PlainIo = { inputShape: [null, 3], inputSize: 3, outputSize: 1 };

  it('encodes plain numbers unchanged, from CSV without a header and from JSON arrays alike', () => {
    const sig = plainSignature(classifier);
    expect(sig.target).toEqual({ name: 'target', task: 'classification', classes: ['0', '1'] });
    expect(plainSignature(regressor).target).toMatchObject({ task: 'regression', mean: 0, std: 1 });
    const csv = plainTable(parseCsvText('1.5,-2,3e2\n0.1,0,7\n', 'in.csv', { header: false }), classifier, record(), false);
    const json = plainTable(
      readJsonRows(
        [
          [1.5, -2, 300],
          [0.1, 0, 7],
        ],
        ['x1', 'x2', 'x3'],
      ),
      classifier,
      record(),
      false,
    );
    expect(Array.from(encodeFeatures(sig, csv))).toEqual(Array.from(Float32Array.from([1.5, -2, 300, 0.1, 0, 7])));
    expect(encodeFeatures(sig, json)).toEqual(encodeFeatures(sig, csv));
  });

  it('takes the target from the last column for evaluation', () => {
    const sig = plainSignature(classifier);
    const t = plainTable(parseCsvText('a,b,c,label\n1,2,3,1\n4,5,6,0\n', 'e.csv'), classifier, record(), true);
    expect(t.columns).toEqual(['x1', 'x2', 'x3', 'target']);
    expect(
      Array.from(
        encodeTargets(
          sig,
          t.rows.map((r) => r[3]),
        ),
      ),
    ).toEqual([1, 0]);
  });

  it('refuses the wrong width, a non-number and an empty value, naming where', () => {
    const width = errorOf(() => plainTable(parseCsvText('1,2\n', 'in.csv', { header: false }), classifier, record(), false));
    expect(width.message).toBe('The rows have 2 values each; net v2 takes 3 numbers per row (input shape [null, 3]).');
    const text = errorOf(() => plainTable(parseCsvText('1,2,3\n4,x,6\n', 'in.csv', { header: false }), classifier, record(), false));
    expect(text.message).toBe('Line 2, value 2: "x" is not a number.');
    const empty = errorOf(() => plainTable(readJsonRows([[1, null, 3]], ['x1', 'x2', 'x3']), classifier, record(), false));
    expect(empty.message).toBe('Row 1, value 2 is empty.');
  });
});
