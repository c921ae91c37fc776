/**
 * Train-time and predict-time encodings of the same rows are identical: the rows training held
 * out, read back the way `predict` reads user input (CSV text, JSON objects), encode to exactly
 * the same bytes as the training pipeline produced.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readCsvFile } from '../../../src/dataset/read-table.js';
import { prepareTrainingData } from '../../../src/dataset/prepare.js';
import { encodeFeatures } from '../../../src/dataset/signature.js';
import { readInput } from '../../../src/lifecycle/predict.js';
import { REPO_ROOT } from '../../helpers/run-cli.js';

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

describe('train-time vs predict-time encoding', async () => {
  const table = await readCsvFile(path.join(REPO_ROOT, 'test/fixtures/churn.csv'));
  const prepared = prepareTrainingData(table, { target: 'churned', seed: 5 });
  const target = table.columns.indexOf('churned');
  const featureNames = prepared.signature.features.map((f) => f.name);
  const testRows = Array.from(prepared.indices.test, (r) => table.rows[r]);
  const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

  it('the held-out rows as a CSV without the target encode to the same bytes', async () => {
    const columns = table.columns.filter((_, i) => i !== target);
    const text = [
      columns.join(','),
      ...testRows.map((r) =>
        r
          .filter((_, i) => i !== target)
          .map(csvCell)
          .join(','),
      ),
    ].join('\n');
    const input = await readInput({ text, name: 'stdin' }, featureNames);
    const x = encodeFeatures(prepared.signature, input);
    expect(x.length).toBe(prepared.x.test.length);
    expect(bytes(x).equals(bytes(prepared.x.test))).toBe(true);
  });

  it('the held-out rows as JSON objects (numbers as numbers) encode to the same bytes', async () => {
    const objects = testRows.map((r) => {
      const o: Record<string, unknown> = {};
      table.columns.forEach((c, i) => {
        if (i === target) return;
        const v = r[i];
        o[c] = v !== '' && v !== 'NA' && Number.isFinite(Number(v)) ? Number(v) : v;
      });
      return o;
    });
    const input = await readInput({ text: JSON.stringify(objects), name: 'stdin' }, featureNames);
    const x = encodeFeatures(prepared.signature, input);
    expect(bytes(x).equals(bytes(prepared.x.test))).toBe(true);
  });

  it('a changed cell changes the encoding (the comparison is not vacuous)', async () => {
    const columns = table.columns.filter((_, i) => i !== target);
    const changed = testRows.map((r) => r.filter((_, i) => i !== target));
    const fee = columns.indexOf('tenure_months');
    changed[0] = [...changed[0]];
    changed[0][fee] = String(Number(changed[0][fee]) + 1);
    const text = [columns.join(','), ...changed.map((r) => r.map(csvCell).join(','))].join('\n');
    const x = encodeFeatures(prepared.signature, await readInput({ text, name: 'stdin' }, featureNames));
    expect(bytes(x).equals(bytes(prepared.x.test))).toBe(false);
  });
});
