/**
 * One table cell, from a CSV (always a string) or from JSON (string, number, boolean, null), and
 * the few functions that read it. CSV strings and JSON values go through the same functions, so
 * `"5.1"` and `5.1`, `"yes"` and `true`, `""` and `null` encode to identical numbers.
 *
 * `undefined` means "absent" (a JSON object without that key); encoders treat it as an error,
 * schema inference as a missing value. Everything else that is missing is a missing value:
 * `null`, a non-finite JSON number, or a string that trims to one of MISSING_TOKENS
 * (case-insensitive), the same set as the reference pipeline plus `N/A` and `null`.
 */
export type Cell = string | number | boolean | null | undefined;

/** Strings that mean "no value" (compared trimmed and lower-cased). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'na', 'n/a', 'nan', 'null', '?']);

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
  if (typeof cell === 'number') return !Number.isFinite(cell);
  if (typeof cell === 'boolean') return false;
  return isMissingText(trimmed(cell));
}

/**
 * The cell as a number: a finite number, `NaN` when missing, or `null` when a
 * value is present but is not a finite decimal number (text, `Infinity`, hex such as `0x1F`,
 * booleans). Decimal and exponent notation are accepted (`1e-3`, `.5`, `-2.`).
 */
export function cellNumber(cell: Cell): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : NaN;
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
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : null;
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
    if (!Number.isFinite(cell)) return NaN;
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
