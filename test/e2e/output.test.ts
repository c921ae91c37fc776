/**
 * Output conventions of every command: --json is exactly one JSON document on stdout (errors
 * included) and nothing else; human errors are one line on stderr, with a stack trace only under
 * --verbose; colour only when asked for and allowed (NO_COLOR and --no-color win over
 * FORCE_COLOR, --json never has colour); usage errors exit 2; every command's --help has
 * examples; global options work before and after the subcommand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createTinyModelDir, type TinyModel } from '../helpers/tiny-model.js';
import { publishDir } from '../helpers/registry-fixture.js';

let work: string;
let reg: string;
let tiny: TinyModel;

const ANSI = /\u001b\[/;
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-output-');
  tiny = await createTinyModelDir(path.join(work, 'src-model'), { seed: 9 });
  reg = path.join(work, 'model-registry');
  await publishDir(reg, 'iris', tiny.dir);
  await publishDir(reg, 'iris', tiny.dir, { operation: 'quantize', parent: 1 });
});
afterAll(async () => removeTmpDir(work));

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: work, env });

/** stdout is exactly one JSON document (JSON.parse of the whole text) and it is an object. */
function oneDocument(r: CliResult): Record<string, unknown> {
  const doc = r.json();
  expect(typeof doc).toBe('object');
  expect(doc).not.toBeNull();
  expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
  return doc;
}

