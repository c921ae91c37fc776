/**
 * The PostgreSQL store of model versions, for a registry shared by several machines (CI runners
 * publishing, serving replicas reading). Same contract as the folder store (`../store.ts`):
 *
 * - a publish is one transaction: the model row is locked and its next number taken
 *   (`last_version + 1`, never reused), the record (jsonb) and every file (bytes in 1 MiB
 *   chunks) inserted, and a NOTIFY sent; a publisher that dies mid-way leaves nothing;
 * - aliases move with compare-and-set (the row is locked, the expected value checked) and every
 *   move is recorded in `mlctl_alias_history` and announced with NOTIFY;
 * - `verifyFiles` recomputes sizes and sha256 from the stored chunks.
 *
 * Connections come from one pg.Pool per store; the schema is migrated on first use.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { MlctlError } from '../../errors.js';
import { didYouMean } from '../../suggest.js';
import { computeFileEntries } from '../file-entries.js';
import {
  EXPLANATION_FILE,
  LATEST,
  METADATA_FILE,
  assertAliasName,
  assertModelName,
  assertVersionNumber,
  isVersionNumber,
} from '../layout.js';
import { parseExplanationRecord, parseVersionRecord } from '../record-schema.js';
import {
  assertAliasMove,
  defaultActor,
  isSafeRelativePath,
  missingAliasError,
  missingVersionError,
  sameNumberError,
  sameVersion,
} from '../registry.js';
import type {
  AliasMove,
  PublishOptions,
  PublishResult,
  RegistryStore,
  RemoveVersionResult,
  SetAliasOptions,
  SetAliasResult,
  StagingDir,
  StudyStore,
  VerifyIssue,
  VerifyProblem,
  VersionSelector,
  WatchHandlers,
} from '../store.js';
import type { ExplanationRecord, ImportanceSection, VersionRecord } from '../version-record.js';
import { checkPostgresLocation, passwordOf, redactLocation, toPgError } from './connection.js';
import { PgStudyStore } from './study-store.js';
import { LATEST_MIGRATION, NOTIFY_CHANNEL, currentMigration, migrate, type MigrationResult } from './migrations.js';

/** Bytes per row of mlctl_file_chunks: a large model never needs one huge value. */
export const CHUNK_BYTES = 1024 * 1024;

export interface PgRegistryOptions {
  /** strings to scrub from any error message (e.g. PGPASSWORD); the URL's own password always is */
  secrets?: readonly string[];
  /** where verified copies of versions go for code that needs a local folder (default: the temp dir) */
  cacheDir?: string;
  /** connections in the pool (default 4) */
  poolSize?: number;
  /** testing hook: wait this long inside the publishing transaction, before COMMIT */
  holdPublishMs?: number;
  /** called once the publishing transaction has written everything and waits to commit */
  onPublishHold?: () => void;
}

interface Notice {
  kind: 'version' | 'alias';
  model: string;
  version?: number;
  alias?: string;
}

