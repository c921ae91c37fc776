/**
 * The command tree, parsed without spawning (createProgram() with every action replaced by a
 * recorder), the shared selector parsing, the merging of global flags given at both levels, and
 * the promise that commands needing no tensors never load TensorFlow.js (checked in child
 * processes with module-loading hooks, against the built dist/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { createProgram } from '../../src/cli/program.js';
import { parseVersionSelector } from '../../src/cli/options.js';
import { selectorFrom } from '../../src/cli/commands/shared.js';
import { compareSelector } from '../../src/cli/commands/report.js';
import { globalFlags, parseLockStaleMs } from '../../src/cli/context.js';
import { MlctlError } from '../../src/errors.js';
import { Registry } from '../../src/registry/registry.js';
import { REPO_ROOT, BIN, cleanEnv } from '../helpers/run-cli.js';
import { errorOf } from '../helpers/error-of.js';

/** Every command below `cmd` (depth first), with its full name ("version list"). */
function walk(cmd: Command, prefix: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands.flatMap((sub) => {
    const p = [...prefix, sub.name()];
    return [{ path: p, cmd: sub }, ...walk(sub, p)];
  });
}
const leaves = (program: Command) => walk(program).filter(({ cmd }) => cmd.commands.length === 0);
const longFlags = (cmd: Command) => cmd.options.map((o) => o.long);

interface Parsed {
  command: string;
  args: unknown[];
  opts: Record<string, unknown>;
  cmd: Command;
}

/** A program whose actions only record what they were called with; output is captured. */
function recordingProgram(): { program: Command; calls: Parsed[]; out: string[] } {
  const program = createProgram();
  const calls: Parsed[] = [];
  const out: string[] = [];
  const capture = { writeOut: (s: string) => out.push(s), writeErr: (s: string) => out.push(s) };
  program.configureOutput(capture);
  for (const { path: p, cmd } of walk(program)) {
    cmd.configureOutput(capture);
    // leaves, and a command that has both an action and subcommands (tune, tune status)
    if (cmd.commands.length === 0 || (cmd as unknown as { _actionHandler: unknown })._actionHandler !== null) {
      cmd.action((...args: unknown[]) => {
        const self = args[args.length - 1] as Command;
        calls.push({ command: p.join(' '), args: args.slice(0, -2), opts: self.opts(), cmd: self });
      });
    }
  }
  return { program, calls, out };
}

async function parse(argv: string[]): Promise<Parsed> {
  const { program, calls } = recordingProgram();
  await program.parseAsync(['node', 'mlctl', ...argv]);
  expect(calls).toHaveLength(1);
  return calls[0];
}

async function parseError(argv: string[]): Promise<CommanderError> {
  const { program } = recordingProgram();
  try {
    await program.parseAsync(['node', 'mlctl', ...argv]);
  } catch (e) {
    expect(e).toBeInstanceOf(CommanderError);
    return e as CommanderError;
  }
  throw new Error(`"${argv.join(' ')}" parsed without error`);
}

