/**
 * Open a registry version for inference or as the parent of a new one (evaluate, predict,
 * prune, quantize, serve): resolve the selector, read its record (every section checked), check
 * every file against the sha256 and size recorded at publish time (a tampered or truncated file
 * fails here, naming it), then open the model through the engine's handle.
 *
 * Two steps, so a command can check its other input (data, gates) against the record before
 * paying for TensorFlow.js: `readVersion` (no tensors) then `openVersion`.
 */
import { MlctlError } from '../errors.js';
import type { Signature, FeatureRows, EncodeOptions } from '../dataset/signature.js';
import type { ModelHandle } from '../engine/model-handle.js';
import type { ModelFileReader } from '../engine/reader-io-handler.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { VersionRecord } from '../registry/version-record.js';
import { EXPLANATION_FILE, OPERATION_PAST, plural, type BackendChoice } from '../vocabulary.js';
import { predictRows, type RowPredictions } from './predict-rows.js';

export interface VersionInfo {
  model: string;
  version: number;
  record: VersionRecord;
  /** absolute path of the version directory */
  dir: string;
  /** how raw rows become inputs; null for an imported model (it takes plain numeric rows) */
  signature: Signature | null;
}

export interface OpenedVersion extends VersionInfo {
  handle: ModelHandle;
  backend: string;
  /** raw rows → the version's own encoding → predictions in the user's terms */
  predictRows(rows: FeatureRows, options?: EncodeOptions): RowPredictions;
  dispose(): void;
}

export interface ReadVersionOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
}

export async function readVersion(options: ReadVersionOptions): Promise<VersionInfo> {
  const { registry, model } = options;
  const version = await registry.resolveVersion(model, options.selector ?? {});
  const record = await registry.readRecord(model, version);
  return { model, version, record, dir: await registry.localVersionDir(model, version), signature: record.signature ?? null };
}

export interface OpenVersionOptions extends ReadVersionOptions {
  backend?: BackendChoice;
}

/** Opens the version (its files verified first); `info` skips reading the record again. */
export async function openVersion(options: OpenVersionOptions, info?: VersionInfo): Promise<OpenedVersion> {
  const { registry } = options;
  const v = info ?? (await readVersion(options));
  await assertVersionFiles(registry, v);
  const { openModel } = await import('../engine/model-handle.js');
  const handle = await openModel(await modelSourceOf(registry, v.model, v.version), options.backend ?? 'auto');
  return {
    ...v,
    handle,
    backend: handle.backend,
    predictRows(rows, encodeOptions) {
      return predictRows(handle, requireSignature(v.record), rows, encodeOptions);
    },
    dispose() {
      handle.dispose();
    },
  };
}

/**
 * Where the engine loads a version from: its folder (folder store), or a reader of the stored
 * bytes (database store: TF.js loads through an IOHandler that reads from the database).
 */
export async function modelSourceOf(registry: RegistryStore, model: string, version: number): Promise<string | ModelFileReader> {
  if (registry.kind === 'folder') return registry.localVersionDir(model, version);
  return {
    label: registry.versionLocation(model, version),
    read: (relPath) => registry.readVersionFile(model, version, relPath),
  };
}

/** Every file of the version matches its record (size and sha256); INVALID_MODEL naming the first that does not. */
export async function assertVersionFiles(registry: RegistryStore, v: Pick<VersionInfo, 'model' | 'version'>): Promise<void> {
  const issues = await registry.verifyFiles(v.model, v.version);
  // a damaged explanation.json (what `mlctl explain` measured) does not stop the model from working
  const fatal = issues.filter((i) => i.problem !== 'extra' && i.file !== EXPLANATION_FILE);
  if (fatal.length > 0) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${fatal[0].message}${fatal.length > 1 ? ` (and ${plural(fatal.length - 1, 'more problem')})` : ''}`,
      {
        hint: `Run "mlctl version verify ${v.model}" for the full list; restore the files or remove the version.`,
      },
    );
  }
}

/** The version's signature; INVALID_MODEL for a version that has none (an imported model). */
export function requireSignature(record: VersionRecord): Signature {
  if (!record.signature) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${record.model} v${record.version} has no input signature (it was ${OPERATION_PAST[record.operation]}, not trained by mlctl).`,
      { hint: 'Predict and evaluate need a version trained with "mlctl train" (or derived from one).' },
    );
  }
  return record.signature;
}
