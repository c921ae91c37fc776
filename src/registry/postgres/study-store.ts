/**
 * The SQL of distributed tune studies (migration 4: mlctl_studies, mlctl_study_workers,
 * mlctl_study_tasks). Optuna's distributed mode with mlctl's registry database as the storage:
 *
 * - a study row holds what every worker must agree on (settings, data sha256, fingerprint of the
 *   encoded folds); opening it creates it or, when everything matches, joins it; a mismatch is a
 *   CONFLICT naming what differs;
 * - a task is one fold of one trial at one rung (and one 'publish' task per study); every worker
 *   inserts the tasks of the rung it reached (ON CONFLICT DO NOTHING: the same rows), then claims
 *   one at a time with `FOR UPDATE SKIP LOCKED`, so two workers never get the same task;
 * - a claim is a lease (`lease_until`, the database's clock) that the worker renews while the task
 *   runs; a task whose lease ran out (its worker died) is claimable again: none is lost;
 * - the first result stored wins (a late one from a worker that lost its lease is dropped: the
 *   results are deterministic, so it would be the same anyway).
 */
import type pg from 'pg';
import { MlctlError } from '../../errors.js';
import type { StudyInfo, StudyProgress, StudySpec, StudyStore, StudyTask, StudyWorker } from '../store.js';

type Run = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

/** JSON with sorted keys: jsonb does not keep the order keys were written in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const short = (v: unknown): string => {
  const text = canonicalJson(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/** What differs between a worker's spec and the study's, one phrase each ([] = the same study). */
export function studyDifferences(mine: StudySpec, theirs: StudySpec): string[] {
  const out: string[] = [];
  if (mine.data.sha256 !== theirs.data.sha256) {
    out.push(
      `the data file differs: ${mine.data.path} here (sha256 ${mine.data.sha256.slice(0, 12)}…, ${mine.data.rows} rows), ` +
        `${theirs.data.path} in the study (sha256 ${theirs.data.sha256.slice(0, 12)}…, ${theirs.data.rows} rows)`,
    );
  }
  if (mine.model !== theirs.model) out.push(`model: "${mine.model}" here, "${theirs.model}" in the study`);
  const keys = [...new Set([...Object.keys(mine.settings), ...Object.keys(theirs.settings)])].sort();
  for (const k of keys) {
    if (canonicalJson(mine.settings[k]) !== canonicalJson(theirs.settings[k])) {
      out.push(`${k}: ${short(mine.settings[k])} here, ${short(theirs.settings[k])} in the study`);
    }
  }
  if (out.length === 0 && mine.fingerprint !== theirs.fingerprint) {
    out.push(
      `the encoded training data differs (fingerprint ${mine.fingerprint.slice(0, 12)}… here, ${theirs.fingerprint.slice(0, 12)}… in the study)`,
    );
  }
  return out;
}

interface StudyRow {
  name: string;
  model: string;
  settings: Record<string, unknown>;
  data: StudySpec['data'];
  fingerprint: string;
  snapshot: unknown;
  published_version: number | null;
  created_at: Date;
  created_by: string;
  published_at: Date | null;
}

function toInfo(r: StudyRow): StudyInfo {
  return {
    name: r.name,
    model: r.model,
    settings: r.settings,
    data: r.data,
    fingerprint: r.fingerprint,
    snapshot: r.snapshot,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    published:
      r.published_version === null
        ? null
        : { model: r.model, version: r.published_version, at: (r.published_at ?? r.created_at).toISOString() },
  };
}

const LEASE = `now() + ($3::double precision * interval '1 millisecond')`;

export class PgStudyStore implements StudyStore {
  constructor(
    private readonly run: Run,
    private readonly transaction: Run,
    private readonly location: string,
  ) {}

