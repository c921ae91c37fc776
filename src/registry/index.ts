/** The registry: the filesystem store of model versions. Never imports TF.js. */
export { Registry } from './registry.js';
export type {
  PublishOptions,
  PublishResult,
  RemoveVersionResult,
  SetAliasResult,
  StagingDir,
  VerifyIssue,
  VerifyProblem,
  VersionSelector,
} from './registry.js';
export {
  ALIASES_FILE,
  DEFAULT_REGISTRY_DIR,
  LAST_VERSION_FILE,
  LATEST,
  LOCK_DIR,
  MAX_NAME_LENGTH,
  METADATA_FILE,
  MODEL_JSON_FILE,
  STAGING_PREFIX,
  TRASH_PREFIX,
  assertAliasName,
  assertModelName,
  assertVersionNumber,
  isAliasName,
  isModelName,
  isVersionDirName,
  isVersionNumber,
  parseVersionNumber,
} from './layout.js';
export { GZIP_LEVEL, computeFileEntries, computeFileEntry, hashFile } from './file-entries.js';
export { formatVersionRanges } from './version-ranges.js';
export { LOCK_STALE_MS, LOCK_UPDATE_MS } from './model-lock.js';
export { WORK_DIR_MAX_AGE_MS } from './work-dir.js';
export type { WorkDirKind, WorkDirOwner } from './work-dir.js';
export type { DatasetFingerprint, FileEntry, Operation, VersionRecord } from './version-record.js';
