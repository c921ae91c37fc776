/**
 * The PostgreSQL registry's schema, as numbered migrations that mlctl applies itself
 * (`mlctl registry migrate`, and on first use). Each applied migration is a row of
 * `mlctl_migrations`; they run in one transaction under an advisory lock, so two processes
 * starting against an empty database do not both create the tables. Never edit a migration
 * that has shipped: add the next number.
 */
import type { PoolClient } from 'pg';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** pg_advisory_xact_lock key of the migration runner ("mlctl" as a number) */
const MIGRATION_LOCK = 0x6d6c6374;

/** The channel every new version and alias move is announced on (payload: {kind, model, …} JSON). */
export const NOTIFY_CHANNEL = 'mlctl_registry';

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'models, versions and their files',
    sql: `
      CREATE TABLE mlctl_models (
        name         text PRIMARY KEY,
        last_version integer NOT NULL DEFAULT 0,
        created_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE mlctl_versions (
        model         text NOT NULL REFERENCES mlctl_models (name) ON DELETE CASCADE,
        version       integer NOT NULL CHECK (version > 0),
        record        jsonb NOT NULL,
        record_text   text NOT NULL,
        record_sha256 text NOT NULL,
        published_at  timestamptz NOT NULL DEFAULT now(),
        published_by  text NOT NULL,
        PRIMARY KEY (model, version)
      );
      CREATE TABLE mlctl_files (
        model   text NOT NULL,
        version integer NOT NULL,
        path    text NOT NULL,
        bytes   bigint NOT NULL,
        sha256  text NOT NULL,
        chunks  integer NOT NULL,
        PRIMARY KEY (model, version, path),
        FOREIGN KEY (model, version) REFERENCES mlctl_versions (model, version) ON DELETE CASCADE
      );
      CREATE TABLE mlctl_file_chunks (
        model   text NOT NULL,
        version integer NOT NULL,
        path    text NOT NULL,
        seq     integer NOT NULL,
        data    bytea NOT NULL,
        PRIMARY KEY (model, version, path, seq),
        FOREIGN KEY (model, version, path) REFERENCES mlctl_files (model, version, path) ON DELETE CASCADE
      );
    `,
  },
  {
    id: 2,
    name: 'aliases and their history',
    sql: `
      CREATE TABLE mlctl_aliases (
        model    text NOT NULL,
        alias    text NOT NULL,
        version  integer NOT NULL,
        moved_at timestamptz NOT NULL DEFAULT now(),
        moved_by text NOT NULL,
        PRIMARY KEY (model, alias),
        FOREIGN KEY (model, version) REFERENCES mlctl_versions (model, version)
      );
      CREATE TABLE mlctl_alias_history (
        id           bigserial PRIMARY KEY,
        model        text NOT NULL,
        alias        text NOT NULL,
        from_version integer,
        to_version   integer,
        moved_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
        moved_by     text NOT NULL
      );
      CREATE INDEX mlctl_alias_history_by_alias ON mlctl_alias_history (model, alias, id);
    `,
  },
  {
    id: 3,
    name: 'explanations (mlctl explain) beside the versions',
    sql: `
      CREATE TABLE mlctl_explanations (
        model       text NOT NULL,
        version     integer NOT NULL,
        explanation jsonb NOT NULL,
        written_at  timestamptz NOT NULL DEFAULT now(),
        written_by  text NOT NULL,
        PRIMARY KEY (model, version),
        FOREIGN KEY (model, version) REFERENCES mlctl_versions (model, version) ON DELETE CASCADE
      );
    `,
  },
  {
    id: 4,
    name: 'distributed tune studies',
    // One study = one search shared by several workers (study-store.ts). A task is one fold of
    // one trial at one rung (or the study's one 'publish' task); workers claim tasks with
    // FOR UPDATE SKIP LOCKED and a lease they renew while the task runs. A version names its
    // study in record.search.study: the unique index makes a second publish of one study fail.
    sql: `
      CREATE TABLE mlctl_studies (
        name         text PRIMARY KEY,
        model        text NOT NULL,
        settings     jsonb NOT NULL,
        data         jsonb NOT NULL,
        fingerprint  text NOT NULL,
        snapshot     jsonb,
        published_version integer,
        created_at   timestamptz NOT NULL DEFAULT now(),
        created_by   text NOT NULL,
        published_at timestamptz
      );
      CREATE TABLE mlctl_study_workers (
        study      text NOT NULL REFERENCES mlctl_studies (name) ON DELETE CASCADE,
        worker     text NOT NULL,
        parallel   integer NOT NULL,
        state      text NOT NULL DEFAULT 'working' CHECK (state IN ('working', 'waiting', 'done', 'stopped')),
        joined_at  timestamptz NOT NULL DEFAULT now(),
        last_seen  timestamptz NOT NULL DEFAULT now(),
        tasks_done integer NOT NULL DEFAULT 0,
        PRIMARY KEY (study, worker)
      );
      CREATE TABLE mlctl_study_tasks (
        study       text NOT NULL REFERENCES mlctl_studies (name) ON DELETE CASCADE,
        key         text NOT NULL,
        rung        integer NOT NULL,
        trial       integer NOT NULL,
        fold        integer NOT NULL,
        job         jsonb NOT NULL,
        status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done')),
        claimed_by  text,
        lease_until timestamptz,
        attempts    integer NOT NULL DEFAULT 0,
        result      jsonb,
        finished_by text,
        finished_at timestamptz,
        PRIMARY KEY (study, key)
      );
      CREATE INDEX mlctl_study_tasks_open ON mlctl_study_tasks (study, status, rung, trial, fold);
      CREATE UNIQUE INDEX mlctl_versions_one_per_study ON mlctl_versions ((record #>> '{search,study,name}'))
        WHERE record #>> '{search,study,name}' IS NOT NULL;
    `,
  },
];

export interface MigrationResult {
  /** migrations applied by this call, in order */
  applied: Migration[];
  /** the schema's migration number afterwards */
  current: number;
}

/** The highest applied migration, 0 for an empty database. */
export async function currentMigration(client: PoolClient): Promise<number> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('mlctl_migrations')::text AS t`);
  if (exists.rows[0].t === null) return 0;
  const res = await client.query<{ id: number | null }>('SELECT max(id) AS id FROM mlctl_migrations');
  return res.rows[0].id ?? 0;
}

/** Applies the missing migrations in one transaction; returns what it did. */
export async function migrate(client: PoolClient, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS mlctl_migrations (
        id         integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const done = new Set((await client.query<{ id: number }>('SELECT id FROM mlctl_migrations')).rows.map((r) => r.id));
    const applied: Migration[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO mlctl_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      applied.push(m);
    }
    const current = Math.max(0, ...done, ...applied.map((m) => m.id));
    await client.query('COMMIT');
    return { applied, current };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The newest migration this mlctl knows. */
export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1].id;
