/**
 * The filesystem store of model versions, and the only code that builds registry paths.
 * A version is a directory named by a number (TF Serving's `FileSystemStoragePathSource` rule)
 * holding a stock TF.js layers model plus `mlctl.json`. Versions are published atomically
 * (staging dir → lock → rename) and never modified afterwards; see `layout.ts` for the layout.
 * The one file beside the record that changes is `explanation.json` (what `mlctl explain`
 * measured), replaced atomically under the model lock and checked by verify.
 */
import { constants as fsConstants, readFile as readFileCb, stat as statCb } from 'node:fs';
import { access, appendFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { MlctlError, toMlctlError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import {
  ALIASES_FILE,
  ALIAS_HISTORY_FILE,
  EXPLANATION_FILE,
  LAST_VERSION_FILE,
  LATEST,
  METADATA_FILE,
  assertAliasName,
  assertModelName,
  assertVersionNumber,
  isModelName,
  isVersionDirName,
  isVersionNumber,
} from './layout.js';
import { computeFileEntries, fsyncDir, fsyncFile, fsyncTree, hashFile, listFilesRecursive } from './file-entries.js';
import { lockStaleMs, withModelLock, type LockOptions, type ModelLock } from './model-lock.js';
import { formatVersionRanges } from './version-ranges.js';
import type { ExplanationRecord, ImportanceSection, VersionRecord } from './version-record.js';
import type {
  AliasMove,
  PublishOptions,
  PublishResult,
  RegistryStore,
  RemoveVersionResult,
  SetAliasOptions,
  SetAliasResult,
  StagingDir,
  VerifyIssue,
  VerifyProblem,
  VersionSelector,
} from './store.js';
import { parseExplanationRecord, parseVersionRecord } from './record-schema.js';
import { isOwnerGone, parseWorkDirName, workDirKind, workDirName } from './work-dir.js';

/**
 * Small reads through the callback API: fs/promises opens a FileHandle per call, which made
 * `version list` on 200 versions spend more time in open/close/GC than in mlctl (bench:cli).
 */
const readFile = promisify(readFileCb);
const stat = promisify(statCb);

export type {
  AliasMove,
  PublishOptions,
  PublishResult,
  RemoveVersionResult,
  SetAliasOptions,
  SetAliasResult,
  StagingDir,
  VerifyIssue,
  VerifyProblem,
  VersionSelector,
} from './store.js';

type Aliases = Record<string, number>;

export interface RegistryOptions {
  /**
   * how long (ms) the model lock of a process that died while holding it keeps blocking others
   * (default 10 s, at least 2 s)
   */
  lockStaleMs?: number;
  /** what to record as the lock holder's command, and a hook for a writer that starts waiting */
  lock?: LockOptions;
}

export class Registry implements RegistryStore {
  readonly kind = 'folder' as const;
  readonly root: string;
  private readonly lockOptions: LockOptions;

  constructor(root: string, options: RegistryOptions = {}) {
    if (typeof root !== 'string' || root.trim() === '') {
      throw new MlctlError('USAGE', 'The registry path is empty.', { hint: 'Pass --registry <dir>.' });
    }
    this.root = path.resolve(root);
    this.lockOptions = { ...options.lock, staleMs: lockStaleMs({ staleMs: options.lockStaleMs ?? options.lock?.staleMs }) };
  }

  get location(): string {
    return this.root;
  }

  get localRoot(): string {
    return this.root;
  }

  versionLocation(name: string, version: number): string {
    return this.versionDir(name, version);
  }

  async readVersionFile(name: string, version: number, relPath: string): Promise<Buffer> {
    const file = this.versionFile(name, version, relPath);
    return guard(() => readFile(file));
  }

  async localVersionDir(name: string, version: number): Promise<string> {
    return this.versionDir(name, version);
  }

  async close(): Promise<void> {}

  /** Runs `fn` holding the model lock of `modelDir` (this registry's stale timeout and holder info). */
  private locked<T>(modelDir: string, label: string, fn: (lock: ModelLock) => Promise<T>): Promise<T> {
    return withModelLock(modelDir, label, fn, this.lockOptions);
  }

  // ---------------------------------------------------------------- paths

  modelDir(name: string): string {
    assertModelName(name);
    return path.join(this.root, name);
  }

  versionDir(name: string, version: number): string {
    assertVersionNumber(version);
    return path.join(this.modelDir(name), String(version));
  }

  /** Absolute path of a file inside a version; refuses paths that leave the version directory. */
  versionFile(name: string, version: number, relPath: string): string {
    const dir = this.versionDir(name, version);
    const resolved = typeof relPath === 'string' ? path.resolve(dir, relPath) : dir;
    const rel = path.relative(dir, resolved);
    if (path.isAbsolute(String(relPath)) || rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      throw new MlctlError('USAGE', `File path "${String(relPath)}" is outside the version directory.`, {
        hint: 'Use a path relative to the version, such as model.json or weights.bin.',
      });
    }
    return resolved;
  }

  // ---------------------------------------------------------------- reading

  async exists(): Promise<boolean> {
    return isDirectory(this.root);
  }

  /** Model names, sorted; a missing registry has none. */
  async listModels(): Promise<string[]> {
    return guard(async () => {
      let entries;
      try {
        entries = await readdir(this.root, { withFileTypes: true });
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'ENOENT') return [];
        if (code === 'ENOTDIR') {
          throw new MlctlError('IO', `The registry path ${this.root} is not a directory.`, {
            hint: 'Point --registry (or MLCTL_REGISTRY) at a directory.',
          });
        }
        throw e;
      }
      const names: string[] = [];
      for (const entry of entries) {
        if (!isModelName(entry.name)) continue;
        if (entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(path.join(this.root, entry.name))))) {
          names.push(entry.name);
        }
      }
      return names.sort();
    });
  }

  /** Version numbers of a model, ascending: numeric directories holding mlctl.json. Unknown model → []. */
  async listVersions(name: string): Promise<number[]> {
    assertModelName(name);
    return guard(async () => {
      const numbers = await this.numberedDirs(name);
      const present = await Promise.all(numbers.map((n) => isFile(path.join(this.modelDir(name), String(n), METADATA_FILE))));
      return numbers.filter((_, i) => present[i]);
    });
  }

  /**
   * Checks, before any long work, that a version can be published here: the registry is a
   * writable directory, or can be created (its nearest existing parent is a writable directory).
   * USAGE when the path names something that is not a folder, IO when it cannot be written.
   */
  async checkWritable(): Promise<void> {
    const hint = 'Pass --registry <dir> (or set MLCTL_REGISTRY, or "registry" in the config) naming a folder you can write to.';
    let dir = this.root;
    for (;;) {
      const info = await statOrNull(dir);
      if (info) {
        if (!info.isDirectory()) {
          throw new MlctlError(
            'USAGE',
            dir === this.root
              ? `The registry ${this.root} is not a directory.`
              : `The registry ${this.root} cannot be created: ${dir} is not a directory.`,
            { hint },
          );
        }
        try {
          await access(dir, fsConstants.W_OK);
        } catch {
          throw new MlctlError(
            'IO',
            dir === this.root
              ? `The registry ${this.root} is not writable.`
              : `The registry ${this.root} cannot be created: ${dir} is not writable.`,
            { hint },
          );
        }
        return;
      }
      const parent = path.dirname(dir);
      if (parent === dir) return;
      dir = parent;
    }
  }

  /** Numbered folders that hold no record (not versions: a damaged or hand-made folder). */
  async listFoldersWithoutRecord(name: string): Promise<number[]> {
    assertModelName(name);
    return guard(async () => {
      const numbers = await this.numberedDirs(name);
      const present = await Promise.all(numbers.map((n) => isFile(path.join(this.modelDir(name), String(n), METADATA_FILE))));
      return numbers.filter((_, i) => !present[i]);
    });
  }

  /** True if the model exists (its directory does), whether or not it has versions. */
  async hasModel(name: string): Promise<boolean> {
    return isDirectory(this.modelDir(name));
  }

  async hasVersion(name: string, version: number): Promise<boolean> {
    if (!isVersionNumber(version)) return false;
    return isFile(this.versionFile(name, version, METADATA_FILE));
  }

  /** alias → version; a model without aliases.json has none. */
  async readAliases(name: string): Promise<Aliases> {
    assertModelName(name);
    return guard(async () => {
      const file = path.join(this.modelDir(name), ALIASES_FILE);
      const data = await readJson(file);
      if (data === undefined) return {};
      if (!isPlainObject(data) || !Object.values(data).every(isVersionNumber)) {
        throw new MlctlError('INVALID_DATA', `${file} is not a valid aliases file: expected {"alias": version, …}.`, {
          hint: `Fix or delete ${file} (aliases can be set again with "mlctl version alias").`,
        });
      }
      return { ...(data as Aliases) };
    });
  }

  /** Resolves a selector to a version number that exists; NOT_FOUND errors say what does exist. */
  async resolveVersion(name: string, selector: VersionSelector = {}): Promise<number> {
    assertModelName(name);
    if (selector.version !== undefined && selector.alias !== undefined) {
      throw new MlctlError('USAGE', 'Pass either --version or --alias, not both.', {
        hint: `Run "mlctl version list ${name}" to see versions and aliases.`,
      });
    }
    return guard(async () => {
      if (selector.alias !== undefined) {
        assertAliasName(selector.alias);
        await this.requireModel(name);
        const aliases = await this.readAliases(name);
        const target = aliases[selector.alias];
        if (target === undefined) throw missingAliasError(name, selector.alias, aliases);
        if (!(await this.hasVersion(name, target))) {
          throw new MlctlError(
            'NOT_FOUND',
            `Alias "${selector.alias}" of model "${name}" points to version ${target}, which no longer exists.`,
            {
              hint: `Move it with "mlctl version alias ${name} ${selector.alias} <version> --force" or remove it with "mlctl version unalias ${name} ${selector.alias}".`,
            },
          );
        }
        return target;
      }
      const versions = await this.requireVersions(name);
      const wanted = selector.version;
      if (wanted === undefined || wanted === LATEST) return versions[versions.length - 1];
      assertVersionNumber(wanted);
      if (!versions.includes(wanted)) throw missingVersionError(name, wanted, versions);
      return wanted;
    });
  }

  /**
   * The VersionRecord of a version, every section checked (record-schema.ts): NOT_FOUND if absent,
   * INVALID_MODEL naming the version and the field if it is not JSON or not shaped as mlctl wrote it.
   */
  async readRecord(name: string, version: number): Promise<VersionRecord> {
    const file = this.versionFile(name, version, METADATA_FILE);
    return guard(async () => {
      let data: unknown;
      try {
        data = await readJson(file);
      } catch (e) {
        if (e instanceof MlctlError && e.code === 'INVALID_DATA') {
          throw new MlctlError('INVALID_MODEL', `${name} v${version}: ${e.message}`, {
            hint: `Run "mlctl version verify ${name}"; restore the file or remove the version.`,
            cause: e,
          });
        }
        throw e;
      }
      if (data === undefined) {
        await this.requireModel(name);
        throw missingVersionError(name, version, await this.listVersions(name));
      }
      return parseVersionRecord(data, { model: name, version });
    });
  }

  /** The version's explanation.json, checked; null when `mlctl explain` has not stored one. */
  async readExplanation(name: string, version: number): Promise<ExplanationRecord | null> {
    const file = this.versionFile(name, version, EXPLANATION_FILE);
    return guard(async () => {
      let data: unknown;
      try {
        data = await readJson(file);
      } catch (e) {
        if (e instanceof MlctlError && e.code === 'INVALID_DATA') {
          throw new MlctlError('INVALID_MODEL', `${name} v${version}: ${e.message}`, {
            hint: `Delete ${EXPLANATION_FILE} and run "mlctl explain ${name} --version ${version}" again.`,
            cause: e,
          });
        }
        throw e;
      }
      return data === undefined ? null : parseExplanationRecord(data, { model: name, version });
    });
  }

  /**
   * Stores `importance` as the version's explanation.json: written to a temporary file, fsynced and
   * renamed over the old one (write-file-atomic) under the model lock, so a reader sees the old or
   * the new file, never half of one, and a version being removed is not written into. The version's
   * own files and mlctl.json are not touched.
   */
  async writeExplanation(name: string, version: number, importance: ImportanceSection): Promise<ExplanationRecord> {
    assertModelName(name);
    assertVersionNumber(version);
    const explanation: ExplanationRecord = { schema: 1, model: name, version, importance };
    return guard(async () => {
      await this.requireModel(name);
      return this.locked(this.modelDir(name), name, async (lock) => {
        if (!(await this.hasVersion(name, version))) throw missingVersionError(name, version, await this.listVersions(name));
        lock.assertHeld();
        const dir = this.versionDir(name, version);
        await (
          await loadWriteFileAtomic()
        )(path.join(dir, EXPLANATION_FILE), `${JSON.stringify(explanation, null, 2)}\n`, { fsync: true });
        await fsyncDir(dir);
        return explanation;
      });
    });
  }

  // ---------------------------------------------------------------- publishing

  /**
   * Publishes a new version atomically: files are written into `.staging-<owner>/`, described
   * (FileEntry) and fsynced outside the lock; under the model lock the next number is chosen
   * (max of existing dirs and the high-water mark, so numbers are never reused), mlctl.json is
   * written and the staging dir renamed to `<n>/`. On any failure the staging dir is removed.
   */
  async publishVersion(name: string, options: PublishOptions): Promise<PublishResult> {
    const modelDir = this.modelDir(name);
    let staging: string | null = null;
    try {
      const created = await mkdir(modelDir, { recursive: true });
      if (created !== undefined) await fsyncDir(path.dirname(modelDir));
      staging = path.join(modelDir, workDirName('staging'));
      await mkdir(staging);
      await options.writeFiles(staging);
      const files = await computeFileEntries(staging);
      if (files.some((f) => f.path === METADATA_FILE)) {
        throw new MlctlError('INTERNAL', `writeFiles wrote ${METADATA_FILE} itself (this is a bug): the registry writes it.`);
      }
      await fsyncTree(staging);
      const stagingDir = staging;
      const result = await this.locked(modelDir, name, async (lock) => {
        const version = (await this.highWaterMark(name)) + 1;
        const record: VersionRecord = { ...options.buildRecord(version, files), model: name, version, files };
        const recordFile = path.join(stagingDir, METADATA_FILE);
        await writeFile(recordFile, `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' });
        await fsyncFile(recordFile);
        await fsyncDir(stagingDir);
        // the mark moves before the rename: a failed rename may skip a number, never reuse one
        await this.writeLastVersion(name, version);
        lock.assertHeld();
        const dir = path.join(modelDir, String(version));
        await rename(stagingDir, dir);
        staging = null;
        await fsyncDir(modelDir);
        return { version, dir, record };
      });
      return result;
    } catch (e) {
      if (staging !== null) await rm(staging, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
      throw toRegistryError(e);
    }
  }

  /** See RegistryStore.importVersion: staged, checked, then renamed to `<n>/` under the model lock. */
  async importVersion(record: VersionRecord, readFileOf: (relPath: string) => Promise<Buffer>): Promise<boolean> {
    const name = record.model;
    const version = record.version;
    const modelDir = this.modelDir(name);
    assertVersionNumber(version);
    if (await this.hasVersion(name, version)) {
      if (sameVersion(await this.readRecord(name, version), record)) return false;
      throw sameNumberError(name, version, this.root);
    }
    let staging: string | null = null;
    try {
      await mkdir(modelDir, { recursive: true });
      staging = path.join(modelDir, workDirName('staging'));
      await mkdir(staging);
      for (const entry of record.files) {
        if (!isSafeRelativePath(entry.path) || entry.path === METADATA_FILE) {
          throw new MlctlError('INVALID_MODEL', `${name} v${version}: invalid file path "${entry.path}" in the record; not copied.`);
        }
        const bytes = await readFileOf(entry.path);
        if (bytes.byteLength !== entry.bytes || createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
          throw new MlctlError('INVALID_MODEL', `${name}/${version}/${entry.path}: does not match its record's checksum; not copied.`, {
            hint: `Run "mlctl version verify ${name}" on the source registry.`,
          });
        }
        const target = path.join(staging, ...entry.path.split('/'));
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, bytes);
      }
      await writeFile(path.join(staging, METADATA_FILE), `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' });
      await fsyncTree(staging);
      const stagingDir = staging;
      const copied = await this.locked(modelDir, name, async (lock) => {
        if (await this.hasVersion(name, version)) {
          if (sameVersion(await this.readRecord(name, version), record)) return false;
          throw sameNumberError(name, version, this.root);
        }
        if (version > (await this.readLastVersion(name)))
          await this.writeLastVersion(name, Math.max(version, await this.highWaterMark(name)));
        lock.assertHeld();
        await rm(path.join(modelDir, String(version)), { recursive: true, force: true });
        await rename(stagingDir, path.join(modelDir, String(version)));
        staging = null;
        await fsyncDir(modelDir);
        return true;
      });
      return copied;
    } catch (e) {
      throw toRegistryError(e);
    } finally {
      if (staging !== null) await rm(staging, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- aliases

  /**
   * Points `alias` at `version`; CONFLICT if it points elsewhere, unless `force`; with `expected`,
   * CONFLICT unless it points exactly there now (compare-and-set). Every move is appended to the
   * model's alias history.
   */
  async setAlias(name: string, alias: string, version: number, options: SetAliasOptions = {}): Promise<SetAliasResult> {
    assertModelName(name);
    assertAliasName(alias);
    assertVersionNumber(version);
    return guard(async () => {
      await this.requireModel(name);
      return this.locked(this.modelDir(name), name, async (lock) => {
        if (!(await this.hasVersion(name, version))) throw missingVersionError(name, version, await this.listVersions(name));
        const aliases = await this.readAliases(name);
        const previous = aliases[alias] ?? null;
        assertAliasMove(name, alias, version, previous, options);
        if (previous === version) return { alias, version, previous };
        aliases[alias] = version;
        lock.assertHeld();
        await this.writeAliases(name, aliases);
        await this.appendHistory(name, {
          model: name,
          alias,
          from: previous,
          to: version,
          at: new Date().toISOString(),
          by: options.by ?? defaultActor(),
        });
        return { alias, version, previous };
      });
    });
  }

  /** Removes an alias; returns the version it pointed to. NOT_FOUND if absent. */
  async removeAlias(name: string, alias: string, options: { by?: string } = {}): Promise<number> {
    assertModelName(name);
    assertAliasName(alias);
    return guard(async () => {
      await this.requireModel(name);
      return this.locked(this.modelDir(name), name, async (lock) => {
        const aliases = await this.readAliases(name);
        const previous = aliases[alias];
        if (previous === undefined) throw missingAliasError(name, alias, aliases);
        delete aliases[alias];
        lock.assertHeld();
        await this.writeAliases(name, aliases);
        await this.appendHistory(name, {
          model: name,
          alias,
          from: previous,
          to: null,
          at: new Date().toISOString(),
          by: options.by ?? defaultActor(),
        });
        return previous;
      });
    });
  }

  /** The alias moves recorded in `aliases-history.jsonl`, newest first. */
  async aliasHistory(name: string, alias?: string): Promise<AliasMove[]> {
    assertModelName(name);
    if (alias !== undefined) assertAliasName(alias);
    return guard(async () => {
      await this.requireModel(name);
      let text = '';
      try {
        text = await readFile(path.join(this.modelDir(name), ALIAS_HISTORY_FILE), 'utf8');
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
      }
      const moves: AliasMove[] = [];
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const m = JSON.parse(line) as AliasMove;
          if (alias === undefined || m.alias === alias) moves.push(m);
        } catch {
          // a line cut short by a crash: skip it
        }
      }
      return moves.reverse();
    });
  }

  private async appendHistory(name: string, move: AliasMove): Promise<void> {
    await appendFile(path.join(this.modelDir(name), ALIAS_HISTORY_FILE), `${JSON.stringify(move)}\n`);
  }

  // ---------------------------------------------------------------- removal

  /**
   * Removes a version: CONFLICT if an alias points to it, unless `force` (then those aliases go
   * too). Under the lock the directory is renamed to `.trash-<owner>` (atomic), then deleted.
   */
  async removeVersion(name: string, version: number, options: { force?: boolean } = {}): Promise<RemoveVersionResult> {
    assertModelName(name);
    assertVersionNumber(version);
    const modelDir = this.modelDir(name);
    const trash = await guard(async () => {
      await this.requireModel(name);
      return this.locked(modelDir, name, async (lock) => {
        const dir = this.versionDir(name, version);
        if (!(await isDirectory(dir))) throw missingVersionError(name, version, await this.listVersions(name));
        const aliases = await this.readAliases(name);
        const pointing = Object.keys(aliases)
          .filter((a) => aliases[a] === version)
          .sort();
        if (pointing.length > 0 && !options.force) {
          throw new MlctlError(
            'CONFLICT',
            `Version ${version} of "${name}" is aliased as ${pointing.join(', ')}; pass --force to remove it and its aliases.`,
            { hint: `Move the alias first ("mlctl version alias ${name} ${pointing[0]} <version> --force") or pass --force.` },
          );
        }
        // remember the highest number before it may disappear, so it is never handed out again
        const mark = await this.highWaterMark(name);
        if (mark > (await this.readLastVersion(name))) await this.writeLastVersion(name, mark);
        if (pointing.length > 0) {
          for (const a of pointing) delete aliases[a];
          await this.writeAliases(name, aliases);
        }
        lock.assertHeld();
        const trashDir = path.join(modelDir, workDirName('trash'));
        await rename(dir, trashDir);
        await fsyncDir(modelDir);
        return { trashDir, pointing };
      });
    });
    // outside the lock: the version is already gone; a failure here leaves a .trash dir for sweepStaging
    await rm(trash.trashDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    return { removed: version, aliasesRemoved: trash.pointing };
  }

  // ---------------------------------------------------------------- verification

  /**
   * Re-reads every file of a version against its record: missing files, size and sha256
   * mismatches, unexpected extra files, and an unreadable or inconsistent record.
   */
  async verifyFiles(name: string, version: number): Promise<VerifyIssue[]> {
    const dir = this.versionDir(name, version);
    return guard(async () => {
      if (!(await isDirectory(dir))) {
        await this.requireModel(name);
        throw missingVersionError(name, version, await this.listVersions(name));
      }
      const shown = (rel: string): string => `${name}/${version}/${rel}`;
      const issue = (problem: VerifyProblem, file: string | undefined, message: string): VerifyIssue => ({
        model: name,
        version,
        ...(file === undefined ? {} : { file }),
        problem,
        message,
      });
      const issues: VerifyIssue[] = [];
      let record: VersionRecord;
      try {
        record = await this.readRecord(name, version);
      } catch (e) {
        if (e instanceof MlctlError && (e.code === 'INVALID_MODEL' || e.code === 'NOT_FOUND')) {
          const why = e.code === 'NOT_FOUND' ? 'missing (not a complete version)' : `unreadable (${e.message})`;
          return [issue('record', METADATA_FILE, `${shown(METADATA_FILE)}: ${why}`)];
        }
        throw e;
      }
      if (record.model !== name || record.version !== version) {
        issues.push(
          issue(
            'record',
            METADATA_FILE,
            `${shown(METADATA_FILE)}: records model "${String(record.model)}" version ${String(record.version)}, but it is stored as ${name}/${version}`,
          ),
        );
      }
      const expected = new Set<string>();
      for (const entry of record.files) {
        if (!isSafeRelativePath(entry.path) || entry.path === METADATA_FILE) {
          issues.push(issue('record', METADATA_FILE, `${shown(METADATA_FILE)}: invalid file path "${entry.path}" in the record`));
          continue;
        }
        expected.add(entry.path);
        const file = path.join(dir, ...entry.path.split('/'));
        const info = await statOrNull(file);
        if (!info || !info.isFile()) {
          issues.push(issue('missing', entry.path, `${shown(entry.path)}: missing`));
          continue;
        }
        if (info.size !== entry.bytes) {
          issues.push(
            issue(
              'size',
              entry.path,
              `${shown(entry.path)}: ${info.size} bytes, expected ${entry.bytes} (file was truncated or modified after publishing)`,
            ),
          );
          continue;
        }
        const actual = await hashFile(file);
        if (actual.sha256 !== entry.sha256) {
          issues.push(issue('checksum', entry.path, `${shown(entry.path)}: sha256 mismatch (file was modified after publishing)`));
        }
      }
      const others: string[] = [];
      const present = await listFilesRecursive(dir, (rel) => others.push(rel));
      for (const rel of [...present, ...others].sort()) {
        if (rel === METADATA_FILE || rel === EXPLANATION_FILE || expected.has(rel)) continue;
        issues.push(issue('extra', rel, `${shown(rel)}: unexpected file (not part of the published version)`));
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

  // ---------------------------------------------------------------- staging

  /** Work directories (`.staging-*`, `.trash-*`) of one model or of all models. */
  async listStaging(name?: string): Promise<StagingDir[]> {
    if (name !== undefined) assertModelName(name);
    return guard(async () => {
      const models = name !== undefined ? [name] : await this.listModels();
      const now = Date.now();
      const out: StagingDir[] = [];
      for (const model of models) {
        let entries: string[];
        try {
          entries = await readdir(this.modelDir(model));
        } catch (e) {
          if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') continue;
          throw e;
        }
        for (const entry of entries.sort()) {
          const kind = workDirKind(entry);
          if (!kind) continue;
          const full = path.join(this.modelDir(model), entry);
          const info = await statOrNull(full);
          if (!info || !info.isDirectory()) continue;
          const parsed = parseWorkDirName(entry);
          const startedAt = parsed?.startedAt ?? info.mtime;
          const ageMs = Math.max(0, now - startedAt.getTime());
          const owner = parsed?.owner ?? null;
          out.push({ model, kind, name: entry, dir: full, owner, startedAt, ageMs, ownerGone: isOwnerGone(owner, ageMs) });
        }
      }
      return out;
    });
  }

  /** Removes the work directories whose owner is gone; returns what was removed. */
  async sweepStaging(name?: string): Promise<StagingDir[]> {
    const dirs = await this.listStaging(name);
    return guard(async () => {
      const removed: StagingDir[] = [];
      for (const dir of dirs) {
        if (!dir.ownerGone) continue;
        await rm(dir.dir, { recursive: true, force: true, maxRetries: 3 });
        removed.push(dir);
      }
      return removed;
    });
  }

  // ---------------------------------------------------------------- internals

  /** Canonical numeric directory names of a model (with or without mlctl.json), ascending. */
  private async numberedDirs(name: string): Promise<number[]> {
    let entries;
    try {
      entries = await readdir(this.modelDir(name), { withFileTypes: true });
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw e;
    }
    return entries
      .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && isVersionDirName(e.name))
      .map((e) => Number(e.name))
      .sort((a, b) => a - b);
  }

  /** The highest number ever used: max of numeric dirs and the recorded mark. */
  private async highWaterMark(name: string): Promise<number> {
    const dirs = await this.numberedDirs(name);
    return Math.max(dirs.length > 0 ? dirs[dirs.length - 1] : 0, await this.readLastVersion(name));
  }

  private async readLastVersion(name: string): Promise<number> {
    const file = path.join(this.modelDir(name), LAST_VERSION_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return 0;
      throw e;
    }
    const trimmed = text.trim();
    if (!isVersionDirName(trimmed)) {
      throw new MlctlError('INVALID_DATA', `${file} is corrupt: expected the highest version number ever published.`, {
        hint: `Delete ${file}; mlctl recreates it from the version directories.`,
      });
    }
    return Number(trimmed);
  }

  private async writeLastVersion(name: string, version: number): Promise<void> {
    await (
      await loadWriteFileAtomic()
    )(path.join(this.modelDir(name), LAST_VERSION_FILE), `${version}\n`, { fsync: true });
  }

  private async writeAliases(name: string, aliases: Aliases): Promise<void> {
    const sorted: Aliases = {};
    for (const key of Object.keys(aliases).sort()) sorted[key] = aliases[key];
    const modelDir = this.modelDir(name);
    await (
      await loadWriteFileAtomic()
    )(path.join(modelDir, ALIASES_FILE), `${JSON.stringify(sorted, null, 2)}\n`, { fsync: true });
    await fsyncDir(modelDir);
  }

  /** NOT_FOUND (naming the known models) unless the model directory exists. */
  async requireModel(name: string): Promise<void> {
    if (await this.hasModel(name)) return;
    if (!(await this.exists())) throw noRegistryError(this.root);
    const known = await this.listModels();
    throw new MlctlError('NOT_FOUND', `Model "${name}" not found in ${this.root}.`, {
      hint:
        known.length > 0
          ? `${didYouMean(name, known).trim()} Known models: ${known.join(', ')}.`.trim()
          : 'The registry is empty; train a model first ("mlctl train iris") or import one ("mlctl import model.json").',
    });
  }

  /** The model's versions; NOT_FOUND if the model is unknown or has none. */
  private async requireVersions(name: string): Promise<number[]> {
    await this.requireModel(name);
    const versions = await this.listVersions(name);
    if (versions.length === 0) {
      throw new MlctlError('NOT_FOUND', `Model "${name}" has no versions.`, {
        hint: 'Train or import a model first ("mlctl train" or "mlctl import").',
      });
    }
    return versions;
  }
}

// -------------------------------------------------------------------- messages

/** The CONFLICT rules of an alias move, shared by both stores (compare-and-set with `expected`). */
export function assertAliasMove(name: string, alias: string, version: number, previous: number | null, options: SetAliasOptions): void {
  if (options.expected !== undefined && options.expected !== previous) {
    const now = previous === null ? 'does not exist' : `points to ${previous}`;
    const wanted = options.expected === null ? 'not to exist yet' : `to point to ${options.expected}`;
    throw new MlctlError('CONFLICT', `Alias "${alias}" of "${name}" was moved by someone else: it ${now}, expected it ${wanted}.`, {
      hint: `Run "mlctl version list ${name}" and "mlctl version alias ${name} ${alias} --history", then move it again.`,
    });
  }
  if (previous !== null && previous !== version && !options.force && options.expected === undefined) {
    throw new MlctlError('CONFLICT', `Alias "${alias}" points to ${previous}; pass --force to move it.`, {
      hint: `Run "mlctl version alias ${name} ${alias} ${version} --force".`,
    });
  }
}

/** Two records are the same version if they were created at the same moment with identical files. */
export function sameVersion(a: VersionRecord, b: VersionRecord): boolean {
  const key = (r: VersionRecord): string =>
    JSON.stringify([...r.files].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)).map((f) => [f.path, f.bytes, f.sha256]));
  return a.createdAt === b.createdAt && key(a) === key(b);
}

/** `registry copy` refuses to overwrite a different version under the same number. */
export function sameNumberError(name: string, version: number, where: string): MlctlError {
  return new MlctlError('ALREADY_EXISTS', `${name} v${version} already exists in ${where} and is a different version; not overwritten.`, {
    hint: 'Copy into another registry, or remove that version there first ("mlctl version rm").',
  });
}

/** Who moves an alias, for its history: user@host. */
export function defaultActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return `${user}@${hostname()}`;
}

export function missingVersionError(name: string, version: number, versions: number[]): MlctlError {
  if (versions.length === 0) {
    return new MlctlError('NOT_FOUND', `Model "${name}" has no versions.`, {
      hint: 'Train or import a model first ("mlctl train" or "mlctl import").',
    });
  }
  const latest = versions[versions.length - 1];
  const which = versions.length === 1 ? 'version' : 'versions';
  return new MlctlError(
    'NOT_FOUND',
    `Model "${name}" has no version ${version}; it has ${which} ${formatVersionRanges(versions)} (latest is ${latest}).`,
    { hint: `Run "mlctl version list ${name}".` },
  );
}

export function missingAliasError(name: string, alias: string, aliases: Aliases): MlctlError {
  const names = Object.keys(aliases).sort();
  const what = names.length === 0 ? 'it has no aliases' : `its aliases are ${names.map((a) => `${a} → ${aliases[a]}`).join(', ')}`;
  return new MlctlError('NOT_FOUND', `Model "${name}" has no alias "${alias}"; ${what}.`, {
    hint: `${didYouMean(alias, names).trim()} Run "mlctl version list ${name}".`.trim(),
  });
}

/** A command that reads versions, run before any registry exists (the first run). */
export function noRegistryError(root: string): MlctlError {
  return new MlctlError('NOT_FOUND', `No model registry at ${root} yet.`, {
    hint: 'Train a first model with "mlctl train iris" (or point --registry / MLCTL_REGISTRY at an existing registry).',
  });
}

// -------------------------------------------------------------------- helpers

/** Keeps MlctlErrors; filesystem errors become IO naming the path; the rest as toMlctlError. */
function toRegistryError(e: unknown): MlctlError {
  if (e instanceof MlctlError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = errnoCode(e);
  if (code && code !== 'ENOSPC' && code !== 'EACCES' && code !== 'EPERM' && typeof err.syscall === 'string') {
    return new MlctlError('IO', `Filesystem error: ${err.message.replace(/\.$/, '')}.`, {
      hint: 'Check the registry directory and the disk, then run the command again.',
      cause: e,
    });
  }
  return toMlctlError(e);
}

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toRegistryError(e);
  }
}

function errnoCode(e: unknown): string | undefined {
  const code = e && typeof e === 'object' ? (e as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

async function statOrNull(file: string) {
  try {
    return await stat(file);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  return (await statOrNull(dir))?.isDirectory() ?? false;
}

async function isFile(file: string): Promise<boolean> {
  return (await statOrNull(file))?.isFile() ?? false;
}

/** Parsed JSON of a file, undefined if it does not exist; INVALID_DATA naming the file if it is not JSON. */
async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new MlctlError('INVALID_DATA', `${file} is not valid JSON (${(e as Error).message}).`, {
      hint: 'The file was damaged or edited by hand; restore it from a backup.',
      cause: e,
    });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A POSIX relative path that stays inside its directory. */
export function isSafeRelativePath(p: string): boolean {
  if (typeof p !== 'string' || p === '' || p.startsWith('/') || p.includes('\\') || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** write-file-atomic is only needed by writers; read-only commands (list, show) skip loading it. */
async function loadWriteFileAtomic(): Promise<typeof import('write-file-atomic')> {
  return (await import('write-file-atomic')).default;
}
