/**
 * The registry's on-disk layout: file names, name rules and version-number parsing. Every path
 * the registry builds starts from these constants (MLflow `FileStore.META_DATA_FILE_NAME` style).
 *
 *     <root>/<model>/aliases.json            {"production": 2}, written atomically
 *     <root>/<model>/aliases-history.jsonl   one line per alias move {alias, from, to, at, by}
 *     <root>/<model>/.last-version           highest number ever published (never reused)
 *     <root>/<model>/.lock/                  per-model lock (proper-lockfile, mkdir-based)
 *     <root>/<model>/<n>/model.json          stock TF.js layers model + weight shards
 *     <root>/<model>/<n>/mlctl.json          the VersionRecord
 *     <root>/<model>/<n>/explanation.json    what `mlctl explain` measured (optional, replaced atomically)
 *     <root>/<model>/.staging-<owner>/       a version being written; not a number, never a version
 *     <root>/<model>/.trash-<owner>/         a removed version being deleted
 */
import { MlctlError } from '../errors.js';

/** METADATA_FILE (mlctl.json), MODEL_JSON_FILE (model.json), DEFAULT_REGISTRY_DIR: see vocabulary.ts */
export { DEFAULT_REGISTRY_DIR, EXPLANATION_FILE, METADATA_FILE, MODEL_JSON_FILE } from '../vocabulary.js';
/** alias name -> version number, per model */
export const ALIASES_FILE = 'aliases.json';
/** every alias move of a model, one JSON line each (appended under the model lock) */
export const ALIAS_HISTORY_FILE = 'aliases-history.jsonl';
/** highest version number ever published for a model, so numbers are never reused */
export const LAST_VERSION_FILE = '.last-version';
/** per-model lock directory (proper-lockfile `lockfilePath`) */
export const LOCK_DIR = '.lock';
/** prefix of a directory holding a version being written */
export const STAGING_PREFIX = '.staging-';
/** prefix of a removed version directory waiting to be deleted */
export const TRASH_PREFIX = '.trash-';
/** the version selector word that means "highest version" */
export const LATEST = 'latest';

export const MAX_NAME_LENGTH = 100;
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const VERSION_PATTERN = /^[1-9][0-9]*$/;

function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name) && !name.includes('..');
}

export function isModelName(name: string): boolean {
  return typeof name === 'string' && isValidName(name);
}

/** Throws USAGE unless `name` is a valid model name (also a safe single path segment). */
export function assertModelName(name: string): void {
  if (isModelName(name)) return;
  const shown = typeof name === 'string' ? name : String(name);
  const why = typeof name === 'string' && name.length > MAX_NAME_LENGTH ? ` (at most ${MAX_NAME_LENGTH} characters)` : '';
  throw new MlctlError(
    'USAGE',
    `Invalid model name "${shown}"${why}: use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit.`,
    { hint: 'For example: iris, churn-v2, house_prices.' },
  );
}

export function isAliasName(alias: string): boolean {
  return typeof alias === 'string' && isValidName(alias) && !/^[0-9]+$/.test(alias) && alias !== LATEST;
}

/** Throws USAGE unless `alias` is a valid alias name: the model-name charset, not all digits, not "latest". */
export function assertAliasName(alias: string): void {
  if (isAliasName(alias)) return;
  const shown = typeof alias === 'string' ? alias : String(alias);
  if (typeof alias === 'string' && /^[0-9]+$/.test(alias)) {
    throw new MlctlError('USAGE', `Invalid alias "${shown}": an alias cannot be all digits (it would read as a version).`, {
      hint: 'Use a word such as production, staging or canary.',
    });
  }
  if (alias === LATEST) {
    throw new MlctlError('USAGE', `Invalid alias "latest": it is reserved for the highest version.`, {
      hint: 'Use --version latest, or pick another alias name.',
    });
  }
  throw new MlctlError(
    'USAGE',
    `Invalid alias "${shown}": use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit.`,
    { hint: 'Use a word such as production, staging or canary.' },
  );
}

/** True if `text` is a canonical version directory name: a positive integer without leading zeros. */
export function isVersionDirName(text: string): boolean {
  return VERSION_PATTERN.test(text) && Number.isSafeInteger(Number(text));
}

/** True if `n` is a usable version number (a positive safe integer). */
export function isVersionNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

/** Parses a version number ("3"); throws USAGE for "03", "0", "-1", "1.5", "abc". */
export function parseVersionNumber(text: string): number {
  if (typeof text === 'string' && isVersionDirName(text)) return Number(text);
  throw new MlctlError('USAGE', `Invalid version "${String(text)}": expected a positive whole number such as 3.`, {
    hint: 'Use --version <n> or --version latest.',
  });
}

/** Throws USAGE unless `n` is a positive safe integer. */
export function assertVersionNumber(n: number): void {
  if (isVersionNumber(n)) return;
  throw new MlctlError('USAGE', `Invalid version ${String(n)}: expected a positive whole number such as 3.`, {
    hint: 'Use --version <n> or --version latest.',
  });
}
