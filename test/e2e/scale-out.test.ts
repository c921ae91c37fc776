/**
 * Scale-out on a shared registry: nginx (Debian's, foreground, temp config) balancing two
 * `mlctl serve --alias production` replicas on one PostgreSQL registry. A bounded request loop
 * through nginx runs while the alias moves (zero failed requests; both replicas serve the new
 * version within 2 s of the move), while one replica is SIGKILLed (zero failed requests after
 * nginx's retry), and while the replicas' LISTEN connections are cut (they reconnect, poll
 * meanwhile, keep serving and still follow the alias).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { createTestDatabase, query } from '../helpers/pg.js';
import { startNginx, type NginxServer } from '../helpers/local-servers.mjs';

const ROW = [5.1, 3.5, 1.4, 0.2];
/** upper bound of requests per loop: the test never runs an unbounded load */
const MAX_REQUESTS = 4000;

let tmp: string;
let db: string;
const replicas: ServeProcess[] = [];
let nginx: NginxServer | null = null;

async function cli(args: string[]) {
  const r = await runCli([...args, '--registry', db], { cwd: tmp });
  if (r.code !== 0) throw new Error(`mlctl ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

async function servedVersion(url: string): Promise<number | null> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
  const body = (await res.json()) as { models: { model: string; version: number | null }[] };
  return body.models.find((m) => m.model === 'iris')?.version ?? null;
}

interface LoopResult {
  ok: number;
  failed: { status: number | string; body?: string }[];
  versions: Map<number, number>;
}

/** `concurrency` clients POSTing /predict through nginx until `stop()` (or MAX_REQUESTS). */
function requestLoop(url: string, concurrency = 4): { stop: () => Promise<LoopResult>; result: LoopResult } {
  const result: LoopResult = { ok: 0, failed: [], versions: new Map() };
  let running = true;
  let sent = 0;
  const body = JSON.stringify({ input_data: [ROW] });
  const worker = async (): Promise<void> => {
    while (running && sent < MAX_REQUESTS) {
      sent++;
      try {
        const res = await fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.status !== 200) {
          result.failed.push({ status: res.status, body: text.slice(0, 200) });
          continue;
        }
        const v = (JSON.parse(text) as { version: number }).version;
        result.versions.set(v, (result.versions.get(v) ?? 0) + 1);
        result.ok++;
      } catch (e) {
        result.failed.push({ status: String((e as Error).cause ?? e) });
      }
    }
  };
  const workers = Array.from({ length: concurrency }, () => worker());
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - started;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  tmp = await makeTmpDir('mlctl-scale-out-');
  db = await createTestDatabase('scale_out');
  // v1 trained, v2 derived from it, production → v1
  const train = await runCli(['train', 'iris', '--epochs', '3', '--registry', db, '--json'], { cwd: tmp });
  if (train.code !== 0) throw new Error(train.stderr);
  await cli(['quantize', 'iris', '--dtype', 'uint8']);
  await cli(['version', 'alias', 'iris', 'production', '1']);
  for (let i = 0; i < 2; i++) replicas.push(await startServe(['iris', '--alias', 'production', '--registry', db], { cwd: tmp }));
  nginx = await startNginx(replicas.map((r) => Number(new URL(r.url).port)));
});

afterAll(async () => {
  await nginx?.stop();
  await Promise.all(replicas.map((r) => r.stop('SIGTERM').catch(() => undefined)));
  await removeTmpDir(tmp);
});

describe('two mlctl serve replicas behind nginx on one PostgreSQL registry', () => {
  it('serve v1 and say so on their status endpoints', async () => {
    expect(replicas.map((r) => r.startup.models[0].version)).toEqual([1, 1]);
    for (const r of replicas) expect(await servedVersion(r.url)).toBe(1);
    const via = await fetch(`${nginx!.url}/readyz`);
    expect(via.status).toBe(200);
  });

  // how fast (the 2 s goal) is measured by `npm run bench:registry` (serve.aliasPropagation), not
  // asserted here: a timed assertion fails on a loaded CI machine for reasons that are not mlctl's
  it('an alias move reaches both replicas with zero failed requests through nginx', async () => {
    const loop = requestLoop(nginx!.url);
    await sleep(300);
    await cli(['version', 'alias', 'iris', 'production', '2', '--force']);
    await waitUntil(async () => (await Promise.all(replicas.map((r) => servedVersion(r.url)))).every((v) => v === 2), 15_000);
    await sleep(300);
    const result = await loop.stop();
    expect(result.failed).toEqual([]);
    expect(result.ok).toBeGreaterThan(20);
    expect([...result.versions.keys()].sort()).toEqual([1, 2]);
    // each replica logged the swap
    for (const r of replicas) expect(r.logs().some((l) => /loaded iris v2|serving iris v2|iris v2/.test(String(l.msg)))).toBe(true);
  });

  it('keeps following the alias while its LISTEN connection is cut: reconnects, polls meanwhile, keeps serving', async () => {
    const loop = requestLoop(nginx!.url);
    const cut = await query(
      db,
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mlctl-listen' AND datname = current_database()",
    );
    expect(cut.length).toBe(2);
    await cli(['version', 'alias', 'iris', 'production', '1', '--force']);
    await waitUntil(async () => (await Promise.all(replicas.map((r) => servedVersion(r.url)))).every((v) => v === 1), 5000);
    await waitUntil(
      async () =>
        (await query(db, "SELECT 1 FROM pg_stat_activity WHERE application_name = 'mlctl-listen' AND datname = current_database()"))
          .length === 2,
      5000,
    );
    const result = await loop.stop();
    expect(result.failed).toEqual([]);
    for (const r of replicas) expect(r.logs().some((l) => /lost the registry connection/.test(String(l.msg)))).toBe(true);
  });

  it('one replica SIGKILLed mid-loop: zero failed requests after nginx retries on the other', async () => {
    const loop = requestLoop(nginx!.url);
    await sleep(300);
    const victim = replicas[0];
    victim.child.kill('SIGKILL');
    await victim.exited;
    await sleep(1000);
    const result = await loop.stop();
    expect(result.failed).toEqual([]);
    expect(result.ok).toBeGreaterThan(20);
    expect(await servedVersion(replicas[1].url)).toBe(1);
  });
});
