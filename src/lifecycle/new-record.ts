/**
 * The fields every operation (train, import, later prune and quantize) writes into a new
 * version's record; each operation spreads its own sections on top.
 */
import type { FileEntry, Operation, VersionRecord } from '../registry/version-record.js';
import { mlctlVersion } from '../version.js';

export interface NewRecordInput {
  model: string;
  version: number;
  operation: Operation;
  parent: number | null;
  files: FileEntry[];
  tfjsVersion: string | null;
  backend: string | null;
  /** Date.now() when the operation started */
  startedAt: number;
}

export function newRecord(input: NewRecordInput, sections: Partial<VersionRecord> = {}): VersionRecord {
  return {
    schema: 1,
    model: input.model,
    version: input.version,
    createdAt: new Date().toISOString(),
    operation: input.operation,
    parent: input.parent,
    files: input.files,
    mlctlVersion: mlctlVersion(),
    tfjsVersion: input.tfjsVersion,
    backend: input.backend,
    durationMs: Date.now() - input.startedAt,
    ...sections,
  };
}
