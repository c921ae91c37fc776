/**
 * `mlctl serve` parsed without spawning: its flags, and how settings resolve — flags > MLCTL_* >
 * the config's "serve" section > defaults — together with the version policy and --all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { createProgram } from '../../src/cli/program.js';
import { resolveServe } from '../../src/cli/commands/serve.js';
import type { MlctlConfig } from '../../src/config/schema.js';
import { findConfigProblem } from '../../src/config/schema.js';
import { Registry } from '../../src/registry/registry.js';
import { DEFAULT_SERVE_SETTINGS } from '../../src/serve/settings.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
beforeAll(async () => {
  work = await makeTmpDir('mlctl-serve-cli-');
  await mkdir(path.join(work, 'reg', 'iris'), { recursive: true });
  await mkdir(path.join(work, 'reg', 'wine'), { recursive: true });
});
afterAll(async () => removeTmpDir(work));

async function parseServe(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ model: string | undefined; flags: Record<string, unknown>; cmd: Command }> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('MLCTL_')) delete process.env[k];
  Object.assign(process.env, env);
  try {
    const program = createProgram();
    program.configureOutput({ writeOut: () => {}, writeErr: () => {} });
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    serve.configureOutput({ writeOut: () => {}, writeErr: () => {} });
    let got: { model: string | undefined; flags: Record<string, unknown>; cmd: Command } | null = null;
    serve.action((model: string | undefined, flags: Record<string, unknown>, cmd: Command) => {
      got = { model, flags, cmd };
    });
    await program.parseAsync(['node', 'mlctl', 'serve', ...argv]);
    return got!;
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

async function resolve(argv: string[], config: MlctlConfig = {}, env: Record<string, string> = {}) {
  const { model, flags, cmd } = await parseServe(argv, env);
  return resolveServe({ config, defaultModel: undefined }, cmd, model, flags as never, new Registry(path.join(work, 'reg')));
}

describe('mlctl serve (parse only)', () => {
  it('defaults: 127.0.0.1:8080, latest, watching, 1 MiB bodies, 1000 rows, one worker', async () => {
    const r = await resolve(['iris']);
    expect(r.models).toEqual(['iris']);
    expect(r.policy).toEqual({ kind: 'latest' });
    expect(r.settings).toEqual({ ...DEFAULT_SERVE_SETTINGS });
  });

  it('--version n pins (and turns watching off); --alias follows the alias; --no-watch wins', async () => {
    expect(await resolve(['iris', '--version', '3'])).toMatchObject({ policy: { kind: 'pinned', version: 3 }, settings: { watch: false } });
    expect(await resolve(['iris', '--alias', 'production'])).toMatchObject({
      policy: { kind: 'alias', alias: 'production' },
      settings: { watch: true },
    });
    expect(await resolve(['iris', '--alias', 'production', '--no-watch'])).toMatchObject({ settings: { watch: false } });
    expect(await resolve(['iris', '--version', '3', '--watch'])).toMatchObject({ settings: { watch: true } });
  });

  it('every flag, with sizes and durations', async () => {
    const r = await resolve([
      'iris',
      ...['--host', '0.0.0.0', '--port', '0', '--token', 't0k', '--cors', '*', '--workers', '3', '--max-rows', '50'],
      ...['--body-limit', '256kb', '--max-batch-size', '32', '--batch-timeout-ms', '2', '--batching', 'on', '--fast-path', 'off'],
      ...['--drain-timeout', '1.5s', '--request-timeout', '2m', '--headers-timeout', '500ms', '--keep-alive-timeout', '7000'],
      ...['--drift-window', '200', '--log-level', 'warn'],
    ]);
    expect(r.settings).toEqual({
      ...DEFAULT_SERVE_SETTINGS,
      host: '0.0.0.0',
      port: 0,
      token: 't0k',
      cors: '*',
      workers: 3,
      maxRows: 50,
      bodyLimit: 256 * 1024,
      maxBatchSize: 32,
      batchTimeoutMs: 2,
      batching: 'on',
      fastPath: 'off',
      drainTimeoutMs: 1500,
      requestTimeoutMs: 120_000,
      headersTimeoutMs: 500,
      keepAliveTimeoutMs: 7000,
      driftWindow: 200,
      logLevel: 'warn',
    });
  });

  it('flags > MLCTL_* > config "serve" > defaults', async () => {
    const config: MlctlConfig = {
      serve: { port: 9000, maxRows: 10, bodyLimit: '2mb', drainTimeout: '3s', token: 'from-config', workers: 2 },
    };
    const r = await resolve(['iris', '--max-rows', '20'], config, { MLCTL_PORT: '9100', MLCTL_TOKEN: 'from-env' });
    expect(r.settings).toMatchObject({
      port: 9100,
      maxRows: 20,
      bodyLimit: 2 * 1024 * 1024,
      drainTimeoutMs: 3000,
      token: 'from-env',
      workers: 2,
    });
  });

  it('--all serves every model at latest or at --alias; refuses a model name or a pinned version with it', async () => {
    expect(await resolve(['--all'])).toMatchObject({ models: 'all', policy: { kind: 'latest' } });
    expect(await resolve(['--all', '--alias', 'production'])).toMatchObject({
      models: 'all',
      policy: { kind: 'alias', alias: 'production' },
    });
    await expect(resolve(['iris', '--all'])).rejects.toMatchObject({
      code: 'USAGE',
      message: 'Give either a model ("iris") or --all, not both.',
    });
    await expect(resolve(['--all', '--version', '2'])).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('without a model name: a clear error listing the models', async () => {
    await expect(resolve([])).rejects.toMatchObject({ code: 'USAGE', message: 'Name a model: the registry has 2 (iris, wine).' });
  });

  it.each([
    [['--port', '70000'], /expected an integer in \[0, 65535\], got "70000"/],
    [['--body-limit', 'lots'], /expected a size such as 1mb/],
    [['--drain-timeout', 'soon'], /expected a duration such as 10s/],
    [['--batching', 'maybe'], /Allowed choices are auto, on, off/],
    [['--workers', '0'], /expected an integer in \[1, 256\], got "0"/],
  ])('refuses %j', async (argv, message) => {
    await expect(parseServe(['iris', ...(argv as string[])])).rejects.toSatisfy(
      (e: unknown) => e instanceof CommanderError && (message as RegExp).test(e.message),
    );
  });

  it('the config "serve" section is validated like every other section', () => {
    expect(findConfigProblem({ serve: { port: 80, bodyLimit: '1mb', watch: false, drainTimeout: 2000 } })).toBeNull();
    expect(findConfigProblem({ serve: { bodyLimit: 'huge' } })).toEqual({
      key: 'serve.bodyLimit',
      kind: 'invalid',
      expected: 'expected a size such as 1mb, 512kb or 1048576',
    });
    expect(findConfigProblem({ serve: { prot: 80 } })).toMatchObject({
      key: 'serve.prot',
      kind: 'unknown',
      known: expect.arrayContaining(['port']),
    });
    expect(findConfigProblem({ serve: { watch: 'yes' } })).toEqual({
      key: 'serve.watch',
      kind: 'invalid',
      expected: 'expected true or false',
    });
  });
});