describe('the command tree', () => {
  it('registers init and report', () => {
    const top = createProgram().commands.map((c) => c.name());
    expect(top).toEqual(expect.arrayContaining(['init', 'report']));
  });

  it('registers import and version, and version has exactly list/show/diff/alias/unalias/rm/verify', () => {
    const program = createProgram();
    const top = program.commands.map((c) => c.name());
    expect(top).toContain('import');
    expect(top).toContain('version');
    const version = program.commands.find((c) => c.name() === 'version')!;
    expect(version.commands.map((c) => c.name())).toEqual(['list', 'show', 'diff', 'alias', 'unalias', 'rm', 'verify']);
    expect(version.commands.find((c) => c.name() === 'list')!.aliases()).toEqual(['ls']);
  });

  it('every leaf command has the global options --registry, --json, --verbose, --no-color (and --config)', () => {
    for (const { path: p, cmd } of leaves(createProgram())) {
      const flags = longFlags(cmd);
      for (const flag of ['--registry', '--json', '--verbose', '--no-color', '--config'])
        expect(flags, `${p.join(' ')} ${flag}`).toContain(flag);
    }
  });

  it('the program itself has the global options and -V/--version for its own version', () => {
    const program = createProgram();
    expect(longFlags(program)).toEqual(
      expect.arrayContaining(['--registry', '--json', '--verbose', '--no-color', '--config', '--version']),
    );
    expect(program.options.find((o) => o.long === '--version')!.short).toBe('-V');
  });

  it('commands that load TF.js take --backend; selectors exist where a version is read', () => {
    const program = createProgram();
    const byName = new Map(walk(program).map(({ path: p, cmd }) => [p.join(' '), cmd]));
    expect(longFlags(byName.get('import')!)).toContain('--backend');
    expect(longFlags(byName.get('version verify')!)).toContain('--backend');
    expect(longFlags(byName.get('version show')!)).toEqual(expect.arrayContaining(['--version', '--alias']));
    expect(byName.get('version verify')!.options.find((o) => o.long === '--backend')!.argChoices).toEqual(['auto', 'node', 'wasm', 'cpu']);
  });

  it('every command is real: a description, help text with examples, and an action or subcommands', () => {
    const program = createProgram();
    for (const { path: p, cmd } of walk(program)) {
      const name = p.join(' ');
      expect(cmd.description(), name).not.toBe('');
      expect(cmd.description(), name).not.toMatch(/not (yet )?implemented/i);
      let help = '';
      cmd.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
      cmd.outputHelp();
      expect(help, name).toContain('Examples:');
      const hasAction = (cmd as unknown as { _actionHandler: unknown })._actionHandler !== null;
      expect(hasAction || cmd.commands.length > 0, name).toBe(true);
    }
  });
});

