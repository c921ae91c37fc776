/**
 * Load a registry version for inference (evaluate, predict, serve): resolve the selector, check
 * every file against the sha256 and size recorded at publish time (a tampered or truncated file
 * fails here, naming it), then build the LayersModel through mlctl's filesystem handler.
 */
import { MlctlError } from '../errors.js';
import type { BackendChoice } from '../engine/backend-choices.js';
import type { Registry, VersionSelector } from '../registry/registry.js';
import type { VersionRecord } from '../registry/version-record.js';
import type { LayersModel } from '@tensorflow/tfjs';

export interface LoadedVersion {
  model: LayersModel;
  record: VersionRecord;
  backend: string;
  dir: string;
}

export interface LoadVersionOptions {
  registry: Registry;
  model: string;
  selector?: VersionSelector;
  backend?: BackendChoice;
}

export async function loadVersion(options: LoadVersionOptions): Promise<LoadedVersion> {
  const { registry, model: name } = options;
  const version = await registry.resolveVersion(name, options.selector ?? {});
  const record = await registry.readRecord(name, version);
  const issues = await registry.verifyFiles(name, version);
  const fatal = issues.filter((i) => i.problem !== 'extra');
  if (fatal.length > 0) {
    throw new MlctlError('INVALID_MODEL', `${fatal[0].message}${fatal.length > 1 ? ` (and ${fatal.length - 1} more problem(s))` : ''}`, {
      hint: `Run "mlctl version verify ${name}" for the full list; restore the files or remove the version.`,
    });
  }
  const dir = registry.versionDir(name, version);
  const { loadLayersModelFromDir } = await import('../engine/load-model.js');
  const { model, backend } = await loadLayersModelFromDir(dir, options.backend ?? 'auto');
  return { model, record, backend, dir };
}
