/**
 * The ServableManager (TF Serving's AspiredVersionsManager, availability-preserving): a source
 * tells it, per model, which version should serve and what the aliases point to
 * (`aspire()`); it loads a new version completely (checksums, warm-up) before swapping it in,
 * keeps the old one serving if the new one fails, and disposes a replaced version only once
 * every handle on it has been released, so requests in flight finish on the version they started
 * on. Requests get versions through `acquire()` → ServableHandle → `release()`.
 */
import { MlctlError, toMlctlError, type ErrorCode } from '../errors.js';
import type { Servable, ServableLoader } from './servable.js';

/** TF Serving's ServableState.ManagerState names (get_model_status.proto). */
export type ServableState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

export interface VersionStatus {
  version: number;
  state: ServableState;
  /** why loading failed (the version never served), or null */
  error: { code: ErrorCode; message: string } | null;
}

/** What a source wants for one model: the version that should serve, and the model's aliases. */
export interface AspiredModel {
  model: string;
  /** null: the source could not resolve one (see `error`); whatever serves keeps serving */
  version: number | null;
  aliases: Readonly<Record<string, number>>;
  /** why `version` is null, e.g. an alias that points nowhere */
  error?: MlctlError;
}

export type ServableRequest = { kind: 'latest' } | { kind: 'version'; version: number } | { kind: 'label'; label: string };

export interface ServableHandle {
  readonly servable: Servable;
  /** call exactly once, when the request is done with the servable */
  release(): void;
}

export type ManagerEvent =
  | { type: 'loading'; model: string; version: number }
  | { type: 'available'; model: string; version: number; previous: number | null; ms: number }
  | { type: 'load-failed'; model: string; version: number; error: MlctlError; serving: number | null }
  | { type: 'unloaded'; model: string; version: number }
  | { type: 'unresolved'; model: string; error: MlctlError; serving: number | null };

interface Entry {
  version: number;
  state: ServableState;
  servable: Servable | null;
  refs: number;
  error: VersionStatus['error'];
}

interface ModelSlot {
  entries: Map<number, Entry>;
  serving: Entry | null;
  aliases: Readonly<Record<string, number>>;
  /** last problem resolving what to serve (reported on status endpoints) */
  sourceError: MlctlError | null;
  /** serialises aspire() per model */
  queue: Promise<void>;
}

/** Status history kept per model (END entries beyond this are forgotten). */
const MAX_ENDED = 8;

export class ServableManager {
  private readonly slots = new Map<string, ModelSlot>();
  private readonly load: ServableLoader;
  private readonly onEvent: (event: ManagerEvent) => void;
  private closed = false;

  constructor(options: { load: ServableLoader; onEvent?: (event: ManagerEvent) => void }) {
    this.load = options.load;
    this.onEvent = options.onEvent ?? (() => {});
  }

  /** Models this manager serves (aspired at least once), sorted. */
  models(): string[] {
    return [...this.slots.keys()].sort();
  }

  /** The model, when exactly one is served (what `/predict` without "model" means). */
  soleModel(): string | null {
    if (this.slots.size !== 1) return null;
    for (const model of this.slots.keys()) return model;
    return null;
  }

  hasModel(model: string): boolean {
    return this.slots.has(model);
  }

  /**
   * Apply what the source wants for a model. Resolves once the wanted version serves (or failed
   * to load, leaving the previous one serving). Calls for one model run one after another.
   */
  aspire(wanted: AspiredModel): Promise<void> {
    if (this.closed) return Promise.resolve();
    let slot = this.slots.get(wanted.model);
    if (!slot) {
      slot = { entries: new Map(), serving: null, aliases: {}, sourceError: null, queue: Promise.resolve() };
      this.slots.set(wanted.model, slot);
    }
    const s = slot;
    const run = s.queue.then(() => this.apply(s, wanted));
    s.queue = run.catch(() => {});
    return run;
  }

  private async apply(slot: ModelSlot, wanted: AspiredModel): Promise<void> {
    if (this.closed) return;
    slot.aliases = { ...wanted.aliases };
    if (wanted.version === null) {
      const error = wanted.error ?? new MlctlError('NOT_FOUND', `Model "${wanted.model}" has no version to serve.`);
      const repeated = slot.sourceError?.message === error.message;
      slot.sourceError = error;
      if (!repeated) this.onEvent({ type: 'unresolved', model: wanted.model, error, serving: slot.serving?.version ?? null });
      return;
    }
    slot.sourceError = null;
    const version = wanted.version;
    if (slot.serving?.version === version) return;
    const known = slot.entries.get(version);
    // a version that failed to load stays failed (versions are immutable); the old one keeps serving
    if (known && known.error) return;
    const entry: Entry = { version, state: 'LOADING', servable: null, refs: 0, error: null };
    slot.entries.set(version, entry);
    this.onEvent({ type: 'loading', model: wanted.model, version });
    const started = performance.now();
    let servable: Servable;
    try {
      servable = await this.load(wanted.model, version);
    } catch (e) {
      const err = toMlctlError(e);
      entry.state = 'END';
      entry.error = { code: err.code, message: err.message };
      this.prune(slot);
      this.onEvent({ type: 'load-failed', model: wanted.model, version, error: err, serving: slot.serving?.version ?? null });
      return;
    }
    if (this.closed) {
      servable.dispose();
      entry.state = 'END';
      return;
    }
    entry.servable = servable;
    entry.state = 'AVAILABLE';
    const previous = slot.serving;
    slot.serving = entry;
    this.onEvent({ type: 'available', model: wanted.model, version, previous: previous?.version ?? null, ms: performance.now() - started });
    if (previous) this.retire(wanted.model, previous);
    this.prune(slot);
  }