  async openStudy(spec: StudySpec, worker: { id: string; parallel: number }): Promise<{ created: boolean; info: StudyInfo }> {
    return this.transaction(async (c) => {
      const inserted = await c.query(
        `INSERT INTO mlctl_studies (name, model, settings, data, fingerprint, created_by)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6) ON CONFLICT (name) DO NOTHING`,
        [spec.name, spec.model, JSON.stringify(spec.settings), JSON.stringify(spec.data), spec.fingerprint, worker.id],
      );
      const row = (await c.query<StudyRow>('SELECT * FROM mlctl_studies WHERE name = $1 FOR SHARE', [spec.name])).rows[0];
      const info = toInfo(row);
      const differences = studyDifferences(spec, info);
      if (differences.length > 0) {
        throw new MlctlError('CONFLICT', `Study "${spec.name}" in ${this.location} is another search: ${differences.join('; ')}.`, {
          hint: `Run the study's own command on the same data file (see "mlctl tune status ${spec.name}"), or pick a new --study name.`,
          details: { study: spec.name, differences },
        });
      }
      await c.query(
        `INSERT INTO mlctl_study_workers (study, worker, parallel) VALUES ($1, $2, $3)
         ON CONFLICT (study, worker) DO UPDATE SET state = 'working', last_seen = now(), parallel = EXCLUDED.parallel`,
        [spec.name, worker.id, worker.parallel],
      );
      return { created: inserted.rowCount === 1, info };
    });
  }

  async readStudy(name: string): Promise<StudyInfo | null> {
    return this.run(async (c) => {
      const row = (await c.query<StudyRow>('SELECT * FROM mlctl_studies WHERE name = $1', [name])).rows[0];
      if (!row) return null;
      const info = toInfo(row);
      if (info.published) return info;
      // a publisher that died between its publish and markPublished: the version names the study
      const version = (
        await c.query<{ model: string; version: number; published_at: Date }>(
          `SELECT model, version, published_at FROM mlctl_versions WHERE record #>> '{search,study,name}' = $1`,
          [name],
        )
      ).rows[0];
      return version
        ? { ...info, published: { model: version.model, version: version.version, at: version.published_at.toISOString() } }
        : info;
    });
  }

  async listStudies(): Promise<string[]> {
    return this.run(async (c) =>
      (await c.query<{ name: string }>('SELECT name FROM mlctl_studies ORDER BY name COLLATE "C"')).rows.map((r) => r.name),
    );
  }

  async progress(name: string): Promise<StudyProgress | null> {
    return this.run(async (c) => {
      const row = (await c.query<StudyRow>('SELECT * FROM mlctl_studies WHERE name = $1', [name])).rows[0];
      if (!row) return null;
      const workers = await c.query<{
        worker: string;
        parallel: number;
        state: StudyWorker['state'];
        joined_at: Date;
        seen_ms: number;
        tasks_done: number;
        running: string[] | null;
      }>(
        `SELECT w.worker, w.parallel, w.state, w.joined_at, w.tasks_done,
                (extract(epoch FROM now() - w.last_seen) * 1000)::float8 AS seen_ms,
                (SELECT array_agg(t.key ORDER BY t.rung, t.trial, t.fold) FROM mlctl_study_tasks t
                  WHERE t.study = w.study AND t.claimed_by = w.worker AND t.status = 'running' AND t.lease_until >= now()) AS running
           FROM mlctl_study_workers w WHERE w.study = $1 ORDER BY w.joined_at, w.worker`,
        [name],
      );
      const counts = await c.query<{ status: string; expired: boolean; n: number }>(
        `SELECT status, (status = 'running' AND lease_until < now()) AS expired, count(*)::int AS n
           FROM mlctl_study_tasks WHERE study = $1 AND key <> 'publish' GROUP BY 1, 2`,
        [name],
      );
      const tasks = { pending: 0, running: 0, done: 0, expired: 0 };
      for (const r of counts.rows) {
        if (r.expired) tasks.expired += r.n;
        else if (r.status === 'pending' || r.status === 'running' || r.status === 'done') tasks[r.status] += r.n;
      }
      return {
        info: toInfo(row),
        workers: workers.rows.map((w) => ({
          worker: w.worker,
          parallel: w.parallel,
          state: w.state,
          joinedAt: w.joined_at.toISOString(),
          lastSeenMs: Math.max(0, Math.round(w.seen_ms)),
          tasksDone: w.tasks_done,
          running: w.running ?? [],
        })),
        tasks,
      };
    });
  }

  async addTasks(study: string, tasks: { key: string; rung: number; trial: number; fold: number; job: unknown }[]): Promise<void> {
    if (tasks.length === 0) return;
    await this.run(async (c) => {
      await c.query(
        `INSERT INTO mlctl_study_tasks (study, key, rung, trial, fold, job)
         SELECT $1, t.key, t.rung, t.trial, t.fold, t.job
           FROM jsonb_to_recordset($2::jsonb) AS t(key text, rung int, trial int, fold int, job jsonb)
         ON CONFLICT (study, key) DO NOTHING`,
        [study, JSON.stringify(tasks)],
      );
    });
  }

