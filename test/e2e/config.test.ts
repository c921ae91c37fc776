/**
 * Configuration through the built binary: precedence flags > MLCTL_* environment > config file >
 * built-in defaults (observed through the registry `version list --json` reports and the model
 * `version show` picks), a JS config loaded by plain Node, --config / MLCTL_CONFIG, and how an
 * invalid config is reported (exit 2, one document or one line, naming the file and the key).
 * Every place a config can live, path resolution and every kind of invalid config are tested
 * in-process in test/unit/config/load-config.test.ts.
 *
 * Each project folder gets a package.json so the upward search stops there and never reads a
 * config from a parent of the temp dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonDocument, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createTinyModelDir, type TinyModel } from '../helpers/tiny-model.js';
import { publishDir } from '../helpers/registry-fixture.js';

let work: string;
let tiny: TinyModel;
let counter = 0;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-e2e-config-');
  tiny = await createTinyModelDir(path.join(work, 'src-model'), { seed: 5 });
}, 60_000);
afterAll(async () => removeTmpDir(work));

/** A fresh project folder holding `files` (name → content; objects are written as JSON). */
async function project(files: Record<string, string | object> = {}): Promise<string> {
  const dir = path.join(work, `proj-${++counter}`);
  await mkdir(dir, { recursive: true });
  const all: Record<string, string | object> = { 'package.json': { name: `proj-${counter}`, private: true }, ...files };
  for (const [name, content] of Object.entries(all)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

const run = (cwd: string, args: string[], env: Record<string, string> = {}) => runCli(args, { cwd, env });
/** The registry root `mlctl version list --json` reports. */
async function registryOf(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const r = await run(cwd, ['version', 'list', '--json', ...args], env);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return jsonDocument(r).registry as string;
}
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.concurrent('precedence: flags > MLCTL_* environment > config file > defaults', () => {
  it('the registry: ./model-registry by default, then the config file, then MLCTL_REGISTRY, then --registry (before or after)', async () => {
    const bare = await project();
    expect(await registryOf(bare)).toBe(path.join(bare, 'model-registry'));
    const dir = await project({ 'mlctl.config.json': { registry: 'from-config' } });
    expect(await registryOf(dir)).toBe(path.join(dir, 'from-config'));
    const env = { MLCTL_REGISTRY: 'from-env' };
    expect(await registryOf(dir, [], env)).toBe(path.join(dir, 'from-env'));
    expect(await registryOf(dir, ['--registry', 'from-flag'], env)).toBe(path.join(dir, 'from-flag'));
    const before = await run(dir, ['--registry', 'from-flag', 'version', 'list', '--json'], env);
    expect(before.code, before.stderr).toBe(0);
    expect(jsonDocument(before).registry).toBe(path.join(dir, 'from-flag'));
  });

  it('the registry is really used: the config file points version show at its models', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 'team-registry' } });
    await publishDir(path.join(dir, 'team-registry'), 'iris', tiny.dir);
    const r = await run(dir, ['version', 'show', 'iris', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonDocument(r).dir).toBe(path.join(dir, 'team-registry', 'iris', '1'));
  });

  it('the default model: the config `model` when none is named, MLCTL_MODEL over it, the command line over both', async () => {
    const dir = await project({ 'mlctl.config.json': { model: 'churn' } });
    await publishDir(path.join(dir, 'model-registry'), 'iris', tiny.dir);
    await publishDir(path.join(dir, 'model-registry'), 'churn', tiny.dir);
    const fromConfig = await run(dir, ['version', 'show', '--json']);
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(jsonDocument(fromConfig).record.model).toBe('churn');
    const fromEnv = await run(dir, ['version', 'show', '--json'], { MLCTL_MODEL: 'iris' });
    expect(jsonDocument(fromEnv).record.model).toBe('iris');
    const named = await run(dir, ['version', 'show', 'churn', '--json'], { MLCTL_MODEL: 'iris' });
    expect(jsonDocument(named).record.model).toBe('churn');
  });
});

describe.concurrent('which file', () => {
  it('a JS config (mlctl.config.mjs) is evaluated by Node', async () => {
    const dir = await project({ 'mlctl.config.mjs': "export default { registry: 'reg-' + 'mjs' };\n" });
    expect(await registryOf(dir)).toBe(path.join(dir, 'reg-mjs'));
  });

  it('--config <file> or MLCTL_CONFIG uses that file instead of the one found by searching; a missing one is exit 2', async () => {
    const dir = await project({
      'mlctl.config.json': { registry: 'found' },
      'ci/mlctl.ci.json': { registry: 'ci-registry' },
      'ci/other.yaml': 'registry: yaml-registry\n',
    });
    expect(await registryOf(dir, ['--config', 'ci/mlctl.ci.json'])).toBe(path.join(dir, 'ci', 'ci-registry'));
    expect(await registryOf(dir, [], { MLCTL_CONFIG: 'ci/other.yaml' })).toBe(path.join(dir, 'ci', 'yaml-registry'));
    const missing = await run(dir, ['version', 'list', '--config', 'nope.json', '--json']);
    expect(missing.code).toBe(2);
    expect(jsonDocument(missing).error).toMatchObject({ code: 'CONFIG', message: 'Config file nope.json does not exist.' });
  });
});

describe.concurrent('an invalid config file is a config error (exit 2) naming the file and the key', () => {
  it('as one JSON document, or one line on stderr', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 'r', train: { epochz: 3 } } });
    const message = `Config file ${path.join(dir, 'mlctl.config.json')}: unknown key "train.epochz". Did you mean "epochs"?`;
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(jsonDocument(r).error).toMatchObject({ code: 'CONFIG', message });
    const human = await run(dir, ['version', 'list']);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(new RegExp(`^error: ${escape(message)} [^\\n]+\\n$`));
  });

  it("a JS config with a syntax error names the file and the parser's reason", async () => {
    const dir = await project({ 'mlctl.config.mjs': 'export default { registry: \n' });
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    // Node's reason ("Unexpected end of input"), not a loader fallback's internal error
    expect(jsonDocument(r).error.message).toBe(
      `Config file ${path.join(dir, 'mlctl.config.mjs')} could not be read: Unexpected end of input.`,
    );
  });

  it('is reported even when --registry is given (no command runs on a broken config)', async () => {
    const dir = await project({ 'mlctl.config.json': { registy: 'r' } });
    const r = await run(dir, ['version', 'list', '--registry', 'x', '--json']);
    expect(r.code).toBe(2);
    expect(jsonDocument(r).error.message).toContain('unknown key "registy"');
  });
});
