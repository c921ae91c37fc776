/**
 * The library entry as a user gets it: `npm pack` the project, install the tarball's files into a
 * fresh project's node_modules/mlctl, and use `import { … } from 'mlctl'` there — from JavaScript
 * (train, evaluate, open a version and predict, in-process) and from TypeScript (the published
 * types resolve and check). The tarball is unpacked as npm places it; its dependencies are linked
 * from this repository's node_modules (a real `npm install` of TF.js takes ~40 s and the network),
 * so what is tested is exactly the packed file list, `exports` map, entry points and types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, cleanEnv } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

const run = promisify(execFile);
let work: string;
let project: string;

beforeAll(async () => {
  work = await makeTmpDir('mlctl-pack-');
  // dist/ is built by `npm test` before vitest runs; --ignore-scripts skips a second build
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: REPO_ROOT, env: cleanEnv() });
  const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'))!;
  project = path.join(work, 'app');
  const modules = path.join(project, 'node_modules');
  await mkdir(modules, { recursive: true });
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await run('tar', ['-xzf', path.join(work, tarball), '-C', work]);
  await rename(path.join(work, 'package'), path.join(modules, 'mlctl'));
  // the package's own dependencies (and theirs), as npm would have installed them beside it
  const manifest = JSON.parse(await readFile(path.join(modules, 'mlctl', 'package.json'), 'utf8'));
  expect(Object.keys(manifest.dependencies)).toContain('@tensorflow/tfjs');
  for (const entry of await readdir(path.join(REPO_ROOT, 'node_modules'))) {
    if (entry === '.bin' || entry === 'mlctl' || entry.startsWith('.')) continue;
    await symlink(path.join(REPO_ROOT, 'node_modules', entry), path.join(modules, entry));
  }
}, 120_000);
afterAll(() => removeTmpDir(work));

describe('the mlctl package', () => {
  it('is importable by name and trains, evaluates and predicts in-process', async () => {
    const script = `
      import { train, evaluate, openVersion, Registry, listVersions, MlctlError } from 'mlctl';
      const registry = new Registry('reg');
      const { record } = await train({ registry, source: 'iris', settings: { epochs: 30, seed: 7 }, backend: 'cpu' });
      const evaluation = await evaluate({ registry, model: 'iris', gates: { minAccuracy: 0.5 }, backend: 'cpu' });
      const opened = await openVersion({ registry, model: 'iris', backend: 'cpu' });
      const out = opened.predictRows([{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }]);
      opened.dispose();
      const list = await listVersions({ registry });
      let notFound = null;
      try { await evaluate({ registry, model: 'nope' }); } catch (e) { notFound = e instanceof MlctlError ? e.code : String(e); }
      console.log(JSON.stringify({ version: record.version, operation: record.operation, accuracy: evaluation.metrics.accuracy,
        passed: evaluation.passed, label: out.predictions[0].label, models: list.models.map((m) => m.name), notFound }));
    `;
    await writeFile(path.join(project, 'use.mjs'), script);
    const { stdout } = await run('node', ['use.mjs'], { cwd: project, env: cleanEnv() });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      version: 1,
      operation: 'train',
      passed: true,
      label: 'setosa',
      models: ['iris'],
      notFound: 'NOT_FOUND',
    });
    expect(result.accuracy).toBeGreaterThan(0.8);
  });

  it("ships KServe's gRPC .proto with its Apache-2.0 notice, and the packed server finds it", async () => {
    const pkg = path.join(project, 'node_modules', 'mlctl');
    expect(await readFile(path.join(pkg, 'proto/grpc_predict_v2.proto'), 'utf8')).toBe(
      await readFile(path.join(REPO_ROOT, 'proto/grpc_predict_v2.proto'), 'utf8'),
    );
    expect(await readFile(path.join(pkg, 'proto/NOTICE'), 'utf8')).toMatch(/Apache License, Version 2\.0/);
    expect(await readFile(path.join(pkg, 'proto/LICENSE-2.0.txt'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    const script = `
      const { inferenceService, protoPath } = await import(${JSON.stringify(path.join(pkg, 'dist/serve/grpc/definition.js'))});
      console.log(JSON.stringify({ path: protoPath(), methods: Object.keys(await inferenceService()) }));
    `;
    await writeFile(path.join(project, 'proto.mjs'), script);
    const { stdout } = await run('node', ['proto.mjs'], { cwd: project, env: cleanEnv() });
    const result = JSON.parse(stdout);
    expect(result.path).toBe(path.join(pkg, 'proto/grpc_predict_v2.proto'));
    expect(result.methods).toEqual(['ServerLive', 'ServerReady', 'ModelReady', 'ServerMetadata', 'ModelMetadata', 'ModelInfer']);
  });

  it('ships types that a TypeScript project checks against', async () => {
    const source = `
      import { train, Registry, type VersionRecord, type TrainSettings } from 'mlctl';
      const settings: Partial<TrainSettings> = { epochs: 3, optimizer: 'adam' };
      const result = await train({ registry: new Registry('reg'), source: 'iris', settings });
      const record: VersionRecord = result.record;
      const accuracy: number | undefined = record.metrics && 'accuracy' in record.metrics ? record.metrics.accuracy : undefined;
      // @ts-expect-error: not an optimizer mlctl knows
      const wrong: Partial<TrainSettings> = { optimizer: 'adagrad' };
      export { accuracy, wrong };
    `;
    await writeFile(path.join(project, 'check.ts'), source);
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      'check.ts',
    ];
    const { stdout } = await run('node', [tsc, ...args], { cwd: project, env: cleanEnv() }).catch((e: { stdout: string }) => ({
      stdout: `FAILED\n${e.stdout}`,
    }));
    expect(stdout).toBe('');
  });
});
