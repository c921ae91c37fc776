/**
 * `mlctl version verify`: recompute every file's size and sha256 against the version record,
 * load every version with TF.js, and report staging directories left by crashed publishers
 * (removing those whose owner is gone with `clean`).
 */
import type { BackendChoice } from '../engine/backend-choices.js';
import type { Registry } from '../registry/registry.js';
import { assertModelName } from '../registry/layout.js';
import { MlctlError, isMlctlError } from '../errors.js';

export interface VerifyProblem {
  model: string;
  version: number | null;
  file: string | null;
  problem: string;
  message: string;
}

export interface VerifiedVersion {
  model: string;
  version: number;
  ok: boolean;
}

export interface StagingReport {
  model: string;
  dir: string;
  ownerGone: boolean;
  removed: boolean;
}

export interface VerifyRegistryOptions {
  registry: Registry;
  model?: string;
  backend?: BackendChoice;
  /** also load each version with TF.js (default true) */
  load?: boolean;
  /** remove staging dirs whose owner process is gone */
  clean?: boolean;
}

export interface VerifyRegistryResult {
  ok: boolean;
  registry: string;
  versions: VerifiedVersion[];
  problems: VerifyProblem[];
  staging: StagingReport[];
}

export async function verifyRegistry(options: VerifyRegistryOptions): Promise<VerifyRegistryResult> {
  const { registry } = options;
  if (options.model) {
    assertModelName(options.model);
    // a mistyped name must not "verify" nothing and pass
    if (!(await registry.hasModel(options.model))) {
      const known = await registry.listModels();
      throw new MlctlError('NOT_FOUND', `Model "${options.model}" not found in ${registry.root}.`, {
        hint: known.length > 0 ? `Known models: ${known.join(', ')}.` : 'The registry is empty; train or import a model first.',
      });
    }
  }
  const models = options.model ? [options.model] : await registry.listModels();
  const problems: VerifyProblem[] = [];
  const versions: VerifiedVersion[] = [];
  let loader: typeof import('../engine/load-model.js') | null = null;

  for (const model of models) {
    for (const version of await registry.listVersions(model)) {
      const before = problems.length;
      let recordOk = true;
      try {
        for (const issue of await registry.verifyFiles(model, version)) {
          problems.push({ model, version, file: issue.file ?? null, problem: issue.problem, message: issue.message });
        }
      } catch (e) {
        recordOk = false;
        problems.push({ model, version, file: null, problem: 'record', message: isMlctlError(e) ? e.message : String(e) });
      }
      if (recordOk && problems.length === before && options.load !== false) {
        loader ??= await import('../engine/load-model.js');
        try {
          const { model: loaded } = await loader.loadLayersModelFromDir(registry.versionDir(model, version), options.backend ?? 'auto');
          loaded.dispose();
        } catch (e) {
          problems.push({ model, version, file: null, problem: 'load', message: isMlctlError(e) ? e.message : String(e) });
        }
      }
      versions.push({ model, version, ok: problems.length === before });
    }
  }

  const staging: StagingReport[] = [];
  const leftovers = await registry.listStaging(options.model);
  const removed = options.clean ? new Set((await registry.sweepStaging(options.model)).map((s) => s.dir)) : new Set<string>();
  for (const s of leftovers) {
    staging.push({ model: s.model, dir: s.dir, ownerGone: s.ownerGone, removed: removed.has(s.dir) });
  }
  return { ok: problems.length === 0, registry: registry.root, versions, problems, staging };
}
