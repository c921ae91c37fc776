/**
 * Reading tabular input into a `Table`: a CSV file (streamed), CSV bytes or text (stdin) or parsed
 * JSON rows. Nothing here interprets values beyond the file's format; every cell stays a raw string
 * and `cell.ts` reads it later, the same way for every source.
 *
 * The format is worked out once per file, from its first 64 KiB (`sniffFormat`):
 * - encoding: a UTF-8 or UTF-16 byte-order mark, else strict UTF-8 (a file that is not valid UTF-8
 *   is refused with the line of the first bad byte and a hint), or what `encoding` says (latin1 …);
 * - delimiter: `,`, `;`, tab or `|`, whichever splits the header and the first rows into the same
 *   number of fields (the most fields wins; ties in that order), or what `delimiter` says;
 * - decimal: `decimal: ','` reads `1,5` and `1.234,5` as numbers; by default a semicolon file's
 *   columns whose values are (nearly) all such numbers are read that way (`decimalColumns`).
 *
 * Line numbers in messages are physical lines (the header is line 1). Blank lines and lines whose
 * fields are all empty are skipped. A quoted field may span lines; its line is the one it ends on.
 * `table.lines[r]` is that line for row r, so later messages can name it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { TextDecoder } from 'node:util';
import { CsvError, parse, type Options as CsvOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { MlctlError } from '../errors.js';
import { cellText, type Cell } from './cell.js';

export interface TableSource {
  /** the path as given (or a name such as "stdin") */
  path: string;
  /** sha256 of the exact bytes read, hex */
  sha256: string;
  bytes: number;
}

/** How a CSV was read: what was given or detected. Stored with a training set so it is re-read the same way. */
export interface TableFormat {
  encoding: Encoding;
  delimiter: string;
  /** the decimal setting used: '.' (none), ',' (every cell), or 'auto' (per column, semicolon files only) */
  decimal: DecimalSetting;
  header: boolean;
  /** columns whose decimal commas were read as numbers */
  decimalColumns: string[];
}

/** Rows of cells under named columns. CSV tables hold strings only; JSON tables any `Cell`. */
export interface Table {
  columns: string[];
  rows: Cell[][];
  /** where the rows came from; null for in-memory JSON */
  source: TableSource | null;
  /** CSV only: the physical line each row ends on (1-based, the header is line 1) */
  lines?: number[];
  /** CSV only */
  format?: TableFormat;
}

export interface CsvTable extends Table {
  rows: string[][];
  source: TableSource;
  lines: number[];
  format: TableFormat;
}

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1';
export type DecimalSetting = '.' | ',' | 'auto';

export interface ReadCsvOptions {
  /** keep at most this many data rows (the rest of the file is still hashed, not validated) */
  maxRows?: number;
  /** a single character, or "tab"; default: detected */
  delimiter?: string;
  /** default 'auto' */
  decimal?: DecimalSetting;
  /** utf8 (default unless a BOM says UTF-16), latin1 (read as Windows-1252), utf16le, utf16be */
  encoding?: string;
  /** false: the first line is data; columns are `columns` (or 1, 2, …) */
  header?: boolean;
  /** column names for a file without a header row */
  columns?: readonly string[];
}

/** How the reading was set up, after option checks and sniffing. */
interface ResolvedFormat {
  encoding: Encoding;
  /** bytes of byte-order mark to skip */
  bomBytes: number;
  delimiter: string;
  decimal: DecimalSetting;
  header: boolean;
}

const BASE_CSV_OPTIONS: CsvOptions = {
  info: true,
  // CRLF, LF and CR in one file, as Python's csv module accepts
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true, // ragged rows are reported by us, with the header count
  relax_quotes: true, // a stray quote inside an unquoted field (5" screen) is text
  skip_empty_lines: true,
};

