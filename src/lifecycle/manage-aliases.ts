/** `mlctl version alias|unalias|rm`: thin, validated calls into the registry. */
import type { AliasMove, RegistryStore } from '../registry/store.js';
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
  /** compare-and-set: move only if the alias points here now (null: only if it does not exist) */
  expect?: number | null;
}): Promise<SetAliasResult> {
  const { registry, model, alias } = options;
  assertAliasName(alias);
  const version = await registry.resolveVersion(model, { version: options.version });
  // --force moves what this process saw: if someone else moved the alias meanwhile, CONFLICT
  // (compare-and-set) rather than silently overwriting their move
  let expected = options.expect;
  if (expected === undefined && options.force) expected = (await registry.readAliases(model))[alias] ?? null;
  const result = await registry.setAlias(model, alias, version, { force: options.force, expected });
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

export interface AliasHistoryResult {
  model: string;
  alias: string | null;
  moves: AliasMove[];
}

/** `mlctl version alias <model> [alias] --history`: every move, newest first. */
export async function aliasHistory(options: { registry: RegistryStore; model: string; alias?: string }): Promise<AliasHistoryResult> {
  const moves = await options.registry.aliasHistory(options.model, options.alias);
  return { model: options.model, alias: options.alias ?? null, moves };
}
