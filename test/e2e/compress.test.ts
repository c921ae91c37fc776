/**
 * `mlctl quantize`, `prune` and `export` through the built binary in a temp registry: results as
 * one JSON document and as short tables, chaining (prune → quantize → evaluate/predict, lineage
 * in `version list`, size and metric changes in `version diff`), export refusing a non-empty
 * folder, and every bad input of the issue with its message, its exit code and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createConvModelDir } from '../helpers/layer-models.js';

let work: string;
const cli = (args: string[]) => runCli(args, { cwd: work });

beforeAll(async () => {
  work = await makeTmpDir('mlctl-e2e-compress-');
  const trained = await cli(['train', 'iris', '--epochs', '40', '--patience', '0', '--backend', 'cpu', '--json']);
  expect(trained.code, trained.stderr).toBe(0);
  const conv = await createConvModelDir(path.join(work, 'conv-src'), 6);
  const imported = await cli(['import', conv.modelJsonPath, '--name', 'convnet', '--backend', 'cpu', '--json']);
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(async () => removeTmpDir(work));

const versionsOf = async (model: string) =>
  (await readdir(path.join(work, 'model-registry', model))).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(a) - Number(b));

describe('quantize, prune, export and chaining', () => {
  it('quantize --json: one JSON document with the new version, sizes and metric changes', async () => {
    const r = await cli(['quantize', 'iris', '--version', '1', '--dtype', 'uint8', '--backend', 'cpu', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ model: 'iris', version: 2, parent: 1, dtype: 'uint8', record: { operation: 'quantize', parent: 1 } });
    expect(out.weightBytes.ratio).toBeLessThanOrEqual(0.26);
    expect(out.evaluation.changes.map((c: { metric: string }) => c.metric)).toEqual(
      expect.arrayContaining(['accuracy', 'macroF1', 'f1[setosa]']),
    );
  });

  it('prune with fine-tuning prints a short table of per-layer sparsity, sizes and metric changes', async () => {
    const r = await cli(['prune', 'iris', '--version', '1', '--sparsity', '0.8', '--fine-tune-epochs', '3', '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/iris v3 published: v1 pruned to sparsity 0\.8 \(global\), fine-tuned 3 epochs \(constant\)/);
    const [, weights, zeros] = /all kernels\s+(\d+)\s+(\d+)\s+\d+\.\d%/.exec(r.stdout)!;
    expect(Number(zeros)).toBe(Math.round(0.8 * Number(weights)));
    expect(r.stdout).toMatch(/gzipped\s+/);
    expect(r.stdout).toMatch(/accuracy\s+\d\.\d{4}\s+\d\.\d{4}\s+[+-]\d\.\d{4}/);
  });

  it('pruned → quantized → evaluate and predict; version list shows the lineage, version diff the changes', async () => {
    const q = await cli(['quantize', 'iris', '--version', '3', '--dtype', 'uint8', '--backend', 'cpu', '--json']);
    expect(q.code, q.stderr).toBe(0);
    expect(q.json().version).toBe(4);
    const ev = await cli(['evaluate', 'iris', '--version', '4', '--backend', 'cpu', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.json().metrics.accuracy).toBe(q.json().record.metrics.accuracy);
    const rows = path.join(work, 'rows.csv');
    await writeFile(rows, 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n7.7,3.0,6.1,2.3\n');
    const pr = await cli(['predict', 'iris', '--version', '4', '--input', rows, '--backend', 'cpu', '--json']);
    expect(pr.code, pr.stderr).toBe(0);
    expect(pr.json().predictions).toHaveLength(2);

    const list = (await cli(['version', 'list', 'iris', '--json'])).json();
    const parents = Object.fromEntries(
      list.models[0].versions.map((v: { version: number; parent: number | null }) => [v.version, v.parent]),
    );
    expect(parents).toEqual({ 1: null, 2: 1, 3: 1, 4: 3 });
    const diff = (await cli(['version', 'diff', 'iris', '1', '4', '--json'])).json();
    const keys = diff.changes.map((c: { key: string }) => c.key);
    expect(keys).toEqual(expect.arrayContaining(['operation', 'size.bytes', 'size.gzipBytes', 'quantization.dtype']));
    expect(diff.changes.find((c: { key: string }) => c.key === 'size.gzipBytes').delta).toBeLessThan(0);
  });

  it('export writes the folder, refuses to overwrite it without --force (exit 1), replaces it with --force', async () => {
    const out = path.join(work, 'public', 'iris');
    const first = await cli(['export', 'iris', '--version', '4', '--out', out, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['group1-shard1of1.bin', 'model-card.md', 'model.json', 'signature.json']);
    const again = await cli(['export', 'iris', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*public\/iris is not empty; pass --force to replace it\./m);
    const forced = await cli(['export', 'iris', '--version', '1', '--out', out, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.json()).toMatchObject({ version: 1, replaced: true });
    expect(await readdir(path.join(work, 'public'))).toEqual(['iris']);
  });

  it('export loads no TensorFlow.js', async () => {
    const hook = path.join(work, 'hook.mjs');
    const log = path.join(work, 'modules.log');
    await writeFile(
      hook,
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`,
    );
    const register = path.join(work, 'register.mjs');
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(register).href, BIN, 'export', 'iris', '--out', path.join(work, 'notf'), '--json'],
      {
        cwd: work,
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const { readFile } = await import('node:fs/promises');
    const modules = (await readFile(log, 'utf8')).split('\n');
    expect(modules.some((m) => m.includes('lifecycle/export.js'))).toBe(true);
    expect(modules.filter((m) => m.includes('@tensorflow'))).toEqual([]);
  });
});

describe('bad input: a clear message, its exit code, nothing written', () => {
  const CASES: { title: string; model: string; args: string[]; exit: number; message: RegExp }[] = [
    {
      title: '--sparsity outside [0, 1)',
      model: 'iris',
      args: ['prune', 'iris', '--sparsity', '1.5'],
      exit: 2,
      message: /--sparsity.*expected a number in \[0, 1\), got "1\.5"/,
    },
    {
      title: 'a negative threshold',
      model: 'iris',
      args: ['prune', 'iris', '--threshold', '-0.1'],
      exit: 2,
      message: /--threshold.*expected a number ≥ 0, got "-0\.1"/,
    },
    {
      title: 'neither --sparsity nor --threshold',
      model: 'iris',
      args: ['prune', 'iris'],
      exit: 2,
      message: /Pass --sparsity <s> or --threshold <eps>/,
    },
    {
      title: 'an unknown dtype',
      model: 'iris',
      args: ['quantize', 'iris', '--dtype', 'int4'],
      exit: 2,
      message: /--dtype.*int4.*Allowed choices are uint8, uint16, float16/,
    },
    { title: 'no dtype', model: 'iris', args: ['quantize', 'iris'], exit: 2, message: /required option '--dtype <dtype>' not specified/ },
    {
      title: 'quantizing an already quantized version to a wider dtype',
      model: 'iris',
      args: ['quantize', 'iris', '--version', '2', '--dtype', 'float16'],
      exit: 2,
      message:
        /iris v2 is already quantized: weight "dense_1\/kernel" is stored as uint8, narrower than float16\. .*quantize the float32 parent \(v1\)/,
    },
    {
      title: 'fine-tuning with no reachable training data',
      model: 'convnet',
      args: ['prune', 'convnet', '--sparsity', '0.5', '--fine-tune-epochs', '3'],
      exit: 2,
      message: /convnet v1 was imported without training data, so there is nothing to fine-tune it on\. Pass --data <train\.csv>/,
    },
    {
      title: '--skip naming no layer',
      model: 'iris',
      args: ['quantize', 'iris', '--dtype', 'uint8', '--skip', 'dense_1,nope'],
      exit: 2,
      message: /--skip names no layer with weights: "nope"\. Layers with weights: dense_1, dense_2/,
    },
    {
      title: '--step with float16',
      model: 'iris',
      args: ['quantize', 'iris', '--dtype', 'float16', '--step', '0.01'],
      exit: 2,
      message: /--step applies to --dtype uint8 or uint16/,
    },
    { title: '--out missing', model: 'iris', args: ['export', 'iris'], exit: 2, message: /required option '--out <dir>' not specified/ },
  ];

  it.each(CASES)('$title', async ({ model, args, exit, message }) => {
    const before = await versionsOf(model);
    const human = await cli([...args, '--backend', 'cpu']);
    expect(human.code).toBe(exit);
    expect(human.stderr).toMatch(message);
    expect(human.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(human.stdout).toBe('');
    const json = await cli([...args, '--json']);
    expect(json.code).toBe(exit);
    expect(json.json().error.code).toBe('USAGE');
    expect(await versionsOf(model)).toEqual(before);
    expect((await readdir(path.join(work, 'model-registry', model))).filter((d) => d.startsWith('.staging'))).toEqual([]);
  });
});
