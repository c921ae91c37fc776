import { describe, expect, it } from 'vitest';
import {
  brokenNumberReason,
  cellBoolean,
  cellMoment,
  cellNumber,
  cellText,
  isMissingCell,
  isoWeekday,
  looksLikeMoment,
} from '../../../src/dataset/cell.js';

describe('cell', () => {
  it('treats empty, NA, N/A, NaN, null, none, - and ? as missing, case-insensitively and trimmed', () => {
    for (const v of [
      '',
      '  ',
      'NA',
      'na',
      ' N/A ',
      'n/a',
      'nan',
      'NaN',
      'NULL',
      'null',
      'None',
      'NONE',
      ' - ',
      '?',
      null,
      undefined,
      NaN,
    ]) {
      expect(isMissingCell(v), JSON.stringify(v)).toBe(true);
    }
    for (const v of ['0', 'no', 'n', 'x', '--', '-1', 0, false, Infinity]) expect(isMissingCell(v), JSON.stringify(v)).toBe(false);
  });

  it('reads an infinite JSON number (1e400) as not a number, never as missing', () => {
    const overflow = JSON.parse('1e400') as number;
    expect(cellNumber(overflow)).toBeNull();
    expect(cellNumber(-Infinity)).toBeNull();
    expect(brokenNumberReason(overflow)).toBe('out of range');
  });

  it('tells broken numbers (typos, overflow, infinity, decimal commas) from text', () => {
    expect(brokenNumberReason('12..5')).toBe('not a number');
    expect(brokenNumberReason('1e999')).toBe('out of range');
    expect(brokenNumberReason('-Infinity')).toBe('infinite');
    expect(brokenNumberReason('inf')).toBe('infinite');
    expect(brokenNumberReason('3,5')).toBe('a decimal comma? pass --decimal ,');
    for (const text of ['abc', 'N.A.', 'twelve', '#REF!']) expect(brokenNumberReason(text), text).toBeNull();
  });

  it('reads ISO 8601 dates, date-times and times of day, and rejects impossible ones', () => {
    expect(cellMoment('2024-03-01')).toMatchObject({ kind: 'date', year: 2024, month: 3, day: 1, hour: 0 });
    expect(cellMoment('2024-03-01T08:30')).toMatchObject({ kind: 'datetime', hour: 8.5 });
    expect(cellMoment('2024-03-01 08:30:36+02:00')).toMatchObject({ kind: 'datetime', hour: 8.51 });
    expect(cellMoment('2024-03-01T23:59:59.5Z')!.kind).toBe('datetime');
    expect(cellMoment('07:15')).toMatchObject({ kind: 'time', hour: 7.25 });
    expect(cellMoment('2024-03-02')!.days - cellMoment('2024-03-01')!.days).toBe(1);
    expect(cellMoment('2024-03-01T12:00')!.days - cellMoment('2024-03-01')!.days).toBe(0.5);
    expect(isoWeekday(cellMoment('2024-03-04')!)).toBe(1); // a Monday
    expect(isoWeekday(cellMoment('2024-03-03')!)).toBe(7); // a Sunday
    for (const bad of ['2023-02-29', '2024-13-01', '2024-03-01T25:00', '24:30', '2024/03/01', '01.03.2024', '20240301']) {
      expect(cellMoment(bad), bad).toBeNull();
    }
    expect(cellMoment('2024-02-29')).not.toBeNull();
    expect(looksLikeMoment('2023-02-29')).toBe(true);
    expect(looksLikeMoment('yesterday')).toBe(false);
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
