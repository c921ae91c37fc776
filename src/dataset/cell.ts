/**
 * One table cell, from a CSV (always a string) or from JSON (string, number, boolean, null), and
 * the few functions that read it. CSV strings and JSON values go through the same functions, so
 * `"5.1"` and `5.1`, `"yes"` and `true`, `""` and `null` encode to identical numbers.
 *
 * `undefined` means "absent" (a JSON object without that key); encoders treat it as an error,
 * schema inference as a missing value. Everything else that is missing is a missing value:
 * `null`, `NaN`, or a string that trims to one of MISSING_TOKENS (case-insensitive).
 * An infinite number (`Infinity`, or JSON `1e400`, which parses to it) is NOT missing: it is a
 * value that is not a usable number, and every reader reports it.
 */
export type Cell = string | number | boolean | null | undefined;

/** Strings that mean "no value" (compared trimmed and lower-cased). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-', '?']);

/** Strip surrounding whitespace only when there is some (most cells have none). */
function trimmed(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  return s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32 ? s.trim() : s;
}

function isMissingText(t: string): boolean {
  // every token is at most 4 characters long; skip the lower-casing for the rest
  return t.length <= 4 && MISSING_TOKENS.has(t.toLowerCase());
}

/** True when the cell is a missing value (or absent). */
export function isMissingCell(cell: Cell): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'number') return Number.isNaN(cell);
  if (typeof cell === 'boolean') return false;
  return isMissingText(trimmed(cell));
}

/**
 * The cell as a number: a finite number, `NaN` when missing, or `null` when a
 * value is present but is not a finite decimal number (text, `Infinity`, hex such as `0x1F`,
 * booleans). Decimal and exponent notation are accepted (`1e-3`, `.5`, `-2.`).
 */
export function cellNumber(cell: Cell): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : Number.isNaN(cell) ? NaN : null;
  if (typeof cell === 'string') {
    const t = trimmed(cell);
    if (t.length === 0) return NaN;
    const x = Number(t);
    if (Number.isFinite(x)) {
      // Number() also reads 0x/0o/0b literals; a CSV "0x1F" is text, not 31
      if (t.length > 2 && t.charCodeAt(0) === 48) {
        const c = t.charCodeAt(1) | 32;
        if (c === 120 || c === 111 || c === 98) return null;
      }
      return x;
    }
    return isMissingText(t) ? NaN : null;
  }
  if (cell === null || cell === undefined) return NaN;
  return null; // boolean
}

/** The cell as category text (trimmed; numbers and booleans as JS prints them), or null when missing. */
export function cellText(cell: Cell): string | null {
  if (typeof cell === 'string') {
    const t = trimmed(cell);
    return isMissingText(t) ? null : t;
  }
  if (typeof cell === 'number') return Number.isNaN(cell) ? null : String(cell);
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return null;
}

/**
 * The cell as a boolean: 1 for true/yes, 0 for false/no (case-insensitive; JSON booleans and the
 * numbers 0/1 too), NaN when missing, null when present but none of these.
 */
export function cellBoolean(cell: Cell): number | null {
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'number') {
    if (Number.isNaN(cell)) return NaN;
    return cell === 1 ? 1 : cell === 0 ? 0 : null;
  }
  if (typeof cell === 'string') {
    const t = trimmed(cell);
    if (t.length > 5) return null;
    switch (t.toLowerCase()) {
      case 'true':
      case 'yes':
      case '1':
        return 1;
      case 'false':
      case 'no':
      case '0':
        return 0;
      default:
        return isMissingText(t) ? NaN : null;
    }
  }
  return NaN;
}

/** Is this present text one of the boolean words (true/false/yes/no)? Used by type inference. */
export function isBooleanWord(text: string): boolean {
  if (text.length > 5) return false;
  const l = text.toLowerCase();
  return l === 'true' || l === 'false' || l === 'yes' || l === 'no';
}

