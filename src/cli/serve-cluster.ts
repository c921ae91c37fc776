/**
 * `mlctl serve --workers N`: N processes sharing one port through node:cluster (each accepting
 * from the shared socket). The primary loads no model: it forks the workers (each runs the ordinary server), prints the start-up
 * result once all are ready, restarts a worker that dies (unless they keep dying), merges
 * /metrics across workers (prom-client's aggregation) and, on SIGTERM/SIGINT, asks every worker
 * to drain and waits for them.
 *
 * Messages (all carry `mlctl`): worker → primary `ready` | `failed` | `metrics-request` |
 * `metrics-json`; primary → worker `metrics-json-request` | `metrics-response`.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { MlctlError, type ErrorCode } from '../errors.js';
import type { ServeMetrics } from '../serve/metrics.js';
import { createServeLogger, drainAndReport, startServing, startupOf, waitForStop, type ServeRunOptions } from './serve-process.js';
import type { ServeStartup } from './render/serve.js';

type Message =
  | { mlctl: 'ready'; startup: ServeStartup }
  | { mlctl: 'failed'; error: { code: ErrorCode; message: string; hint?: string } }
  | { mlctl: 'metrics-request'; id: number }
  | { mlctl: 'metrics-json'; id: number; json: unknown[] }
  | { mlctl: 'metrics-json-request'; id: number }
  | { mlctl: 'metrics-response'; id: number; contentType: string; body: string; error?: string };

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as { mlctl?: unknown }).mlctl === 'string';
}

/** Restarts allowed within RESTART_WINDOW_MS before the primary gives up on a crash loop. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const METRICS_TIMEOUT_MS = 2000;

export async function runServeCluster(options: ServeRunOptions): Promise<void> {
  if (cluster.isWorker) return runServeWorker(options);
  return runPrimary(options);
}

async function runPrimary(options: ServeRunOptions): Promise<void> {
  const { ctx, settings } = options;
  // Workers accept from the shared socket themselves. With round-robin the primary accepts and
  // hands each connection to a worker; one handed to a worker as it dies is never answered, where
  // here the kernel keeps unaccepted connections for the worker that is still alive.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const n = settings.workers;
  const logger = createServeLogger(settings.logLevel, { role: 'primary' });
  const ready = new Map<number, ServeStartup>();
  let stopping = false;
  let startupDone = false;
  const restarts: number[] = [];
  let giveUp: ((why: string) => void) | null = null;
  let failStartup: ((e: MlctlError) => void) | null = null;
  let allReady: (() => void) | null = null;

  const fork = (): Worker => {
    const worker = cluster.fork();
    const pid = worker.process.pid;
    worker.on('message', (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.mlctl === 'ready') {
        ready.set(worker.id, m.startup);
        logger.info({ worker: worker.id, workerPid: pid }, `worker ${worker.id} (pid ${pid}) ready`);
        if (!startupDone && ready.size === n) allReady?.();
      } else if (m.mlctl === 'failed') {
        const e = new MlctlError(m.error.code, m.error.message, m.error.hint ? { hint: m.error.hint } : {});
        if (!startupDone) failStartup?.(e);
        else logger.error({ worker: worker.id }, `worker ${worker.id} could not start: ${e.message}`);
      } else if (m.mlctl === 'metrics-request') {
        void mergedMetrics().then(
          (r) => worker.isConnected() && worker.send({ mlctl: 'metrics-response', id: m.id, ...r } satisfies Message),
          (e: Error) =>
            worker.isConnected() &&
            worker.send({ mlctl: 'metrics-response', id: m.id, contentType: 'text/plain', body: '', error: e.message } satisfies Message),
        );
      }
    });
    return worker;
  };

  /** every ready worker's metrics as JSON, merged as prom-client's AggregatorRegistry does */
  let nextId = 0;
  const pendingJson = new Map<number, { parts: unknown[][]; waiting: number; done: () => void }>();
  cluster.on('message', (_worker, m: unknown) => {
    if (!isMessage(m) || m.mlctl !== 'metrics-json') return;
    const p = pendingJson.get(m.id);
    if (!p) return;
    p.parts.push(m.json);
    if (--p.waiting === 0) p.done();
  });
  const mergedMetrics = async (): Promise<{ contentType: string; body: string }> => {
    const { AggregatorRegistry } = await import('prom-client');
    const targets = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected() && ready.has(w.id));
    const id = nextId++;
    const parts: unknown[][] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, METRICS_TIMEOUT_MS); // a worker that does not answer is left out
      pendingJson.set(id, {
        parts,
        waiting: targets.length,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      if (targets.length === 0) resolve();
      for (const w of targets) w.send({ mlctl: 'metrics-json-request', id } satisfies Message);
    });
    pendingJson.delete(id);
    const merged = AggregatorRegistry.aggregate(parts as never);
    return { contentType: merged.contentType, body: await merged.metrics() };
  };

  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker.id);
    if (stopping) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!startupDone) {
      failStartup?.(
        new MlctlError('INTERNAL', `A worker exited during start-up (${how}).`, { hint: 'Run with --workers 1 to see its error.' }),
      );
      return;
    }
    const now = Date.now();
    while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= MAX_RESTARTS) {
      logger.error(
        `worker ${worker.id} (pid ${worker.process.pid}) exited (${how}); ${MAX_RESTARTS} restarts within ${RESTART_WINDOW_MS / 1000} s, not restarting`,
      );
      if (Object.keys(cluster.workers ?? {}).length === 0) giveUp?.('no workers left');
      return;
    }
    restarts.push(now);
    const replacement = fork();
    logger.warn(
      `worker ${worker.id} (pid ${worker.process.pid}) exited (${how}); started worker ${replacement.id} (pid ${replacement.process.pid})`,
    );
  });

  const started = new Promise<void>((resolve, reject) => {
    allReady = resolve;
    failStartup = reject;
  });
  for (let i = 0; i < n; i++) fork();
  try {
    await started;
  } catch (e) {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    logger.flush();
    throw e;
  }
  startupDone = true;
  const first = [...ready.values()][0];
  const startup: ServeStartup = { ...first, pid: process.pid, workers: n, workerPids: workerPids() };
  logger.info({ url: startup.url, workers: n }, `listening on ${startup.url} with ${n} workers`);
  const { renderServeStartup } = await import('./render/serve.js');
  const { bindWarnings } = await import('../serve/start-server.js');
  for (const w of bindWarnings(settings.host, settings.token, Number(new URL(startup.url).port))) ctx.reporter.warn(w);
  ctx.reporter.result(startup, renderServeStartup);

  const why = await waitForStop((stop) => {
    giveUp = stop;
  });
  stopping = true;
  logger.info(`${why}: draining ${Object.keys(cluster.workers ?? {}).length} worker(s)`);
  const codes = await stopWorkers(settings.drainTimeoutMs + 5000);
  logger.flush();
  if (why === 'no workers left')
    throw new MlctlError('INTERNAL', 'Every worker kept crashing; the server stopped.', { hint: 'See the log lines above.' });
  if (codes.some((c) => c !== 0)) {
    throw new MlctlError('UNAVAILABLE', 'A worker did not drain cleanly (see its log lines).', {
      hint: 'Raise --drain-timeout if requests legitimately take longer.',
    });
  }
}

