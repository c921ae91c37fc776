/**
 * Every bad-data case of `train`, in-process: an MlctlError with the documented code (and so exit
 * code) and a message naming the problem, and nothing written to the registry. That the CLI
 * prints it as one line (or one JSON document) with that exit code is checked for one case of
 * each exit code in test/e2e/train-evaluate-predict.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { Registry } from '../../../src/registry/registry.js';
import { train, type TrainOptions } from '../../../src/lifecycle/train.js';
import { MlctlError, type ErrorCode } from '../../../src/errors.js';

let work: string;
let registry: Registry;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-train-errors-');
  registry = new Registry(path.join(work, 'model-registry'));
});
afterAll(async () => removeTmpDir(work));

const numbers = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

/** train's rejection (fails the test when it trains) */
async function trainError(options: Omit<TrainOptions, 'registry'>): Promise<MlctlError> {
  const e = await train({ registry, backend: 'cpu', cwd: work, ...options }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlctlError);
  return e as MlctlError;
}

interface Case {
  title: string;
  file: string;
  content: string;
  options: Partial<TrainOptions>;
  exit: number;
  code: ErrorCode;
  message: RegExp;
}

const CASES: Case[] = [
  {
    title: 'missing target column',
    file: 'a.csv',
    content: `x,y,label\n${numbers(30, (i) => `${i},${i % 7},${i % 2 ? 'a' : 'b'}`)}\n`,
    options: { target: 'nope' },
    exit: 1,
    code: 'INVALID_DATA',
    message: /^Target column "nope" not found; columns are: x, y, label\.$/,
  },
  {
    title: 'empty file',
    file: 'empty.csv',
    content: '',
    options: { target: 'label' },
    exit: 1,
    code: 'INVALID_DATA',
    message: /empty\.csv has no data rows/,
  },
  {
    title: 'header only',
    file: 'header.csv',
    content: 'x,label\n',
    options: { target: 'label' },
    exit: 1,
    code: 'INVALID_DATA',
    message: /header\.csv has no data rows/,
  },
  {
    title: 'ragged row',
    file: 'ragged.csv',
    content: 'x,y,label\n1,2,a\n3,4\n5,6,b\n',
    options: { target: 'label' },
    exit: 1,
    code: 'INVALID_DATA',
    message: /ragged\.csv line 3 has 2 fields but the header has 3/,
  },
  {
    title: 'a numeric regression target with text in it',
    file: 'reg.csv',
    content: `x,price\n${numbers(30, (i) => `${i},${i === 12 ? 'unknown' : i * 2.5}`)}\n`,
    options: { target: 'price', task: 'regression' },
    exit: 1,
    code: 'INVALID_DATA',
    message: /^The target "price" is numeric except 1 value: "unknown" on line 14 \(not a number\)\.$/,
  },
  {
    title: 'a feature column that is entirely empty',
    file: 'hole.csv',
    content: `x,blank,label\n${numbers(30, (i) => `${i},,${i % 2 ? 'a' : 'b'}`)}\n`,
    options: { target: 'label' },
    exit: 1,
    code: 'INVALID_DATA',
    message: /"blank".*empty/,
  },
  {
    title: 'a CSV without a target',
    file: 'notarget.csv',
    content: 'x,label\n1,a\n',
    options: {},
    exit: 2,
    code: 'USAGE',
    message: /^Training on notarget\.csv needs --target <column>: the column to predict\.$/,
  },
  {
    title: 'test and validation fractions that leave nothing to train on',
    file: 'fractions.csv',
    content: `x,label\n${numbers(30, (i) => `${i},${i % 2 ? 'a' : 'b'}`)}\n`,
    options: { target: 'label', settings: { testSplit: 0.6, validationSplit: 0.5 } },
    exit: 2,
    code: 'USAGE',
    message: /add up to 1\.1; nothing would be left to train on/,
  },
];

describe.each(CASES)('$title', (c) => {
  it(`is ${c.code} (exit ${c.exit}) naming the problem, and publishes nothing`, async () => {
    const file = path.join(work, c.file);
    await writeFile(file, c.content);
    const e = await trainError({ source: file, ...c.options, settings: { epochs: 2, ...c.options.settings } });
    expect(e.code).toBe(c.code);
    expect(e.exitCode).toBe(c.exit);
    expect(e.message).toMatch(c.message);
    expect(await registry.listModels()).toEqual([]);
    // not even a model directory or a staging dir
    expect(await readdir(registry.root).catch(() => [])).toEqual([]);
  });
});

describe('sources that are not data', () => {
  it('an unknown template lists the built-in ones', async () => {
    const e = await trainError({ source: 'irsi' });
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('No template or file named "irsi". Did you mean "iris"?');
    expect(e.hint).toMatch(/breast-cancer, diabetes, iris, wine/);
  });

  it('a missing CSV path says so', async () => {
    const e = await trainError({ source: 'data/nope.csv', target: 'y' });
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('data/nope.csv does not exist.');
  });

  it('an invalid model name is refused before anything is read', async () => {
    const e = await trainError({ source: 'iris', name: '../evil' });
    expect(e.code).toBe('USAGE');
    expect(e.message).toContain('Invalid model name "../evil"');
    expect(await readdir(registry.root).catch(() => [])).toEqual([]);
  });
});
