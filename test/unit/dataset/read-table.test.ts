import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import { parseCsvText, readCsvFile, readJsonRows } from '../../../src/dataset/read-table.js';

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlctl-read-table-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csvFile(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<MlctlError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(MlctlError);
    return e as MlctlError;
  }
  throw new Error('expected an error');
}

describe('readCsvFile', () => {
  it('parses BOM, CRLF and quoted commas', async () => {
    const t = await readCsvFile(fixture('ds-messy.csv'));
    expect(t.columns).toEqual(['id', 'city, state', 'size', 'member', 'plan', 'const', 'label']);
    expect(t.rows).toHaveLength(6);
    expect(t.rows[0]).toEqual(['u1', 'Austin, TX', '1.5', 'yes', 'basic', 'x', 'churn']);
    expect(t.rows[5][2]).toBe(' 3.5 ');
  });

  it('fingerprints the file bytes with sha256', async () => {
    const path = fixture('ds-iris.csv');
    const bytes = await readFile(path);
    const t = await readCsvFile(path);
    expect(t.source).toEqual({ path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    expect(t.rows).toHaveLength(150);
  });

  it('keeps at most maxRows rows but still hashes the whole file', async () => {
    const full = await readCsvFile(fixture('ds-iris.csv'));
    const t = await readCsvFile(fixture('ds-iris.csv'), { maxRows: 10 });
    expect(t.rows).toHaveLength(10);
    expect(t.source.sha256).toBe(full.source.sha256);
  });

  it('accepts a quoted field spanning lines, LF and CR line ends, and skips blank lines', async () => {
    const p = await csvFile('multi.csv', 'a,b\n1,"two\nlines"\n\n3,4\r5,6\n,\n');
    const t = await readCsvFile(p);
    expect(t.rows).toEqual([
      ['1', 'two\nlines'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('names a missing file NOT_FOUND', async () => {
    const e = await errorOf(readCsvFile(join(dir, 'nope.csv')));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe(`${join(dir, 'nope.csv')} does not exist.`);
  });

  it('rejects an empty file and a header-only file', async () => {
    for (const text of ['', 'a,b,c\n']) {
      const p = await csvFile('empty.csv', text);
      const e = await errorOf(readCsvFile(p));
      expect(e.code).toBe('INVALID_DATA');
      expect(e.message).toBe(`${p} has no data rows.`);
    }
  });

  it('rejects duplicate header names', async () => {
    const p = await csvFile('dupe.csv', 'a,b,a\n1,2,3\n');
    const e = await errorOf(readCsvFile(p));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe(`${p} line 1: duplicate column names: a.`);
  });

  it('rejects an empty header name', async () => {
    const p = await csvFile('blank-head.csv', 'a,,c\n1,2,3\n');
    const e = await errorOf(readCsvFile(p));
    expect(e.message).toBe(`${p} line 1: column 2 of the header has no name.`);
  });

  it('names the line of a ragged row and both field counts', async () => {
    const p = await csvFile('ragged.csv', 'a,b,c,d,e\n1,2,3,4,5\n\n1,2,3\n');
    const e = await errorOf(readCsvFile(p));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe(`${p} line 4 has 3 fields but the header has 5.`);
    expect(e.hint).toMatch(/Quote fields/);
  });

  it('reports an unterminated quote with the line it starts on', async () => {
    const p = await csvFile('quote.csv', 'a,b\n1,2\n3,"oops\n5,6\n');
    const e = await errorOf(readCsvFile(p));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe(`${p} line 3 opens a quoted field that is never closed.`);
  });
});

describe('parseCsvText', () => {
  it('parses text like a file and names it in messages and the source', async () => {
    const t = parseCsvText('\uFEFFx,y\r\n1,"a,b"\r\n', 'stdin');
    expect(t.columns).toEqual(['x', 'y']);
    expect(t.rows).toEqual([['1', 'a,b']]);
    expect(t.source.path).toBe('stdin');
    const e = await errorOf(() => parseCsvText('x,y\n1\n', 'stdin'));
    expect(e.message).toBe('stdin line 2 has 1 field but the header has 2.');
  });
});

describe('readJsonRows', () => {
  it('takes columns from object keys in order of first appearance, absent keys undefined', () => {
    const t = readJsonRows([
      { a: 1, b: 'x' },
      { b: null, c: true },
    ]);
    expect(t.columns).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([
      [1, 'x', undefined],
      [undefined, null, true],
    ]);
  });

  it('matches arrays to the given columns by position', () => {
    expect(readJsonRows([[1, 'x']], ['a', 'b']).rows).toEqual([[1, 'x']]);
  });

  it('rejects an array row of the wrong width, naming the row', async () => {
    const e = await errorOf(() => readJsonRows([[1, 2], [1]], ['a', 'b']));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe('Row 2 has 1 value but there are 2 columns (a, b).');
  });

  it('rejects nested values and non-arrays', async () => {
    expect((await errorOf(() => readJsonRows([{ a: { b: 1 } }]))).message).toBe(
      'Row 1, column "a": expected a string, number, boolean or null, got object.',
    );
    expect((await errorOf(() => readJsonRows({ a: 1 }))).message).toBe('Expected a JSON array of rows.');
    expect((await errorOf(() => readJsonRows([[1]]))).message).toMatch(/need column names/);
  });
});
