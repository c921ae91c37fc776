/**
 * Picks the store from a registry location (MLflow's store-by-URI-scheme registry):
 *
 *   postgres://user@host:5432/db, postgresql://…  → the PostgreSQL store (loaded only then)
 *   file:///abs/path                              → the folder store
 *   a path (relative or absolute)                 → the folder store (the embedded default)
 *   anything else with a scheme (s3://, http:, …) → USAGE: unknown scheme
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemeOf } from '../checks.js';
import { MlctlError } from '../errors.js';
import { isPostgresLocation, redactLocation } from './postgres/connection.js';
import type { PgRegistryOptions } from './postgres/pg-registry.js';
import { Registry, type RegistryOptions } from './registry.js';
import type { RegistryStore } from './store.js';

export const REGISTRY_SCHEMES = ['postgres://', 'postgresql://', 'file://'] as const;

export interface OpenRegistryOptions extends RegistryOptions {
  /** resolve relative folder paths against this directory */
  cwd: string;
  postgres?: PgRegistryOptions;
}

/** A folder path (absolute) for folder locations; null for a database location; USAGE for an unknown scheme. */
export function folderOf(location: string, cwd: string): string | null {
  if (typeof location !== 'string' || location.trim() === '') {
    throw new MlctlError('USAGE', 'The registry location is empty.', {
      hint: 'Pass --registry <dir> or --registry postgres://user@host:5432/db.',
    });
  }
  const scheme = schemeOf(location);
  if (scheme === null) return path.resolve(cwd, location);
  if (scheme === 'file') return fileURLToPath(location);
  if (isPostgresLocation(location)) return null;
  throw new MlctlError('USAGE', `Unknown registry scheme "${scheme}:" in "${redactLocation(location)}".`, {
    hint: 'Use a folder path, file:///path, or postgres://user@host:5432/db (also postgresql://).',
  });
}

/** The store for a location; the PostgreSQL client (pg) is imported only for database locations. */
export async function openRegistryStore(location: string, options: OpenRegistryOptions): Promise<RegistryStore> {
  const folder = folderOf(location, options.cwd);
  if (folder !== null) return new Registry(folder, options);
  const { PgRegistry } = await import('./postgres/pg-registry.js');
  return new PgRegistry(location.trim(), options.postgres);
}
