/**
 * Per-test-file databases on the run's one PostgreSQL server (pg-global-setup.ts). A test file
 * calls `createTestDatabase('contract')` in beforeAll: it fails loudly when the server is missing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export function pgServer() {
  const info = inject('pg');
  if (!info || info.error) throw new Error(info?.error ?? 'The PostgreSQL test server was not set up (vitest globalSetup).');
  return info;
}

/** Creates a fresh database and returns its URL (with the password). */
export async function createTestDatabase(prefix: string): Promise<string> {
  const info = pgServer();
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${info.url}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return `${info.url}/${name}`;
}

/** Runs one query on a database (tests inspect tables and sessions directly). */
export async function query<T extends pg.QueryResultRow = any>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
