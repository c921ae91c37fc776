import { describe, expect, it } from 'vitest';
import { cellBoolean, cellNumber, cellText, isMissingCell } from '../../../src/dataset/cell.js';

describe('cell', () => {
  it('treats empty, NA, N/A, NaN, null and ? as missing, case-insensitively and trimmed', () => {
    for (const v of ['', '  ', 'NA', 'na', ' N/A ', 'nan', 'NaN', 'NULL', 'null', '?', null, undefined, NaN]) {
      expect(isMissingCell(v), JSON.stringify(v)).toBe(true);
    }
    for (const v of ['0', 'none', 'n', 'x', 0, false]) expect(isMissingCell(v), JSON.stringify(v)).toBe(false);
  });

  it('reads decimal and exponent numbers, missing as NaN, anything else as null', () => {
    expect(cellNumber(' 5.1 ')).toBe(5.1);
    expect(cellNumber('1e-3')).toBe(0.001);
    expect(cellNumber('-.5')).toBe(-0.5);
    expect(cellNumber(7)).toBe(7);
    expect(cellNumber('NA')).toBeNaN();
    expect(cellNumber('')).toBeNaN();
    expect(cellNumber(null)).toBeNaN();
    expect(cellNumber('abc')).toBeNull();
    expect(cellNumber('Infinity')).toBeNull();
    expect(cellNumber('0x1F')).toBeNull();
    expect(cellNumber(true)).toBeNull();
  });

  it('gives the same category text for a CSV string and the JSON value', () => {
    expect(cellText(' red ')).toBe('red');
    expect(cellText('3')).toBe(cellText(3));
    expect(cellText('true')).toBe(cellText(true));
    expect(cellText('?')).toBeNull();
  });

  it('reads yes/no/true/false/1/0 as booleans', () => {
    expect(['YES', 'true', '1', true, 1].map(cellBoolean)).toEqual([1, 1, 1, 1, 1]);
    expect(['no', 'False', '0', false, 0].map(cellBoolean)).toEqual([0, 0, 0, 0, 0]);
    expect(cellBoolean('')).toBeNaN();
    expect(cellBoolean('maybe')).toBeNull();
  });
});
