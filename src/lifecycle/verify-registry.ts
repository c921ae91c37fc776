/**
 * `mlctl version verify`: recompute every file's size and sha256 against the version record,
 * load every version with TF.js, and report staging directories left by crashed publishers
 * (removing those whose owner is gone with `clean`).
 */
import type { BackendChoice } from '../vocabulary.js';
import type { Registry } from '../registry/registry.js';
import { isMlctlError } from '../errors.js';

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
  // a mistyped name must not "verify" nothing and pass
  if (options.model) await registry.requireModel(options.model);
  const models = options.model ? [options.model] : await registry.listModels();
  const problems: VerifyProblem[] = [];
  const versions: VerifiedVersion[] = [];
  let engine: typeof import('../engine/model-handle.js') | null = null;

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
        engine ??= await import('../engine/model-handle.js');
        try {
          (await engine.openModel(registry.versionDir(model, version), options.backend ?? 'auto')).dispose();
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
