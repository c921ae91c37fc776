/**
 * `initProject`: the files it writes, its refusal to overwrite (writing nothing at all then), the
 * .gitignore entry (created, appended, never duplicated) and the CI pipelines filled in.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fillPlaceholders, initProject } from '../../../src/lifecycle/init-project.js';
import { MlctlError } from '../../../src/errors.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTmpDir();
});
afterEach(async () => removeTmpDir(dir));

/** The MlctlError a promise rejects with. */
async function errorOf(p: Promise<unknown>): Promise<MlctlError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlctlError);
  return e as MlctlError;
}

const read = (rel: string) => readFile(path.join(dir, rel), 'utf8');

describe('initProject', () => {
  it('writes only the config by default', async () => {
    const r = await initProject({ cwd: dir });
    expect(r.files.map((f) => [f.path, f.action])).toEqual([['mlctl.config.yaml', 'create']]);
    expect(await readdir(dir)).toEqual(['mlctl.config.yaml']);
    expect(parseYaml(await read('mlctl.config.yaml'))).toEqual({ registry: './model-registry' });
  });

  it('writes both pipelines with the model and registry filled in', async () => {
    await initProject({ cwd: dir, ci: 'all', model: 'churn', registry: 'out/models' });
    const gh = parseYaml(await read('.github/workflows/mlctl.yml'));
    const runs = gh.jobs.model.steps.filter((s: { run?: string }) => s.run).map((s: { run: string }) => s.run);
    expect(runs).toContain('npx mlctl train churn');
    const upload = gh.jobs.model.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload.with.path.trim().split('\n')).toEqual(['out/models/', 'report.html']);
    expect(upload.if).toBe('${{ !cancelled() }}'); // GitHub's own expressions survive the placeholders
    const gl = parseYaml(await read('.gitlab-ci.yml'));
    expect(gl.model.script).toContain('npx mlctl report churn --out report.html');
    expect(gl.model.artifacts.paths).toEqual(['out/models/', 'report.html']);
    expect(parseYaml(await read('mlctl.config.yaml'))).toEqual({ registry: './out/models', model: 'churn' });
  });

  it('refuses to overwrite an existing file, writing nothing at all; --force overwrites', async () => {
    await writeFile(path.join(dir, '.gitlab-ci.yml'), 'mine\n');
    const err = await errorOf(initProject({ cwd: dir, ci: 'all' }));
    expect(err).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(err.message).toMatch(/Not overwriting \.gitlab-ci\.yml/);
    expect((await readdir(dir)).sort()).toEqual(['.gitlab-ci.yml']);
    expect(await read('.gitlab-ci.yml')).toBe('mine\n');
    const r = await initProject({ cwd: dir, ci: 'all', force: true });
    expect(r.files.find((f) => f.path === '.gitlab-ci.yml')!.action).toBe('overwrite');
    expect(await read('.gitlab-ci.yml')).toContain('npx mlctl train iris');
  });

  it('adding pipelines or recipes later keeps the config, and they use the registry and model it names', async () => {
    await initProject({ cwd: dir, model: 'churn', registry: './models' });
    const config = await read('mlctl.config.yaml');
    const r = await initProject({ cwd: dir, ci: 'github', deploy: 'systemd' });
    expect(r.files[0]).toMatchObject({ path: 'mlctl.config.yaml', action: 'unchanged' });
    expect(await read('mlctl.config.yaml')).toBe(config);
    expect(r).toMatchObject({ registry: './models', next: expect.arrayContaining(['mlctl train churn']) });
    expect(await read('.github/workflows/mlctl.yml')).toContain('npx mlctl train churn');
    const unit = await read('deploy/systemd/mlctl-churn@.service');
    expect(unit).toMatch(/^ExecStart=.* serve churn /m);
    expect(unit).toMatch(/^ReadWritePaths=\/srv\/mlctl\/models$/m);
    // a plain second init still refuses to rewrite a config that differs
    const err = await errorOf(initProject({ cwd: dir }));
    expect(err.message).toMatch(/Not overwriting mlctl\.config\.yaml/);
  });

  it('running it again changes nothing and needs no --force', async () => {
    await initProject({ cwd: dir, gitignore: true, ci: 'github' });
    const again = await initProject({ cwd: dir, gitignore: true, ci: 'github' });
    expect(again.files.map((f) => f.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('refuses when another config file would shadow the new one', async () => {
    await writeFile(path.join(dir, '.mlctlrc.json'), '{}');
    const err = await errorOf(initProject({ cwd: dir, force: true }));
    expect(err).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(err.message).toMatch(/\.mlctlrc\.json/);
  });

  it('adds the registry to an existing .gitignore once, keeping its lines', async () => {
    await writeFile(path.join(dir, '.gitignore'), 'node_modules');
    await initProject({ cwd: dir, gitignore: true, registry: './models' });
    expect(await read('.gitignore')).toBe(
      'node_modules\n# mlctl model registry (build output; publish it as a CI artifact instead)\n/models/\n',
    );
    await initProject({ cwd: dir, gitignore: true, registry: './models' });
    expect((await read('.gitignore')).match(/\/models\//g)).toHaveLength(1);
  });

  it('will not add a registry outside the project to .gitignore', async () => {
    const err = await errorOf(initProject({ cwd: dir, gitignore: true, registry: '../elsewhere' }));
    expect(err).toMatchObject({ code: 'USAGE' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes a .mjs config with --format js', async () => {
    const r = await initProject({ cwd: dir, format: 'js' });
    expect(r.config).toBe('mlctl.config.mjs');
    expect(await read('mlctl.config.mjs')).toMatch(/^\/\/ mlctl configuration/);
  });
});

describe('fillPlaceholders', () => {
  it('replaces known {{names}} only', () => {
    expect(fillPlaceholders('a {{model}} ${{ x }} {{other}}', { model: 'iris' })).toBe('a iris ${{ x }} {{other}}');
  });
});
