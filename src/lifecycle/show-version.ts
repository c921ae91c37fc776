/** `mlctl version show <model> [n]`: one version's full record plus its aliases. */
import type { RegistryStore } from '../registry/store.js';
import type { VersionSelector } from '../registry/store.js';
import type { VersionRecord } from '../registry/version-record.js';

export interface ShowVersionOptions {
  registry: RegistryStore;
  model: string;
  selector: VersionSelector;
}

export interface ShowVersionResult {
  record: VersionRecord;
  aliases: string[];
  dir: string;
}

export async function showVersion(options: ShowVersionOptions): Promise<ShowVersionResult> {
  const { registry, model } = options;
  const version = await registry.resolveVersion(model, options.selector);
  const [record, aliases] = await Promise.all([registry.readRecord(model, version), registry.readAliases(model)]);
  return {
    record,
    aliases: Object.entries(aliases)
      .filter(([, v]) => v === version)
      .map(([a]) => a)
      .sort(),
    dir: registry.versionLocation(model, version),
  };
}