/** The cell quoted for an error message (`"abc"`, `true`, `null`), shortened when long. */
export function describeCell(cell: Cell): string {
  if (cell === undefined) return 'nothing';
  if (typeof cell === 'string') {
    const s = cell.length > 40 ? `${cell.slice(0, 37)}...` : cell;
    return JSON.stringify(s);
  }
  return String(cell);
}

/**
 * Why a present cell that is not a finite number looks like a broken number, or null when it is
 * plain text. Type inference uses this to tell a numeric column with a few bad cells (`12..5`,
 * `1e999`, `Infinity`, `1,5`) from a text column.
 */
export function brokenNumberReason(cell: Cell): string | null {
  if (typeof cell === 'number') return Number.isFinite(cell) || Number.isNaN(cell) ? null : 'out of range';
  if (typeof cell !== 'string') return null;
  const t = trimmed(cell);
  if (/^[+-]?inf(inity)?$/i.test(t)) return 'infinite';
  if (!/^[+-]?\.?[0-9][0-9.,eE+-]*$/.test(t)) return null;
  const x = Number(t);
  if (t.length > 0 && !Number.isNaN(x) && !Number.isFinite(x)) return 'out of range';
  if (/^[+-]?[0-9]+,[0-9]+$/.test(t)) return 'a decimal comma? pass --decimal ,';
  return 'not a number';
}

/** A date, date-time or time of day read from an ISO 8601 cell (wall-clock values, no time zone maths). */
export interface IsoMoment {
  kind: 'date' | 'datetime' | 'time';
  year: number;
  month: number;
  day: number;
  /** hour of day with minutes and seconds as its fraction (0 for a date) */
  hour: number;
  /** days since 1970-01-01 of the wall-clock date and time (0 for a time of day) */
  days: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const ISO_TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;
const DAY_MS = 86_400_000;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function clockHour(h: number, m: number, s: number, frac: string | undefined): number | null {
  if (h > 23 || m > 59 || s > 59) return null;
  return h + m / 60 + (s + (frac ? Number(`0.${frac}`) : 0)) / 3600;
}

/**
 * The cell as an ISO 8601 moment: `2024-03-01`, `2024-03-01T08:30[:15[.5]][Z|+01:00]` (a space
 * for the T too), or a time of day `08:30[:15]`. Null when the cell is not in one of these forms or
 * names no real date (`2023-02-30`), so callers can tell "looks like a date" apart with
 * `looksLikeDate`.
 */
export function cellMoment(cell: Cell): IsoMoment | null {
  if (typeof cell !== 'string') return null;
  const t = trimmed(cell);
  if (t.length < 4 || t.length > 40) return null;
  let m = ISO_DATE.exec(t);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    let hour = 0;
    if (m[4] !== undefined) {
      const h = clockHour(Number(m[4]), Number(m[5]), Number(m[6] ?? 0), m[7]);
      if (h === null) return null;
      hour = h;
    }
    const days = Date.UTC(year, month - 1, day) / DAY_MS + hour / 24;
    return { kind: m[4] !== undefined ? 'datetime' : 'date', year, month, day, hour, days };
  }
  m = ISO_TIME.exec(t);
  if (m) {
    const hour = clockHour(Number(m[1]), Number(m[2]), Number(m[3] ?? 0), m[4]);
    return hour === null ? null : { kind: 'time', year: 0, month: 0, day: 0, hour, days: 0 };
  }
  return null;
}

/** Day of the week of a date, ISO numbering: 1 = Monday … 7 = Sunday. */
export function isoWeekday(m: IsoMoment): number {
  const d = new Date(Date.UTC(m.year, m.month - 1, m.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Text shaped like a date or time (digits and dashes or colons) that `cellMoment` rejects. */
export function looksLikeMoment(cell: Cell): boolean {
  return typeof cell === 'string' && /^\s*(\d{4}-\d{1,2}-\d{1,2}([T ][0-9:.,+\-Z]*)?|\d{1,2}:\d{2}(:\d{2})?)\s*$/.test(cell);
}