describe('parsing (no spawning, actions replaced)', () => {
  it('version show: positional model and version, or --version/--alias', async () => {
    expect(await parse(['version', 'show', 'iris', '2'])).toMatchObject({ command: 'version show', args: ['iris', '2'] });
    const byFlag = await parse(['version', 'show', 'iris', '--version', '2']);
    expect(byFlag.args).toEqual(['iris', undefined]);
    expect(byFlag.opts.version).toBe(2);
    expect((await parse(['version', 'show', 'iris', '--version', 'latest'])).opts.version).toBe('latest');
    expect((await parse(['version', 'show', '--alias', 'production'])).opts).toMatchObject({ alias: 'production' });
  });

  it('--version after a subcommand is the model version; -V/--version before it is the tool version', async () => {
    const show = await parse(['version', 'show', 'iris', '--version', '3']);
    expect(show.opts.version).toBe(3);
    for (const flag of ['-V', '--version']) {
      const { program, out } = recordingProgram();
      const err = await program.parseAsync(['node', 'mlctl', flag]).then(
        () => null,
        (e: CommanderError) => e,
      );
      expect(err?.code).toBe('commander.version');
      expect(err?.exitCode).toBe(0);
      expect(out.join('').trim()).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('--version and --alias together are refused', async () => {
    const err = await parseError(['version', 'show', 'iris', '--version', '2', '--alias', 'production']);
    expect(err.code).toBe('commander.conflictingOption');
  });

  it('a malformed --version is refused by the parser', async () => {
    const err = await parseError(['version', 'show', 'iris', '--version', '02']);
    expect(err.code).toBe('commander.invalidArgument');
    expect(err.message).toContain('expected a version number (1, 2, …) or "latest", got "02"');
  });

  it('unknown options and commands, missing arguments and bad choices are commander errors (exit 2 in main)', async () => {
    expect((await parseError(['version', 'list', '--bogus'])).code).toBe('commander.unknownOption');
    expect((await parseError(['frobnicate'])).code).toBe('commander.unknownCommand');
    expect((await parseError(['version', 'diff', 'iris', '1'])).code).toBe('commander.missingArgument');
    expect((await parseError(['version', 'verify', '--backend', 'gpu'])).code).toBe('commander.invalidArgument');
  });

  it('report: model, selector, --out and --compare (a number, latest or an alias)', async () => {
    const p = await parse(['report', 'iris', '--alias', 'production', '--out', 'card.html', '--compare', '2']);
    expect(p).toMatchObject({ command: 'report', args: ['iris'] });
    expect(p.opts).toMatchObject({ alias: 'production', out: 'card.html', compare: '2' });
    expect(compareSelector('2')).toEqual({ version: 2 });
    expect(compareSelector('latest')).toEqual({ version: 'latest' });
    expect(compareSelector('staging')).toEqual({ alias: 'staging' });
    expect((await parse(['report'])).args).toEqual([undefined]);
  });

  it('init: flags choose what is written; --ci and --format take only their choices', async () => {
    const p = await parse([
      'init',
      '--ci',
      'github',
      '--gitignore',
      '--format',
      'js',
      '--registry',
      './models',
      '--model',
      'churn',
      '--force',
    ]);
    expect(p.opts).toMatchObject({ ci: 'github', gitignore: true, format: 'js', registry: './models', model: 'churn', force: true });
    expect((await parseError(['init', '--ci', 'jenkins'])).code).toBe('commander.invalidArgument');
    expect((await parseError(['init', '--format', 'json'])).code).toBe('commander.invalidArgument');
    expect((await parseError(['init', '--gitingore'])).message).toContain('--gitignore');
  });

  it('tune: budget, scoring and parallelism flags, parsed and checked', async () => {
    const p = await parse([
      'tune',
      'data.csv',
      '--target',
      'y',
      '--trials',
      '30',
      '--time-budget',
      '1h30m',
      '--folds',
      '4',
      '--metric',
      'macroF1',
      '--space',
      's.json',
      '--parallel',
      '2',
      '--ensemble',
      '3',
      '--seed',
      '7',
      '--test-split',
      '0.25',
    ]);
    expect(p.command).toBe('tune');
    expect(p.args).toEqual(['data.csv']);
    expect(p.opts).toMatchObject({
      target: 'y',
      trials: 30,
      timeBudget: 5_400_000,
      folds: 4,
      metric: 'macroF1',
      space: 's.json',
      parallel: 2,
      ensemble: 3,
      seed: 7,
      testSplit: 0.25,
    });
    expect((await parse(['tune', 'iris'])).opts).toEqual({ color: true }); // no defaults from the table: config and lifecycle fill them
    for (const bad of [
      ['--parallel', '0'],
      ['--trials', '0'],
      ['--time-budget', 'soon'],
      ['--folds', '1'],
      ['--ensemble', '0'],
    ]) {
      const err = await parseError(['tune', 'iris', ...bad]);
      expect(err.code, bad.join(' ')).toBe('commander.invalidArgument');
    }
    expect((await parseError(['tune', 'iris', '--metric', 'auc'])).code).toBe('commander.invalidArgument');
  });

  it('explain: importance and attribution flags, parsed and checked', async () => {
    const p = await parse([
      'explain',
      'churn',
      '--alias',
      'production',
      '--repeats',
      '20',
      '--metric',
      'macroF1',
      '--seed',
      '3',
      '--no-save',
      '--data',
      'h.csv',
    ]);
    expect(p.command).toBe('explain');
    expect(p.args).toEqual(['churn']);
    expect(p.opts).toMatchObject({ alias: 'production', repeats: 20, metric: 'macroF1', seed: 3, save: false, data: 'h.csv' });
    expect((await parse(['explain', 'churn', '--row', '3,17'])).opts).toMatchObject({ row: [3, 17] });
    expect((await parse(['explain', 'churn', '--input', 'rows.json'])).opts).toMatchObject({ input: 'rows.json' });
    expect((await parse(['explain', 'churn'])).opts).toEqual({ color: true, save: true, header: true });
    for (const bad of [
      ['--repeats', '0'],
      ['--row', '0'],
      ['--row', '1,x'],
      ['--metric', 'auc'],
      ['--seed', '-1'],
    ]) {
      const err = await parseError(['explain', 'churn', ...bad]);
      expect(err.code, bad.join(' ')).toBe('commander.invalidArgument');
    }
  });

  it('serve: --explain-max-rows', async () => {
    expect((await parse(['serve', 'iris', '--explain-max-rows', '4'])).opts).toMatchObject({ explainMaxRows: 4 });
    expect((await parseError(['serve', 'iris', '--explain-max-rows', '0'])).code).toBe('commander.invalidArgument');
  });

  it('version verify: --clean and --no-load', async () => {
    const p = await parse(['version', 'verify', 'iris', '--clean', '--no-load']);
    expect(p.args).toEqual(['iris']);
    expect(p.opts).toMatchObject({ clean: true, load: false });
    expect((await parse(['version', 'verify'])).opts).toMatchObject({ load: true });
  });
});

describe('global flags given at either level', () => {
  const saved = { ...process.env };
  const withEnv = async <T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> => {
    Object.assign(process.env, env);
    try {
      return await fn();
    } finally {
      for (const key of Object.keys(env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  };

  it('before or after the subcommand', async () => {
    expect(globalFlags((await parse(['--json', '--registry', 'a', 'version', 'list'])).cmd)).toMatchObject({ json: true, registry: 'a' });
    expect(globalFlags((await parse(['version', 'list', '--json', '--registry', 'a'])).cmd)).toMatchObject({ json: true, registry: 'a' });
    expect(globalFlags((await parse(['--verbose', 'version', 'list'])).cmd).verbose).toBe(true);
  });

  it('the one nearest the subcommand wins when given at both levels', async () => {
    expect(globalFlags((await parse(['--registry', 'a', 'version', 'list', '--registry', 'b'])).cmd).registry).toBe('b');
  });

  it('a flag typed on the command line beats MLCTL_REGISTRY, at either level', async () => {
    await withEnv({ MLCTL_REGISTRY: 'from-env' }, async () => {
      expect(globalFlags((await parse(['version', 'list', '--registry', 'flag'])).cmd).registry).toBe('flag');
      expect(globalFlags((await parse(['--registry', 'flag', 'version', 'list'])).cmd).registry).toBe('flag');
      expect(globalFlags((await parse(['version', 'list'])).cmd).registry).toBe('from-env');
    });
  });

  it("--no-color at either level turns colour off (the other level's default does not turn it back on)", async () => {
    expect(globalFlags((await parse(['version', 'list', '--no-color'])).cmd).color).toBe(false);
    expect(globalFlags((await parse(['--no-color', 'version', 'list'])).cmd).color).toBe(false);
    expect(globalFlags((await parse(['version', 'list'])).cmd).color).not.toBe(false);
  });
});

describe('MLCTL_LOCK_STALE_MS (parseLockStaleMs)', () => {
  it("is documented in the program's --help", () => {
    const program = createProgram();
    let help = '';
    program.configureOutput({ writeOut: (t) => (help += t), writeErr: (t) => (help += t) });
    program.outputHelp();
    expect(help).toMatch(/^MLCTL_LOCK_STALE_MS \(default 10000, at least 2000\): how long the lock of a model whose writer$/m);
  });

  it('unset or empty means the default; a whole number of ms ≥ 2000 is taken', () => {
    expect(parseLockStaleMs(undefined)).toBeUndefined();
    expect(parseLockStaleMs('')).toBeUndefined();
    expect(parseLockStaleMs('2000')).toBe(2000);
    expect(parseLockStaleMs('15000')).toBe(15000);
  });

  it.each(['1999', '0', '-5000', '2.5', '2s', 'abc'])('refuses %j (USAGE, naming the variable)', (raw) => {
    const err = errorOf(() => parseLockStaleMs(raw));
    expect(err.code).toBe('USAGE');
    expect(err.message).toBe(`MLCTL_LOCK_STALE_MS must be a whole number of milliseconds ≥ 2000, got "${raw}".`);
  });
});

describe('parseVersionSelector', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['latest', 'latest'],
  ])('%s → %s', (text, want) => {
    expect(parseVersionSelector(text)).toBe(want);
  });

  it.each(['0', '01', '-1', '1.5', '1e3', 'abc', '', ' 1', 'LATEST', 'v1'])('refuses %j', (text) => {
    expect(() => parseVersionSelector(text)).toThrow(InvalidArgumentError);
    expect(() => parseVersionSelector(text)).toThrow(`got "${text}"`);
  });
});

describe('selectorFrom', () => {
  it('defaults to latest', () => {
    expect(selectorFrom({})).toEqual({ version: 'latest' });
  });

  it('takes --version or --alias', () => {
    expect(selectorFrom({ version: 3 })).toEqual({ version: 3 });
    expect(selectorFrom({ version: 'latest' })).toEqual({ version: 'latest' });
    expect(selectorFrom({ alias: 'production' })).toEqual({ alias: 'production' });
  });

  it('takes a positional version', () => {
    expect(selectorFrom({}, '2')).toEqual({ version: 2 });
    expect(selectorFrom({}, 'latest')).toEqual({ version: 'latest' });
  });

  it('refuses a positional version together with --version or --alias (USAGE)', () => {
    for (const opts of [{ version: 2 }, { alias: 'production' }] as const) {
      let err: unknown;
      try {
        selectorFrom(opts, '2');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MlctlError);
      expect((err as MlctlError).code).toBe('USAGE');
      expect((err as MlctlError).message).toBe('Give the version once: either as an argument ("2") or with --version/--alias.');
    }
  });

  it('refuses a malformed positional version (USAGE)', () => {
    expect(() => selectorFrom({}, 'abc')).toThrow(MlctlError);
    expect(() => selectorFrom({}, 'abc')).toThrow('Version expected a version number (1, 2, …) or "latest", got "abc".');
  });
});

describe.concurrent('commands that need no tensors do not load TensorFlow.js (and --help of every command)', () => {
  let tmp: string;
  let hookArgs: string[];
  let registry: string;
  let runs = 0;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mlctl-noload-'));
    // ESM: a resolve hook registered with module.register (Node >= 20.6) sees every import;
    // CJS: a --require preload sees every require() (TF.js packages require each other).
    // Both append to the file named by LOAD_LOG, one per run, so runs can overlap.
    const esmHook = path.join(tmp, 'esm-hook.mjs');
    await writeFile(
      esmHook,
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.LOAD_LOG, result.url + '\\n');
  return result;
}\n`,
    );
    const register = path.join(tmp, 'register.mjs');
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(esmHook).href)});\n`);
    const cjsHook = path.join(tmp, 'cjs-hook.cjs');
    await writeFile(
      cjsHook,
      `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const resolved = original.call(this, request, ...rest);
  appendFileSync(process.env.LOAD_LOG, resolved + '\\n');
  return resolved;
};\n`,
    );
    hookArgs = ['--require', cjsHook, '--import', pathToFileURL(register).href];

    // a registry with real versions (fake files; listing/showing/diffing never opens them)
    registry = path.join(tmp, 'model-registry');
    const reg = new Registry(registry);
    for (let i = 0; i < 2; i++) {
      await reg.publishVersion('iris', {
        writeFiles: async (dir) => {
          await writeFile(path.join(dir, 'model.json'), '{"format":"layers-model"}');
          await writeFile(path.join(dir, 'weights.bin'), Buffer.from([i, 1, 2, 3]));
        },
        buildRecord: (version, files) => ({
          schema: 1,
          model: 'iris',
          version,
          createdAt: new Date().toISOString(),
          operation: 'import',
          parent: null,
          files,
          mlctlVersion: '0.0.0-test',
          tfjsVersion: null,
          backend: null,
          durationMs: null,
        }),
      });
    }
    await reg.setAlias('iris', 'production', 1);
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** Runs node with the hooks; returns its exit status, output and the module URLs/paths it loaded. */
  async function loadedBy(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ status: number | null; modules: string[]; stdout: string; stderr: string }> {
    const log = path.join(tmp, `loaded-${++runs}.log`);
    const child = spawn(process.execPath, [...hookArgs, ...args], {
      cwd: tmp,
      env: cleanEnv({ ...env, LOAD_LOG: log }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    clearTimeout(timer);
    const modules = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    return { status, modules, stdout, stderr };
  }
  const tfModules = (modules: string[]) => modules.filter((m) => m.includes('@tensorflow'));
  const sawCli = (modules: string[]) => modules.some((m) => m.endsWith('/dist/cli/main.js'));

  it('the hooks do see TF.js when mlctl loads it (control)', async ({ expect }) => {
    const tfUrl = pathToFileURL(path.join(REPO_ROOT, 'dist/engine/tf.js')).href;
    const r = await loadedBy([
      '--input-type=module',
      '-e',
      `const { loadTf } = await import(${JSON.stringify(tfUrl)}); await loadTf('cpu');`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    // through ESM (tfjs) and CJS (its packages requiring each other)
    expect(r.modules.some((m) => m.startsWith('file://') && m.includes('/@tensorflow/tfjs/'))).toBe(true);
    expect(r.modules.some((m) => m.startsWith('/') && m.includes('/@tensorflow/tfjs-core/'))).toBe(true);
  });

  it('importing dist/cli/program.js and building the command tree loads no @tensorflow module', async ({ expect }) => {
    const programUrl = pathToFileURL(path.join(REPO_ROOT, 'dist/cli/program.js')).href;
    const r = await loadedBy([
      '--input-type=module',
      '-e',
      `const { createProgram } = await import(${JSON.stringify(programUrl)}); const p = createProgram(); if (p.commands.length < 2) process.exit(3);`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.modules.some((m) => m.endsWith('/dist/cli/program.js'))).toBe(true);
    expect(tfModules(r.modules)).toEqual([]);
  });

  it.for<[string[], number]>([
    [['-V'], 0],
    [['version', 'list', '--json'], 0],
    [['version', 'list'], 0],
    [['version', 'show', 'iris', '--json'], 0],
    [['version', 'show', 'iris', '--alias', 'production'], 0],
    [['version', 'diff', 'iris', '1', '2', '--json'], 0],
    [['version', 'alias', 'iris', 'staging', '2', '--json'], 0],
    [['version', 'verify', '--no-load', '--json'], 0],
    [['version', 'show', 'iris', '9', '--json'], 1],
    [['init', '--ci', 'all', '--json'], 0],
  ])('mlctl %j (exit %i) loads no @tensorflow module', async ([argv, exit], { expect }) => {
    const r = await loadedBy([BIN, ...argv, ...(argv[0] === 'version' ? ['--registry', registry] : [])]);
    expect(r.status, r.stderr + r.stdout).toBe(exit);
    expect(sawCli(r.modules), 'the hook saw the CLI load').toBe(true);
    expect(tfModules(r.modules)).toEqual([]);
  });

  /**
   * `--help` of every command, run in ONE hooked process: the real dist/cli/main.js is evaluated
   * once per argv (a fresh module instance via "?run=N"), with stdout/stderr captured per run and a
   * marker in the load log between runs. Help is printed by the parser before any command body
   * runs, so these runs share nothing but the modules already loaded; any @tensorflow module in the
   * whole log fails every run. (`mlctl --help` through bin/mlctl.js in its own process: just below.)
   */
  const everyCommand = [[], ...walk(createProgram()).map(({ path: p }) => p)];
  let helpRuns: Promise<{ results: { code: number; stdout: string; stderr: string }[]; modules: string[][] }> | undefined;
  function runHelps(): NonNullable<typeof helpRuns> {
    helpRuns ??= (async () => {
      const harness = path.join(tmp, 'help-runs.mjs');
      const results = path.join(tmp, 'help-results.json');
      await writeFile(
        harness,
        `import { appendFileSync, writeFileSync } from 'node:fs';
const runs = JSON.parse(process.env.HELP_RUNS);
const out = [];
const original = { out: process.stdout.write, err: process.stderr.write };
// main.js adds an EPIPE listener to stdout and stderr; one evaluation per run adds one each
process.stdout.setMaxListeners(0);
process.stderr.setMaxListeners(0);
for (const [i, args] of runs.entries()) {
  let stdout = '';
  let stderr = '';
  process.stdout.write = (chunk) => ((stdout += chunk), true);
  process.stderr.write = (chunk) => ((stderr += chunk), true);
  appendFileSync(process.env.LOAD_LOG, '--- run ' + i + '\\n');
  process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...args];
  process.exitCode = undefined;
  try {
    await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist/cli/main.js')).href)} + '?run=' + i);
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
  out.push({ code: process.exitCode ?? 0, stdout, stderr });
}
process.exitCode = 0;
writeFileSync(process.env.RESULTS, JSON.stringify(out));
`,
      );
      const r = await loadedBy([harness], { HELP_RUNS: JSON.stringify(everyCommand.map((c) => [...c, '--help'])), RESULTS: results });
      if (r.status !== 0) throw new Error(`the help runs failed (exit ${r.status}):\n${r.stderr}`);
      // the load log split at the run markers: modules[i] are those run i loaded first
      const modules: string[][] = [];
      for (const line of r.modules) {
        if (line.startsWith('--- run ')) modules.push([]);
        else modules.at(-1)?.push(line);
      }
      return { results: JSON.parse(await readFile(results, 'utf8')), modules };
    })();
    return helpRuns;
  }

  it.for(everyCommand.map((p, i): [string, string[], number] => [p.join(' ') || '(program)', p, i]))(
    'mlctl %s --help: exit 0, usage and examples on stdout, nothing on stderr, no @tensorflow module',
    async ([, cmd, i], { expect }) => {
      const { results, modules } = await runHelps();
      const r = results[i];
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: mlctl${cmd.map((c) => ` ${c}`).join('')}\\b`));
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toMatch(/\$ mlctl /);
      expect(r.stderr).toBe('');
      const leaf = cmd.length > 0 && !(cmd.length === 1 && cmd[0] === 'version');
      // leaf commands document the global options
      if (leaf) for (const flag of ['--registry <location>', '--json', '--verbose', '--no-color']) expect(r.stdout).toContain(flag);
      expect(
        modules[i].some((m) => m.includes(`/dist/cli/main.js?run=${i}`)),
        'the hook saw this run of the CLI',
      ).toBe(true);
      expect(modules.flat().filter((m) => m.includes('@tensorflow'))).toEqual([]);
      expect(
        modules.flat().filter((m) => /node_modules\/vega/.test(m)),
        'no charting library for --help',
      ).toEqual([]);
    },
  );

  it('mlctl --help through bin/mlctl.js in its own process: exit 0, help on stdout, no @tensorflow module', async ({ expect }) => {
    const r = await loadedBy([BIN, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mlctl \[options\] \[command\]\n/);
    expect(r.stderr).toBe('');
    expect(sawCli(r.modules), 'the hook saw the CLI load').toBe(true);
    expect(tfModules(r.modules)).toEqual([]);
  });
});
