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
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { LOCK_DIR } from './layout.js';

/** a lock not refreshed for this long is stale (its holder died); the default of `staleMs` */
export const LOCK_STALE_MS = 10_000;
/** the shortest stale timeout proper-lockfile honours (it raises anything shorter to this) */
export const MIN_LOCK_STALE_MS = 2_000;
/** how often the holder refreshes the lock's mtime (at most half the stale timeout) */
export const LOCK_UPDATE_MS = 2_000;

export interface ModelLockOptions {
  /**
   * how long an untouched lock counts as held (default LOCK_STALE_MS); at least
   * MIN_LOCK_STALE_MS. Shorter values make a killed holder block others for less time but risk
   * taking over from a live holder whose event loop stalls for longer than this.
   */
  staleMs?: number;
}

/** The stale timeout to use; USAGE error for a value proper-lockfile would not honour. */
export function lockStaleMs(options: ModelLockOptions = {}): number {
  const ms = options.staleMs ?? LOCK_STALE_MS;
  if (!Number.isInteger(ms) || ms < MIN_LOCK_STALE_MS) {
    throw new MlctlError('USAGE', `The lock stale timeout must be a whole number of milliseconds ≥ ${MIN_LOCK_STALE_MS}, got ${ms}.`);
  }
  return ms;
}

/**
 * Retry schedule for a held lock: randomised exponential backoff from 25 ms up to 500 ms per try,
 * 240 tries ≈ 1-2 minutes in total; enough to outlast a stale lock (10 s by default) and a queue of
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
 * `options.staleMs` overrides the stale timeout (tests, and MLCTL_LOCK_STALE_MS in the CLI).
 * Call `lock.assertHeld()` right before an irreversible step.
 */
export async function withModelLock<T>(
  modelDir: string,
  label: string,
  fn: (lock: ModelLock) => Promise<T>,
  options: ModelLockOptions = {},
): Promise<T> {
  const dir = path.resolve(modelDir);
  const stale = lockStaleMs(options);
  return withProcessQueue(dir, async () => {
    let compromised: Error | null = null;
    let release: () => Promise<void>;
    try {
      const { default: lockfile } = await import('proper-lockfile');
      release = await lockfile.lock(dir, {
        lockfilePath: path.join(dir, LOCK_DIR),
        stale,
        update: Math.min(LOCK_UPDATE_MS, stale / 2),
        retries: LOCK_RETRIES,
        realpath: false,
        onCompromised: (err) => {
          compromised = err;
        },
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new MlctlError('UNAVAILABLE', `Model "${label}" is locked by another mlctl process.`, {
          hint: `Try again when it finishes. If no mlctl process is running, remove ${path.join(dir, LOCK_DIR)}.`,
          cause: e,
        });
      }
      throw e;
    }
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
