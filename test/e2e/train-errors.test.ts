/** Every bad-data case of `mlctl train` gets a one-line message naming the problem, a documented exit code, and writes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
const cli = (args: string[]) => runCli(args, { cwd: work });

beforeAll(async () => {
  work = await makeTmpDir();
});
afterAll(async () => removeTmpDir(work));

const numbers = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

interface Case {
  title: string;
  file: string;
  content: string;
  args: string[];
  exit: number;
  code: string;
  message: RegExp;
}

const CASES: Case[] = [
  {
    title: 'missing target column',
    file: 'a.csv',
    content: `x,y,label\n${numbers(30, (i) => `${i},${i % 7},${i % 2 ? 'a' : 'b'}`)}\n`,
    args: ['--target', 'nope'],
    exit: 1,
    code: 'INVALID_DATA',
    message: /Target column "nope" not found; columns are: x, y, label/,
  },
  {
    title: 'empty file',
    file: 'empty.csv',
    content: '',
    args: ['--target', 'label'],
    exit: 1,
    code: 'INVALID_DATA',
    message: /empty\.csv has no data rows/,
  },
  {
    title: 'header only',
    file: 'header.csv',
    content: 'x,label\n',
    args: ['--target', 'label'],
    exit: 1,
    code: 'INVALID_DATA',
    message: /header\.csv has no data rows/,
  },
  {
    title: 'ragged row',
    file: 'ragged.csv',
    content: 'x,y,label\n1,2,a\n3,4\n5,6,b\n',
    args: ['--target', 'label'],
    exit: 1,
    code: 'INVALID_DATA',
    message: /ragged\.csv line 3 has 2 fields but the header has 3/,
  },
  {
    title: 'a numeric regression target with text in it',
    file: 'reg.csv',
    content: `x,price\n${numbers(30, (i) => `${i},${i === 12 ? 'n/a?' : i * 2.5}`)}\n`.replace('n/a?', 'unknown'),
    args: ['--target', 'price', '--task', 'regression'],
    exit: 1,
    code: 'INVALID_DATA',
    message: /^The target "price" is numeric except 1 value: "unknown" on line 14 \(not a number\)\.$/,
  },
  {
    title: 'a feature column that is entirely empty',
    file: 'hole.csv',
    content: `x,blank,label\n${numbers(30, (i) => `${i},,${i % 2 ? 'a' : 'b'}`)}\n`,
    args: ['--target', 'label'],
    exit: 1,
    code: 'INVALID_DATA',
    message: /"blank".*empty/,
  },
  {
    title: 'a CSV without --target',
    file: 'notarget.csv',
    content: 'x,label\n1,a\n',
    args: [],
    exit: 2,
    code: 'USAGE',
    message: /needs --target <column>/,
  },
  {
    title: 'test and validation fractions that leave nothing to train on',
    file: 'fractions.csv',
    content: `x,label\n${numbers(30, (i) => `${i},${i % 2 ? 'a' : 'b'}`)}\n`,
    args: ['--target', 'label', '--test-split', '0.6', '--validation-split', '0.5'],
    exit: 2,
    code: 'USAGE',
    message: /add up to 1\.1; nothing would be left to train on/,
  },
];

describe.each(CASES)('$title', (c) => {
  it(`exits ${c.exit} with ${c.code} and publishes nothing`, async () => {
    await writeFile(path.join(work, c.file), c.content);
    const r = await cli(['train', c.file, ...c.args, '--epochs', '2', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(c.exit);
    const { error } = r.json();
    expect(error.code).toBe(c.code);
    expect(error.message).toMatch(c.message);
    const human = await cli(['train', c.file, ...c.args, '--epochs', '2']);
    expect(human.stderr.trim().split('\n')).toHaveLength(1); // one line, no stack trace
    expect(human.stderr).not.toMatch(/\n\s+at /);
    await expect(stat(path.join(work, 'model-registry', path.basename(c.file, '.csv')))).rejects.toThrow();
  });
});

describe('sources that are not data', () => {
  it('an unknown template lists the built-in ones', async () => {
    const r = await cli(['train', 'irsi', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.message).toBe('No template or file named "irsi". Did you mean "iris"?');
    expect(r.json().error.hint).toMatch(/breast-cancer, diabetes, iris, wine/);
  });

  it('a missing CSV path says so', async () => {
    const r = await cli(['train', 'data/nope.csv', '--target', 'y', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.message).toBe('data/nope.csv does not exist.');
  });

  it('an invalid flag value is a usage error', async () => {
    const r = await cli(['train', 'iris', '--epochs', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--epochs/);
  });
});
