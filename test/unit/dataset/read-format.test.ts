/** How CSV files are read: delimiter sniffing, decimal commas, encodings, files without a header, line numbers. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReadOptions, parseCsvBytes, readCsvFile, readJsonRows, rowLabel, sniffDelimiter } from '../../../src/dataset/read-table.js';
import { errorOf, rejectionOf } from '../../helpers/error-of.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlctl-read-format-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, data: string | Buffer): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, data);
  return p;
}

describe('delimiter detection', () => {
  it('picks the separator that splits the header and the first rows alike', () => {
    expect(sniffDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    expect(sniffDelimiter('a;b;c\n1;2;3\n')).toBe(';');
    expect(sniffDelimiter('a\tb\tc\n1\t2\t3\n')).toBe('\t');
    expect(sniffDelimiter('a|b\n1|2\n')).toBe('|');
    // decimal commas in the rows do not fool it: commas are not consistent, semicolons are
    expect(sniffDelimiter('name;price;city\nAnna;12,5;Paris\nBo;3,25;Lyon\n')).toBe(';');
    // a semicolon inside a quoted field of a comma file is not a separator
    expect(sniffDelimiter('a,b\n"x;y",1\n"z;w",2\n')).toBe(',');
    // one column: nothing to split, comma
    expect(sniffDelimiter('only\n1\n2\n')).toBe(',');
  });

  it('reads semicolon and tab files without being told, and --delimiter overrides', async () => {
    const semi = await readCsvFile(await file('semi.csv', 'a;b\n1;x\n2;y\n'));
    expect(semi.columns).toEqual(['a', 'b']);
    expect(semi.format.delimiter).toBe(';');
    const tab = await readCsvFile(await file('tab.tsv', 'a\tb\n1\tx\n'));
    expect(tab.rows).toEqual([['1', 'x']]);
    const forced = await readCsvFile(await file('forced.csv', 'a;b,c\n1;2,3\n'), { delimiter: ';' });
    expect(forced.columns).toEqual(['a', 'b,c']);
    expect((await readCsvFile(await file('tab2.csv', 'a\tb\n1\t2\n'), { delimiter: 'tab' })).columns).toEqual(['a', 'b']);
  });

  it('rejects a bad --delimiter, --decimal or --encoding as usage errors', () => {
    expect(errorOf(() => checkReadOptions({ delimiter: ';;' })).message).toBe('--delimiter must be one character (or "tab"), got ";;".');
    expect(errorOf(() => checkReadOptions({ encoding: 'ebcdic' })).code).toBe('USAGE');
    expect(errorOf(() => checkReadOptions({ decimal: 'x' as never })).code).toBe('USAGE');
    expect(checkReadOptions({ encoding: 'LATIN1', delimiter: 'tab' })).toMatchObject({ encoding: 'latin1', delimiter: '\t' });
  });

  it('hints at --delimiter when a row does not split at all', async () => {
    const e = await rejectionOf(readCsvFile(await file('mixed.csv', 'a,b,c\n1,2,3\n4;5;6\n')));
    expect(e.message).toMatch(/line 3 has 1 field but the header has 3\.$/);
    expect(e.hint).toBe('The file is read as comma-separated; pass --delimiter if it uses another separator.');
  });
});

describe('decimal commas', () => {
  it('--decimal , reads 1,5 and 1.234,5 as numbers', async () => {
    const t = await readCsvFile(await file('dec.csv', 'a;b;c\n1,5;x;1.234,5\n-2,25;y;7\n'), { decimal: ',' });
    expect(t.rows).toEqual([
      ['1.5', 'x', '1234.5'],
      ['-2.25', 'y', '7'],
    ]);
  });

  it('by default reads them per column in semicolon files only, and names the columns', async () => {
    const t = await readCsvFile(await file('auto.csv', 'price;code;n\n12,5;A,B;1\n3;C;2\n0,75;D;3\n'));
    expect(t.format.decimalColumns).toEqual(['price']);
    expect(t.rows.map((r) => r[0])).toEqual(['12.5', '3', '0.75']);
    expect(t.rows[0][1]).toBe('A,B');
    const comma = await readCsvFile(await file('comma.csv', 'price,n\n"12,5",1\n'));
    expect(comma.rows[0][0]).toBe('12,5');
    expect(comma.format.decimalColumns).toEqual([]);
    const off = await readCsvFile(await file('off.csv', 'price;n\n12,5;1\n'), { decimal: '.' });
    expect(off.rows[0][0]).toBe('12,5');
  });

  it('leaves a column with more than 5% other values alone (type inference reports them)', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => (i < 8 ? `${i},5;x` : `n${i};x`));
    const t = await readCsvFile(await file('mostly.csv', `v;w\n${rows.join('\n')}\n`));
    expect(t.format.decimalColumns).toEqual([]);
  });
});

describe('encodings', () => {
  it('refuses a file that is not UTF-8, naming the byte and line, with a hint', async () => {
    const latin1 = Buffer.from('name,city\nAnna,Paris\nZoé,Orléans\n', 'latin1');
    const p = await file('latin1.csv', latin1);
    const e = await rejectionOf(readCsvFile(p));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe(`${p} is not valid UTF-8 (byte 0xE9 on line 3).`);
    expect(e.hint).toBe('Save it as UTF-8, or read it as Latin-1 / Windows-1252 with --encoding latin1.');
    const t = await readCsvFile(p, { encoding: 'latin1' });
    expect(t.rows[1]).toEqual(['Zoé', 'Orléans']);
    expect(t.format.encoding).toBe('latin1');
  });

  it('reads UTF-16 with a byte-order mark (LE and BE) and UTF-8 with one', async () => {
    const text = 'a;b\n1;é\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const [name, data] of [
      ['le.csv', le],
      ['be.csv', be],
      ['bom8.csv', utf8],
    ] as const) {
      const t = await readCsvFile(await file(name, data));
      expect(t.columns, name).toEqual(['a', 'b']);
      expect(t.rows, name).toEqual([['1', 'é']]);
    }
  });

  it('refuses UTF-16 without a byte-order mark', async () => {
    const p = await file('nobom.csv', Buffer.from('a,b\n1,2\n', 'utf16le'));
    const e = await rejectionOf(readCsvFile(p));
    expect(e.message).toBe(`${p} looks like UTF-16 text without a byte-order mark.`);
  });

  it('checks bytes from stdin the same way', () => {
    const e = errorOf(() => parseCsvBytes(Buffer.from('a,b\n1,\xe9\n', 'latin1'), 'stdin'));
    expect(e.message).toBe('stdin is not valid UTF-8 (byte 0xE9 on line 2).');
  });
});

describe('rows, lines and headers', () => {
  it('remembers the line each row ends on, for messages', async () => {
    const t = await readCsvFile(await file('lines.csv', 'a,b\n1,"x\ny"\n\n2,z\n'));
    expect(t.lines).toEqual([3, 5]);
    expect(rowLabel(t, 1)).toBe('line 5');
    expect(rowLabel({}, 1)).toBe('row 2');
  });

  it('reads a file without a header with the given column names', async () => {
    const t = await readCsvFile(await file('nohead.csv', '1,2\n3,4\n'), { header: false, columns: ['x1', 'x2'] });
    expect(t.columns).toEqual(['x1', 'x2']);
    expect(t.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    const e = await rejectionOf(readCsvFile(await file('nohead3.csv', '1,2,3\n'), { header: false, columns: ['x1', 'x2'] }));
    expect(e.message).toMatch(/line 1 has 3 fields but 2 are expected \(x1, x2\)\.$/);
  });
});

describe('JSON numbers', () => {
  it('rejects an infinite number (1e400) instead of reading it as missing', () => {
    const e = errorOf(() => readJsonRows(JSON.parse('[{"a": 1}, {"a": 1e400}]')));
    expect(e.message).toBe('Row 2, column "a": the number is out of range (JSON numbers such as 1e400 overflow to infinity).');
  });
});
