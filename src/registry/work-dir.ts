/**
 * Work directories inside a model directory: `.staging-<owner>` (a version being written) and
 * `.trash-<owner>` (a removed version being deleted). The owner is encoded in the directory NAME,
 * never in a file inside it, because every file of a staging dir becomes part of the version:
 *
 *     .staging-<hostname>-<pid>-<startedAt, ms since epoch, base 36>-<8 random hex>
 *
 * `hostname` is sanitised to [A-Za-z0-9.] (anything else becomes "_"), so "-" only separates fields.
 * A work dir's owner is gone when it ran on this host and its pid no longer exists, or when the
 * dir is older than WORK_DIR_MAX_AGE_MS (other hosts, reused pids).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { STAGING_PREFIX, TRASH_PREFIX } from './layout.js';

export type WorkDirKind = 'staging' | 'trash';

export interface WorkDirOwner {
  /** sanitised hostname */
  hostname: string;
  pid: number;
}

export interface ParsedWorkDirName {
  kind: WorkDirKind;
  owner: WorkDirOwner;
  startedAt: Date;
}

/** after this long a work dir counts as abandoned whoever owns it */
export const WORK_DIR_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export function sanitizeHostname(hostname: string): string {
  const clean = hostname.replace(/[^A-Za-z0-9.]/g, '_');
  return clean === '' ? 'host' : clean.slice(0, 64);
}

export function currentHostname(): string {
  return sanitizeHostname(os.hostname());
}

function prefixOf(kind: WorkDirKind): string {
  return kind === 'staging' ? STAGING_PREFIX : TRASH_PREFIX;
}

/** A fresh work dir name owned by this process. */
export function workDirName(kind: WorkDirKind, now: Date = new Date()): string {
  return `${prefixOf(kind)}${currentHostname()}-${process.pid}-${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function workDirKind(name: string): WorkDirKind | null {
  if (name.startsWith(STAGING_PREFIX)) return 'staging';
  if (name.startsWith(TRASH_PREFIX)) return 'trash';
  return null;
}

/** Parses a work dir name; null when it is not one of ours or is malformed. */
export function parseWorkDirName(name: string): ParsedWorkDirName | null {
  const kind = workDirKind(name);
  if (!kind) return null;
  const match = /^([A-Za-z0-9._]+)-([1-9][0-9]*)-([0-9a-z]+)-([0-9a-f]+)$/.exec(name.slice(prefixOf(kind).length));
  if (!match) return null;
  const pid = Number(match[2]);
  const time = parseInt(match[3], 36);
  if (!Number.isSafeInteger(pid) || !Number.isFinite(time)) return null;
  return { kind, owner: { hostname: match[1], pid }, startedAt: new Date(time) };
}

/** True when a process with this pid exists on this host (EPERM: exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * True when nobody will come back for this work dir: its owner ran on this host and is no longer
 * running, or it is older than WORK_DIR_MAX_AGE_MS. `ageMs` is measured by the caller (from the
 * name's start time, or the dir's mtime for an unparseable name).
 */
export function isOwnerGone(owner: WorkDirOwner | null, ageMs: number): boolean {
  if (ageMs > WORK_DIR_MAX_AGE_MS) return true;
  if (!owner) return false;
  return owner.hostname === currentHostname() && !isProcessAlive(owner.pid);
}