describe('--json', () => {
  it('success: exactly one JSON document on stdout, nothing on stderr', async () => {
    for (const args of [
      ['version', 'list', '--json'],
      ['version', 'show', 'iris', '2', '--json'],
      ['version', 'diff', 'iris', '1', '2', '--json'],
      ['version', 'verify', '--no-load', '--json'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      const doc = oneDocument(r);
      expect(doc, args.join(' ')).not.toHaveProperty('error');
      expect(r.stderr, args.join(' ')).toBe('');
    }
  });

  it('success of a command that loads TF.js (import): one document, no TF.js banner anywhere', async () => {
    const r = await cli([
      'import',
      tiny.modelJsonPath,
      '--name',
      'imported',
      '--backend',
      'cpu',
      '--json',
      '--registry',
      path.join(work, 'reg-import'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(oneDocument(r)).toMatchObject({ model: 'imported', version: 1 });
    expect(r.stderr).toBe('');
  });

  it('failure: one document {"error": {code, message, hint?}} on stdout and nothing else', async () => {
    const r = await cli(['version', 'show', 'iris', '7', '--json']);
    expect(r.code).toBe(1);
    const doc = oneDocument(r);
    expect(Object.keys(doc)).toEqual(['error']);
    expect(doc.error).toEqual({
      code: 'NOT_FOUND',
      message: 'Model "iris" has no version 7; it has versions 1-2 (latest is 2).',
      hint: 'Run "mlctl version list iris".',
    });
    expect(r.stderr).toBe('');
  });

  it('a usage error caught by the parser is a JSON document too (exit 2)', async () => {
    for (const args of [
      ['version', 'list', '--bogus', '--json'],
      ['frobnicate', '--json'],
      ['--json', 'version', 'show', 'iris', '--version', 'abc'],
      ['version', 'alias', 'iris', '--json'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      const doc = oneDocument(r) as { error: { code: string; message: string } };
      expect(Object.keys(doc), args.join(' ')).toEqual(['error']);
      expect(doc.error.code, args.join(' ')).toBe('USAGE');
      expect(doc.error.message, args.join(' ')).not.toMatch(/^error:/);
    }
  });

  it('a failed verify prints its report as the one document (no second error document)', async () => {
    const broken = path.join(work, 'reg-broken');
    await publishDir(broken, 'iris', tiny.dir);
    await unlink(path.join(broken, 'iris', '1', 'weights.bin'));
    const r = await cli(['version', 'verify', '--no-load', '--json', '--registry', broken]);
    expect(r.code).toBe(1);
    const doc = oneDocument(r);
    expect(doc).toMatchObject({ ok: false, problems: [{ file: 'weights.bin', problem: 'missing' }] });
    expect(doc).not.toHaveProperty('error');
    expect(r.stderr).toBe('');
  });

  it('--verbose with --json keeps stdout one document; the stack goes to stderr', async () => {
    const r = await cli(['version', 'show', 'iris', '7', '--json', '--verbose']);
    expect(r.code).toBe(1);
    expect(oneDocument(r)).toHaveProperty('error.code', 'NOT_FOUND');
    expect(r.stderr).toMatch(STACK);
  });
});

describe('human errors', () => {
  it('are one line on stderr with the hint, nothing on stdout, no stack trace', async () => {
    const r = await cli(['version', 'show', 'iris', '7']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: Model "iris" has no version 7; it has versions 1-2 (latest is 2). Run "mlctl version list iris".\n');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('show the stack trace only with --verbose (before or after the subcommand)', async () => {
    for (const args of [
      ['version', 'show', 'iris', '7', '--verbose'],
      ['--verbose', 'version', 'show', 'iris', '7'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain('error: Model "iris" has no version 7');
      expect(r.stderr, args.join(' ')).toMatch(STACK);
      expect(r.stdout).toBe('');
    }
  });
});

describe('colour', () => {
  const human = ['version', 'list'];

  it('none when stdout is not a TTY', async () => {
    const r = await cli(human);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('iris');
    expect(r.stdout).not.toMatch(ANSI);
    const err = await cli(['version', 'show', 'iris', '7']);
    expect(err.stderr).not.toMatch(ANSI);
  });

  it('FORCE_COLOR turns it on off a TTY (so the switches below are really tested)', async () => {
    const r = await cli(human, { FORCE_COLOR: '1' });
    expect(r.stdout).toMatch(ANSI);
  });

  it('NO_COLOR wins over FORCE_COLOR', async () => {
    const r = await cli(human, { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('iris');
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('--no-color wins over FORCE_COLOR, before or after the subcommand', async () => {
    for (const args of [
      [...human, '--no-color'],
      ['--no-color', ...human],
    ]) {
      const r = await cli(args, { FORCE_COLOR: '1' });
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toContain('iris');
      expect(r.stdout, args.join(' ')).not.toMatch(ANSI);
    }
  });

  it('--json never has colour, even with FORCE_COLOR', async () => {
    const ok = await cli(['version', 'list', '--json'], { FORCE_COLOR: '1' });
    expect(ok.stdout).not.toMatch(ANSI);
    const bad = await cli(['version', 'show', 'iris', '7', '--json'], { FORCE_COLOR: '1' });
    expect(bad.stdout).not.toMatch(ANSI);
    expect(bad.stderr).not.toMatch(ANSI);
  });
});

describe('usage errors exit 2', () => {
  it('an unknown option', async () => {
    const r = await cli(['version', 'list', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("error: unknown option '--bogus'");
  });

  it('an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown command 'frobnicate'");
    const sub = await cli(['version', 'frobnicate']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("unknown command 'frobnicate'");
  });

  it('a missing argument', async () => {
    const r = await cli(['version', 'diff', 'iris', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: missing required argument 'b'");
  });

  it('an invalid --backend choice', async () => {
    const r = await cli(['version', 'verify', '--backend', 'gpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--backend <name>' argument 'gpu' is invalid");
  });
});

describe('--help', () => {
  const commands = [
    [],
    ['import'],
    ['version'],
    ['version', 'list'],
    ['version', 'show'],
    ['version', 'diff'],
    ['version', 'alias'],
    ['version', 'unalias'],
    ['version', 'rm'],
    ['version', 'verify'],
  ];
  it.each(commands.map((c) => [c.join(' ') || '(program)', c]))(
    '%s --help exits 0 with usage and examples on stdout',
    async (_name, cmd) => {
      const r = await cli([...(cmd as string[]), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: mlctl/);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toMatch(/\$ mlctl /);
      expect(r.stderr).toBe('');
    },
  );

  it('leaf commands document the global options', async () => {
    const r = await cli(['version', 'list', '--help']);
    for (const flag of ['--registry <dir>', '--json', '--verbose', '--no-color']) expect(r.stdout).toContain(flag);
  });
});

describe('global options before and after the subcommand', () => {
  it('--json', async () => {
    const before = await cli(['--json', 'version', 'list']);
    const after = await cli(['version', 'list', '--json']);
    expect(before.code).toBe(0);
    expect(after.code).toBe(0);
    expect(before.json()).toEqual(after.json());
    expect(before.json().models[0].name).toBe('iris');
  });

  it('--registry', async () => {
    const other = path.join(work, 'other-registry');
    const before = await cli(['--registry', other, 'version', 'list', '--json']);
    const after = await cli(['version', 'list', '--registry', other, '--json']);
    expect(before.json().registry).toBe(other);
    expect(after.json().registry).toBe(other);
  });

  it('--json before the subcommand also shapes errors', async () => {
    const r = await cli(['--json', 'version', 'show', 'iris', '7']);
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('NOT_FOUND');
    expect(r.stderr).toBe('');
  });
});
