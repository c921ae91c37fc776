/**
 * The registry contract: everything the commands and the server use of a registry, behind one
 * interface with two stores — the folder store (`registry.ts`, the embedded default) and the
 * PostgreSQL store (`postgres/pg-registry.ts`) for registries shared by several machines.
 * `open-registry.ts` picks the store from the location (`postgres://…` or a folder path).
 * MLflow's shape: one abstract store, a file store and a SQL store, chosen by URI scheme.
 */
import type { LATEST } from './layout.js';
import type { ExplanationRecord, FileEntry, ImportanceSection, VersionRecord } from './version-record.js';
import type { WorkDirKind, WorkDirOwner } from './work-dir.js';

/** Which version a command means: `{}` or `{version: 'latest'}` = highest, `{version: 3}`, `{alias: 'production'}`. */
export interface VersionSelector {
  version?: number | typeof LATEST;
  alias?: string;
}

export interface PublishOptions {
  /** writes the version's files (model.json, weight shards) into `stagingDir`; must not write mlctl.json */
  writeFiles: (stagingDir: string) => Promise<void>;
  /**
   * builds the record once the number is known (called under the model lock or inside the
   * publishing transaction: keep it quick). The registry sets `model`, `version` and `files` itself.
   */
  buildRecord: (version: number, files: FileEntry[]) => VersionRecord;
}

export interface PublishResult {
  version: number;
  /** where the version lives: its directory (folder store) or `postgres://host/db#model/3` */
  dir: string;
  record: VersionRecord;
}

export interface SetAliasOptions {
  /** move an alias that points to another version */
  force?: boolean;
  /**
   * compare-and-set: move only if the alias points to exactly this version now (null: only if it
   * does not exist yet); CONFLICT otherwise. Without it the registry compares with what it read.
   */
  expected?: number | null;
  /** who moves it, for the alias history (default: user@host) */
  by?: string;
}

export interface SetAliasResult {
  alias: string;
  version: number;
  /** the version the alias pointed to before, null if it is new */
  previous: number | null;
}

export interface RemoveVersionResult {
  removed: number;
  /** aliases that pointed to the removed version (only with force) */
  aliasesRemoved: string[];
}

/** One move of an alias: set (from null), moved, or removed (to null). */
export interface AliasMove {
  model: string;
  alias: string;
  from: number | null;
  to: number | null;
  /** ISO 8601 */
  at: string;
  by: string;
}

export type VerifyProblem = 'missing' | 'size' | 'checksum' | 'extra' | 'record';

export interface VerifyIssue {
  model: string;
  version: number;
  /** path relative to the version directory (POSIX) */
  file?: string;
  problem: VerifyProblem;
  /** one line naming the file relative to the registry root, e.g. `iris/2/weights.bin: sha256 mismatch (…)` */
  message: string;
}

/** A `.staging-*` (version being written) or `.trash-*` (version being deleted) directory. */
export interface StagingDir {
  model: string;
  kind: WorkDirKind;
  /** directory name, e.g. `.staging-myhost-4242-m1x2y3z4-0a1b2c3d` */
  name: string;
  /** absolute path of the directory */
  dir: string;
  /** null when the name does not follow mlctl's pattern */
  owner: WorkDirOwner | null;
  startedAt: Date;
  ageMs: number;
  /** nobody will come back for it: its process is gone (same host) or it is older than 24 h */
  ownerGone: boolean;
}

/** What changed in a registry, as a store that can push events reports it. */
export interface RegistryEvent {
  kind: 'version' | 'alias';
  model: string;
}

export interface WatchHandlers {
  onEvent: (event: RegistryEvent | null) => void;
  /** the push connection dropped (`up: false`) or came back (`up: true`) */
  onState?: (up: boolean, error?: Error) => void;
}

/** What every worker of a study must agree on; a worker that differs is refused (see study-store.ts). */
export interface StudySpec {
  name: string;
  /** the model the winner is published as */
  model: string;
  /** the search's settings (space, budget, folds, metric, seed, split…), as JSON */
  settings: Record<string, unknown>;
  /** the table file: where it was read, its sha256 and row count */
  data: { path: string; sha256: string; rows: number };
  /** sha256 of the encoded folds every trial trains on (same file + same settings = same fingerprint) */
  fingerprint: string;
}

export interface StudyInfo extends StudySpec {
  createdAt: string;
  createdBy: string;
  /** the version the study published, once it has */
  published: { model: string; version: number; at: string } | null;
  /** the latest leaderboard a worker wrote (JSON, see lifecycle/tune/study.ts) */
  snapshot: unknown;
}

export interface StudyWorker {
  worker: string;
  parallel: number;
  state: 'working' | 'waiting' | 'done' | 'stopped';
  joinedAt: string;
  lastSeenMs: number;
  tasksDone: number;
  /** task keys it holds a lease on now */
  running: string[];
}

export interface StudyTask {
  key: string;
  job: unknown;
  attempts: number;
}

export interface StudyProgress {
  info: StudyInfo;
  workers: StudyWorker[];
  tasks: { pending: number; running: number; done: number; expired: number };
}

/**
 * The shared state of distributed tune studies (PostgreSQL registries only): tasks claimed with
 * row locks and leases, results, workers and the one publish. lifecycle/tune/study.ts runs a search
 * on it; postgres/study-store.ts holds the SQL.
 */
