/**
 * The Source (TF Serving's FileSystemStoragePathSource): reads from the registry which version
 * each served model should run under its VersionPolicy (latest, a pinned number, or an alias)
 * and hands the complete wish to the ServableManager. With a ChangeFeed it re-reads whenever the
 * feed says something may have changed, so a new version or a moved alias is picked up while
 * serving; without one it reads once.
 */
import { MlctlError, toMlctlError } from '../errors.js';
import type { RegistryStore } from '../registry/store.js';
import type { ChangeFeed } from './change-feed.js';
import type { AspiredModel, ServableManager } from './servable-manager.js';

export type VersionPolicy = { kind: 'latest' } | { kind: 'pinned'; version: number } | { kind: 'alias'; alias: string };

export interface RegistrySourceOptions {
  registry: RegistryStore;
  /** the models to serve, or every model in the registry (including ones published later, when watching) */
  models: readonly string[] | 'all';
  policy: VersionPolicy;
  manager: ServableManager;
  /** re-read on change events; omit to read once */
  feed?: ChangeFeed;
  /** the registry could not be listed, or (with 'all') a model is left out; reported, never thrown */
  onError?: (model: string | null, error: MlctlError) => void;
}

/** What should serve for one model under a policy, as the registry says right now. */
export async function readAspired(registry: RegistryStore, model: string, policy: VersionPolicy): Promise<AspiredModel> {
  let aliases: Record<string, number> = {};
  try {
    aliases = await registry.readAliases(model);
    const selector = policy.kind === 'latest' ? {} : policy.kind === 'pinned' ? { version: policy.version } : { alias: policy.alias };
    const version = await registry.resolveVersion(model, selector);
    return { model, version, aliases };
  } catch (e) {
    return { model, version: null, aliases, error: toMlctlError(e) };
  }
}

export class RegistrySource {
  private readonly options: RegistrySourceOptions;
  private unsubscribe: (() => void) | null = null;
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  /** models left out under `models: 'all'`, with the reason last reported */
  private readonly skipped = new Map<string, string | undefined>();
  private known: string[] = [];
  private stopped = false;

  constructor(options: RegistrySourceOptions) {
    this.options = options;
  }

  /** Read every model once and wait until each serves (or failed); then follow the feed. */
  async start(): Promise<void> {
    this.known = await this.listModels();
    if (this.known.length === 0) {
      throw new MlctlError('NOT_FOUND', `The registry ${this.options.registry.location} has no models to serve.`, {
        hint: 'Train one first ("mlctl train iris") or point --registry at another registry.',
      });
    }
    await Promise.all(this.known.map((m) => this.refresh(m)));
    if (this.options.feed && !this.stopped) {
      this.unsubscribe = this.options.feed.subscribe(this.options.models, (model) => {
        void this.onChange(model);
      });
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Models currently followed (under `models: 'all'`, those the policy resolves). */
  models(): string[] {
    return this.known.filter((m) => this.options.models !== 'all' || this.options.manager.hasModel(m));
  }

  private async listModels(): Promise<string[]> {
    if (this.options.models !== 'all') return [...this.options.models];
    return this.options.registry.listModels();
  }

  private async onChange(model: string | null): Promise<void> {
    if (this.stopped) return;
    if (model !== null) {
      if (this.known.includes(model)) await this.refresh(model);
      else if (this.options.models === 'all') await this.discover();
      return;
    }
    await this.discover();
    await Promise.all(this.known.map((m) => this.refresh(m)));
  }

  /** With `models: 'all'`, start serving models published since start-up. */
  private async discover(): Promise<void> {
    if (this.options.models !== 'all') return;
    let names: string[];
    try {
      names = await this.listModels();
    } catch (e) {
      this.options.onError?.(null, toMlctlError(e));
      return;
    }
    const added = names.filter((n) => !this.known.includes(n));
    if (added.length === 0) return;
    this.known.push(...added);
    await Promise.all(added.map((m) => this.refresh(m)));
  }

  /** Re-read one model; overlapping calls collapse into one more pass after the current one. */
  refresh(model: string): Promise<void> {
    const current = this.running.get(model);
    if (current) {
      this.dirty.add(model);
      return current;
    }
    const run = (async () => {
      do {
        this.dirty.delete(model);
        if (this.stopped) return;
        const wanted = await readAspired(this.options.registry, model, this.options.policy);
        // with --all, a model the policy does not resolve (no such alias, no version yet) is not
        // served, and does not hold readiness back, until it does resolve
        if (wanted.version === null && this.options.models === 'all' && !this.options.manager.hasModel(model)) {
          if (this.skipped.get(model) !== wanted.error?.message) {
            this.skipped.set(model, wanted.error?.message);
            if (wanted.error) this.options.onError?.(model, wanted.error);
          }
          continue;
        }
        await this.options.manager.aspire(wanted);
      } while (this.dirty.has(model) && !this.stopped);
    })().finally(() => this.running.delete(model));
    this.running.set(model, run);
    return run;
  }
}