const ENCODING_NAMES: Record<string, Encoding> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  latin1: 'latin1',
  'latin-1': 'latin1',
  'iso-8859-1': 'latin1',
  'windows-1252': 'latin1',
  cp1252: 'latin1',
  utf16le: 'utf-16le',
  'utf-16le': 'utf-16le',
  utf16be: 'utf-16be',
  'utf-16be': 'utf-16be',
};

const DELIMITER_CANDIDATES = [',', ';', '\t', '|'];
const SNIFF_BYTES = 64 * 1024;
const SNIFF_RECORDS = 20;

/** Check --encoding / --delimiter / --decimal values (USAGE errors name the flag). */
export function checkReadOptions(options: ReadCsvOptions): { encoding?: Encoding; delimiter?: string; decimal: DecimalSetting } {
  let encoding: Encoding | undefined;
  if (options.encoding !== undefined) {
    encoding = ENCODING_NAMES[options.encoding.toLowerCase()];
    if (!encoding) {
      throw new MlctlError('USAGE', `Unknown --encoding "${options.encoding}".`, {
        hint: 'Use utf8, latin1 (also read as Windows-1252), utf16le or utf16be.',
      });
    }
  }
  let delimiter = options.delimiter;
  if (delimiter !== undefined) {
    if (delimiter.toLowerCase() === 'tab' || delimiter === '\\t') delimiter = '\t';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new MlctlError('USAGE', `--delimiter must be one character (or "tab"), got ${JSON.stringify(options.delimiter)}.`, {
        hint: 'For example --delimiter ";" or --delimiter tab.',
      });
    }
  }
  const decimal = options.decimal ?? 'auto';
  if (decimal !== '.' && decimal !== ',' && decimal !== 'auto') {
    throw new MlctlError('USAGE', `--decimal must be "." or ",", got ${JSON.stringify(decimal)}.`, {
      hint: 'Pass --decimal , for numbers written like 3,14.',
    });
  }
  return { encoding, delimiter, decimal };
}

/** Encoding from a byte-order mark, the option, or UTF-8; refuses UTF-16 without a BOM (NUL bytes). */
function resolveEncoding(name: string, head: Buffer, given: Encoding | undefined): { encoding: Encoding; bomBytes: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: given ?? 'utf-8', bomBytes: given && given !== 'utf-8' ? 0 : 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: given ?? 'utf-16le', bomBytes: given && given !== 'utf-16le' ? 0 : 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: given ?? 'utf-16be', bomBytes: given && given !== 'utf-16be' ? 0 : 2 };
  if (given) return { encoding: given, bomBytes: 0 };
  const probe = head.subarray(0, 4096);
  let nul = 0;
  for (const b of probe) if (b === 0) nul++;
  if (probe.length > 0 && nul * 4 >= probe.length) {
    throw new MlctlError('INVALID_DATA', `${name} looks like UTF-16 text without a byte-order mark.`, {
      hint: 'Save it as UTF-8 (or UTF-16 with a BOM), or pass --encoding utf16le (or utf16be).',
    });
  }
  return { encoding: 'utf-8', bomBytes: 0 };
}

function decoderFor(encoding: Encoding): TextDecoder {
  // latin1 is Windows-1252 in the WHATWG encoding standard, which is what spreadsheets write
  return new TextDecoder(encoding === 'latin1' ? 'windows-1252' : encoding, { fatal: encoding !== 'latin1', ignoreBOM: true });
}

/** The INVALID_DATA error for bytes that are not valid in `encoding`, naming the line and byte. */
function badEncodingError(name: string, bytes: Buffer, encoding: Encoding, cause?: unknown): MlctlError {
  const text = new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
  const at = text.indexOf('\uFFFD');
  let where = '';
  if (at !== -1) {
    const prefix = text.slice(0, at);
    let line = 1;
    for (let i = 0; i < prefix.length; i++) if (prefix.charCodeAt(i) === 10) line++;
    if (encoding === 'utf-8') {
      const offset = Buffer.byteLength(prefix, 'utf8');
      where = ` (byte 0x${bytes[offset].toString(16).toUpperCase().padStart(2, '0')} on line ${line})`;
    } else where = ` (line ${line})`;
  }
  const label = encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase();
  return new MlctlError('INVALID_DATA', `${name} is not valid ${label}${where}.`, {
    hint:
      encoding === 'utf-8'
        ? 'Save it as UTF-8, or read it as Latin-1 / Windows-1252 with --encoding latin1.'
        : 'Check the file encoding; --encoding utf8 or latin1 may fit.',
    cause,
  });
}

