/**
 * Output conventions shared by every command, through the built binary: --json is exactly one
 * JSON document on stdout (errors included; each command's own --json shape is checked in its
 * e2e file); human errors are one line on stderr, with a stack trace only under --verbose; colour
 * only when asked for and allowed (NO_COLOR and --no-color win over FORCE_COLOR, --json never has
 * colour); usage errors exit 2; global options work before and after the subcommand.
 * (--help of every command: test/cli/program.test.ts, which also checks it loads no TF.js.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { jsonDocument, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createTinyModelDir } from '../helpers/tiny-model.js';
import { publishDir } from '../helpers/registry-fixture.js';

let work: string;
let reg: string;

const ANSI = /\u001b\[/;
const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const NOT_FOUND = 'Model "iris" has no version 7; it has versions 1-2 (latest is 2).';
const HINT = 'Run "mlctl version list iris".';

beforeAll(async () => {
  work = await makeTmpDir('mlctl-output-');
  const tiny = await createTinyModelDir(path.join(work, 'src-model'), { seed: 9 });
  reg = path.join(work, 'model-registry');
  await publishDir(reg, 'iris', tiny.dir);
  await publishDir(reg, 'iris', tiny.dir, { operation: 'quantize', parent: 1 });
}, 60_000);
afterAll(async () => removeTmpDir(work));

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: work, env });

describe.concurrent('--json', () => {
  it('a failure is one document {"error": {code, message, hint}} on stdout and nothing else', async () => {
    const r = await cli(['version', 'show', 'iris', '7', '--json']);
    expect(r.code).toBe(1);
    expect(jsonDocument(r)).toEqual({ error: { code: 'NOT_FOUND', message: NOT_FOUND, hint: HINT } });
  });

  it('a usage error caught by the parser is a JSON document too (exit 2), --json before or after the subcommand', async () => {
    for (const args of [
      ['version', 'list', '--bogus', '--json'],
      ['frobnicate', '--json'],
      ['--json', 'version', 'show', 'iris', '--version', 'abc'],
      ['version', 'alias', 'iris', '--json'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      const doc = jsonDocument<{ error: { code: string; message: string } }>(r, { stderr: null });
      expect(Object.keys(doc), args.join(' ')).toEqual(['error']);
      expect(doc.error.code, args.join(' ')).toBe('USAGE');
      // commander's message without its "error: " prefix
      expect(doc.error.message, args.join(' ')).toMatch(
        /^(unknown option '--bogus'|unknown command 'frobnicate'|option '--version <n\|latest>' argument 'abc' is invalid|missing required argument 'alias')/,
      );
    }
  });

  it('--verbose with --json keeps stdout one document; the stack goes to stderr', async () => {
    const r = await cli(['version', 'show', 'iris', '7', '--json', '--verbose']);
    expect(r.code).toBe(1);
    expect(jsonDocument(r, { stderr: null })).toHaveProperty('error.code', 'NOT_FOUND');
    expect(r.stderr).toMatch(STACK);
  });
});

describe.concurrent('human errors', () => {
  it('are one line on stderr with the hint, nothing on stdout, no stack trace, no colour off a TTY', async () => {
    const r = await cli(['version', 'show', 'iris', '7']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: ${NOT_FOUND} ${HINT}\n`);
  });

  it('show the stack trace only with --verbose (before or after the subcommand)', async () => {
    for (const args of [
      ['version', 'show', 'iris', '7', '--verbose'],
      ['--verbose', 'version', 'show', 'iris', '7'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^error: ${NOT_FOUND.replace(/[.()]/g, '\\$&')}`));
      expect(r.stderr, args.join(' ')).toMatch(STACK);
      expect(r.stdout).toBe('');
    }
  });
});

describe.concurrent('colour', () => {
  const human = ['version', 'list'];

  it('none when stdout is not a TTY; FORCE_COLOR turns it on (so the switches below are really tested)', async () => {
    const plain = await cli(human);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^iris {2}2 versions, latest 2\n/);
    const forced = await cli(human, { FORCE_COLOR: '1' });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(ANSI);
    expect(forced.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain.stdout);
  });

  it('NO_COLOR, and --no-color before or after the subcommand, win over FORCE_COLOR', async () => {
    for (const [args, env] of [
      [human, { FORCE_COLOR: '1', NO_COLOR: '1' }],
      [[...human, '--no-color'], { FORCE_COLOR: '1' }],
      [['--no-color', ...human], { FORCE_COLOR: '1' }],
    ] as const) {
      const r = await cli([...args], env);
      const what = `${args.join(' ')} ${JSON.stringify(env)}`;
      expect(r.code, what).toBe(0);
      expect(r.stdout, what).toMatch(/^iris {2}2 versions, latest 2\n/);
      expect(r.stdout, what).not.toMatch(ANSI);
    }
  });

  it('--json never has colour, even with FORCE_COLOR', async () => {
    const ok = await cli(['version', 'list', '--json'], { FORCE_COLOR: '1' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toMatch(ANSI);
    const bad = await cli(['version', 'show', 'iris', '7', '--json'], { FORCE_COLOR: '1' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).not.toMatch(ANSI);
    expect(bad.stderr).not.toMatch(ANSI);
  });
});

describe.concurrent('usage errors exit 2 with the reason on stderr and nothing on stdout', () => {
  it.each([
    [['version', 'list', '--bogus'], "error: unknown option '--bogus'"],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
    [['version', 'frobnicate'], "error: unknown command 'frobnicate'"],
    [['version', 'verify', '--backend', 'gpu'], "error: option '--backend <name>' argument 'gpu' is invalid"],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(message)).toBe(true);
  });
});

describe.concurrent('global options before and after the subcommand', () => {
  it('--json and --registry', async () => {
    const other = path.join(work, 'other-registry');
    const before = await cli(['--json', '--registry', other, 'version', 'list']);
    const after = await cli(['version', 'list', '--registry', other, '--json']);
    expect(jsonDocument(before)).toEqual({ registry: other, models: [] });
    expect(jsonDocument(after)).toEqual({ registry: other, models: [] });
  });

  it('--json before the subcommand also shapes errors', async () => {
    const r = await cli(['--json', 'version', 'show', 'iris', '7']);
    expect(r.code).toBe(1);
    expect(jsonDocument(r).error).toMatchObject({ code: 'NOT_FOUND', message: NOT_FOUND });
  });
});
