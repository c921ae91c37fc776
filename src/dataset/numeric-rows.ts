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