export class PgRegistry implements RegistryStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly localRoot = null;
  private readonly url: string;
  private readonly secrets: string[];
  private readonly options: PgRegistryOptions;
  private readonly pool: pg.Pool;
  private ready: Promise<void> | null = null;

  constructor(url: string, options: PgRegistryOptions = {}) {
    checkPostgresLocation(url);
    this.url = url;
    this.location = redactLocation(url);
    this.options = options;
    this.secrets = [passwordOf(url) ?? '', ...(options.secrets ?? [])].filter((s) => s.length > 0);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 4,
      application_name: 'mlctl',
      connectionTimeoutMillis: 10_000,
    } as pg.PoolConfig);
    // an idle connection the server closed: the next query reconnects; never crash the process
    this.pool.on('error', () => undefined);
  }

  // ---------------------------------------------------------------- connection and schema

  private error(e: unknown): MlctlError {
    return toPgError(e, this.url, this.secrets);
  }

  /** Runs `fn` with a pooled client, the schema migrated first (once per store). */
  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (!this.ready) {
      this.ready = this.pooled(async (client) => this.ensureSchema(client));
      this.ready.catch(() => {
        this.ready = null;
      });
    }
    await this.ready;
    return this.pooled(fn);
  }

  /** Runs `fn` with a pooled client as it is; every error comes out as an MlctlError without secrets. */
  private async pooled<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.error(e);
    }
    try {
      return await fn(client);
    } catch (e) {
      throw this.error(e);
    } finally {
      client.release();
    }
  }

  /** One transaction; ROLLBACK on any error (and when the process dies, the server does it). */
  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  private async ensureSchema(client: pg.PoolClient): Promise<void> {
    const current = await currentMigration(client);
    if (current > LATEST_MIGRATION) {
      throw new MlctlError(
        'CONFIG',
        `The registry database ${this.location} has schema migration ${current}; this mlctl knows up to ${LATEST_MIGRATION}.`,
        { hint: 'Upgrade mlctl on this machine.' },
      );
    }
    if (current < LATEST_MIGRATION) await migrate(client);
  }

  /** `mlctl registry migrate`: applies what is missing, returns what it did. */
  async migrate(): Promise<MigrationResult> {
    return this.pooled((client) => migrate(client));
  }

  /** The distributed tune studies kept in this database (study-store.ts), on this store's connections. */
  studies(): StudyStore {
    return new PgStudyStore(
      (fn) => this.withClient(fn),
      (fn) => this.transaction(fn),
      this.location,
    );
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  // ---------------------------------------------------------------- reading

  async exists(): Promise<boolean> {
    return this.withClient(async () => true);
  }

  async checkWritable(): Promise<void> {
    await this.withClient(async (c) => {
      const res = await c.query<{ ok: boolean }>(`SELECT has_table_privilege('mlctl_versions', 'INSERT') AS ok`);
      if (!res.rows[0].ok) {
        throw new MlctlError('IO', `The registry database ${this.location} does not let this user publish (no INSERT on mlctl_versions).`, {
          hint: 'Grant the user INSERT, UPDATE and DELETE on the mlctl_* tables, or use another user.',
        });
      }
    });
  }

  async listModels(): Promise<string[]> {
    return this.withClient(async (c) =>
      (await c.query<{ name: string }>('SELECT name FROM mlctl_models ORDER BY name COLLATE "C"')).rows.map((r) => r.name),
    );
  }

  async listVersions(name: string): Promise<number[]> {
    assertModelName(name);
    return this.withClient(async (c) =>
      (await c.query<{ version: number }>('SELECT version FROM mlctl_versions WHERE model = $1 ORDER BY version', [name])).rows.map(
        (r) => r.version,
      ),
    );
  }

  async listFoldersWithoutRecord(name: string): Promise<number[]> {
    assertModelName(name);
    return [];
  }

  async hasModel(name: string): Promise<boolean> {
    assertModelName(name);
    return this.withClient(async (c) => (await c.query('SELECT 1 FROM mlctl_models WHERE name = $1', [name])).rowCount === 1);
  }

  async hasVersion(name: string, version: number): Promise<boolean> {
    assertModelName(name);
    if (!isVersionNumber(version)) return false;
    return this.withClient(
      async (c) => (await c.query('SELECT 1 FROM mlctl_versions WHERE model = $1 AND version = $2', [name, version])).rowCount === 1,
    );
  }

  async readAliases(name: string): Promise<Record<string, number>> {
    assertModelName(name);
    return this.withClient(async (c) => {
      const rows = (
        await c.query<{ alias: string; version: number }>(
          'SELECT alias, version FROM mlctl_aliases WHERE model = $1 ORDER BY alias COLLATE "C"',
          [name],
        )
      ).rows;
      const out: Record<string, number> = {};
      for (const r of rows) out[r.alias] = r.version;
      return out;
    });
  }

  async requireModel(name: string): Promise<void> {
    if (await this.hasModel(name)) return;
    const known = await this.listModels();
    throw new MlctlError('NOT_FOUND', `Model "${name}" not found in ${this.location}.`, {
      hint:
        known.length > 0
          ? `${didYouMean(name, known).trim()} Known models: ${known.join(', ')}.`.trim()
          : 'The registry is empty; train a model first ("mlctl train iris") or import one ("mlctl import model.json").',
    });
  }

  async resolveVersion(name: string, selector: VersionSelector = {}): Promise<number> {
    assertModelName(name);
    if (selector.version !== undefined && selector.alias !== undefined) {
      throw new MlctlError('USAGE', 'Pass either --version or --alias, not both.', {
        hint: `Run "mlctl version list ${name}" to see versions and aliases.`,
      });
    }
    if (selector.alias !== undefined) {
      assertAliasName(selector.alias);
      await this.requireModel(name);
      const aliases = await this.readAliases(name);
      const target = aliases[selector.alias];
      if (target === undefined) throw missingAliasError(name, selector.alias, aliases);
      return target; // a foreign key keeps every alias on an existing version
    }
    await this.requireModel(name);
    const versions = await this.listVersions(name);
    if (versions.length === 0) {
      throw new MlctlError('NOT_FOUND', `Model "${name}" has no versions.`, {
        hint: 'Train or import a model first ("mlctl train" or "mlctl import").',
      });
    }
    const wanted = selector.version;
    if (wanted === undefined || wanted === LATEST) return versions[versions.length - 1];
    assertVersionNumber(wanted);
    if (!versions.includes(wanted)) throw missingVersionError(name, wanted, versions);
    return wanted;
  }

  async readRecord(name: string, version: number): Promise<VersionRecord> {
    assertModelName(name);
    assertVersionNumber(version);
    const text = await this.recordText(name, version);
    if (text === undefined) {
      await this.requireModel(name);
      throw missingVersionError(name, version, await this.listVersions(name));
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new MlctlError('INVALID_MODEL', `${name} v${version}: the stored record is not valid JSON (${(e as Error).message}).`, {
        hint: `Run "mlctl version verify ${name}"; remove the version.`,
      });
    }
    return parseVersionRecord(data, { model: name, version });
  }

  /** record reads of one model in the same tick, batched into one query (`version list` reads every record) */
  private readonly pendingRecords = new Map<
    string,
    Map<number, { resolve: (t: string | undefined) => void; reject: (e: unknown) => void }[]>
  >();

  private recordText(name: string, version: number): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      let batch = this.pendingRecords.get(name);
      if (!batch) {
        const mine = new Map<number, { resolve: (t: string | undefined) => void; reject: (e: unknown) => void }[]>();
        batch = mine;
        this.pendingRecords.set(name, mine);
        setImmediate(() => {
          this.pendingRecords.delete(name);
          this.withClient(async (c) => {
            const rows = (
              await c.query<{ version: number; record_text: string }>(
                'SELECT version, record_text FROM mlctl_versions WHERE model = $1 AND version = ANY($2::int[])',
                [name, [...mine.keys()]],
              )
            ).rows;
            return new Map(rows.map((r) => [r.version, r.record_text]));
          }).then(
            (texts) => {
              for (const [v, waiters] of mine) for (const w of waiters) w.resolve(texts.get(v));
            },
            (e: unknown) => {
              for (const waiters of mine.values()) for (const w of waiters) w.reject(e);
            },
          );
        });
      }
      const waiters = batch.get(version) ?? [];
      waiters.push({ resolve, reject });
      batch.set(version, waiters);
    });
  }

  versionLocation(name: string, version: number): string {
    return `${this.location}#${name}/${version}`;
  }

  async readVersionFile(name: string, version: number, relPath: string): Promise<Buffer> {
    assertModelName(name);
    assertVersionNumber(version);
    if (!isSafeRelativePath(relPath)) {
      throw new MlctlError('USAGE', `File path "${String(relPath)}" is outside the version directory.`, {
        hint: 'Use a path relative to the version, such as model.json or weights.bin.',
      });
    }
    return this.withClient(async (c) => {
      if (relPath === METADATA_FILE) {
        const r = await c.query<{ record_text: string }>('SELECT record_text FROM mlctl_versions WHERE model = $1 AND version = $2', [
          name,
          version,
        ]);
        if (r.rows[0]) return Buffer.from(r.rows[0].record_text, 'utf8');
      }
      const file = await c.query<{ chunks: number }>('SELECT chunks FROM mlctl_files WHERE model = $1 AND version = $2 AND path = $3', [
        name,
        version,
        relPath,
      ]);
      if (file.rowCount !== 1) {
        throw new MlctlError('NOT_FOUND', `${name}/${version}/${relPath} is not a file of that version in ${this.location}.`, {
          hint: `Run "mlctl version show ${name} ${version}" to see its files.`,
        });
      }
      return readChunks(c, name, version, relPath);
    });
  }

  async localVersionDir(name: string, version: number): Promise<string> {
    const record = await this.readRecord(name, version);
    const key = createHash('sha256')
      .update(`${this.location}\0${name}\0${version}\0${JSON.stringify(record.files)}`)
      .digest('hex')
      .slice(0, 16);
    const root = this.options.cacheDir ?? path.join(tmpdir(), `mlctl-pg-cache-${safeUser()}`);
    const dir = path.join(root, `${name}-${version}-${key}`);
    // a cached copy is used only if every file still matches the record
    if (await filesMatch(dir, record)) return dir;
    await mkdir(root, { recursive: true, mode: 0o700 });
    const tmp = await mkdtemp(path.join(root, `.tmp-${name}-${version}-`));
    try {
      for (const entry of record.files) {
        const bytes = await this.readVersionFile(name, version, entry.path);
        const target = path.join(tmp, ...entry.path.split('/'));
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, bytes);
      }
      await writeFile(path.join(tmp, METADATA_FILE), `${JSON.stringify(record, null, 2)}\n`);
      if (!(await filesMatch(tmp, record))) {
        throw new MlctlError('INVALID_MODEL', `${name} v${version}: the stored files do not match the record's checksums.`, {
          hint: `Run "mlctl version verify ${name} --registry ${this.location}".`,
        });
      }
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir).catch(async (e) => {
        // another process put the same verified copy there first
        if (!(await filesMatch(dir, record))) throw e;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    }
    return dir;
  }

  // ---------------------------------------------------------------- publishing

  async publishVersion(name: string, options: PublishOptions): Promise<PublishResult> {
    assertModelName(name);
    const staging = await mkdtemp(path.join(tmpdir(), 'mlctl-publish-'));
    try {
      await options.writeFiles(staging);
      const files = await computeFileEntries(staging);
      if (files.some((f) => f.path === METADATA_FILE)) {
        throw new MlctlError('INTERNAL', `writeFiles wrote ${METADATA_FILE} itself (this is a bug): the registry writes it.`);
      }
      const contents = await Promise.all(files.map((f) => readFile(path.join(staging, ...f.path.split('/')))));
      const by = defaultActor();
      return await this.transaction(async (c) => {
        await c.query('INSERT INTO mlctl_models (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
        const next = await c.query<{ last_version: number }>(
          'UPDATE mlctl_models SET last_version = last_version + 1 WHERE name = $1 RETURNING last_version',
          [name],
        );
        const version = next.rows[0].last_version;
        const record: VersionRecord = { ...options.buildRecord(version, files), model: name, version, files };
        const text = `${JSON.stringify(record, null, 2)}\n`;
        await c.query(
          `INSERT INTO mlctl_versions (model, version, record, record_text, record_sha256, published_by)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
          [name, version, text, text, sha256(Buffer.from(text, 'utf8')), by],
        );
        for (let i = 0; i < files.length; i++) await insertFile(c, name, version, files[i].path, contents[i], files[i].sha256);
        await notify(c, { kind: 'version', model: name, version });
        if (this.options.holdPublishMs) {
          this.options.onPublishHold?.();
          await new Promise((r) => setTimeout(r, this.options.holdPublishMs));
        }
        return { version, dir: this.versionLocation(name, version), record };
      });
    } finally {
      await rm(staging, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    }
  }

  /**
   * Copies a version as it is (record, files, checksums) under its own number; the model's
   * counter moves past it so the number is never handed out again. ALREADY_EXISTS if that number
   * holds a different version; `false` if it holds this very one (nothing to do).
   */
  async importVersion(record: VersionRecord, readFileOf: (relPath: string) => Promise<Buffer>): Promise<boolean> {
    const name = record.model;
    const version = record.version;
    assertModelName(name);
    assertVersionNumber(version);
    for (const f of record.files) {
      if (!isSafeRelativePath(f.path) || f.path === METADATA_FILE) {
        throw new MlctlError('INVALID_MODEL', `${name} v${version}: invalid file path "${f.path}" in the record; not copied.`);
      }
    }
    const contents = await Promise.all(record.files.map((f) => readFileOf(f.path)));
    for (let i = 0; i < record.files.length; i++) {
      if (sha256(contents[i]) !== record.files[i].sha256 || contents[i].byteLength !== record.files[i].bytes) {
        throw new MlctlError(
          'INVALID_MODEL',
          `${name}/${version}/${record.files[i].path}: does not match its record's checksum; not copied.`,
          {
            hint: `Run "mlctl version verify ${name}" on the source registry.`,
          },
        );
      }
    }
    return this.transaction(async (c) => {
      await c.query('INSERT INTO mlctl_models (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
      await c.query('SELECT 1 FROM mlctl_models WHERE name = $1 FOR UPDATE', [name]);
      const existing = await c.query<{ record: VersionRecord }>('SELECT record FROM mlctl_versions WHERE model = $1 AND version = $2', [
        name,
        version,
      ]);
      if (existing.rows[0]) {
        if (sameVersion(existing.rows[0].record, record)) return false;
        throw sameNumberError(name, version, this.location);
      }
      await c.query('UPDATE mlctl_models SET last_version = GREATEST(last_version, $2) WHERE name = $1', [name, version]);
      const text = `${JSON.stringify(record, null, 2)}\n`;
      await c.query(
        `INSERT INTO mlctl_versions (model, version, record, record_text, record_sha256, published_by)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
        [name, version, text, text, sha256(Buffer.from(text, 'utf8')), defaultActor()],
      );
      for (let i = 0; i < record.files.length; i++)
        await insertFile(c, name, version, record.files[i].path, contents[i], record.files[i].sha256);
      await notify(c, { kind: 'version', model: name, version });
      return true;
    });
  }

  // ---------------------------------------------------------------- aliases

  async setAlias(name: string, alias: string, version: number, options: SetAliasOptions = {}): Promise<SetAliasResult> {
    assertModelName(name);
    assertAliasName(alias);
    assertVersionNumber(version);
    await this.requireModel(name);
    return this.transaction(async (c) => {
      const exists = await c.query('SELECT 1 FROM mlctl_versions WHERE model = $1 AND version = $2 FOR SHARE', [name, version]);
      if (exists.rowCount !== 1) {
        const versions = (
          await c.query<{ version: number }>('SELECT version FROM mlctl_versions WHERE model = $1 ORDER BY version', [name])
        ).rows.map((r) => r.version);
        throw missingVersionError(name, version, versions);
      }
      const row = await c.query<{ version: number }>('SELECT version FROM mlctl_aliases WHERE model = $1 AND alias = $2 FOR UPDATE', [
        name,
        alias,
      ]);
      const previous = row.rows[0]?.version ?? null;
      assertAliasMove(name, alias, version, previous, options);
      if (previous === version) return { alias, version, previous };
      const by = options.by ?? defaultActor();
      if (previous === null) {
        const ins = await c.query(
          'INSERT INTO mlctl_aliases (model, alias, version, moved_by) VALUES ($1, $2, $3, $4) ON CONFLICT (model, alias) DO NOTHING',
          [name, alias, version, by],
        );
        if (ins.rowCount !== 1) {
          throw new MlctlError('CONFLICT', `Alias "${alias}" of "${name}" was created by someone else at the same moment.`, {
            hint: `Run "mlctl version alias ${name} ${alias} --history", then move it again.`,
          });
        }
      } else {
        await c.query('UPDATE mlctl_aliases SET version = $3, moved_at = now(), moved_by = $4 WHERE model = $1 AND alias = $2', [
          name,
          alias,
          version,
          by,
        ]);
      }
      await c.query('INSERT INTO mlctl_alias_history (model, alias, from_version, to_version, moved_by) VALUES ($1, $2, $3, $4, $5)', [
        name,
        alias,
        previous,
        version,
        by,
      ]);
      await notify(c, { kind: 'alias', model: name, alias, version });
      return { alias, version, previous };
    });
  }

  async removeAlias(name: string, alias: string, options: { by?: string } = {}): Promise<number> {
    assertModelName(name);
    assertAliasName(alias);
    await this.requireModel(name);
    return this.transaction(async (c) => {
      const row = await c.query<{ version: number }>('DELETE FROM mlctl_aliases WHERE model = $1 AND alias = $2 RETURNING version', [
        name,
        alias,
      ]);
      if (row.rowCount !== 1) {
        const rest = await c.query<{ alias: string; version: number }>('SELECT alias, version FROM mlctl_aliases WHERE model = $1', [name]);
        throw missingAliasError(name, alias, Object.fromEntries(rest.rows.map((r) => [r.alias, r.version])));
      }
      const previous = row.rows[0].version;
      await c.query('INSERT INTO mlctl_alias_history (model, alias, from_version, to_version, moved_by) VALUES ($1, $2, $3, NULL, $4)', [
        name,
        alias,
        previous,
        options.by ?? defaultActor(),
      ]);
      await notify(c, { kind: 'alias', model: name, alias });
      return previous;
    });
  }

  async aliasHistory(name: string, alias?: string): Promise<AliasMove[]> {
    assertModelName(name);
    if (alias !== undefined) assertAliasName(alias);
    await this.requireModel(name);
    return this.withClient(async (c) => {
      const rows = (
        await c.query<{ alias: string; from_version: number | null; to_version: number | null; moved_at: Date; moved_by: string }>(
          `SELECT alias, from_version, to_version, moved_at, moved_by FROM mlctl_alias_history
           WHERE model = $1 AND ($2::text IS NULL OR alias = $2) ORDER BY id DESC`,
          [name, alias ?? null],
        )
      ).rows;
      return rows.map((r) => ({
        model: name,
        alias: r.alias,
        from: r.from_version,
        to: r.to_version,
        at: r.moved_at.toISOString(),
        by: r.moved_by,
      }));
    });
  }

  // ---------------------------------------------------------------- removal

  async removeVersion(name: string, version: number, options: { force?: boolean } = {}): Promise<RemoveVersionResult> {
    assertModelName(name);
    assertVersionNumber(version);
    await this.requireModel(name);
    return this.transaction(async (c) => {
      await c.query('SELECT 1 FROM mlctl_models WHERE name = $1 FOR UPDATE', [name]);
      const exists = await c.query('SELECT 1 FROM mlctl_versions WHERE model = $1 AND version = $2', [name, version]);
      if (exists.rowCount !== 1) {
        const versions = (
          await c.query<{ version: number }>('SELECT version FROM mlctl_versions WHERE model = $1 ORDER BY version', [name])
        ).rows.map((r) => r.version);
        throw missingVersionError(name, version, versions);
      }
      const pointing = (
        await c.query<{ alias: string }>(
          'SELECT alias FROM mlctl_aliases WHERE model = $1 AND version = $2 ORDER BY alias COLLATE "C" FOR UPDATE',
          [name, version],
        )
      ).rows.map((r) => r.alias);
      if (pointing.length > 0 && !options.force) {
        throw new MlctlError(
          'CONFLICT',
          `Version ${version} of "${name}" is aliased as ${pointing.join(', ')}; pass --force to remove it and its aliases.`,
          { hint: `Move the alias first ("mlctl version alias ${name} ${pointing[0]} <version> --force") or pass --force.` },
        );
      }
      const by = defaultActor();
      for (const a of pointing) {
        await c.query('DELETE FROM mlctl_aliases WHERE model = $1 AND alias = $2', [name, a]);
        await c.query('INSERT INTO mlctl_alias_history (model, alias, from_version, to_version, moved_by) VALUES ($1, $2, $3, NULL, $4)', [
          name,
          a,
          version,
          by,
        ]);
      }
      await c.query('DELETE FROM mlctl_versions WHERE model = $1 AND version = $2', [name, version]);
      await notify(c, { kind: 'version', model: name, version });
      return { removed: version, aliasesRemoved: pointing };
    });
  }

  // ---------------------------------------------------------------- verification

  async verifyFiles(name: string, version: number): Promise<VerifyIssue[]> {
    assertModelName(name);
    assertVersionNumber(version);
    const shown = (rel: string): string => `${name}/${version}/${rel}`;
    const issue = (problem: VerifyProblem, file: string | undefined, message: string): VerifyIssue => ({
      model: name,
      version,
      ...(file === undefined ? {} : { file }),
      problem,
      message,
    });
    let record: VersionRecord;
    try {
      record = await this.readRecord(name, version);
    } catch (e) {
      if (e instanceof MlctlError && e.code === 'INVALID_MODEL')
        return [issue('record', METADATA_FILE, `${shown(METADATA_FILE)}: unreadable (${e.message})`)];
      throw e;
    }
    return this.withClient(async (c) => {
      const issues: VerifyIssue[] = [];
      const stored = await c.query<{ path: string; chunks: number }>(
        'SELECT path, chunks FROM mlctl_files WHERE model = $1 AND version = $2 ORDER BY path COLLATE "C"',
        [name, version],
      );
      const storedPaths = new Set(stored.rows.map((r) => r.path));
      const expected = new Set<string>();
      for (const entry of record.files) {
        if (!isSafeRelativePath(entry.path) || entry.path === METADATA_FILE) {
          issues.push(issue('record', METADATA_FILE, `${shown(METADATA_FILE)}: invalid file path "${entry.path}" in the record`));
          continue;
        }
        expected.add(entry.path);
        if (!storedPaths.has(entry.path)) {
          issues.push(issue('missing', entry.path, `${shown(entry.path)}: missing`));
          continue;
        }
        // recomputed from the stored bytes, chunk by chunk
        const hash = createHash('sha256');
        let bytes = 0;
        const chunks = await c.query<{ data: Buffer }>(
          'SELECT data FROM mlctl_file_chunks WHERE model = $1 AND version = $2 AND path = $3 ORDER BY seq',
          [name, version, entry.path],
        );
        for (const row of chunks.rows) {
          hash.update(row.data);
          bytes += row.data.byteLength;
        }
        if (bytes !== entry.bytes) {
          issues.push(
            issue(
              'size',
              entry.path,
              `${shown(entry.path)}: ${bytes} bytes, expected ${entry.bytes} (stored bytes were modified after publishing)`,
            ),
          );
          continue;
        }
        if (hash.digest('hex') !== entry.sha256) {
          issues.push(issue('checksum', entry.path, `${shown(entry.path)}: sha256 mismatch (stored bytes were modified after publishing)`));
        }
      }
      for (const p of storedPaths) {
        if (!expected.has(p)) issues.push(issue('extra', p, `${shown(p)}: unexpected file (not part of the published version)`));
      }
      try {
        await this.readExplanation(name, version);
      } catch (e) {
        if (!(e instanceof MlctlError && e.code === 'INVALID_MODEL')) throw e;
        issues.push(issue('record', EXPLANATION_FILE, `${shown(EXPLANATION_FILE)}: unreadable (${e.message})`));
      }
      return issues;
    });
  }

  // ---------------------------------------------------------------- explanations

  async readExplanation(name: string, version: number): Promise<ExplanationRecord | null> {
    assertModelName(name);
    assertVersionNumber(version);
    const row = await this.withClient(
      async (c) =>
        (
          await c.query<{ explanation: unknown }>('SELECT explanation FROM mlctl_explanations WHERE model = $1 AND version = $2', [
            name,
            version,
          ])
        ).rows[0],
    );
    return row === undefined ? null : parseExplanationRecord(row.explanation, { model: name, version });
  }

  /** One upsert: readers see the old or the new explanation; a removed version takes its own along (cascade). */
  async writeExplanation(name: string, version: number, importance: ImportanceSection): Promise<ExplanationRecord> {
    assertModelName(name);
    assertVersionNumber(version);
    const explanation: ExplanationRecord = { schema: 1, model: name, version, importance };
    await this.requireModel(name);
    const written = await this.withClient(async (c) =>
      c.query(
        `INSERT INTO mlctl_explanations (model, version, explanation, written_by)
         SELECT $1, $2, $3::jsonb, $4 FROM mlctl_versions WHERE model = $1 AND version = $2
         ON CONFLICT (model, version) DO UPDATE SET explanation = EXCLUDED.explanation, written_at = now(), written_by = EXCLUDED.written_by`,
        [name, version, JSON.stringify(explanation), defaultActor()],
      ),
    );
    if (written.rowCount === 0) throw missingVersionError(name, version, await this.listVersions(name));
    return explanation;
  }

  async listStaging(name?: string): Promise<StagingDir[]> {
    if (name !== undefined) assertModelName(name);
    return []; // a publish is one transaction: nothing half-written to sweep
  }

  async sweepStaging(name?: string): Promise<StagingDir[]> {
    return this.listStaging(name);
  }

  // ---------------------------------------------------------------- change events

  /**
   * LISTENs on a dedicated connection; on a drop, reports `onState(false)` and reconnects with
   * backoff (250 ms doubling to 5 s), then reports `onState(true)` and one `onEvent(null)`
   * (something may have changed while it was away).
   */
  async watch(handlers: WatchHandlers): Promise<() => Promise<void>> {
    let stopped = false;
    let client: pg.Client | null = null;
    let delay = 250;
    let timer: NodeJS.Timeout | null = null;
    let wasUp = false;
    const connect = async (): Promise<void> => {
      if (stopped) return;
      const c = new pg.Client({
        connectionString: this.url,
        application_name: 'mlctl-listen',
        connectionTimeoutMillis: 5000,
      } as pg.ClientConfig);
      let dropped = false;
      const drop = (error?: Error): void => {
        if (dropped) return;
        dropped = true;
        c.removeAllListeners('notification');
        void c.end().catch(() => undefined);
        if (client === c) client = null;
        if (stopped) return;
        if (wasUp) handlers.onState?.(false, error === undefined ? undefined : this.error(error));
        wasUp = false;
        timer = setTimeout(() => void connect(), delay);
        timer.unref();
        delay = Math.min(delay * 2, 5000);
      };
      c.on('error', (e) => drop(e));
      c.on('end', () => drop());
      c.on('notification', (msg) => {
        if (msg.channel !== NOTIFY_CHANNEL) return;
        try {
          const n = JSON.parse(msg.payload ?? '{}') as Notice;
          handlers.onEvent(typeof n.model === 'string' ? { kind: n.kind, model: n.model } : null);
        } catch {
          handlers.onEvent(null);
        }
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
        if (stopped) {
          await c.end().catch(() => undefined);
          return;
        }
        client = c;
        delay = 250;
        wasUp = true;
        handlers.onState?.(true);
        handlers.onEvent(null);
      } catch (e) {
        drop(e as Error);
      }
    };
    await connect();
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
    };
  }
}

// -------------------------------------------------------------------- helpers

async function insertFile(c: pg.PoolClient, model: string, version: number, relPath: string, bytes: Buffer, sha: string): Promise<void> {
  const chunks = Math.max(1, Math.ceil(bytes.byteLength / CHUNK_BYTES));
  await c.query('INSERT INTO mlctl_files (model, version, path, bytes, sha256, chunks) VALUES ($1, $2, $3, $4, $5, $6)', [
    model,
    version,
    relPath,
    bytes.byteLength,
    sha,
    chunks,
  ]);
  for (let seq = 0; seq < chunks; seq++) {
    await c.query('INSERT INTO mlctl_file_chunks (model, version, path, seq, data) VALUES ($1, $2, $3, $4, $5)', [
      model,
      version,
      relPath,
      seq,
      bytes.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES),
    ]);
  }
}

async function readChunks(c: pg.PoolClient, model: string, version: number, relPath: string): Promise<Buffer> {
  const rows = await c.query<{ data: Buffer }>(
    'SELECT data FROM mlctl_file_chunks WHERE model = $1 AND version = $2 AND path = $3 ORDER BY seq',
    [model, version, relPath],
  );
  return Buffer.concat(rows.rows.map((r) => r.data));
}

async function notify(c: pg.PoolClient, notice: Notice): Promise<void> {
  await c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify(notice)]);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function filesMatch(dir: string, record: VersionRecord): Promise<boolean> {
  try {
    for (const entry of record.files) {
      const bytes = await readFile(path.join(dir, ...entry.path.split('/')));
      if (bytes.byteLength !== entry.bytes || sha256(bytes) !== entry.sha256) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^a-zA-Z0-9_-]/g, '_');
  } catch {
    return 'user';
  }
}
