/**
 * Reading tabular input into a `Table`: a CSV file (streamed), CSV text (stdin) or parsed JSON rows.
 * Nothing here interprets values; every cell stays as given (CSV cells are raw strings) and
 * `cell.ts` reads them later, the same way for every source.
 *
 * Line numbers in messages are physical CSV lines (the header is line 1). Blank lines and lines
 * whose fields are all empty are skipped. A quoted field may span lines; its line is the one it
 * ends on.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Options as CsvOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { MlctlError } from '../errors.js';
import type { Cell } from './cell.js';

export interface TableSource {
  /** the path as given (or a name such as "stdin") */
  path: string;
  /** sha256 of the exact bytes read, hex */
  sha256: string;
  bytes: number;
}

/** Rows of cells under named columns. CSV tables hold strings only; JSON tables any `Cell`. */
export interface Table {
  columns: string[];
  rows: Cell[][];
  /** where the rows came from; null for in-memory JSON */
  source: TableSource | null;
}

export interface CsvTable extends Table {
  rows: string[][];
  source: TableSource;
}

export interface ReadCsvOptions {
  /** keep at most this many data rows (the rest of the file is still hashed, not validated) */
  maxRows?: number;
}

const CSV_OPTIONS: CsvOptions = {
  bom: true,
  info: true,
  // CRLF, LF and CR in one file, as Python's csv module accepts
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true, // ragged rows are reported by us, with the header count
  relax_quotes: true, // a stray quote inside an unquoted field (5" screen) is text
  skip_empty_lines: true,
};

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** Collects records, checks the header and each row's width, and builds the table. */
function createTableBuilder(name: string, maxRows: number) {
  let columns: string[] | null = null;
  const rows: string[][] = [];
  let lastLine = 0;

  return {
    get lastLine() {
      return lastLine;
    },
    add({ record, info }: ParsedRecord): void {
      lastLine = info.lines;
      if (columns === null) {
        columns = checkHeader(name, record);
        return;
      }
      if (rows.length >= maxRows) return;
      if (record.every((v) => v.trim() === '')) return; // ",,,," carries nothing
      if (record.length !== columns.length) {
        throw new MlctlError(
          'INVALID_DATA',
          `${name} line ${info.lines} has ${record.length} field${record.length === 1 ? '' : 's'} but the header has ${columns.length}.`,
          { hint: 'Quote fields that contain commas ("a, b"), or fix that row so it has one value per column.' },
        );
      }
      rows.push(record);
    },
    finish(source: TableSource): CsvTable {
      if (columns === null || rows.length === 0) {
        throw new MlctlError('INVALID_DATA', `${name} has no data rows.`, {
          hint: 'A CSV needs a header row followed by at least one row of values.',
        });
      }
      return { columns, rows, source };
    },
  };
}

function checkHeader(name: string, record: string[]): string[] {
  const columns = record.map((h) => h.trim());
  const empty = columns.indexOf('');
  if (empty !== -1) {
    throw new MlctlError('INVALID_DATA', `${name} line 1: column ${empty + 1} of the header has no name.`, {
      hint: 'Give every column a name in the header row (the first line).',
    });
  }
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const c of columns) (seen.has(c) ? dupes : seen).add(c);
  if (dupes.size > 0) {
    throw new MlctlError('INVALID_DATA', `${name} line 1: duplicate column names: ${[...dupes].join(', ')}.`, {
      hint: 'Rename the columns so that each header name appears once.',
    });
  }
  return columns;
}

/** Turn a csv-parse error into a one-line INVALID_DATA error; rethrow anything else. */
function csvError(name: string, e: unknown, lastLine: number): unknown {
  if (!(e instanceof CsvError)) return e;
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new MlctlError('INVALID_DATA', `${name} line ${lastLine + 1} opens a quoted field that is never closed.`, {
      hint: 'Close the quote ("...") or remove the stray quote character.',
      cause: e,
    });
  }
  const line = (e as unknown as { lines?: number }).lines ?? lastLine + 1;
  return new MlctlError('INVALID_DATA', `${name} line ${line} is not valid CSV: ${e.message}.`, {
    hint: 'Fix that line so that it is comma-separated with double-quoted fields.',
    cause: e,
  });
}

/**
 * Read a CSV file with a header row. Streams the file through csv-parse and sha256 at once.
 * Throws NOT_FOUND when the file does not exist, INVALID_DATA for anything wrong inside it.
 */
