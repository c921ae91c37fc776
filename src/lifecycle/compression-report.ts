/**
 * Shared shapes of the compression verbs' results: progress events, and size changes measured
 * from the registry's own file entries (shard bytes and gzip bytes, model.json excluded), so
 * the figures in a record match what `version list` and `version diff` show.
 */
import type { FileEntry, SizeChange } from '../registry/version-record.js';

export type { SizeChange } from '../registry/version-record.js';
import type { SourceVersion } from './version-weights.js';

export type CompressProgress =
  | { phase: 'read'; model: string; version: number }
  | { phase: 'compress' }
  | { phase: 'fine-tune'; epoch: number; epochs: number; sparsity: number; loss?: number }
  | { phase: 'evaluate' }
  | { phase: 'publish' };

/** Weight bytes and gzip bytes of the parent's shards and the child's, from the registry's file entries. */
export function sizeChanges(
  source: SourceVersion,
  childFiles: readonly FileEntry[],
  childShardPaths: readonly string[],
): { weightBytes: SizeChange; gzipBytes: SizeChange } {
  const shards = new Set(childShardPaths);
  const child = childFiles.filter((f) => shards.has(f.path));
  const sum = (files: readonly FileEntry[], key: 'bytes' | 'gzipBytes') => files.reduce((a, f) => a + f[key], 0);
  const change = (parent: number, c: number): SizeChange => ({ parent, child: c, ratio: parent === 0 ? 1 : c / parent });
  return {
    weightBytes: change(sum(source.shards, 'bytes'), sum(child, 'bytes')),
    gzipBytes: change(sum(source.shards, 'gzipBytes'), sum(child, 'gzipBytes')),
  };
}