  /** Stop handing out `entry`; dispose it once its last handle is released. */
  private retire(model: string, entry: Entry): void {
    entry.state = 'UNLOADING';
    if (entry.refs === 0) this.unload(model, entry);
  }

  private unload(model: string, entry: Entry): void {
    entry.servable?.dispose();
    entry.servable = null;
    entry.state = 'END';
    this.onEvent({ type: 'unloaded', model, version: entry.version });
  }

  private prune(slot: ModelSlot): void {
    const ended = [...slot.entries.values()].filter((e) => e.state === 'END').sort((a, b) => a.version - b.version);
    for (const e of ended.slice(0, Math.max(0, ended.length - MAX_ENDED))) slot.entries.delete(e.version);
  }

  /**
   * A handle on the servable a request asks for; throws NOT_FOUND (unknown model, version or
   * label) or UNAVAILABLE (still loading). Synchronous: the hot path never waits here.
   */
  acquire(model: string, request: ServableRequest = { kind: 'latest' }): ServableHandle {
    const slot = this.slots.get(model);
    if (!slot) {
      const served = this.models();
      throw new MlctlError(
        'NOT_FOUND',
        `Servable not found for request: ${describeRequest(model, request)}: model "${model}" is not served here.`,
        {
          hint: served.length ? `This server serves: ${served.join(', ')}.` : 'This server serves no models.',
        },
      );
    }
    let entry: Entry | null | undefined;
    if (request.kind === 'latest') {
      entry = slot.serving;
      if (!entry) {
        if (slot.sourceError) throw slot.sourceError;
        throw new MlctlError('UNAVAILABLE', `Model "${model}" is still loading.`, {
          hint: 'Retry shortly; GET /readyz says when it is ready.',
        });
      }
    } else {
      const version = request.kind === 'version' ? request.version : slot.aliases[request.label];
      if (version === undefined) {
        const labels = Object.keys(slot.aliases);
        throw new MlctlError('NOT_FOUND', `Servable not found for request: ${describeRequest(model, request)}: no such label.`, {
          hint: labels.length ? `Labels of "${model}": ${labels.join(', ')}.` : `Model "${model}" has no labels.`,
        });
      }
      entry = slot.entries.get(version);
      if (!entry || entry.state !== 'AVAILABLE') {
        if (entry?.state === 'LOADING') throw new MlctlError('UNAVAILABLE', `Version ${version} of "${model}" is still loading.`);
        throw new MlctlError('NOT_FOUND', `Servable not found for request: ${describeRequest(model, request)}.`, {
          hint: slot.serving
            ? `This server serves "${model}" version ${slot.serving.version}.`
            : `No version of "${model}" is available yet.`,
        });
      }
    }
    const held = entry;
    const servable = held.servable as Servable;
    held.refs++;
    let released = false;
    return {
      servable,
      release: () => {
        if (released) return;
        released = true;
        held.refs--;
        if (held.refs === 0 && held.state === 'UNLOADING') this.unload(model, held);
      },
    };
  }

  /** The version that serves `model` now (null while loading or unknown). */
  servingVersion(model: string): number | null {
    return this.slots.get(model)?.serving?.version ?? null;
  }

  aliases(model: string): Readonly<Record<string, number>> {
    return this.slots.get(model)?.aliases ?? {};
  }

  /** Versions known for a model, newest first (TF Serving lists every version it knows). */
  status(model: string): VersionStatus[] {
    const slot = this.slots.get(model);
    if (!slot) return [];
    return [...slot.entries.values()]
      .sort((a, b) => b.version - a.version)
      .map((e) => ({ version: e.version, state: e.state, error: e.error }));
  }

  /** Problem resolving what to serve for `model` (e.g. an alias that points nowhere), or null. */
  sourceError(model: string): MlctlError | null {
    return this.slots.get(model)?.sourceError ?? null;
  }

  /** Every model has a version serving. */
  isReady(): boolean {
    if (this.slots.size === 0) return false;
    for (const slot of this.slots.values()) if (!slot.serving) return false;
    return true;
  }

  /** Every servable currently AVAILABLE (for metrics and the start-up line). */
  available(): Servable[] {
    const out: Servable[] = [];
    for (const slot of this.slots.values()) if (slot.serving?.servable) out.push(slot.serving.servable);
    return out;
  }

  /** Requests holding a handle right now. */
  inFlight(): number {
    let n = 0;
    for (const slot of this.slots.values()) for (const e of slot.entries.values()) n += e.refs;
    return n;
  }

  /** Unload everything (after the server stopped taking requests); waits for loads in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.slots.values()].map((s) => s.queue));
    for (const [model, slot] of this.slots) {
      for (const entry of slot.entries.values()) {
        if (entry.state === 'AVAILABLE' || entry.state === 'UNLOADING') {
          entry.state = 'UNLOADING';
          if (entry.refs === 0) this.unload(model, entry);
        }
      }
      slot.serving = null;
    }
  }
}

/** TF Serving's wording: Latest(iris), Specific(iris, 3), Label(iris, production). */
export function describeRequest(model: string, request: ServableRequest): string {
  if (request.kind === 'latest') return `Latest(${model})`;
  if (request.kind === 'version') return `Specific(${model}, ${request.version})`;
  return `Label(${model}, ${request.label})`;
}
