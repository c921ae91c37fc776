/**
 * The per-model lock: every change to a model directory (publish's number + rename, aliases,
 * removal) runs inside `withModelLock`. Two layers:
 *
 * - in-process: a promise queue per model dir, so concurrent calls in one process wait their turn
 *   without polling the filesystem;
 * - across processes: proper-lockfile, i.e. `mkdir(<model>/.lock)` (atomic on every local
 *   filesystem and NFS). The holder touches the lock every LOCK_UPDATE_MS; a lock untouched for
 *   LOCK_STALE_MS belongs to a dead process (SIGKILL, power loss) and is taken over, so a killed
 *   publisher never blocks the others for more than ~LOCK_STALE_MS.
 */
import { hostname } from 'node:os';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { LOCK_DIR } from './layout.js';

/** Who holds a model's lock, written beside it by the holder (`<model>/.lock.owner.json`). */
export interface LockOwner {
  pid: number;
  host: string;
  /** what the holder is doing, e.g. "mlctl train iris" (null when not given) */
  command: string | null;
  /** ISO time the lock was taken */
  since: string;
}

/** A writer found the lock held and is waiting for it. */
export interface LockWait {
  model: string;
  /** null when the holder left no owner file (an older mlctl, or it just started) */
  owner: LockOwner | null;
  /** how long the current holder has held it, when known */
  heldForMs: number | null;
}

export interface LockOptions {
  /** recorded in the owner file, so a waiting writer can say whose lock it is */
  command?: string | null;
  /** called once when the lock is held by someone else and this writer starts waiting */
  onWait?: (wait: LockWait) => void;
}

export const LOCK_OWNER_FILE = '.lock.owner.json';

async function readOwner(dir: string): Promise<LockOwner | null> {
  try {
    const o = JSON.parse(await readFile(path.join(dir, LOCK_OWNER_FILE), 'utf8')) as LockOwner;
    return typeof o.pid === 'number' && typeof o.since === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** "pid 4242 on build-7 (mlctl train iris), for 12 s" */
export function describeLockHolder(wait: Pick<LockWait, 'owner' | 'heldForMs'>): string {
  const o = wait.owner;
  const who = o ? `pid ${o.pid} on ${o.host}${o.command ? ` (${o.command})` : ''}` : 'another mlctl process';
  const secs = wait.heldForMs === null ? null : Math.max(0, Math.round(wait.heldForMs / 1000));
  return secs === null ? who : `${who}, for ${secs} s`;
}

/** a lock not refreshed for this long is stale (its holder died) */
export const LOCK_STALE_MS = 10_000;
/** how often the holder refreshes the lock's mtime */
export const LOCK_UPDATE_MS = 2_000;
/**
 * Retry schedule for a held lock: randomised exponential backoff from 25 ms up to 500 ms per try,
 * 240 tries ≈ 1-2 minutes in total; enough to outlast a stale lock (10 s) and a queue of
 * publishers on a slow disk.
 */
const LOCK_RETRIES = { retries: 240, factor: 1.3, minTimeout: 25, maxTimeout: 500, randomize: true };

const queues = new Map<string, Promise<void>>();

/** Runs `fn` while this process holds the in-process turn for `key`. */
async function withProcessQueue<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

export interface ModelLock {
  /** throws UNAVAILABLE when the lock was lost (e.g. taken over as stale) since it was acquired */
  assertHeld(): void;
}

/**
 * Runs `fn` holding the lock of `modelDir` (which must exist). `label` names the model in errors.
 * Call `lock.assertHeld()` right before an irreversible step.
 */
export async function withModelLock<T>(
  modelDir: string,
  label: string,
  fn: (lock: ModelLock) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const dir = path.resolve(modelDir);
  return withProcessQueue(dir, async () => {
    let compromised: Error | null = null;
    let release: () => Promise<void>;
    const holder = async (): Promise<LockWait> => {
      const owner = await readOwner(dir);
      return { model: label, owner, heldForMs: owner ? Date.now() - Date.parse(owner.since) : null };
    };
    try {
      const { default: lockfile } = await import('proper-lockfile');
      const lockOptions = {
        lockfilePath: path.join(dir, LOCK_DIR),
        stale: LOCK_STALE_MS,
        update: LOCK_UPDATE_MS,
        realpath: false,
        onCompromised: (err: Error) => {
          compromised = err;
        },
      };
      try {
        release = await lockfile.lock(dir, { ...lockOptions, retries: 0 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
        // held: say whose lock and for how long, then wait for it
        options.onWait?.(await holder());
        release = await lockfile.lock(dir, { ...lockOptions, retries: LOCK_RETRIES });
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new MlctlError('UNAVAILABLE', `Model "${label}" is locked by ${describeLockHolder(await holder())}.`, {
          hint: `Try again when it finishes. If no mlctl process is running, remove ${path.join(dir, LOCK_DIR)}.`,
          cause: e,
        });
      }
      throw e;
    }
    const owner: LockOwner = { pid: process.pid, host: hostname(), command: options.command ?? null, since: new Date().toISOString() };
    await writeFile(path.join(dir, LOCK_OWNER_FILE), JSON.stringify(owner)).catch(() => undefined);
    const releaseLock = release;
    release = async () => {
      await rm(path.join(dir, LOCK_OWNER_FILE), { force: true }).catch(() => undefined);
      await releaseLock();
    };
    const lock: ModelLock = {
      assertHeld() {
        if (compromised) {
          throw new MlctlError('UNAVAILABLE', `Lost the lock on model "${label}" (${compromised.message}).`, {
            hint: 'Another process took it over; run the command again.',
            cause: compromised,
          });
        }
      },
    };
    let result: T;
    try {
      result = await fn(lock);
    } catch (e) {
      await release().catch(() => undefined);
      throw e;
    }
    try {
      await release();
    } catch (e) {
      // a compromised lock is already released (ERELEASED) or owned by someone else now
      if (!compromised) throw e;
    }
    return result;
  });
}
