/**
 * loadConfig in-process: where mlctl finds its config (every cosmiconfig place it supports),
 * relative paths resolved against the config file's folder, an explicit --config file, and the
 * errors for an invalid config (CONFIG, exit 2, naming the file and the key).
 * Precedence against flags and MLCTL_* (applied by the CLI), the CLI's rendering of a config
 * error, and JS configs loaded by plain Node (here vitest's module loader imports them, and
 * reports syntax errors in its own words) are in test/e2e/config.test.ts.
 *
 * Each project folder gets a package.json so the upward search stops there and never reads a
 * config from a parent of the temp dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';
import { loadConfig, type LoadConfigOptions } from '../../../src/config/load-config.js';
import { MlctlError } from '../../../src/errors.js';

let work: string;
let counter = 0;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-config-');
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

/** loadConfig's rejection (fails the test when it loads) */
async function configError(options: LoadConfigOptions): Promise<MlctlError> {
  const e = await loadConfig(options).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlctlError);
  expect((e as MlctlError).code).toBe('CONFIG');
  expect((e as MlctlError).exitCode).toBe(2);
  return e as MlctlError;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('where the config file is found', () => {
  it('nowhere: an empty config and no file', async () => {
    const dir = await project();
    expect(await loadConfig({ cwd: dir })).toEqual({ config: {}, filepath: null });
  });

  const cases: [where: string, file: string, files: Record<string, string | object>, registry: string][] = [
    ['mlctl.config.json', 'mlctl.config.json', { 'mlctl.config.json': { registry: 'reg-json' } }, 'reg-json'],
    ['.mlctlrc.json', '.mlctlrc.json', { '.mlctlrc.json': { registry: 'reg-rc-json' } }, 'reg-rc-json'],
    ['.mlctlrc (YAML)', '.mlctlrc', { '.mlctlrc': 'registry: reg-rc\n' }, 'reg-rc'],
    ['mlctl.config.yaml', 'mlctl.config.yaml', { 'mlctl.config.yaml': '# team settings\nregistry: reg-yaml\nmodel: iris\n' }, 'reg-yaml'],
    ['mlctl.config.yml', 'mlctl.config.yml', { 'mlctl.config.yml': 'registry: reg-yml\n' }, 'reg-yml'],
    ['mlctl.config.mjs', 'mlctl.config.mjs', { 'mlctl.config.mjs': "export default { registry: 'reg-' + 'mjs' };\n" }, 'reg-mjs'],
    ['mlctl.config.cjs', 'mlctl.config.cjs', { 'mlctl.config.cjs': "module.exports = { registry: 'reg-cjs' };\n" }, 'reg-cjs'],
    [
      'the "mlctl" key of package.json',
      'package.json',
      { 'package.json': { name: 'app', private: true, mlctl: { registry: 'reg-pkg' } } },
      'reg-pkg',
    ],
  ];
  it.each(cases)('reads %s', async (_where, file, files, registry) => {
    const dir = await project(files);
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.filepath).toBe(path.join(dir, file));
    expect(loaded.config.registry).toBe(path.join(dir, registry));
  });

  it('reads every key of a full config, resolving the registry and templates folders', async () => {
    const dir = await project({
      'mlctl.config.yaml':
        'registry: r\nmodel: churn\nbackend: wasm\ntemplates: tpl\ntrain:\n  epochs: 12\nevaluate:\n  minAccuracy: 0.9\n',
    });
    const { config } = await loadConfig({ cwd: dir });
    expect(config).toEqual({
      registry: path.join(dir, 'r'),
      model: 'churn',
      backend: 'wasm',
      templates: path.join(dir, 'tpl'),
      train: { epochs: 12 },
      evaluate: { minAccuracy: 0.9 },
    });
  });

  it("a relative registry resolves against the config file's folder, not the working directory", async () => {
    const dir = await project({ 'mlctl.config.json': { registry: '../shared-registry' } });
    await mkdir(path.join(dir, 'src', 'deep'), { recursive: true });
    const loaded = await loadConfig({ cwd: path.join(dir, 'src', 'deep') });
    expect(loaded.config.registry).toBe(path.resolve(dir, '../shared-registry'));
  });

  it('an absolute registry is used as is', async () => {
    const abs = path.join(work, 'absolute-registry');
    const dir = await project({ 'mlctl.config.yaml': `registry: ${abs}\n` });
    expect((await loadConfig({ cwd: dir })).config.registry).toBe(abs);
  });

  it('an explicit file (--config / MLCTL_CONFIG) is used instead of the one found by searching', async () => {
    const dir = await project({
      'mlctl.config.json': { registry: 'found' },
      'ci/mlctl.ci.json': { registry: 'ci-registry' },
      'ci/other.yaml': 'registry: yaml-registry\n',
    });
    expect(await loadConfig({ cwd: dir, file: 'ci/mlctl.ci.json' })).toEqual({
      config: { registry: path.join(dir, 'ci', 'ci-registry') },
      filepath: path.join(dir, 'ci', 'mlctl.ci.json'),
    });
    // also a YAML file with any name
    expect((await loadConfig({ cwd: dir, file: 'ci/other.yaml' })).config.registry).toBe(path.join(dir, 'ci', 'yaml-registry'));
  });

  it('an explicit file that does not exist is a config error', async () => {
    const dir = await project();
    const e = await configError({ cwd: dir, file: 'nope.json' });
    expect(e.message).toBe('Config file nope.json does not exist.');
  });
});

