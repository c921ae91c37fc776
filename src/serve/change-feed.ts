/**
 * Where "the registry may have changed" comes from, behind one small interface so the source of
 * change events is pluggable: the folder registry uses filesystem notifications plus a slow poll
 * as a safety net (inotify misses changes on network filesystems, and watching a model folder
 * that does not exist yet is not possible); a shared registry can push notifications instead
 * (e.g. PostgreSQL LISTEN/NOTIFY) by implementing the same interface.
 *
 * A feed only says *that* something may have changed (and for which model when it knows); the
 * RegistrySource then re-reads what should serve. Spurious events are harmless.
 */
import { readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { WatchHandlers } from '../registry/store.js';

export interface ChangeFeed {
  /**
   * Call `onChange(model)` when versions or aliases of `model` may have changed, or
   * `onChange(null)` when anything may have (e.g. a new model, or a poll tick). Returns a function
   * that stops the subscription.
   */
  subscribe(models: readonly string[] | 'all', onChange: (model: string | null) => void): () => void;
}

export interface FsChangeFeedOptions {
  /** the registry directory */
  root: string;
  /** safety-net poll interval in ms (0 = no polling); default 2000 */
  pollMs?: number;
  /** collapse bursts of filesystem events (a publish is a rename, an alias move a temp file + rename); default 25 ms */
  debounceMs?: number;
}

/** inotify/FSEvents on the registry root and each watched model folder, plus a poll. */
export function createFsChangeFeed(options: FsChangeFeedOptions): ChangeFeed {
  const pollMs = options.pollMs ?? 2000;
  const debounceMs = options.debounceMs ?? 25;
  return {
    subscribe(models, onChange) {
      const watchers: FSWatcher[] = [];
      const pending = new Map<string | null, NodeJS.Timeout>();
      let stopped = false;
      const fire = (model: string | null): void => {
        if (stopped || pending.has(model)) return;
        const timer = setTimeout(() => {
          pending.delete(model);
          if (!stopped) onChange(model);
        }, debounceMs);
        timer.unref();
        pending.set(model, timer);
      };
      const watched = new Set<string>();
      const tryWatch = (dir: string, model: string | null, onEvent?: () => void): void => {
        if (watched.has(dir)) return;
        try {
          const w = watch(dir, { persistent: false }, () => {
            onEvent?.();
            fire(model);
          });
          w.on('error', () => w.close());
          watchers.push(w);
          watched.add(dir);
        } catch {
          // the folder does not exist (yet): the poll covers it
        }
      };
      // every model folder under the root, including ones created later
      const watchAllModels = (): void => {
        let names: string[] = [];
        try {
          names = readdirSync(options.root, { withFileTypes: true })
            .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
            .map((e) => e.name);
        } catch {
          return;
        }
        for (const name of names) tryWatch(path.join(options.root, name), name);
      };
      if (models === 'all') {
        tryWatch(options.root, null, watchAllModels);
        watchAllModels();
      } else {
        for (const m of models) tryWatch(path.join(options.root, m), m);
      }
      const poll = pollMs > 0 ? setInterval(() => fire(null), pollMs) : null;
      poll?.unref();
      return () => {
        stopped = true;
        for (const w of watchers) w.close();
        for (const t of pending.values()) clearTimeout(t);
        pending.clear();
        if (poll) clearInterval(poll);
      };
    },
  };
}

/** A registry that pushes change events (the PostgreSQL store's LISTEN/NOTIFY). */
export interface PushingRegistry {
  watch?(handlers: WatchHandlers): Promise<() => Promise<void>>;
}

export interface PushChangeFeedOptions {
  /** poll interval (ms) while the push connection is down; default 1000 */
  fallbackPollMs?: number;
  /** safety-net poll (ms) while it is up (a NOTIFY is lost if the connection drops just then); default 30000, 0 = none */
  safetyPollMs?: number;
  /** the push connection went down or came back */
  onState?: (up: boolean, error?: Error) => void;
}

/**
 * Change events pushed by the registry (PostgreSQL LISTEN on `mlctl_registry`): each NOTIFY of a
 * new version or an alias move becomes `onChange(model)`. While the connection is down the store
 * reconnects with backoff and this feed polls every `fallbackPollMs`, so the server keeps
 * following the registry (and keeps serving what it has) until the push comes back.
 */
export function createPushChangeFeed(store: PushingRegistry, options: PushChangeFeedOptions = {}): ChangeFeed {
  const fallbackPollMs = options.fallbackPollMs ?? 1000;
  const safetyPollMs = options.safetyPollMs ?? 30_000;
  return {
    subscribe(models, onChange) {
      let stopped = false;
      let up = false;
      let stopWatch: (() => Promise<void>) | null = null;
      let lastPoll = Date.now();
      const wanted = (model: string): boolean => models === 'all' || models.includes(model);
      const tick = setInterval(
        () => {
          const every = up ? safetyPollMs : fallbackPollMs;
          if (stopped || every <= 0 || Date.now() - lastPoll < every) return;
          lastPoll = Date.now();
          onChange(null);
        },
        Math.max(50, Math.min(fallbackPollMs, 250)),
      );
      tick.unref();
      if (store.watch) {
        store
          .watch({
            onEvent: (event) => {
              if (stopped) return;
              if (event === null) onChange(null);
              else if (wanted(event.model)) onChange(event.model);
            },
            onState: (state, error) => {
              up = state;
              lastPoll = Date.now();
              options.onState?.(state, error);
            },
          })
          .then((stop) => {
            if (stopped) void stop();
            else stopWatch = stop;
          })
          .catch((e: unknown) => options.onState?.(false, e as Error));
      }
      return () => {
        stopped = true;
        clearInterval(tick);
        void stopWatch?.();
      };
    },
  };
}
