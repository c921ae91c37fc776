/** `mlctl version alias|unalias|rm`: thin, validated calls into the registry. */
import type { RegistryStore } from '../registry/store.js';
import { assertAliasName } from '../registry/layout.js';

export interface SetAliasResult {
  model: string;
  alias: string;
  version: number;
  previous: number | null;
}

export async function setAlias(options: {
  registry: RegistryStore;
  model: string;
  alias: string;
  version: number | 'latest';
  force?: boolean;
}): Promise<SetAliasResult> {
  const { registry, model, alias } = options;
  assertAliasName(alias);
  const version = await registry.resolveVersion(model, { version: options.version });
  const result = await registry.setAlias(model, alias, version, { force: options.force });
  return { model, alias, version, previous: result.previous ?? null };
}

export interface RemoveAliasResult {
  model: string;
  alias: string;
  previous: number;
}

export async function removeAlias(options: { registry: RegistryStore; model: string; alias: string }): Promise<RemoveAliasResult> {
  const previous = await options.registry.removeAlias(options.model, options.alias);
  return { model: options.model, alias: options.alias, previous };
}

export interface RemoveVersionResult {
  model: string;
  version: number;
  aliasesRemoved: string[];
}

export async function removeVersion(options: {
  registry: RegistryStore;
  model: string;
  version: number;
  force?: boolean;
}): Promise<RemoveVersionResult> {
  const { registry, model } = options;
  const version = await registry.resolveVersion(model, { version: options.version });
  const result = await registry.removeVersion(model, version, { force: options.force });
  return { model, version, aliasesRemoved: result.aliasesRemoved };
}
