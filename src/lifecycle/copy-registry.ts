/**
 * `mlctl registry copy --from A --to B [model[@version]]`: copies versions between any two
 * registries (folder → database and back) as they are — records, lineage (`parent`), numbers and
 * checksums — through the store contract. A version already in B under the same number is
 * skipped when it is the very same version and refused (ALREADY_EXISTS) when it is a different one.
 * Every file is checked against its record before it is written. Aliases are not copied.
 */
import { MlctlError } from '../errors.js';
import { assertModelName, parseVersionNumber } from '../registry/layout.js';
import type { RegistryStore } from '../registry/store.js';

export interface CopyRegistryOptions {
  from: RegistryStore;
  to: RegistryStore;
  /** `model` (every version) or `model@3`; omitted: every model */
  what?: string;
  onProgress?: (model: string, version: number, copied: boolean) => void;
}

export interface CopiedVersion {
  model: string;
  version: number;
  /** false: B already held this very version */
  copied: boolean;
}

export interface CopyRegistryResult {
  from: string;
  to: string;
  versions: CopiedVersion[];
  copied: number;
  skipped: number;
}

/** `model` or `model@version` → its parts; USAGE otherwise. */
export function parseCopyTarget(what: string): { model: string; version?: number } {
  const at = what.indexOf('@');
  const model = at === -1 ? what : what.slice(0, at);
  assertModelName(model);
  if (at === -1) return { model };
  const raw = what.slice(at + 1);
  let version: number;
  try {
    version = parseVersionNumber(raw);
  } catch {
    throw new MlctlError('USAGE', `"${what}" is not model or model@version: "${raw}" is not a version number.`, {
      hint: 'Copy a model ("iris") or one version ("iris@3").',
    });
  }
  return { model, version };
}

export async function copyRegistry(options: CopyRegistryOptions): Promise<CopyRegistryResult> {
  const { from, to } = options;
  if (from.kind === to.kind && from.location === to.location) {
    throw new MlctlError('USAGE', `--from and --to are the same registry (${from.location}).`, { hint: 'Copy into another registry.' });
  }
  const plan: { model: string; version: number }[] = [];
  if (options.what !== undefined) {
    const target = parseCopyTarget(options.what);
    await from.requireModel(target.model);
    const versions =
      target.version !== undefined
        ? [await from.resolveVersion(target.model, { version: target.version })]
        : await from.listVersions(target.model);
    for (const v of versions) plan.push({ model: target.model, version: v });
  } else {
    for (const model of await from.listModels()) for (const v of await from.listVersions(model)) plan.push({ model, version: v });
  }
  if (plan.length === 0) {
    throw new MlctlError('NOT_FOUND', `The registry ${from.location} has no versions to copy.`, { hint: 'Check --from.' });
  }
  await to.checkWritable();
  const versions: CopiedVersion[] = [];
  for (const { model, version } of plan) {
    const record = await from.readRecord(model, version);
    const copied = await to.importVersion(record, (relPath) => from.readVersionFile(model, version, relPath));
    versions.push({ model, version, copied });
    options.onProgress?.(model, version, copied);
  }
  const copied = versions.filter((v) => v.copied).length;
  return { from: from.location, to: to.location, versions, copied, skipped: versions.length - copied };
}