function workerPids(): number[] {
  return Object.values(cluster.workers ?? {})
    .map((w) => w?.process.pid)
    .filter((p): p is number => typeof p === 'number');
}

/** SIGTERM every worker and wait for all to exit (SIGKILL after `timeoutMs`); their exit codes. */
async function stopWorkers(timeoutMs: number): Promise<number[]> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
  return Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((resolve) => {
          if (w.isDead()) {
            resolve(w.process.exitCode ?? 1);
            return;
          }
          const timer = setTimeout(() => w.process.kill('SIGKILL'), timeoutMs);
          w.once('exit', (code, signal) => {
            clearTimeout(timer);
            resolve(signal ? 1 : (code ?? 1));
          });
          w.process.kill('SIGTERM');
        }),
    ),
  );
}

/** A worker: the ordinary server, reporting to the primary instead of the terminal. */
async function runServeWorker(options: ServeRunOptions): Promise<void> {
  const { settings } = options;
  const logger: Logger = createServeLogger(settings.logLevel, { worker: cluster.worker?.id });
  const send = (m: Message): void => {
    if (process.connected) process.send?.(m);
  };
  let metrics: ServeMetrics | null = null;
  let nextId = 0;
  const waiting = new Map<number, (r: { contentType: string; body: string; error?: string }) => void>();
  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.mlctl === 'metrics-json-request') {
      const mine = metrics;
      if (!mine) return;
      void mine.json().then((json) => send({ mlctl: 'metrics-json', id: m.id, json }));
    } else if (m.mlctl === 'metrics-response') {
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    }
  });
  const askPrimary = (): Promise<{ contentType: string; body: string }> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new MlctlError('UNAVAILABLE', 'The primary process did not answer for the merged metrics.'));
      }, METRICS_TIMEOUT_MS * 2);
      waiting.set(id, (r) => {
        clearTimeout(timer);
        if (r.error) reject(new MlctlError('INTERNAL', `Merging metrics failed: ${r.error}`));
        else resolve(r);
      });
      send({ mlctl: 'metrics-request', id });
    });

  let server;
  try {
    server = await startServing(options, logger, {
      metricsText: () => askPrimary(),
    });
  } catch (e) {
    const err = e instanceof MlctlError ? e : new MlctlError('INTERNAL', e instanceof Error ? e.message : String(e));
    send({ mlctl: 'failed', error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
    logger.flush();
    return; // the primary reports it
  }
  metrics = server.metrics;
  send({ mlctl: 'ready', startup: startupOf(server, settings, settings.workers) });
  // the primary going away (crash, kill -9) must not leave orphans serving
  const why = await waitForStop((stop) => process.once('disconnect', () => stop('primary gone')));
  await drainAndReport(server, logger, why, settings);
}
