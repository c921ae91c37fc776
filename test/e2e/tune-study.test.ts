/**
 * `mlctl tune --study` end to end on the run's real PostgreSQL server (one database per test):
 * three worker processes on one study run every fold job exactly once, publish exactly one
 * version, and give the same trials, scores, leaderboard and weights as one worker with the same
 * seed (and as a plain `tune` without a study); a worker SIGKILLed while it holds a job loses the
 * job to another worker once its lease runs out; a worker with another data file is refused;
 * `tune status` shows the workers and the leaderboard; --study on a folder registry is a usage error.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, spawnCli, type CliResult } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createTestDatabase, query } from '../helpers/pg.js';

let work: string;
const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { cwd: work, env, timeoutMs: 170_000 });

beforeAll(async () => {
  work = await makeTmpDir('mlctl-tune-study-');
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
  '--seed',
  '5',
  '--parallel',
  '1',
];
const noTimes = (trials: { ms: number; rungs: { ms: number }[] }[]) =>
  trials.map((t) => ({ ...t, ms: 0, rungs: t.rungs.map((r) => ({ ...r, ms: 0 })) }));
const shas = (record: { files: { sha256: string }[] }) => record.files.map((f) => f.sha256);

interface TaskRow {
  key: string;
  status: string;
  attempts: number;
  claimed_by: string | null;
  finished_by: string | null;
  stopped_early: boolean | null;
}
const tasksOf = (db: string, study: string) =>
  query<TaskRow>(
    db,
    `SELECT key, status, attempts, claimed_by, finished_by, (result ->> 'stoppedEarly')::boolean AS stopped_early
       FROM mlctl_study_tasks WHERE study = $1 ORDER BY key COLLATE "C"`,
    [study],
  );

/**
 * Every fold job a published search needed: each trial's folds at each rung it was scored at,
 * except a fold that early stopping ended at the previous rung (the search reuses that result).
 */
function expectedFoldKeys(search: { trials: { trial: number; rungs: { rung: number; folds: number[] }[] }[] }, tasks: TaskRow[]) {
  const stoppedEarly = new Set(tasks.filter((t) => t.stopped_early).map((t) => t.key));
  const keys: string[] = [];
  for (const t of search.trials) {
    t.rungs.forEach((r, i) => {
      r.folds.forEach((_, f) => {
        const prev = t.rungs[i - 1];
        if (!prev || !stoppedEarly.has(`fold/${t.trial}/${prev.rung}/${f}`)) keys.push(`fold/${t.trial}/${r.rung}/${f}`);
      });
    });
  }
  return keys.sort();
}

