/**
 * `mlctl version verify`: recompute every file's size and sha256 against the version record,
 * load every version with TF.js, report numbered folders that hold no record and aliases that
 * point at a version that does not exist, and report staging directories left by crashed
 * publishers (removing those whose owner is gone with `clean`: nothing else is ever removed).
 */
import { METADATA_FILE, type BackendChoice } from '../vocabulary.js';
import { modelSourceOf } from './open-version.js';
import type { RegistryStore } from '../registry/store.js';
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
  registry: RegistryStore;
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
    for (const n of await registry.listFoldersWithoutRecord(model)) {
      problems.push({
        model,
        version: n,
        file: null,
        problem: 'no-record',
        message: `folder ${n} has no version record (${METADATA_FILE}); it is not a version. Remove it, or restore its record.`,
      });
    }
    const existing = new Set(await registry.listVersions(model));
    try {
      for (const [alias, target] of Object.entries(await registry.readAliases(model))) {
        if (!existing.has(target)) {
          problems.push({
            model,
            version: target,
            file: null,
            problem: 'alias',
            message: `alias "${alias}" points to v${target}, which does not exist. Move it with "mlctl version alias ${model} ${alias} <n> --force" or remove it with "mlctl version unalias ${model} ${alias}".`,
          });
        }
      }
    } catch (e) {
      problems.push({ model, version: null, file: null, problem: 'aliases', message: isMlctlError(e) ? e.message : String(e) });
    }
    for (const version of existing) {
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
          (await engine.openModel(await modelSourceOf(registry, model, version), options.backend ?? 'auto')).dispose();
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
  return { ok: problems.length === 0, registry: registry.location, versions, problems, staging };
}