export interface StudyStore {
  /** creates the study, or joins it when every setting and the fingerprint match (CONFLICT naming what differs) */
  openStudy(spec: StudySpec, worker: { id: string; parallel: number }): Promise<{ created: boolean; info: StudyInfo }>;
  readStudy(name: string): Promise<StudyInfo | null>;
  listStudies(): Promise<string[]>;
  progress(name: string): Promise<StudyProgress | null>;
  /** adds tasks that do not exist yet (every worker adds the same ones) */
  addTasks(study: string, tasks: { key: string; rung: number; trial: number; fold: number; job: unknown }[]): Promise<void>;
  /** one pending task, or a running one whose lease expired (FOR UPDATE SKIP LOCKED); null if none */
  claimTask(study: string, worker: string, leaseMs: number, key?: string): Promise<StudyTask | null>;
  /** renews the leases of the worker's running tasks and its last_seen */
  heartbeat(study: string, worker: string, leaseMs: number, state?: StudyWorker['state']): Promise<void>;
  /** stores a result (the first one wins: results are deterministic) */
  finishTask(study: string, worker: string, key: string, result: unknown): Promise<void>;
  /** gives the worker's running tasks back (a stopped worker) */
  releaseTasks(study: string, worker: string): Promise<void>;
  /** the results in among these keys */
  results(study: string, keys: readonly string[]): Promise<Map<string, unknown>>;
  /** keeps the most complete leaderboard (`done` = results it was computed from) */
  writeSnapshot(study: string, done: number, snapshot: unknown): Promise<void>;
  /** records the published version and marks the publish task done */
  markPublished(study: string, worker: string, model: string, version: number): Promise<void>;
}

export type StoreKind = 'folder' | 'postgres';

export interface RegistryStore {
  readonly kind: StoreKind;
  /** the location as it may be printed: a folder path, or a postgres URL without its password */
  readonly location: string;
  /** the folder of a folder store (relative dataset paths are stored against its parent); null otherwise */
  readonly localRoot: string | null;

  exists(): Promise<boolean>;
  /** model names, sorted; an empty or missing registry has none */
  listModels(): Promise<string[]>;
  /** version numbers of a model, ascending; unknown model → [] */
  listVersions(name: string): Promise<number[]>;
  /** USAGE/IO before any long work if a version could not be published here */
  checkWritable(): Promise<void>;
  /** numbered folders without a record (folder store only; [] elsewhere) */
  listFoldersWithoutRecord(name: string): Promise<number[]>;
  hasModel(name: string): Promise<boolean>;
  hasVersion(name: string, version: number): Promise<boolean>;
  readAliases(name: string): Promise<Record<string, number>>;
  resolveVersion(name: string, selector?: VersionSelector): Promise<number>;
  readRecord(name: string, version: number): Promise<VersionRecord>;
  /** NOT_FOUND (naming the known models) unless the model exists */
  requireModel(name: string): Promise<void>;

  publishVersion(name: string, options: PublishOptions): Promise<PublishResult>;
  /**
   * `registry copy`: stores a version from another registry as it is (record, lineage, files,
   * checksums) under its own number. false if that number already holds this very version;
   * ALREADY_EXISTS if it holds a different one (never overwritten); INVALID_MODEL if a file does
   * not match the record's checksum.
   */
  importVersion(record: VersionRecord, readFile: (relPath: string) => Promise<Buffer>): Promise<boolean>;
  setAlias(name: string, alias: string, version: number, options?: SetAliasOptions): Promise<SetAliasResult>;
  removeAlias(name: string, alias: string, options?: { by?: string }): Promise<number>;
  removeVersion(name: string, version: number, options?: { force?: boolean }): Promise<RemoveVersionResult>;
  /** newest first; one alias or all of the model's */
  aliasHistory(name: string, alias?: string): Promise<AliasMove[]>;

  /** what `mlctl explain` stored for the version (checked), or null; INVALID_MODEL when unreadable */
  readExplanation(name: string, version: number): Promise<ExplanationRecord | null>;
  /** stores (replaces) the version's importance atomically; the version's record and files stay as published */
  writeExplanation(name: string, version: number, importance: ImportanceSection): Promise<ExplanationRecord>;

  /** recomputes every file's size and sha256 from the stored bytes against the record */
  verifyFiles(name: string, version: number): Promise<VerifyIssue[]>;
  listStaging(name?: string): Promise<StagingDir[]>;
  sweepStaging(name?: string): Promise<StagingDir[]>;

  /** printable place of a version: its directory, or `postgres://host/db#model/3` */
  versionLocation(name: string, version: number): string;
  /** the bytes of one file of a version (a path relative to the version, POSIX) */
  readVersionFile(name: string, version: number, relPath: string): Promise<Buffer>;
  /**
   * a local directory holding the version's files: the version directory itself (folder store),
   * or a checksum-verified copy in a cache (database store) for code that needs paths
   */
  localVersionDir(name: string, version: number): Promise<string>;
  /** push change events (a store that cannot returns null: poll instead) */
  watch?(handlers: WatchHandlers): Promise<() => Promise<void>>;
  /** applies the schema migrations this mlctl knows (database store; the folder store has none) */
  migrate?(): Promise<{ applied: { id: number; name: string }[]; current: number }>;
  /** the distributed tune studies (database store only) */
  studies?(): StudyStore;
  /** releases connections (no-op for the folder store) */
  close(): Promise<void>;
}
