/**
 * `mlctl tune` end to end (the built binary, worker threads for real): the same search with
 * --parallel 1 and --parallel 2 gives the same leaderboard, scores and weight checksums; the
 * ensemble version is evaluated, predicted and shown like any other; Ctrl-C (SIGINT) stops the
 * search, prints the best so far, exits 130 and publishes nothing; bad flags exit 2 with one
 * JSON error document and write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, runCli, spawnCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
const cli = (args: string[], timeoutMs = 120_000) => runCli(args, { cwd: work, timeoutMs });

beforeAll(async () => {
  work = await makeTmpDir('mlctl-tune-e2e-');
  await copyFile(path.join(REPO_ROOT, 'test/fixtures/ds-iris.csv'), path.join(work, 'iris.csv'));
  await writeFile(
    path.join(work, 'small.json'),
    JSON.stringify({ epochs: { min: 4, max: 36 }, hidden: { layers: [0, 1], width: [8, 16] } }),
  );
});
afterAll(() => removeTmpDir(work));

const SEARCH = [
  'tune',
  'iris.csv',
  '--target',
  'species',
  '--trials',
  '6',
  '--folds',
  '3',
  '--space',
  'small.json',
  '--ensemble',
  '2',
  '--seed',
  '5',
];
const noTimes = (trials: { ms: number; rungs: { ms: number }[] }[]) =>
  trials.map((t) => ({ ...t, ms: 0, rungs: t.rungs.map((r) => ({ ...r, ms: 0 })) }));

describe('mlctl tune', () => {
  it('gives the same trials, scores and weights with --parallel 1 and --parallel 2; the ensemble works like any version', async () => {
    const [one, two] = await Promise.all([
      cli([...SEARCH, '--parallel', '1', '--registry', 'reg-p1', '--json']),
      cli([...SEARCH, '--parallel', '2', '--registry', 'reg-p2', '--json']),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = one.json();
    const b = two.json();
    expect(a.operation).toBe('tune');
    expect(a.search.budget.parallel).toBe(1);
    expect(b.search.budget.parallel).toBe(2);
    expect(b.search.leaderboard).toEqual(a.search.leaderboard);
    expect(noTimes(b.search.trials)).toEqual(noTimes(a.search.trials));
    expect(b.search.ensemble).toEqual(a.search.ensemble);
    expect(b.files.map((f: { sha256: string }) => f.sha256)).toEqual(a.files.map((f: { sha256: string }) => f.sha256));
    expect(b.metrics).toEqual(a.metrics);
    expect(a.search.ensemble).toHaveLength(2);

    // the ensemble version: evaluate, predict and show as usual
    const evaluated = await cli(['evaluate', 'iris', '--registry', 'reg-p2', '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.json().metrics.accuracy).toBeCloseTo(a.metrics.accuracy, 10);
    const predicted = await cli(['predict', 'iris', '--input', 'iris.csv', '--format', 'json', '--registry', 'reg-p2', '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const shown = await cli(['version', 'show', 'iris', '--registry', 'reg-p2']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('search (accuracy, successive-halving)');
    expect(shown.stdout).toMatch(/ensemble +2 models averaged/);
  });

  it('Ctrl-C stops the search, prints the best so far, exits 130 and publishes nothing', async () => {
    const child = spawnCli(
      [
        'tune',
        'iris.csv',
        '--target',
        'species',
        '--trials',
        '60',
        '--folds',
        '3',
        '--space',
        'small.json',
        '--parallel',
        '2',
        '--registry',
        'reg-int',
      ],
      { cwd: work },
    );
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // once a trial has a score: stop it
      if (!sent && /trial \d+ rung 1\//.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    expect(sent, stderr).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('best so far (nothing was published)');
    expect(stderr).toMatch(
      /error: Stopped during the search; nothing was published\. Best so far \(\d+ trials? scored\): trial \d+, accuracy/,
    );
    expect(stdout).toBe('');
    expect(existsSync(path.join(work, 'reg-int', 'iris'))).toBe(false);
  });

  it.each([
    [['--parallel', '0'], /--parallel.*0.*positive integer/],
    [['--metric', 'r2'], /--metric r2 does not fit a classification target \("species"\)/],
    [['--space', 'bad.json'], /bad\.json: "dropout\[1\]" expected a number in \[0, 1\), got 1\.5/],
    [['--time-budget', '10x'], /--time-budget.*expected a duration/],
    [['--trials', '2', '--ensemble', '3'], /--ensemble 3 needs at least 3 trials/],
  ])('bad input %j: exit 2, one JSON error, nothing written', async (args, message) => {
    await writeFile(path.join(work, 'bad.json'), '{"dropout": [0, 1.5]}');
    const r = await cli(['tune', 'iris.csv', '--target', 'species', '--registry', 'reg-bad', '--json', ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.json().error.message).toMatch(message);
    expect(existsSync(path.join(work, 'reg-bad'))).toBe(false);
  });
});
