/**
 * Builders of version records, one per kind of operation, so every writer fills the same typed
 * sections (registry/version-record.ts) and nothing is cast:
 * - `trainRecord`: a version trained from data;
 * - `tuneRecord`: a version trained with the settings a search found (train's sections + `search`);
 * - `importRecord`: a model brought in from elsewhere;
 * - `childRecord`: a version derived from a parent (prune, quantize, …): it inherits the parent's
 *   signature, target, dataset, split, template, hyperparameters, seed, source and io, records the
 *   parent's number, and adds what the operation measured.
 */
import type { InheritedSections, Operation, VersionRecord } from '../registry/version-record.js';
import { mlctlVersion } from '../version.js';

/** What every new record needs besides its sections (the registry passes version and files). */
export interface RecordBasics {
  model: string;
  version: number;
  files: VersionRecord['files'];
  tfjsVersion: string | null;
  backend: string | null;
  /** Date.now() when the operation started */
  startedAt: number;
}

type Sections = Omit<VersionRecord, keyof ReturnType<typeof base>>;

function base(basics: RecordBasics, operation: Operation, parent: number | null) {
  return {
    schema: 1 as const,
    model: basics.model,
    version: basics.version,
    createdAt: new Date().toISOString(),
    operation,
    parent,
    files: basics.files,
    mlctlVersion: mlctlVersion(),
    tfjsVersion: basics.tfjsVersion,
    backend: basics.backend,
    durationMs: Date.now() - basics.startedAt,
  };
}

/** Drops undefined sections so the JSON carries only what the operation has. */
function defined<T extends object>(sections: T): T {
  return Object.fromEntries(Object.entries(sections).filter(([, v]) => v !== undefined)) as T;
}

export type TrainSections = Required<
  Pick<VersionRecord, 'hyperparameters' | 'seed' | 'dataset' | 'signature' | 'target' | 'split' | 'history'>
> &
  Pick<VersionRecord, 'template' | 'metrics' | 'crossValidation' | 'warnings'>;

export function trainRecord(basics: RecordBasics, sections: TrainSections): VersionRecord {
  return { ...base(basics, 'train', null), ...defined(sections) };
}

/** A version found by `mlctl tune`: trained like `train` (same sections) plus the search that chose its settings. */
export type TuneSections = TrainSections & Required<Pick<VersionRecord, 'search'>>;

export function tuneRecord(basics: RecordBasics, sections: TuneSections): VersionRecord {
  return { ...base(basics, 'tune', null), ...defined(sections) };
}

export type ImportSections = Required<Pick<VersionRecord, 'source' | 'io'>> & Pick<VersionRecord, 'warnings'>;

export function importRecord(basics: RecordBasics, sections: ImportSections): VersionRecord {
  return { ...base(basics, 'import', null), ...defined(sections) };
}

/** The sections a derived version carries over from its parent unchanged. */
export function inheritedSections(parent: VersionRecord): InheritedSections {
  return defined({
    template: parent.template,
    hyperparameters: parent.hyperparameters,
    seed: parent.seed,
    dataset: parent.dataset,
    signature: parent.signature,
    target: parent.target,
    split: parent.split,
    source: parent.source,
    io: parent.io,
  });
}

/**
 * A version derived from `parent` by `operation` (prune, quantize, …): inherited sections (see
 * `inheritedSections`), `parent` set to the parent's number, plus the operation's own sections
 * (its metrics on the inherited test split, its history when it fine-tuned, …), which win.
 */
export function childRecord(
  parent: VersionRecord,
  operation: Operation,
  basics: RecordBasics,
  sections: Partial<Sections> = {},
): VersionRecord {
  return { ...base(basics, operation, parent.version), ...inheritedSections(parent), ...defined(sections) };
}