export async function readCsvFile(path: string, options: ReadCsvOptions = {}): Promise<CsvTable> {
  try {
    const s = await stat(path);
    if (!s.isFile()) {
      throw new MlctlError('INVALID_DATA', `${path} is not a file.`, { hint: 'Pass the path of a CSV file.' });
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MlctlError('NOT_FOUND', `${path} does not exist.`, {
        hint: 'Check the path of the CSV file (relative paths start at the current directory).',
        cause: e,
      });
    }
    throw e;
  }

  const builder = createTableBuilder(path, options.maxRows ?? Infinity);
  const hash = createHash('sha256');
  let bytes = 0;
  const file = createReadStream(path);
  file.on('data', (chunk) => {
    hash.update(chunk as Buffer);
    bytes += chunk.length;
  });
  // our own error from a record, if any: pipeline may reject with the AbortError of the
  // teardown that follows it instead
  let rejected: unknown;
  try {
    await pipeline(file, parse(CSV_OPTIONS), async (records: AsyncIterable<ParsedRecord>) => {
      try {
        for await (const r of records) builder.add(r);
      } catch (e) {
        rejected ??= e;
        throw e;
      }
    });
  } catch (e) {
    throw csvError(path, rejected ?? e, builder.lastLine);
  }
  return builder.finish({ path, sha256: hash.digest('hex'), bytes });
}

/** Parse CSV text (e.g. stdin); `name` stands in for the path in messages and in `source`. */
export function parseCsvText(text: string, name: string, options: ReadCsvOptions = {}): CsvTable {
  const builder = createTableBuilder(name, options.maxRows ?? Infinity);
  try {
    for (const r of parseSync(text, CSV_OPTIONS) as unknown as ParsedRecord[]) builder.add(r);
  } catch (e) {
    throw csvError(name, e, builder.lastLine);
  }
  const buf = Buffer.from(text, 'utf8');
  return builder.finish({ path: name, sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toCell(v: unknown, row: number, column: string): Cell {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new MlctlError(
    'INVALID_DATA',
    `Row ${row}, column "${column}": expected a string, number, boolean or null, got ${Array.isArray(v) ? 'an array' : typeof v}.`,
    { hint: 'Each value must be a single JSON scalar.' },
  );
}

/**
 * Rows from parsed JSON: an array of objects (keys are column names; columns are `columns` when
 * given, else every key in order of first appearance, and a key a row lacks stays `undefined`,
 * i.e. absent) or an array of arrays matched by position to `columns` (required then).
 * Row numbers in messages are 1-based positions in the array.
 */
export function readJsonRows(value: unknown, columns?: readonly string[]): Table {
  if (!Array.isArray(value)) {
    throw new MlctlError('INVALID_DATA', 'Expected a JSON array of rows.', {
      hint: 'Send [{"column": value, ...}, ...] or [[value, ...], ...].',
    });
  }
  if (value.length === 0) {
    throw new MlctlError('INVALID_DATA', 'The JSON input has no rows.', { hint: 'Send at least one row.' });
  }
  if (value.every((r) => Array.isArray(r))) {
    if (!columns) {
      throw new MlctlError('INVALID_DATA', 'Rows given as arrays need column names to match them to.', {
        hint: 'Send objects keyed by column name instead, or pass the column names.',
      });
    }
    const rows = (value as unknown[][]).map((r, i) => {
      if (r.length !== columns.length) {
        throw new MlctlError(
          'INVALID_DATA',
          `Row ${i + 1} has ${r.length} value${r.length === 1 ? '' : 's'} but there are ${columns.length} columns (${columns.join(', ')}).`,
          { hint: 'Give one value per column, in that order.' },
        );
      }
      return r.map((v, j) => toCell(v, i + 1, columns[j]));
    });
    return { columns: [...columns], rows, source: null };
  }
  const bad = value.findIndex((r) => !isPlainObject(r));
  if (bad !== -1) {
    throw new MlctlError('INVALID_DATA', `Row ${bad + 1} is not a JSON object.`, {
      hint: 'Send every row the same way: all objects keyed by column name, or all arrays.',
    });
  }
  const objects = value as Record<string, unknown>[];
  let names: string[];
  if (columns) {
    names = [...columns];
  } else {
    const seen = new Set<string>();
    for (const o of objects) for (const k of Object.keys(o)) seen.add(k);
    names = [...seen];
  }
  const rows = objects.map((o, i) => names.map((c) => (Object.prototype.hasOwnProperty.call(o, c) ? toCell(o[c], i + 1, c) : undefined)));
  return { columns: names, rows, source: null };
}