/** Split the start of a CSV text into records (newlines outside quotes) and count a delimiter per record. */
function countFields(head: string, delimiter: string, complete: boolean): number[] {
  const counts: number[] = [];
  let inQuotes = false;
  let count = 0;
  let nonEmpty = false;
  for (let i = 0; i < head.length && counts.length < SNIFF_RECORDS; i++) {
    const ch = head[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (nonEmpty) counts.push(count);
      count = 0;
      nonEmpty = false;
    } else if (!inQuotes && ch === delimiter) {
      count++;
      nonEmpty = true;
    } else if (ch !== ' ') nonEmpty = true;
  }
  // the last record counts only when the text is the whole file (otherwise it may be cut short)
  if (complete && nonEmpty && counts.length < SNIFF_RECORDS) counts.push(count);
  return counts;
}

/** The delimiter that splits the header and the first rows into the same number of fields. */
export function sniffDelimiter(head: string, complete = true): string {
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITER_CANDIDATES) {
    const counts = countFields(head, d, complete);
    if (counts.length === 0 || counts[0] === 0) continue;
    const consistent = counts.every((c) => c === counts[0]);
    if (consistent && counts[0] > bestCount) {
      best = d;
      bestCount = counts[0];
    }
  }
  if (bestCount > 0) return best;
  // nothing consistent (ragged rows): the candidate the header uses most
  let headerBest = 0;
  for (const d of DELIMITER_CANDIDATES) {
    const c = countFields(head, d, complete)[0] ?? 0;
    if (c > headerBest) {
      best = d;
      headerBest = c;
    }
  }
  return best;
}

function resolveFormat(name: string, head: Buffer, complete: boolean, options: ReadCsvOptions): ResolvedFormat {
  const checked = checkReadOptions(options);
  const { encoding, bomBytes } = resolveEncoding(name, head, checked.encoding);
  let delimiter = checked.delimiter;
  if (delimiter === undefined) {
    let text: string;
    try {
      // a multi-byte character cut at the end of the sample is not an error
      text = decoderFor(encoding).decode(head.subarray(bomBytes), { stream: !complete });
    } catch (e) {
      throw badEncodingError(name, head, encoding, e);
    }
    delimiter = sniffDelimiter(text, complete);
  }
  return { encoding, bomBytes, delimiter, decimal: checked.decimal, header: options.header ?? true };
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

const describeDelimiter = (d: string): string => (d === '\t' ? 'tab' : d === ',' ? 'comma' : d === ';' ? 'semicolon' : JSON.stringify(d));

/** Collects records, checks the header and each row's width, and builds the table. */
function createTableBuilder(name: string, format: ResolvedFormat, options: ReadCsvOptions) {
  const maxRows = options.maxRows ?? Infinity;
  let columns: string[] | null = format.header ? null : options.columns ? [...options.columns] : null;
  const rows: string[][] = [];
  const lines: number[] = [];
  let lastLine = 0;

  return {
    get lastLine() {
      return lastLine;
    },
    add({ record, info }: ParsedRecord): void {
      lastLine = info.lines;
      if (columns === null) {
        if (format.header) {
          columns = checkHeader(name, record);
          return;
        }
        columns = record.map((_, i) => String(i + 1));
      }
      if (rows.length >= maxRows) return;
      if (record.every((v) => v.trim() === '')) return; // ",,,," carries nothing
      if (record.length !== columns.length) {
        const expected = format.header
          ? `the header has ${columns.length}`
          : `${columns.length} ${columns.length === 1 ? 'is' : 'are'} expected (${columns.join(', ')})`;
        const hint =
          record.length === 1 && columns.length > 1
            ? `The file is read as ${describeDelimiter(format.delimiter)}-separated; pass --delimiter if it uses another separator.`
            : 'Quote fields that contain the delimiter ("a, b"), or fix that row so it has one value per column.';
        throw new MlctlError(
          'INVALID_DATA',
          `${name} line ${info.lines} has ${record.length} field${record.length === 1 ? '' : 's'} but ${expected}.`,
          { hint },
        );
      }
      rows.push(record);
      lines.push(info.lines);
    },
    finish(source: TableSource): CsvTable {
      if (columns === null || rows.length === 0) {
        throw new MlctlError('INVALID_DATA', `${name} has no data rows.`, {
          hint: format.header ? 'A CSV needs a header row followed by at least one row of values.' : 'Give at least one row of values.',
        });
      }
      const decimalColumns = applyDecimal(columns, rows, format);
      return {
        columns,
        rows,
        lines,
        source,
        format: {
          encoding: format.encoding,
          delimiter: format.delimiter,
          decimal: format.decimal,
          header: format.header,
          decimalColumns,
        },
      };
    },
  };
}

/** `1,5` / `-1.234,5` / `3,` : a number written with a decimal comma (and optional dot thousands). */
const COMMA_NUMBER = /^[+-]?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,[0-9]*)?(?:[eE][+-]?[0-9]+)?$/;

