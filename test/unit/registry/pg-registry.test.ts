/**
 * What only the PostgreSQL store does, against the run's real server: numbered migrations
 * recorded in the database, files chunked, NOTIFY on publish and alias moves, LISTEN that
 * reconnects after the server drops it, passwords never in a location or an error, and the
 * store chosen by the location's scheme.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, PgRegistry } from '../../../src/registry/postgres/pg-registry.js';
import { MIGRATIONS } from '../../../src/registry/postgres/migrations.js';
import { redactLocation } from '../../../src/registry/postgres/connection.js';
import { folderOf, openRegistryStore } from '../../../src/registry/open-registry.js';
import { Registry } from '../../../src/registry/registry.js';
import type { RegistryEvent } from '../../../src/registry/store.js';
import { createTestDatabase, pgServer, query } from '../../helpers/pg.js';
import { caught, publish } from './registry-fixtures.js';

let url: string;
let cache: string;
const open: PgRegistry[] = [];
function store(u = url): PgRegistry {
  const s = new PgRegistry(u, { cacheDir: cache });
  open.push(s);
  return s;
}

beforeAll(async () => {
  url = await createTestDatabase('pgstore');
  cache = await mkdtemp(path.join(os.tmpdir(), 'mlctl-pg-cache-'));
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await rm(cache, { recursive: true, force: true });
});

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('PostgreSQL registry store', () => {
  it('creates its schema on first use through numbered migrations recorded in the database; migrate again applies nothing', async () => {
    const fresh = await createTestDatabase('migrate');
    const s = store(fresh);
    expect(await s.listModels()).toEqual([]);
    const rows = await query<{ id: number; name: string }>(fresh, 'SELECT id, name FROM mlctl_migrations ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await s.migrate()).toEqual({ applied: [], current: MIGRATIONS[MIGRATIONS.length - 1].id });
    const tables = await query<{ t: string }>(fresh, "SELECT tablename AS t FROM pg_tables WHERE tablename LIKE 'mlctl_%' ORDER BY 1");
    expect(tables.map((r) => r.t)).toEqual([
      'mlctl_alias_history',
      'mlctl_aliases',
      'mlctl_explanations',
      'mlctl_file_chunks',
      'mlctl_files',
      'mlctl_migrations',
      'mlctl_models',
      'mlctl_studies',
      'mlctl_study_tasks',
      'mlctl_study_workers',
      'mlctl_versions',
    ]);
  });

  it('refuses a database migrated by a newer mlctl', async () => {
    const fresh = await createTestDatabase('newer');
    await store(fresh).migrate();
    await query(fresh, "INSERT INTO mlctl_migrations (id, name) VALUES (999, 'from the future')");
    const err = await caught(() => store(fresh).listModels());
    expect(err.code).toBe('CONFIG');
    expect(err.message).toMatch(/has schema migration 999; this mlctl knows up to \d+/);
  });

  it('stores a file larger than a chunk in several rows and reads back the same bytes', async () => {
    const s = store();
    const big = Buffer.alloc(CHUNK_BYTES * 2 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
    await publish(s, 'big', { 'model.json': '{}', 'weights.bin': big });
    const chunks = await query<{ seq: number; n: number }>(
      url,
      "SELECT seq, length(data) AS n FROM mlctl_file_chunks WHERE model = 'big' AND path = 'weights.bin' ORDER BY seq",
    );
    expect(chunks).toEqual([
      { seq: 0, n: CHUNK_BYTES },
      { seq: 1, n: CHUNK_BYTES },
      { seq: 2, n: 123 },
    ]);
    expect((await s.readVersionFile('big', 1, 'weights.bin')).equals(big)).toBe(true);
    expect(await s.verifyFiles('big', 1)).toEqual([]);
    const rec = await query<{ record: { files: unknown[] } }>(url, "SELECT record FROM mlctl_versions WHERE model = 'big'");
    expect(rec[0].record.files).toHaveLength(2); // the record is jsonb, queryable
  });

  it('sends a NOTIFY for every new version and alias move, on commit', async () => {
    const s = store();
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const got: unknown[] = [];
    listener.on('notification', (m) => got.push(JSON.parse(m.payload!)));
    await listener.query('LISTEN mlctl_registry');
    try {
      await publish(s, 'notified');
      await s.setAlias('notified', 'production', 1);
      await s.removeAlias('notified', 'production');
      await until(() => got.length >= 3);
      expect(got).toEqual([
        { kind: 'version', model: 'notified', version: 1 },
        { kind: 'alias', model: 'notified', alias: 'production', version: 1 },
        { kind: 'alias', model: 'notified', alias: 'production' },
      ]);
    } finally {
      await listener.end();
    }
  });

  it('watch: reports events, and after the server drops the connection reconnects and resyncs', async () => {
    const s = store();
    const events: (RegistryEvent | null)[] = [];
    const states: boolean[] = [];
    const stop = await s.watch({ onEvent: (e) => events.push(e), onState: (up) => states.push(up) });
    try {
      await until(() => states.includes(true));
      await publish(s, 'watched');
      await until(() => events.some((e) => e?.model === 'watched'));
      const killed = await query(
        url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mlctl-listen' AND datname = current_database()",
      );
      expect(killed.length).toBeGreaterThan(0);
      await until(() => states.filter((x) => x).length >= 2 && states.includes(false), 8000);
      expect(states.slice(0, 3)).toEqual([true, false, true]);
      const before = events.length;
      await s.setAlias('watched', 'production', 1);
      await until(() => events.slice(before).some((e) => e?.kind === 'alias' && e.model === 'watched'));
    } finally {
      await stop();
    }
  });

  it('never shows the password: not in its location, not in a login error', async () => {
    const info = pgServer();
    const s = store(url);
    expect(s.location).not.toContain(info.password);
    expect(s.location).toBe(url.replace(`:${info.password}@`, '@'));
    expect(redactLocation('postgres://u:s3cr3t@h:5432/db?sslmode=require&password=s3cr3t')).toBe(
      'postgres://u@h:5432/db?sslmode=require&password=***',
    );
    const wrong = url.replace(info.password, 'definitely-wrong-pw');
    const err = await caught(() => store(wrong).listModels());
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).not.toContain('definitely-wrong-pw');
    expect(err.message).toContain('password authentication failed');
    const down = await caught(() => store(`postgres://mlctl:hunter2@127.0.0.1:1/db`).listModels());
    expect(down.code).toBe('UNAVAILABLE');
    expect(`${down.message} ${down.hint}`).not.toContain('hunter2');
  });

  it('picks the store from the location; an unknown scheme is a usage error, not a folder', async () => {
    expect(folderOf('model-registry', '/work')).toBe('/work/model-registry');
    expect(folderOf('file:///srv/registry', '/work')).toBe('/srv/registry');
    expect(folderOf('postgres://u@h/db', '/work')).toBeNull();
    expect(folderOf('postgresql://u@h/db', '/work')).toBeNull();
    const err = await caught(() => folderOf('s3://bucket/registry', '/work'));
    expect(err.code).toBe('USAGE');
    expect(err.message).toBe('Unknown registry scheme "s3:" in "s3://bucket/registry".');
    const bad = await caught(() => folderOf('mysql://u:pw@h/db', '/work'));
    expect(bad.message).not.toContain(':pw@');
    expect(await openRegistryStore('./r', { cwd: '/tmp' })).toBeInstanceOf(Registry);
    const pgStore = await openRegistryStore(url, { cwd: '/tmp' });
    open.push(pgStore as PgRegistry);
    expect(pgStore.kind).toBe('postgres');
    const nodb = await caught(() => openRegistryStore('postgres://u@h:5432/', { cwd: '/tmp' }));
    expect(nodb.message).toMatch(/names no database/);
  });
});
