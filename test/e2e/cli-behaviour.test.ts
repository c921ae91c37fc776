/**
 * Issue 7, CLI items 7-12, end to end through the built CLI: checks before work, closed pipes,
 * config and environment gates, global options and help paths, verify / locks / moved projects,
 * and readable output. Each item's exact message and exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, cleanEnv, runCli, spawnCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
const cli = (args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}) =>
  runCli(args, { cwd: options.cwd ?? work, input: options.input, env: options.env });
const reg = (...args: string[]) => [...args, '--backend', 'cpu'];
const errorOf = (r: { json(): { error: { code: string; message: string; hint?: string } } }) => r.json().error;
const warnings = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('warning: '))
    .map((l) => l.slice('warning: '.length));
const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

/** Run a shell pipeline (bash), returning stdout, stderr and the first command's status. */
function pipeline(command: string): Promise<{ stdout: string; stderr: string; status: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `${command}; echo "status=\${PIPESTATUS[0]}" >&2`], { cwd: work, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      const m = /status=(\d+)\n?$/.exec(stderr);
      resolve({ stdout, stderr: stderr.replace(/status=\d+\n?$/, ''), status: m ? Number(m[1]) : -1 });
    });
  });
}

beforeAll(async () => {
  work = await makeTmpDir();
  const iris = await cli(reg('train', 'iris', '--epochs', '2', '--json'));
  expect(iris.code, iris.stderr).toBe(0);
  const diabetes = await cli(reg('train', 'diabetes', '--epochs', '2', '--json'));
  expect(diabetes.code, diabetes.stderr).toBe(0);
  await writeFile(path.join(work, 'rows.csv'), 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.1,5.6,2.4\n');
});
afterAll(async () => removeTmpDir(work));

describe('7. checks before work; only real bugs say "this is a bug"', () => {
  it('train refuses a registry that is not a writable folder before it trains (exit 2)', async () => {
    await writeFile(path.join(work, 'afile'), 'x');
    const r = await cli(reg('train', 'iris', '--registry', 'afile', '--json'));
    expect(r.code).toBe(2);
    expect(errorOf(r)).toEqual({
      code: 'USAGE',
      message: `The registry ${path.join(work, 'afile')} is not a directory.`,
      hint: 'Pass --registry <dir> (or set MLCTL_REGISTRY, or "registry" in the config) naming a folder you can write to.',
    });
    const nested = await cli(reg('train', 'iris', '--registry', 'afile/reg', '--json'));
    expect(errorOf(nested).message).toBe(
      `The registry ${path.join(work, 'afile/reg')} cannot be created: ${path.join(work, 'afile')} is not a directory.`,
    );
  });

  it('predict refuses --output into a missing folder and --output equal to --input (exit 2), input untouched', async () => {
    const missing = await cli(reg('predict', 'iris', '--input', 'rows.csv', '--output', 'nodir/out.csv', '--json'));
    expect(missing.code).toBe(2);
    expect(errorOf(missing)).toMatchObject({
      code: 'USAGE',
      message: '--output nodir/out.csv: the folder nodir does not exist.',
      hint: 'Create it first (mkdir -p nodir) or write somewhere else.',
    });
    const before = await readFile(path.join(work, 'rows.csv'), 'utf8');
    const same = await cli(reg('predict', 'iris', '--input', 'rows.csv', '--output', './rows.csv', '--json'));
    expect(same.code).toBe(2);
    expect(errorOf(same).message).toBe('--output ./rows.csv is the input file; writing there would overwrite the rows being predicted.');
    expect(await readFile(path.join(work, 'rows.csv'), 'utf8')).toBe(before);
  });

  it('a huge --hidden is a usage error with the limit, not a crash or "this is a bug"', async () => {
    const r = await cli(reg('train', 'iris', '--hidden', '100000000', '--json'));
    expect(r.code).toBe(2);
    expect(errorOf(r)).toEqual({
      code: 'USAGE',
      message: 'Hidden layers 100000000 would give a model with 800,000,003 weights; the limit is 10,000,000.',
      hint: 'Use smaller layers, e.g. --hidden 64,64.',
    });
  });
});

describe('8. a closed pipe ends quietly with status 0', () => {
  it('predict | head -1 and train --help | head -1', async () => {
    const rows = lines(30000, () => '5.1,3.5,1.4,0.2');
    await writeFile(path.join(work, 'many.csv'), `sepal_length,sepal_width,petal_length,petal_width\n${rows}\n`);
    const node = JSON.stringify(process.execPath);
    const bin = JSON.stringify(BIN);
    const predict = await pipeline(`${node} ${bin} predict iris --input many.csv --backend cpu | head -1`);
    expect(predict).toEqual({ stdout: 'label,p_setosa,p_versicolor,p_virginica\n', stderr: '', status: 0 });
    const help = await pipeline(`${node} ${bin} train --help | head -1`);
    expect(help).toEqual({ stdout: 'Usage: mlctl train [options] <source>\n', stderr: '', status: 0 });
  });
});

describe('9. config and environment gates; retargeted templates; MLCTL_TARGET and MLCTL_NAME', () => {
  it('a classification gate from the config or MLCTL_* is skipped with a note on a regression model; as a flag it is an error', async () => {
    const dir = path.join(work, 'cfg');
    await mkdir(dir);
    await writeFile(path.join(dir, 'mlctl.config.json'), JSON.stringify({ registry: '../model-registry', evaluate: { minAccuracy: 0.9 } }));
    const fromConfig = await cli(reg('evaluate', 'diabetes', '--json'), { cwd: dir });
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    const note =
      'Skipped the --min-accuracy gate (from "minAccuracy" in the config): it applies to classification models and this one is a regression model.';
    expect(warnings(fromConfig.stderr)).toEqual([note]);
    expect(fromConfig.json()).toMatchObject({ gates: [], passed: true, warnings: [note] });
    const fromEnv = await cli(reg('evaluate', 'diabetes', '--json'), { env: { MLCTL_MIN_F1: '0.5' } });
    expect(fromEnv.code).toBe(0);
    expect(warnings(fromEnv.stderr)).toEqual([
      'Skipped the --min-f1 gate (from MLCTL_MIN_F1): it applies to classification models and this one is a regression model.',
    ]);
    const flag = await cli(reg('evaluate', 'diabetes', '--min-accuracy', '0.9', '--json'));
    expect(flag.code).toBe(2);
    expect(errorOf(flag).message).toBe('--min-accuracy applies to classification models; this one is a regression model.');
  });

  it('--target on a template re-infers the task unless --task is given; MLCTL_TARGET and MLCTL_NAME work', async () => {
    const retarget = await cli(reg('train', 'iris', '--target', 'petal_width', '--name', 'iris-width', '--epochs', '1', '--json'));
    expect(retarget.code, retarget.stderr).toBe(0);
    expect(retarget.json().target).toMatchObject({ name: 'petal_width', task: 'regression' });
    const forced = await cli(
      reg('train', 'iris', '--target', 'petal_width', '--task', 'classification', '--name', 'iris-width', '--epochs', '1', '--json'),
    );
    expect(forced.json().target.task).toBe('classification');
    await writeFile(path.join(work, 'env.csv'), `a,b,y\n${lines(40, (i) => `${(i * 7) % 11},${i % 5},${i % 2 ? 'p' : 'q'}`)}\n`);
    const env = await cli(reg('train', 'env.csv', '--epochs', '1', '--json'), { env: { MLCTL_TARGET: 'y', MLCTL_NAME: 'from-env' } });
    expect(env.code, env.stderr).toBe(0);
    expect(env.json()).toMatchObject({ model: 'from-env', target: { name: 'y' } });
  });
});

describe('10. global options anywhere, help paths, version show N, bad --hidden', () => {
  it('takes global options before the subcommand and between "version" and its subcommand', async () => {
    const before = await cli(['--registry', 'model-registry', '--json', '--backend', 'cpu', 'version', 'list']);
    expect(before.code, before.stderr).toBe(0);
    expect(before.json().models.map((m: { name: string }) => m.name)).toContain('iris');
    const between = await cli(['version', '--json', '--registry', 'model-registry', 'list']);
    expect(between.code, between.stderr).toBe(0);
    expect(between.json()).toEqual(before.json());
  });

  it('"mlctl --json" alone is a real error; "mlctl help version list" shows list\'s help', async () => {
    const none = await cli(['--json']);
    expect(none.code).toBe(2);
    expect(errorOf(none)).toEqual({ code: 'USAGE', message: 'No command given.', hint: 'Run "mlctl --help" for the list of commands.' });
    const group = await cli(['version', '--json']);
    expect(errorOf(group).message).toBe('"mlctl version" needs a subcommand: list, show, diff, alias, unalias, rm, verify.');
    const help = await cli(['help', 'version', 'list']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: mlctl version list|ls [options] [model]');
  });

  it('"version show 2" with one model means its version 2; --hidden 64,,64 is an error', async () => {
    const one = path.join(work, 'one');
    await mkdir(one);
    for (let i = 0; i < 2; i++) expect((await cli(reg('train', 'iris', '--epochs', '1'), { cwd: one })).code).toBe(0);
    const show = await cli(['version', 'show', '2', '--json'], { cwd: one });
    expect(show.code, show.stderr).toBe(0);
    expect(show.json().record).toMatchObject({ model: 'iris', version: 2 });
    const bad = await cli(reg('train', 'iris', '--hidden', '64,,64', '--json'));
    expect(bad.code).toBe(2);
    expect(errorOf(bad).message).toBe(
      `option '--hidden <sizes>' argument '64,,64' is invalid. expected layer sizes like 64,64 (or none), got "64,,64".`,
    );
  });
});

describe('11. verify, locks, moved projects', () => {
  it('verify reports a numbered folder without a record and an alias to a missing version; --clean removes neither', async () => {
    const dir = path.join(work, 'model-registry', 'iris');
    await mkdir(path.join(dir, '7'));
    await writeFile(path.join(dir, 'aliases.json'), JSON.stringify({ production: 9 }));
    const r = await cli(reg('version', 'verify', 'iris', '--no-load', '--clean', '--json'));
    expect(r.code).toBe(1);
    expect(r.json().problems).toEqual([
      {
        model: 'iris',
        version: 7,
        file: null,
        problem: 'no-record',
        message: 'folder 7 has no version record (mlctl.json); it is not a version. Remove it, or restore its record.',
      },
      {
        model: 'iris',
        version: 9,
        file: null,
        problem: 'alias',
        message:
          'alias "production" points to v9, which does not exist. Move it with "mlctl version alias iris production <n> --force" or remove it with "mlctl version unalias iris production".',
      },
    ]);
    const human = await cli(reg('version', 'verify', 'iris', '--no-load'));
    expect(human.stderr).toBe(
      'error: Verification failed: 2 problems found. See the list above; restore the files or remove the broken versions.\n',
    );
    expect(await readFile(path.join(dir, 'aliases.json'), 'utf8')).toBe('{"production":9}');
    await rm(path.join(dir, '7'), { recursive: true });
    await rm(path.join(dir, 'aliases.json'));
  });

  it('a writer waiting on a lock says whose lock it is and for how long, then proceeds', async () => {
    const dir = path.join(work, 'model-registry', 'iris');
    await mkdir(path.join(dir, '.lock'));
    const since = new Date(Date.now() - 12_000).toISOString();
    await writeFile(path.join(dir, '.lock.owner.json'), JSON.stringify({ pid: 4242, host: 'build-7', command: 'mlctl train iris', since }));
    const child = spawnCli(['version', 'alias', 'iris', 'staging', '1'], { cwd: work });
    let stderr = '';
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no wait message; stderr: ${stderr}`)), 20_000);
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('waiting for it')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.stdin!.end();
    await rm(path.join(dir, '.lock'), { recursive: true });
    expect(await done).toBe(0);
    expect(stderr).toMatch(
      /^warning: Model "iris" is locked by pid 4242 on build-7 \(mlctl train iris\), for 1[2-9] s; waiting for it…\n$/,
    );
  });

  it('stores the training data relative to the project, so a moved project still evaluates; a missing file suggests --data', async () => {
    const project = path.join(work, 'proj');
    await mkdir(path.join(project, 'data'), { recursive: true });
    await writeFile(path.join(project, 'data', 'd.csv'), `a,b,y\n${lines(60, (i) => `${(i * 7) % 11},${i % 5},${i % 2 ? 'p' : 'q'}`)}\n`);
    const t = await cli(reg('train', 'data/d.csv', '--target', 'y', '--epochs', '1', '--json'), { cwd: project });
    expect(t.code, t.stderr).toBe(0);
    expect(t.json().dataset.path).toBe('<project>/data/d.csv');
    const moved = path.join(work, 'moved');
    await rename(project, moved);
    const e = await cli(reg('evaluate', 'd', '--json'), { cwd: moved });
    expect(e.code, e.stderr).toBe(0);
    expect(e.json().data.path).toBe(path.join(moved, 'data', 'd.csv'));
    await rm(path.join(moved, 'data', 'd.csv'));
    const gone = await cli(reg('evaluate', 'd', '--json'), { cwd: moved });
    expect(gone.code).toBe(1);
    expect(errorOf(gone)).toEqual({
      code: 'NOT_FOUND',
      message: `The training data of d v1, ${path.join(moved, 'data', 'd.csv')}, is missing, so its stored test split cannot be re-read.`,
      hint: 'Restore the file (or the project folder around the registry), or evaluate on labelled data with --data <file.csv>.',
    });
  });
});

describe('12. readable output', () => {
  it('version show keeps every label apart from its value', async () => {
    const r = await cli(['version', 'show', 'iris', '1']);
    expect(r.code, r.stderr).toBe(0);
    const body = r.stdout
      .split('\n\nfiles')[0]
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '' && !/^(metrics|hyperparameters)/.test(l));
    for (const line of body) expect(line, line).toMatch(/^\s*[a-zA-Z][\w /]*\S {2,}\S/);
    expect(r.stdout).toMatch(/\n {2}validationSplit {2}0\.1000\n/);
  });

  it('version diff shows per-class metrics as a sub-table and the signature changes', async () => {
    const other = await cli(reg('train', 'iris', '--features', 'sepal_length,sepal_width,petal_length', '--epochs', '3', '--seed', '5'));
    expect(other.code, other.stderr).toBe(0);
    const versions = (await cli(['version', 'list', 'iris', '--json'])).json().models[0].versions;
    const last = versions[versions.length - 1].version;
    const r = await cli(['version', 'diff', 'iris', '1', String(last)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/"precision"/);
    expect(r.stdout).toMatch(/\nper class \(test split\)\nCLASS +PRECISION +RECALL +F1 +SUPPORT *\nsetosa +/);
    expect(r.stdout).toMatch(/\ninput features\nCHANGE +FEATURE +TYPE *\n- dropped +petal_width/);
    const json = await cli(['version', 'diff', 'iris', '1', String(last), '--json']);
    expect(json.json().signature).toEqual({ added: [], dropped: ['petal_width'], retyped: [] });
  });

  it('names models after files with accents transliterated; counts in the singular; config errors give line and column', async () => {
    await writeFile(path.join(work, 'données_été.csv'), `a,b,y\n${lines(40, (i) => `${(i * 7) % 11},${i % 5},${i % 2 ? 'p' : 'q'}`)}\n`);
    const t = await cli(reg('train', 'données_été.csv', '--target', 'y', '--epochs', '1', '--json'));
    expect(t.code, t.stderr).toBe(0);
    expect(t.json().model).toBe('donnees-ete');
    await writeFile(path.join(work, 'one.csv'), 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n');
    const one = await cli(reg('predict', 'iris', '--version', '1', '--input', 'one.csv', '--output', 'one-out.csv'));
    expect(one.stdout).toBe(`✔ 1 prediction from iris v1 written to one-out.csv\n`);
    const bad = path.join(work, 'badcfg');
    await mkdir(bad);
    await writeFile(path.join(bad, 'mlctl.config.json'), '{\n  "registry": "r",\n  "train": { "epochs": 5,, }\n}\n');
    const r = await cli(['version', 'list', '--json'], { cwd: bad });
    expect(r.code).toBe(2);
    expect(errorOf(r).message).toBe(
      `Config file ${path.join(bad, 'mlctl.config.json')} could not be read: invalid JSON at line 3, column 26: Expected double-quoted property name.`,
    );
  });
});