function commaToDot(t: string): string {
  return t.replace(/\./g, '').replace(',', '.');
}

/**
 * Rewrite decimal-comma numbers as JavaScript reads them. `','`: every cell that is one.
 * `'auto'` in a semicolon-separated file: the columns where at least one value has a decimal comma
 * and at least 95% of the present values are such numbers (the rest are left for type inference
 * to report). Returns the names of the columns rewritten.
 */
function applyDecimal(columns: string[], rows: string[][], format: ResolvedFormat): string[] {
  if (format.decimal === '.' || (format.decimal === 'auto' && format.delimiter !== ';')) return [];
  const changed: string[] = [];
  columns.forEach((column, j) => {
    let present = 0;
    let matching = 0;
    let withComma = 0;
    for (const row of rows) {
      const t = cellText(row[j]);
      if (t === null) continue;
      present++;
      if (COMMA_NUMBER.test(t)) {
        matching++;
        if (t.includes(',')) withComma++;
      }
    }
    if (withComma === 0) return;
    if (format.decimal === 'auto' && matching * 20 < present * 19) return;
    for (const row of rows) {
      const t = row[j].trim();
      if (COMMA_NUMBER.test(t)) row[j] = commaToDot(t);
    }
    changed.push(column);
  });
  return changed;
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
function csvError(name: string, e: unknown, lastLine: number, delimiter: string): unknown {
  if (!(e instanceof CsvError)) return e;
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new MlctlError('INVALID_DATA', `${name} line ${lastLine + 1} opens a quoted field that is never closed.`, {
      hint: 'Close the quote ("...") or remove the stray quote character.',
      cause: e,
    });
  }
  const line = (e as unknown as { lines?: number }).lines ?? lastLine + 1;
  return new MlctlError('INVALID_DATA', `${name} line ${line} is not valid CSV: ${e.message}.`, {
    hint: `Fix that line so that it is ${describeDelimiter(delimiter)}-separated with double-quoted fields.`,
    cause: e,
  });
}

function csvOptions(format: ResolvedFormat): CsvOptions {
  return { ...BASE_CSV_OPTIONS, delimiter: format.delimiter };
}

async function readHead(path: string): Promise<{ head: Buffer; complete: boolean }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return { head: buf.subarray(0, bytesRead), complete: bytesRead < SNIFF_BYTES };
  } finally {
    await fh.close();
  }
}

