/**
 * Raw numeric input rows for a model without a signature (an imported model): a CSV with a
 * header row whose every cell is a number, one row per example, its values in the model's input
 * order (a multi-dimensional input flattened row-major). Used to measure how much a compressed
 * model's outputs move.
 */
import { MlctlError } from '../errors.js';
import { cellNumber, describeCell } from './cell.js';
import { readCsvFile } from './read-table.js';

export interface NumericRows {
  /** row-major, n × width */
  x: Float32Array;
  n: number;
}

export async function readNumericRows(path: string, width: number): Promise<NumericRows> {
  const table = await readCsvFile(path);
  if (table.columns.length !== width) {
    throw new MlctlError('INVALID_DATA', `${path} has ${table.columns.length} columns; the model takes ${width} input values per row.`, {
      hint: `Give one column per input value (the input flattened row-major), ${width} in all, after a header row.`,
    });
  }
  if (table.rows.length === 0) {
    throw new MlctlError('INVALID_DATA', `${path} has no data rows.`, { hint: 'Add at least one row of input values.' });
  }
  const x = new Float32Array(table.rows.length * width);
  table.rows.forEach((row, r) => {
    for (let j = 0; j < width; j++) {
      const v = cellNumber(row[j]);
      if (v === null || Number.isNaN(v)) {
        throw new MlctlError(
          'INVALID_DATA',
          `${path} row ${r + 1}, column "${table.columns[j]}": expected a number, got ${describeCell(row[j])}.`,
          {
            hint: 'A model without a signature takes numbers only: encode the inputs first.',
          },
        );
      }
      x[r * width + j] = v;
    }
  });
  return { x, n: table.rows.length };
}

/** How the target columns of numeric training rows read: a class index, or the output values. */
export type NumericTarget = { kind: 'class'; classes: number } | { kind: 'values'; width: number };

export interface NumericTrainingRows extends NumericRows {
  /** class index per row, or n × width values */
  y: Int32Array | Float32Array;
}

/**
 * Labelled numeric rows for a model without a signature: a CSV with a header row whose first
 * `width` columns are the input values and whose remaining columns are the target: one column
 * holding a class index 0…classes−1, or `width` columns of output values.
 */
export async function readNumericTrainingRows(path: string, width: number, target: NumericTarget): Promise<NumericTrainingRows> {
  const table = await readCsvFile(path);
  const targetColumns = target.kind === 'class' ? 1 : target.width;
  const what = target.kind === 'class' ? 'a class index column' : `${target.width} target column${target.width === 1 ? '' : 's'}`;
  if (table.columns.length !== width + targetColumns) {
    throw new MlctlError(
      'INVALID_DATA',
      `${path} has ${table.columns.length} columns; the model needs ${width} input values per row and then ${what} (${width + targetColumns} in all).`,
      { hint: 'Put the input values first (a multi-dimensional input flattened row-major), then the target, after a header row.' },
    );
  }
  if (table.rows.length === 0) {
    throw new MlctlError('INVALID_DATA', `${path} has no data rows.`, { hint: 'Add at least one labelled row.' });
  }
  const n = table.rows.length;
  const x = new Float32Array(n * width);
  const y = target.kind === 'class' ? new Int32Array(n) : new Float32Array(n * target.width);
  table.rows.forEach((row, r) => {
    for (let j = 0; j < width + targetColumns; j++) {
      const v = cellNumber(row[j]);
      if (v === null || Number.isNaN(v)) {
        throw new MlctlError(
          'INVALID_DATA',
          `${path} row ${r + 1}, column "${table.columns[j]}": expected a number, got ${describeCell(row[j])}.`,
          {
            hint: 'A model without a signature takes numbers only: encode the inputs first.',
          },
        );
      }
      if (j < width) x[r * width + j] = v;
      else if (target.kind === 'values') y[r * target.width + (j - width)] = v;
      else if (!(Number.isInteger(v) && v >= 0 && v < target.classes)) {
        throw new MlctlError(
          'INVALID_DATA',
          `${path} row ${r + 1}, column "${table.columns[j]}": expected a class index 0…${target.classes - 1}, got ${describeCell(row[j])}.`,
          { hint: `The model has ${target.classes} outputs; the target column holds the index of the right one.` },
        );
      } else y[r] = v;
    }
  });
  return { x, y, n };
}
