/**
 * The study store (tune --study) against the run's real PostgreSQL server: create-or-join with a
 * refusal naming what differs; concurrent claims from several workers never hand out one task
 * twice (FOR UPDATE SKIP LOCKED); a lease that runs out makes a task claimable by another worker
 * but not by its own holder; a heartbeat keeps it; the first result stored wins; released tasks
 * go back at once; the most complete snapshot is kept; one version per study.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgRegistry } from '../../../src/registry/postgres/pg-registry.js';
import { canonicalJson } from '../../../src/registry/postgres/study-store.js';
import type { StudySpec, StudyStore } from '../../../src/registry/store.js';
import { createTestDatabase, query } from '../../helpers/pg.js';

let url: string;
let registry: PgRegistry;
let studies: StudyStore;

beforeAll(async () => {
  url = await createTestDatabase('studies');
  registry = new PgRegistry(url, { poolSize: 8 });
  studies = registry.studies();
});
afterAll(async () => registry.close());

const spec = (name: string, over: Partial<StudySpec> = {}): StudySpec => ({
  name,
  model: 'iris',
  settings: { trials: 6, folds: 3, metric: 'accuracy', space: { epochs: { min: 4, max: 36 } } },
  data: { path: 'iris.csv', sha256: 'a'.repeat(64), rows: 150 },
  fingerprint: 'f'.repeat(64),
  ...over,
});
const tasks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `fold/${i + 1}/0/0`, rung: 0, trial: i + 1, fold: 0, job: { kind: 'fold', trial: i + 1 } }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL study store', () => {
  it('creates a study, joins it when everything matches, refuses naming what differs', async () => {
    expect((await studies.openStudy(spec('s1'), { id: 'w1', parallel: 1 })).created).toBe(true);
    // jsonb reorders keys: the comparison does not care
    const reordered = spec('s1', { settings: { space: { epochs: { max: 36, min: 4 } }, metric: 'accuracy', folds: 3, trials: 6 } });
    expect((await studies.openStudy(reordered, { id: 'w2', parallel: 2 })).created).toBe(false);
    const differs = await studies
      .openStudy(
        spec('s1', { data: { path: 'copy.csv', sha256: 'b'.repeat(64), rows: 149 }, settings: { ...spec('s1').settings, trials: 7 } }),
        {
          id: 'w3',
          parallel: 1,
        },
      )
      .catch((e) => e);
    expect(differs.code).toBe('CONFLICT');
    expect(differs.message).toContain('the data file differs: copy.csv here (sha256 bbbbbbbbbbbb…, 149 rows), iris.csv in the study');
    expect(differs.message).toContain('trials: 7 here, 6 in the study');
    const fingerprint = await studies.openStudy(spec('s1', { fingerprint: '0'.repeat(64) }), { id: 'w3', parallel: 1 }).catch((e) => e);
    expect(fingerprint.message).toContain('the encoded training data differs');
    // the refused worker is not one of the study's workers
    expect((await studies.progress('s1'))!.workers.map((w) => w.worker)).toEqual(['w1', 'w2']);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('concurrent claims never hand out one task twice, and every task is handed out', async () => {
    await studies.openStudy(spec('race'), { id: 'w0', parallel: 1 });
    await Promise.all([studies.addTasks('race', tasks(40)), studies.addTasks('race', tasks(40))]); // every worker adds the same rows
    const claimed: string[][] = [[], [], [], []];
    await Promise.all(
      claimed.map(async (mine, w) => {
        for (let t = await studies.claimTask('race', `w${w}`, 60_000); t; t = await studies.claimTask('race', `w${w}`, 60_000))
          mine.push(t.key);
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
    const rows = await query(
      url,
      `SELECT count(*)::int AS n FROM mlctl_study_tasks WHERE study = 'race' AND attempts = 1 AND status = 'running'`,
    );
    expect(rows[0].n).toBe(40);
  });

  it('an expired lease makes the task claimable by another worker (not its holder); a heartbeat keeps it; the first result wins', async () => {
    await studies.openStudy(spec('lease'), { id: 'a', parallel: 1 });
    await studies.openStudy(spec('lease'), { id: 'b', parallel: 1 });
    await studies.addTasks('lease', tasks(2));
    // a 2 s lease, with the waits well inside and well past it (the database's clock decides)
    const first = (await studies.claimTask('lease', 'a', 2000))!;
    const second = (await studies.claimTask('lease', 'a', 2000))!;
    expect([first.key, second.key]).toEqual(['fold/1/0/0', 'fold/2/0/0']);
    expect(await studies.claimTask('lease', 'b', 2000)).toBeNull();
    await sleep(1200);
    await studies.heartbeat('lease', 'a', 2000); // renews both
    await sleep(1200);
    expect(await studies.claimTask('lease', 'b', 2000)).toBeNull(); // 2.4 s after the claim, 1.2 s after the beat
    await sleep(1200);
    expect(await studies.claimTask('lease', 'a', 2000)).toBeNull(); // its own expired task: it is still running it here
    const taken = (await studies.claimTask('lease', 'b', 60_000))!;
    expect(taken).toMatchObject({ key: 'fold/1/0/0', attempts: 2 });
    await studies.finishTask('lease', 'b', taken.key, { score: 1 });
    await studies.finishTask('lease', 'a', taken.key, { score: 2 }); // the late one is dropped
    expect([...(await studies.results('lease', [taken.key, 'fold/2/0/0']))]).toEqual([[taken.key, { score: 1 }]]);
    const row = (await query(url, `SELECT finished_by FROM mlctl_study_tasks WHERE study = 'lease' AND key = $1`, [taken.key]))[0];
    expect(row.finished_by).toBe('b');
    // a stopped worker gives its tasks back at once
    await studies.releaseTasks('lease', 'a');
    expect((await studies.claimTask('lease', 'c', 60_000))!.key).toBe('fold/2/0/0');
    const progress = (await studies.progress('lease'))!;
    expect(progress.tasks).toEqual({ pending: 0, running: 1, done: 1, expired: 0 });
    expect(progress.workers.find((w) => w.worker === 'b')!.tasksDone).toBe(1);
  });

  it('keeps the most complete snapshot; the publish task is claimed once; the database refuses a second version of one study', async () => {
    await studies.openStudy(spec('pub'), { id: 'a', parallel: 1 });
    await studies.writeSnapshot('pub', 5, { leaderboard: ['five'] });
    await studies.writeSnapshot('pub', 3, { leaderboard: ['three'] }); // a worker that lags behind
    expect((await studies.readStudy('pub'))!.snapshot).toEqual({ leaderboard: ['five'], done: 5 });
    await studies.addTasks('pub', [{ key: 'publish', rung: 1_000_000, trial: 0, fold: 0, job: {} }]);
    expect(await studies.claimTask('pub', 'a', 60_000)).toBeNull(); // fold claims never take it
    const claims = await Promise.all(['a', 'b', 'c'].map((w) => studies.claimTask('pub', w, 60_000, 'publish')));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const record = (n: number) => ({
      writeFiles: async () => undefined,
      buildRecord: (version: number) =>
        ({ model: 'iris', version, operation: 'tune', search: { study: { name: 'pub', workers: [], publishedBy: `w${n}` } } }) as any,
    });
    const one = await registry.publishVersion('iris', record(1));
    const two = await registry.publishVersion('iris', record(2)).catch((e) => e);
    expect(two.message).toMatch(/mlctl_versions_one_per_study|23505/);
    expect(await registry.listVersions('iris')).toEqual([one.version]);
    // a publisher that died before markPublished: the study still knows its version
    expect((await studies.readStudy('pub'))!.published).toMatchObject({ model: 'iris', version: one.version });
    await studies.markPublished('pub', 'a', 'iris', one.version);
    expect((await studies.readStudy('pub'))!.published).toMatchObject({ model: 'iris', version: one.version });
  });
});