/**
 * Read a CSV file (header row unless `header: false`). Streams the file through the decoder,
 * csv-parse and sha256 at once. Throws NOT_FOUND when the file does not exist, INVALID_DATA for
 * anything wrong inside it, USAGE for a bad option.
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
  const { head, complete } = await readHead(path);
  const format = resolveFormat(path, head, complete, options);

  const builder = createTableBuilder(path, format, options);
  const hash = createHash('sha256');
  let bytes = 0;
  const decoder = decoderFor(format.encoding);
  let skip = format.bomBytes;
  let decodeFailed: unknown;
  // our own error from a record, if any: pipeline may reject with the AbortError of the
  // teardown that follows it instead
  let rejected: unknown;
  try {
    await pipeline(
      createReadStream(path),
      async function* decode(chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          bytes += chunk.length;
          let part = chunk;
          if (skip > 0) {
            const n = Math.min(skip, part.length);
            part = part.subarray(n);
            skip -= n;
          }
          try {
            const text = decoder.decode(part, { stream: true });
            if (text) yield text;
          } catch (e) {
            decodeFailed = e;
            throw e;
          }
        }
        try {
          const rest = decoder.decode();
          if (rest) yield rest;
        } catch (e) {
          decodeFailed = e;
          throw e;
        }
      },
      parse(csvOptions(format)),
      async (records: AsyncIterable<ParsedRecord>) => {
        try {
          for await (const r of records) builder.add(r);
        } catch (e) {
          rejected ??= e;
          throw e;
        }
      },
    );
  } catch (e) {
    if (decodeFailed !== undefined) throw badEncodingError(path, await readFile(path), format.encoding, decodeFailed);
    throw csvError(path, rejected ?? e, builder.lastLine, format.delimiter);
  }
  return builder.finish({ path, sha256: hash.digest('hex'), bytes });
}

/** Parse CSV bytes held in memory (stdin) like a file; `name` stands in for the path in messages and `source`. */
export function parseCsvBytes(data: Buffer, name: string, options: ReadCsvOptions = {}): CsvTable {
  const format = resolveFormat(name, data.subarray(0, SNIFF_BYTES), data.length <= SNIFF_BYTES, options);
  let text: string;
  try {
    text = decoderFor(format.encoding).decode(data.subarray(format.bomBytes));
  } catch (e) {
    throw badEncodingError(name, data, format.encoding, e);
  }
  return parseDecoded(text, name, format, options, {
    path: name,
    sha256: createHash('sha256').update(data).digest('hex'),
    bytes: data.length,
  });
}

/** Parse CSV text (already decoded); `name` stands in for the path in messages and in `source`. */
export function parseCsvText(text: string, name: string, options: ReadCsvOptions = {}): CsvTable {
  return parseCsvBytes(Buffer.from(text.replace(/^\uFEFF/, ''), 'utf8'), name, { ...options, encoding: options.encoding ?? 'utf8' });
}

function parseDecoded(text: string, name: string, format: ResolvedFormat, options: ReadCsvOptions, source: TableSource): CsvTable {
  const builder = createTableBuilder(name, format, options);
  try {
    for (const r of parseSync(text, csvOptions(format)) as unknown as ParsedRecord[]) builder.add(r);
  } catch (e) {
    throw csvError(name, e, builder.lastLine, format.delimiter);
  }
  return builder.finish(source);
}

/** How to name row r of a table in a message: its CSV line, or its 1-based position. */
export function rowLabel(table: { lines?: ArrayLike<number> }, r: number): string {
  return table.lines ? `line ${table.lines[r]}` : `row ${r + 1}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toCell(v: unknown, row: number, column: string): Cell {
  if (typeof v === 'number' && !Number.isFinite(v)) {
    throw new MlctlError(
      'INVALID_DATA',
      `Row ${row}, column "${column}": the number is out of range (JSON numbers such as 1e400 overflow to infinity).`,
      {
        hint: 'Give finite numbers (at most about 1.8e308), or null for a missing value.',
      },
    );
  }
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