  async claimTask(study: string, worker: string, leaseMs: number, key?: string): Promise<StudyTask | null> {
    return this.run(async (c) => {
      const res = await c.query<{ key: string; job: unknown; attempts: number }>(
        `WITH next AS (
           SELECT key FROM mlctl_study_tasks
            WHERE study = $1 AND ${key === undefined ? `key <> 'publish'` : 'key = $4'}
              AND (status = 'pending' OR (status = 'running' AND lease_until < now() AND claimed_by IS DISTINCT FROM $2))
            ORDER BY rung, trial, fold
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
         UPDATE mlctl_study_tasks t
            SET status = 'running', claimed_by = $2, lease_until = ${LEASE}, attempts = t.attempts + 1
           FROM next WHERE t.study = $1 AND t.key = next.key
         RETURNING t.key, t.job, t.attempts`,
        key === undefined ? [study, worker, leaseMs] : [study, worker, leaseMs, key],
      );
      return res.rows[0] ?? null;
    });
  }

  async heartbeat(study: string, worker: string, leaseMs: number, state?: StudyWorker['state']): Promise<void> {
    await this.run(async (c) => {
      await c.query(
        `UPDATE mlctl_study_tasks SET lease_until = ${LEASE}
          WHERE study = $1 AND claimed_by = $2 AND status = 'running'`,
        [study, worker, leaseMs],
      );
      await c.query(`UPDATE mlctl_study_workers SET last_seen = now(), state = COALESCE($3, state) WHERE study = $1 AND worker = $2`, [
        study,
        worker,
        state ?? null,
      ]);
    });
  }

  async finishTask(study: string, worker: string, key: string, result: unknown): Promise<void> {
    await this.transaction(async (c) => {
      const res = await c.query(
        `UPDATE mlctl_study_tasks SET status = 'done', result = $4::jsonb, finished_by = $2, finished_at = now(), lease_until = NULL
          WHERE study = $1 AND key = $3 AND status <> 'done'`,
        [study, worker, key, JSON.stringify(result)],
      );
      if (res.rowCount === 1) {
        await c.query('UPDATE mlctl_study_workers SET tasks_done = tasks_done + 1, last_seen = now() WHERE study = $1 AND worker = $2', [
          study,
          worker,
        ]);
      }
    });
  }

  async releaseTasks(study: string, worker: string): Promise<void> {
    await this.run(async (c) => {
      await c.query(
        `UPDATE mlctl_study_tasks SET status = 'pending', claimed_by = NULL, lease_until = NULL
          WHERE study = $1 AND claimed_by = $2 AND status = 'running'`,
        [study, worker],
      );
    });
  }

  async results(study: string, keys: readonly string[]): Promise<Map<string, unknown>> {
    if (keys.length === 0) return new Map();
    return this.run(async (c) => {
      const res = await c.query<{ key: string; result: unknown }>(
        `SELECT key, result FROM mlctl_study_tasks WHERE study = $1 AND status = 'done' AND key = ANY($2::text[])`,
        [study, keys],
      );
      return new Map(res.rows.map((r) => [r.key, r.result]));
    });
  }

  async writeSnapshot(study: string, done: number, snapshot: unknown): Promise<void> {
    await this.run(async (c) => {
      await c.query(
        `UPDATE mlctl_studies SET snapshot = $3::jsonb
          WHERE name = $1 AND (snapshot IS NULL OR COALESCE((snapshot ->> 'done')::int, 0) <= $2)`,
        [study, done, JSON.stringify({ ...(snapshot as object), done })],
      );
    });
  }

  async markPublished(study: string, worker: string, model: string, version: number): Promise<void> {
    await this.transaction(async (c) => {
      await c.query(`UPDATE mlctl_studies SET published_version = $2, published_at = now() WHERE name = $1 AND published_version IS NULL`, [
        study,
        version,
      ]);
      await c.query(
        `UPDATE mlctl_study_tasks SET status = 'done', result = $3::jsonb, finished_by = $2, finished_at = now(), lease_until = NULL
          WHERE study = $1 AND key = 'publish'`,
        [study, worker, JSON.stringify({ model, version })],
      );
    });
  }
}
