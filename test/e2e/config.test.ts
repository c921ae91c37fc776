/**
 * Configuration end to end: where mlctl finds its config (every cosmiconfig place it supports),
 * precedence flags > MLCTL_* environment > config file > built-in defaults (observed through the
 * registry `version list --json` reports and the model `version show` picks), relative paths, and
 * the errors for an invalid config (exit 2, naming the file and the key).
 *
 * Each project folder gets a package.json so the upward search stops there and never reads a
 * config from a parent of the temp dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createTinyModelDir, type TinyModel } from '../helpers/tiny-model.js';
import { publishDir } from '../helpers/registry-fixture.js';

let work: string;
let tiny: TinyModel;
let counter = 0;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-config-');
  tiny = await createTinyModelDir(path.join(work, 'src-model'), { seed: 5 });
});
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
  return r.json().registry as string;
}

describe('precedence: flags > MLCTL_* environment > config file > defaults', () => {
  it('defaults to ./model-registry in the working directory', async () => {
    const dir = await project();
    expect(await registryOf(dir)).toBe(path.join(dir, 'model-registry'));
  });

  it('the config file beats the default', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 'from-config' } });
    expect(await registryOf(dir)).toBe(path.join(dir, 'from-config'));
  });

  it('MLCTL_REGISTRY beats the config file', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 'from-config' } });
    expect(await registryOf(dir, [], { MLCTL_REGISTRY: 'from-env' })).toBe(path.join(dir, 'from-env'));
  });

  it('--registry beats MLCTL_REGISTRY and the config file, before or after the subcommand', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 'from-config' } });
    const env = { MLCTL_REGISTRY: 'from-env' };
    expect(await registryOf(dir, ['--registry', 'from-flag'], env)).toBe(path.join(dir, 'from-flag'));
    const before = await run(dir, ['--registry', 'from-flag', 'version', 'list', '--json'], env);
    expect(before.code, before.stderr).toBe(0);
    expect(before.json().registry).toBe(path.join(dir, 'from-flag'));
  });

  it('the registry is really used: the config file points version show at its models', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 'team-registry' } });
    await publishDir(path.join(dir, 'team-registry'), 'iris', tiny.dir);
    const r = await run(dir, ['version', 'show', 'iris', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().dir).toBe(path.join(dir, 'team-registry', 'iris', '1'));
  });

  describe('the default model', () => {
    async function twoModels(files: Record<string, string | object>): Promise<string> {
      const dir = await project(files);
      await publishDir(path.join(dir, 'model-registry'), 'iris', tiny.dir);
      await publishDir(path.join(dir, 'model-registry'), 'churn', tiny.dir);
      return dir;
    }

    it('the config `model` is used by version show when no model is named', async () => {
      const dir = await twoModels({ 'mlctl.config.json': { model: 'churn' } });
      const r = await run(dir, ['version', 'show', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json().record.model).toBe('churn');
    });

    it('MLCTL_MODEL overrides the config `model`', async () => {
      const dir = await twoModels({ 'mlctl.config.json': { model: 'churn' } });
      const r = await run(dir, ['version', 'show', '--json'], { MLCTL_MODEL: 'iris' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.json().record.model).toBe('iris');
    });

    it('a model named on the command line overrides both', async () => {
      const dir = await twoModels({ 'mlctl.config.json': { model: 'churn' } });
      const r = await run(dir, ['version', 'show', 'iris', '--json'], { MLCTL_MODEL: 'churn' });
      expect(r.json().record.model).toBe('iris');
    });

    it('without a default, several models are a usage error that names them', async () => {
      const dir = await twoModels({});
      const r = await run(dir, ['version', 'show', '--json']);
      expect(r.code).toBe(2);
      expect(r.json().error.message).toBe('Name a model: the registry has 2 (churn, iris).');
    });
  });
});

describe('where the config file is found', () => {
  const cases: [where: string, files: Record<string, string | object>, registry: string][] = [
    ['mlctl.config.json', { 'mlctl.config.json': { registry: 'reg-json' } }, 'reg-json'],
    ['.mlctlrc.json', { '.mlctlrc.json': { registry: 'reg-rc-json' } }, 'reg-rc-json'],
    ['.mlctlrc (YAML)', { '.mlctlrc': 'registry: reg-rc\n' }, 'reg-rc'],
    ['mlctl.config.yaml', { 'mlctl.config.yaml': '# team settings\nregistry: reg-yaml\nmodel: iris\n' }, 'reg-yaml'],
    ['mlctl.config.yml', { 'mlctl.config.yml': 'registry: reg-yml\n' }, 'reg-yml'],
    ['mlctl.config.mjs', { 'mlctl.config.mjs': "export default { registry: 'reg-' + 'mjs' };\n" }, 'reg-mjs'],
    ['mlctl.config.cjs', { 'mlctl.config.cjs': "module.exports = { registry: 'reg-cjs' };\n" }, 'reg-cjs'],
    ['the "mlctl" key of package.json', { 'package.json': { name: 'app', private: true, mlctl: { registry: 'reg-pkg' } } }, 'reg-pkg'],
  ];
  for (const [where, files, registry] of cases) {
    it(`reads ${where}`, async () => {
      const dir = await project(files);
      expect(await registryOf(dir)).toBe(path.join(dir, registry));
    });
  }

  it("a relative registry resolves against the config file's folder, not the working directory", async () => {
    const dir = await project({ 'mlctl.config.json': { registry: '../shared-registry' } });
    await mkdir(path.join(dir, 'src', 'deep'), { recursive: true });
    expect(await registryOf(path.join(dir, 'src', 'deep'))).toBe(path.resolve(dir, '../shared-registry'));
  });

  it('an absolute registry is used as is', async () => {
    const abs = path.join(work, 'absolute-registry');
    const dir = await project({ 'mlctl.config.yaml': `registry: ${abs}\n` });
    expect(await registryOf(dir)).toBe(abs);
  });

  it('--config <file> uses that file instead of the one found by searching', async () => {
    const dir = await project({
      'mlctl.config.json': { registry: 'found' },
      'ci/mlctl.ci.json': { registry: 'ci-registry' },
    });
    expect(await registryOf(dir, ['--config', 'ci/mlctl.ci.json'])).toBe(path.join(dir, 'ci', 'ci-registry'));
    // also a YAML file with any name, and through MLCTL_CONFIG
    await writeFile(path.join(dir, 'ci', 'other.yaml'), 'registry: yaml-registry\n');
    expect(await registryOf(dir, ['--config', 'ci/other.yaml'])).toBe(path.join(dir, 'ci', 'yaml-registry'));
    expect(await registryOf(dir, [], { MLCTL_CONFIG: 'ci/other.yaml' })).toBe(path.join(dir, 'ci', 'yaml-registry'));
  });

  it('--config naming a missing file is a config error (exit 2)', async () => {
    const dir = await project();
    const r = await run(dir, ['version', 'list', '--config', 'nope.json', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error).toMatchObject({ code: 'CONFIG', message: 'Config file nope.json does not exist.' });
  });
});

describe('an invalid config file is a config error (exit 2) naming the file and the key', () => {
  it('an unknown key', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 'r', train: { epochz: 3 } } });
    const file = path.join(dir, 'mlctl.config.json');
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error).toMatchObject({
      code: 'CONFIG',
      message: `Config file ${file}: unknown key "train.epochz". Did you mean "epochs"?`,
    });
    const human = await run(dir, ['version', 'list']);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr.trim().split('\n')).toHaveLength(1);
    expect(human.stderr).toContain(`error: Config file ${file}: unknown key "train.epochz". Did you mean "epochs"?`);
  });

  it('an unknown top-level key in package.json\'s "mlctl" section', async () => {
    const dir = await project({ 'package.json': { name: 'app', mlctl: { registyr: 'r' } } });
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toBe(`Config file ${path.join(dir, 'package.json')}: unknown key "registyr". Did you mean "registry"?`);
  });

  it('a value of the wrong type', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 5 } });
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.code).toBe('CONFIG');
    expect(r.json().error.message).toBe(
      `Config file ${path.join(dir, 'mlctl.config.json')}: "registry" is invalid (expected a non-empty string).`,
    );
  });

  it('a nested value of the wrong type (YAML)', async () => {
    const dir = await project({ 'mlctl.config.yaml': 'train:\n  epochs: ten\n' });
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toMatch(
      new RegExp(`^Config file ${escape(path.join(dir, 'mlctl.config.yaml'))}: "train\\.epochs" is invalid \\(expected `),
    );
  });

  it('a backend that does not exist', async () => {
    const dir = await project({ '.mlctlrc.json': { backend: 'gpu' } });
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toContain('"backend" is invalid (expected one of auto, node, wasm, cpu)');
  });

  it('unparseable JSON names the file and the parse error', async () => {
    const dir = await project({ 'mlctl.config.json': '{"registry": ' });
    const file = path.join(dir, 'mlctl.config.json');
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.code).toBe('CONFIG');
    expect(r.json().error.message).toMatch(new RegExp(`^Config file ${escape(file)} could not be read: .*JSON`));
  });

  it('unparseable YAML names the file and the parse error', async () => {
    const dir = await project({ 'mlctl.config.yaml': 'registry: [\n  x: :\n' });
    const file = path.join(dir, 'mlctl.config.yaml');
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toMatch(new RegExp(`^Config file ${escape(file)} could not be read: \\S`));
    const human = await run(dir, ['version', 'list']);
    expect(human.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a JS config with a syntax error names the file', async () => {
    const dir = await project({ 'mlctl.config.mjs': 'export default { registry: \n' });
    const file = path.join(dir, 'mlctl.config.mjs');
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    // the parser's reason (e.g. "Unexpected end of input"), not a loader fallback's internal error
    expect(r.json().error.message).toMatch(new RegExp(`^Config file ${escape(file)} could not be read: \\S`));
    expect(r.json().error.message).not.toMatch(/require\(\)|internal/i);
  });

  it('a JS config that throws names the file and the error', async () => {
    const dir = await project({ 'mlctl.config.mjs': 'throw new Error("no settings today");\n' });
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toBe(`Config file ${path.join(dir, 'mlctl.config.mjs')} could not be read: no settings today.`);
  });

  it('a config that is not an object', async () => {
    const dir = await project({ 'mlctl.config.json': '[1, 2]' });
    const r = await run(dir, ['version', 'list', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toBe(`Config file ${path.join(dir, 'mlctl.config.json')} must contain an object of settings.`);
  });

  it('an invalid config is reported even when --registry is given (no command runs on a broken config)', async () => {
    const dir = await project({ 'mlctl.config.json': { registy: 'r' } });
    const r = await run(dir, ['version', 'list', '--registry', 'x', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toContain('unknown key "registy"');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
