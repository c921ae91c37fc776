/**
 * The ServableManager with fake servables: availability-preserving swaps, handles that keep a
 * replaced version alive until released, a failed load that leaves the old version serving,
 * labels, and the errors a request gets.
 */
import { describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import { ServableManager, type ManagerEvent } from '../../../src/serve/servable-manager.js';
import type { Servable } from '../../../src/serve/servable.js';
import { fakeServable, type FakeServable } from '../../helpers/fake-servable.js';
import { errorOf } from '../../helpers/error-of.js';

function setup(fail: Set<number> = new Set()) {
  const loaded = new Map<string, FakeServable>();
  const events: ManagerEvent[] = [];
  const manager = new ServableManager({
    load: async (model, version): Promise<Servable> => {
      await new Promise((r) => setTimeout(r, 5));
      if (fail.has(version)) throw new MlctlError('INVALID_MODEL', `${model}/${version}/weights.bin: sha256 mismatch`);
      const s = fakeServable({ model, version });
      loaded.set(`${model}/${version}`, s);
      return s;
    },
    onEvent: (e) => events.push(e),
  });
  return { manager, loaded, events };
}

describe('ServableManager', () => {
  it('serves the aspired version and reports it AVAILABLE', async () => {
    const { manager } = setup();
    expect(manager.isReady()).toBe(false);
    await manager.aspire({ model: 'demo', version: 1, aliases: { production: 1 } });
    expect(manager.isReady()).toBe(true);
    expect(manager.servingVersion('demo')).toBe(1);
    expect(manager.status('demo')).toEqual([{ version: 1, state: 'AVAILABLE', error: null }]);
    const h = manager.acquire('demo', { kind: 'label', label: 'production' });
    expect(h.servable.version).toBe(1);
    h.release();
  });

  it('a swap keeps the old version alive for handles taken before it, and disposes it on the last release', async () => {
    const { manager, loaded } = setup();
    await manager.aspire({ model: 'demo', version: 1, aliases: {} });
    const inFlight = manager.acquire('demo');
    await manager.aspire({ model: 'demo', version: 2, aliases: {} });
    // new requests get v2; the request in flight still holds a working v1
    const next = manager.acquire('demo');
    expect(next.servable.version).toBe(2);
    next.release();
    expect(loaded.get('demo/1')!.disposed).toBe(false);
    expect(manager.status('demo').find((s) => s.version === 1)!.state).toBe('UNLOADING');
    expect(inFlight.servable.forward(new Float32Array(6), 1)).toHaveLength(2);
    inFlight.release();
    expect(loaded.get('demo/1')!.disposed).toBe(true);
    expect(manager.status('demo')).toEqual([
      { version: 2, state: 'AVAILABLE', error: null },
      { version: 1, state: 'END', error: null },
    ]);
    // a second release of the same handle changes nothing
    inFlight.release();
    expect(manager.inFlight()).toBe(0);
  });

  it('a version that fails to load is reported and the old one keeps serving; it is not retried', async () => {
    const { manager, events, loaded } = setup(new Set([2]));
    await manager.aspire({ model: 'demo', version: 1, aliases: {} });
    await manager.aspire({ model: 'demo', version: 2, aliases: {} });
    expect(manager.servingVersion('demo')).toBe(1);
    expect(manager.acquire('demo').servable.version).toBe(1);
    expect(manager.status('demo')[0]).toEqual({
      version: 2,
      state: 'END',
      error: { code: 'INVALID_MODEL', message: 'demo/2/weights.bin: sha256 mismatch' },
    });
    const failed = events.find((e) => e.type === 'load-failed');
    expect(failed).toMatchObject({ model: 'demo', version: 2, serving: 1 });
    const loadsBefore = events.filter((e) => e.type === 'loading').length;
    await manager.aspire({ model: 'demo', version: 2, aliases: {} });
    expect(events.filter((e) => e.type === 'loading').length).toBe(loadsBefore);
    expect(loaded.get('demo/1')!.disposed).toBe(false);
  });

  it('overlapping aspire() calls for a model run one after another, ending on the last wish', async () => {
    const { manager, loaded } = setup();
    await Promise.all([
      manager.aspire({ model: 'demo', version: 1, aliases: {} }),
      manager.aspire({ model: 'demo', version: 2, aliases: {} }),
      manager.aspire({ model: 'demo', version: 3, aliases: {} }),
    ]);
    expect(manager.servingVersion('demo')).toBe(3);
    expect(loaded.get('demo/1')!.disposed).toBe(true);
    expect(loaded.get('demo/2')!.disposed).toBe(true);
    expect(loaded.get('demo/3')!.disposed).toBe(false);
  });

  it('an unresolvable wish (alias pointing nowhere) keeps what serves and is reported once', async () => {
    const { manager, events } = setup();
    await manager.aspire({ model: 'demo', version: 1, aliases: {} });
    const err = new MlctlError('NOT_FOUND', 'Alias "production" of model "demo" points to version 9, which no longer exists.');
    await manager.aspire({ model: 'demo', version: null, aliases: {}, error: err });
    await manager.aspire({ model: 'demo', version: null, aliases: {}, error: err });
    expect(manager.servingVersion('demo')).toBe(1);
    expect(manager.sourceError('demo')?.message).toBe(err.message);
    expect(events.filter((e) => e.type === 'unresolved')).toHaveLength(1);
  });

  it('requests get NOT_FOUND for unknown models, versions and labels, UNAVAILABLE while loading', async () => {
    const { manager } = setup();
    const first = manager.aspire({ model: 'demo', version: 1, aliases: { production: 1 } });
    expect(errorOf(() => manager.acquire('demo'))).toMatchObject({ code: 'UNAVAILABLE', message: 'Model "demo" is still loading.' });
    await first;
    expect(errorOf(() => manager.acquire('nope'))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Servable not found for request: Latest(nope): model "nope" is not served here.',
    });
    expect(errorOf(() => manager.acquire('demo', { kind: 'version', version: 7 }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Servable not found for request: Specific(demo, 7).',
    });
    expect(errorOf(() => manager.acquire('demo', { kind: 'label', label: 'canary' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Servable not found for request: Label(demo, canary): no such label.',
    });
  });

  it('close() disposes idle versions at once and busy ones on release', async () => {
    const { manager, loaded } = setup();
    await manager.aspire({ model: 'demo', version: 1, aliases: {} });
    await manager.aspire({ model: 'other', version: 1, aliases: {} });
    const busy = manager.acquire('demo');
    await manager.close();
    expect(loaded.get('other/1')!.disposed).toBe(true);
    expect(loaded.get('demo/1')!.disposed).toBe(false);
    busy.release();
    expect(loaded.get('demo/1')!.disposed).toBe(true);
  });
});