describe('an invalid config file is a config error naming the file and the key', () => {
  it('an unknown key', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 'r', train: { epochz: 3 } } });
    const e = await configError({ cwd: dir });
    expect(e.message).toBe(`Config file ${path.join(dir, 'mlctl.config.json')}: unknown key "train.epochz". Did you mean "epochs"?`);
  });

  it('an unknown top-level key in package.json\'s "mlctl" section', async () => {
    const dir = await project({ 'package.json': { name: 'app', mlctl: { registyr: 'r' } } });
    const e = await configError({ cwd: dir });
    expect(e.message).toBe(`Config file ${path.join(dir, 'package.json')}: unknown key "registyr". Did you mean "registry"?`);
  });

  it('a value of the wrong type', async () => {
    const dir = await project({ 'mlctl.config.json': { registry: 5 } });
    const e = await configError({ cwd: dir });
    expect(e.message).toBe(`Config file ${path.join(dir, 'mlctl.config.json')}: "registry" is invalid (expected a non-empty string).`);
  });

  it('a nested value of the wrong type (YAML)', async () => {
    const dir = await project({ 'mlctl.config.yaml': 'train:\n  epochs: ten\n' });
    const e = await configError({ cwd: dir });
    expect(e.message).toMatch(
      new RegExp(`^Config file ${escape(path.join(dir, 'mlctl.config.yaml'))}: "train\\.epochs" is invalid \\(expected `),
    );
  });

  it('a backend that does not exist', async () => {
    const dir = await project({ '.mlctlrc.json': { backend: 'gpu' } });
    const e = await configError({ cwd: dir });
    expect(e.message).toContain('"backend" is invalid (expected one of auto, node, wasm, cpu)');
  });

  it('unparseable JSON names the file and the parse error', async () => {
    const dir = await project({ 'mlctl.config.json': '{"registry": ' });
    const e = await configError({ cwd: dir });
    expect(e.message).toMatch(new RegExp(`^Config file ${escape(path.join(dir, 'mlctl.config.json'))} could not be read: .*JSON`));
  });

  it('unparseable YAML names the file and the parse error', async () => {
    const dir = await project({ 'mlctl.config.yaml': 'registry: [\n  x: :\n' });
    const e = await configError({ cwd: dir });
    expect(e.message).toMatch(new RegExp(`^Config file ${escape(path.join(dir, 'mlctl.config.yaml'))} could not be read: \\S`));
    expect(e.message).not.toContain('\n');
  });

  it('a JS config that throws names the file and the error', async () => {
    const dir = await project({ 'mlctl.config.mjs': 'throw new Error("no settings today");\n' });
    const e = await configError({ cwd: dir });
    expect(e.message).toBe(`Config file ${path.join(dir, 'mlctl.config.mjs')} could not be read: no settings today.`);
  });

  it('a config that is not an object', async () => {
    const dir = await project({ 'mlctl.config.json': '[1, 2]' });
    const e = await configError({ cwd: dir });
    expect(e.message).toBe(`Config file ${path.join(dir, 'mlctl.config.json')} must contain an object of settings.`);
  });
});