describe('mlctl tune --study (distributed search on a PostgreSQL registry)', () => {
  it('three workers: every fold job runs exactly once, one version is published, the same leaderboard as one worker', async () => {
    const db = await createTestDatabase('study_three');
    const three = await Promise.all([0, 1, 2].map(() => cli([...SEARCH, '--study', 'three', '--registry', db, '--json'])));
    for (const r of three) expect(r.code, r.stderr).toBe(0);
    const records = three.map((r) => r.json());
    // every worker reports the one published version
    expect(new Set(records.map((r) => `${r.model}/${r.version}`))).toEqual(new Set(['iris/1']));
    const versions = await query(db, 'SELECT model, version FROM mlctl_versions');
    expect(versions).toEqual([{ model: 'iris', version: 1 }]);
    const record = records[0];
    expect(record.search.study.name).toBe('three');
    const workers = await query<{ worker: string; tasks_done: number; state: string }>(
      db,
      'SELECT worker, tasks_done, state FROM mlctl_study_workers WHERE study = $1',
      ['three'],
    );
    expect(workers).toHaveLength(3);
    expect(workers.every((w) => w.state === 'done')).toBe(true);
    expect(workers.filter((w) => w.tasks_done > 0).length).toBeGreaterThanOrEqual(2);
    expect(record.search.study.workers.sort()).toEqual(
      workers
        .filter((w) => w.tasks_done > 0)
        .map((w) => w.worker)
        .sort(),
    );
    expect(workers.map((w) => w.worker)).toContain(record.search.study.publishedBy);
    // exactly once: every fold job the search needed is a task, done, claimed once; nothing else ran
    const tasks = await tasksOf(db, 'three');
    const folds = tasks.filter((t) => t.key !== 'publish');
    expect(folds.map((t) => t.key)).toEqual(expectedFoldKeys(record.search, tasks));
    expect(folds.every((t) => t.status === 'done' && t.attempts === 1)).toBe(true);
    expect(workers.reduce((a, w) => a + w.tasks_done, 0)).toBe(folds.length);
    const publish = tasks.find((t) => t.key === 'publish')!;
    expect(publish).toMatchObject({ status: 'done', attempts: 1, finished_by: record.search.study.publishedBy });
    // one worker, same seed, its own study: the same trials, scores, leaderboard and weights
    const one = await cli([...SEARCH, '--study', 'one', '--registry', db, '--json']);
    expect(one.code, one.stderr).toBe(0);
    const single = one.json();
    expect(single.version).toBe(2);
    expect(single.search.leaderboard).toEqual(record.search.leaderboard);
    expect(noTimes(single.search.trials)).toEqual(noTimes(record.search.trials));
    expect(single.search.winner).toEqual(record.search.winner);
    expect(shas(single)).toEqual(shas(record));
    // and the same as a search without a study on a folder registry
    const plain = await cli([...SEARCH, '--registry', 'reg-plain', '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(noTimes(plain.json().search.trials)).toEqual(noTimes(record.search.trials));
    expect(shas(plain.json())).toEqual(shas(record));

    // tune status from "another machine": the workers, the counts, the leaderboard
    const status = await cli(['tune', 'status', 'three', '--registry', db, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const st = status.json();
    expect(st.info.published).toMatchObject({ model: 'iris', version: 1 });
    expect(st.workers).toHaveLength(3);
    expect(st.tasks).toEqual({ pending: 0, running: 0, done: folds.length, expired: 0 });
    expect(st.snapshot.leaderboard.map((t: { trial: number }) => t.trial)).toEqual(record.search.leaderboard);
    const human = await cli(['tune', 'status', 'three', '--registry', db]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Study "three" → model iris: published iris v1');
    expect(human.stdout).toMatch(/TRIAL +RUNG · EPOCHS +accuracy \(mean ± std\)/);
    expect(human.stdout).toContain(`#${record.search.winner.trial} `);

    // a worker with another data file (one value changed) is refused, naming the difference; nothing is written
    const csv = (await readFile(path.join(work, 'iris.csv'), 'utf8')).split('\n');
    csv[1] = csv[1].replace(/^(\d)\.(\d)/, (_, a, b) => `${a}.${(Number(b) + 1) % 10}`);
    await mkdir(path.join(work, 'other'), { recursive: true });
    await writeFile(path.join(work, 'other', 'iris.csv'), csv.join('\n'));
    const refused = await cli([...SEARCH.map((a) => (a === 'iris.csv' ? 'other/iris.csv' : a)), '--study', 'three', '--registry', db]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(
      /error: Study "three" in postgres:\/\/\S+ is another search: the data file differs: \S*other\/iris\.csv here \(sha256 [0-9a-f]{12}…, 150 rows\)/,
    );
    expect(refused.stderr).not.toContain('mlctl_'); // a sentence, not an SQL error
    expect((await query(db, 'SELECT count(*)::int AS n FROM mlctl_study_workers WHERE study = $1', ['three']))[0].n).toBe(3);
    expect(await query(db, 'SELECT version FROM mlctl_versions WHERE model = $1 ORDER BY version', ['iris'])).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    // other settings are refused the same way
    const moreTrials = await cli([...SEARCH.map((a) => (a === '6' ? '7' : a)), '--study', 'three', '--registry', db]);
    expect(moreTrials.code).toBe(1);
    expect(moreTrials.stderr).toContain('trials: 7 here, 6 in the study');
  });

  it('a worker SIGKILLed while it holds a fold job: another worker runs that job once its lease runs out, and publishes', async () => {
    const db = await createTestDatabase('study_kill');
    const args = [...SEARCH, '--study', 'kill', '--registry', db, '--lease', '2s', '--json'];
    const victim = spawnCli(args, { cwd: work });
    victim.stdin!.end();
    const victimName = `${hostname()}:${victim.pid}`;
    const victimExit = new Promise<NodeJS.Signals | null>((resolve) => victim.on('close', (_c, signal) => resolve(signal)));
    // wait until the victim holds a job (having finished one, so it is well into the search)
    let held: TaskRow | undefined;
    const deadline = Date.now() + 120_000;
    while (!held && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const tasks = await tasksOf(db, 'kill').catch(() => [] as TaskRow[]);
      if (tasks.some((t) => t.finished_by === victimName)) {
        held = tasks.find((t) => t.key.startsWith('fold/') && t.status === 'running' && t.claimed_by === victimName);
      }
    }
    expect(held, 'the victim never held a job').toBeDefined();
    victim.kill('SIGKILL');
    expect(await victimExit).toBe('SIGKILL');

    const rescuer: CliResult = await cli(args);
    expect(rescuer.code, rescuer.stderr).toBe(0);
    const record = rescuer.json();
    const rescuerName = record.search.study.publishedBy;
    expect(rescuerName).not.toBe(victimName);
    const tasks = await tasksOf(db, 'kill');
    const again = tasks.find((t) => t.key === held!.key)!;
    expect(again).toMatchObject({ status: 'done', attempts: 2, finished_by: rescuerName });
    // nothing lost: every fold job of the published search is done
    expect(tasks.filter((t) => t.key !== 'publish').map((t) => t.key)).toEqual(expectedFoldKeys(record.search, tasks));
    expect(tasks.every((t) => t.status === 'done')).toBe(true);
    expect(await query(db, 'SELECT model, version FROM mlctl_versions')).toEqual([{ model: 'iris', version: 1 }]);
    expect(record.search.study.workers).toContain(victimName);
  });

  it('--study on a folder registry, or with --time-budget, is a usage error before any data is read', async () => {
    const folder = await cli([...SEARCH, '--study', 's', '--registry', 'reg-folder', '--json']);
    expect(folder.code).toBe(2);
    expect(folder.json().error.message).toMatch(/--study needs a PostgreSQL registry that every worker shares; \S+reg-folder is a folder/);
    const db = await createTestDatabase('study_usage');
    const budget = await cli([
      'tune',
      'iris.csv',
      '--target',
      'species',
      '--time-budget',
      '1m',
      '--study',
      's',
      '--registry',
      db,
      '--json',
    ]);
    expect(budget.code).toBe(2);
    expect(budget.json().error.message).toContain("A study's budget is --trials, not --time-budget");
    const missing = await cli(['tune', 'status', 'nope', '--registry', db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Study "nope" not found');
  });
});
