/**
 * `startServer`: the serving core that `mlctl serve` (and each of its workers) runs. Wires the
 * registry source (and its change feed when watching) to the ServableManager, loads and warms up
 * every served model before listening, then serves the app. `drain()` stops taking requests,
 * lets those in flight finish (up to a timeout) and unloads everything. No process handling
 * here: signals, exit codes and workers belong to the CLI.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { MlctlError } from '../errors.js';
import type { BackendChoice } from '../vocabulary.js';
import type { RegistryStore } from '../registry/store.js';
import { createApp } from './app.js';
import { createFsChangeFeed, createPushChangeFeed, type ChangeFeed } from './change-feed.js';
import { createServableLoader } from './load-servable.js';
import { ServeMetrics } from './metrics.js';
import { RegistrySource, type VersionPolicy } from './registry-source.js';
import type { BatchingInfo, FastPathInfo, ServableLoader } from './servable.js';
import { ServableManager, type ManagerEvent } from './servable-manager.js';
import type { ServeSettings } from './settings.js';

export interface StartServerOptions {
  registry: RegistryStore;
  /** models to serve, or every model in the registry */
  models: readonly string[] | 'all';
  policy: VersionPolicy;
  settings: ServeSettings;
  backend?: BackendChoice;
  logger: Logger;
  /** where change events come from when watching (default: the folder registry's fs feed) */
  feed?: ChangeFeed;
  /**
   * open the port before the first load, answering /readyz 503 until it is done (a load
   * balancer's health check sees "not ready" instead of "refused"). Off for cluster workers: the
   * primary hands connections to any worker that listens, so one still loading would answer 503.
   */
  listenBeforeLoad?: boolean;
  /** how versions are loaded (default: from the registry, with the fast path and checks) */
  loader?: ServableLoader;
  /** merged metrics text (workers); default this process's */
  metricsText?: (metrics: ServeMetrics) => Promise<{ contentType: string; body: string }>;
  serverVersion: string;
}

export interface ServedModelInfo {
  model: string;
  version: number;
  backend: string;
  fastPath: FastPathInfo;
  batching: BatchingInfo;
}

export interface DrainResult {
  /** every in-flight request finished before the timeout */
  drained: boolean;
  /** connections with a request in flight cut off by the timeout */
  abandoned: number;
  ms: number;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  policy: VersionPolicy;
  watching: boolean;
  models: ServedModelInfo[];
  metrics: ServeMetrics;
  app: FastifyInstance;
  /** warnings for the operator (e.g. listening on all interfaces without a token) */
  warnings: string[];
  drain(timeoutMs?: number): Promise<DrainResult>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { settings, logger } = options;
  const loader =
    options.loader ??
    createServableLoader({
      registry: options.registry,
      backend: options.backend,
      fastPath: settings.fastPath,
      batching: settings.batching,
      maxBatchSize: settings.maxBatchSize,
      log: (level, message) => logger[level](message),
    });
  let metrics: ServeMetrics | null = null;
  const manager = new ServableManager({ load: loader, onEvent: (e) => logEvent(logger, e, metrics) });
  metrics = new ServeMetrics({ driftWindow: settings.driftWindow, serving: () => manager.available() });

  const watching = settings.watch;
  const source = new RegistrySource({
    registry: options.registry,
    models: options.models,
    policy: options.policy,
    manager,
    feed: watching ? (options.feed ?? defaultFeed(options.registry, settings.pollMs, logger)) : undefined,
    onError: (model, error) => logger.warn(`${model ?? 'registry'}: ${error.message}`),
  });

  let draining = false;
  let starting = true;
  let app: FastifyInstance | null = null;
  try {
    const m = metrics;
    const listen = async (): Promise<FastifyInstance> => {
      const created = await createApp({
        manager,
        metrics: m,
        logger,
        token: settings.token,
        cors: settings.cors,
        bodyLimit: settings.bodyLimit,
        maxRows: settings.maxRows,
        maxBatchSize: settings.maxBatchSize,
        batchTimeoutMs: settings.batchTimeoutMs,
        requestTimeoutMs: settings.requestTimeoutMs,
        headersTimeoutMs: settings.headersTimeoutMs,
        keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
        metricsText: options.metricsText ? () => options.metricsText!(m) : undefined,
        isDraining: () => draining,
        isStarting: () => starting,
        serverVersion: options.serverVersion,
      });
      try {
        await created.listen({ host: settings.host, port: settings.port });
      } catch (e) {
        await created.close().catch(() => {});
        throw e;
      }
      return created;
    };
    // listenBeforeLoad: /readyz answers 503 (not ready) until the first version is loaded and warmed up
    if (options.listenBeforeLoad) app = await listen();
    await source.start();
    if (source.models().length === 0) {
      throw new MlctlError('NOT_FOUND', `No model in ${options.registry.location} has ${policyText(options.policy)}.`, {
        hint: 'Check the alias with "mlctl version list", or serve the models at their latest version.',
      });
    }
    const missing = source.models().filter((m) => manager.servingVersion(m) === null);
    if (missing.length > 0) {
      const m = missing[0];
      const failed = manager.status(m).find((v) => v.error);
      const cause = failed?.error?.message ?? manager.sourceError(m)?.message ?? 'no version could be loaded';
      throw new MlctlError('INVALID_MODEL', `Cannot serve "${m}": ${cause}`, {
        hint: failed ? `Run "mlctl version verify ${m}", or serve another version with --version.` : `Run "mlctl version list ${m}".`,
      });
    }
    if (!app) app = await listen();
    starting = false;
  } catch (e) {
    source.stop();
    await app?.close().catch(() => {});
    await manager.close();
    throw listenError(e, settings);
  }
  const server = app;
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const hostForUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const warnings = bindWarnings(settings.host, settings.token, port);

  return {
    url: `http://${hostForUrl}:${port}`,
    host: settings.host,
    port,
    policy: options.policy,
    watching,
    models: manager
      .available()
      .map((s) => ({ model: s.model, version: s.version, backend: s.backend, fastPath: s.fastPath, batching: s.batching })),
    metrics,
    app: server,
    warnings,
    async drain(timeoutMs = settings.drainTimeoutMs): Promise<DrainResult> {
      const started = performance.now();
      draining = true;
      source.stop();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const closed = server.close().then(() => 'closed' as const);
      // a connection whose last request was in flight when draining began goes idle only once
      // its response is out: close those as they get there (server.close() reaps idle ones once)
      const reaper = setInterval(() => server.server.closeIdleConnections(), 20);
      const outcome = await Promise.race([closed, timedOut]);
      clearTimeout(timer);
      clearInterval(reaper);
      let abandoned = 0;
      if (outcome === 'timeout') {
        // idle connections are closed by now: every one left has a request in flight
        abandoned = await new Promise<number>((resolve) => server.server.getConnections((e, n) => resolve(e ? manager.inFlight() : n)));
        server.server.closeAllConnections();
        await closed.catch(() => {});
      }
      await manager.close();
      return { drained: outcome === 'closed', abandoned, ms: Math.round(performance.now() - started) };
    },
  };
}

/** The folder store: filesystem notifications + poll; a store that pushes (PostgreSQL): LISTEN + fallback poll. */
function defaultFeed(registry: RegistryStore, pollMs: number, logger: Logger): ChangeFeed {
  if (registry.localRoot !== null) return createFsChangeFeed({ root: registry.localRoot, pollMs });
  return createPushChangeFeed(registry, {
    fallbackPollMs: Math.min(pollMs > 0 ? pollMs : 1000, 1000),
    onState: (up, error) => {
      if (up) logger.info(`listening for registry changes on ${registry.location}`);
      else logger.warn(`lost the registry connection${error ? ` (${error.message})` : ''}; reconnecting, polling meanwhile, still serving`);
    },
  });
}

function policyText(p: VersionPolicy): string {
  return p.kind === 'alias' ? `the alias "${p.alias}"` : p.kind === 'pinned' ? `a version ${p.version}` : 'a version';
}

/** What an operator should hear about where the server listens (all interfaces without a token). */
export function bindWarnings(host: string, token: string | null, port: number): string[] {
  const all = host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
  if (!all || token) return [];
  return [
    `Listening on all interfaces (${host}) without a token: anyone who can reach port ${port} can use the models. Set --token or MLCTL_TOKEN.`,
  ];
}

function listenError(e: unknown, settings: ServeSettings): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EADDRINUSE') {
    return new MlctlError('IO', `Port ${settings.port} on ${settings.host} is already in use.`, {
      hint: 'Pick another with --port (0 = any free port).',
    });
  }
  if (err?.code === 'EACCES') {
    return new MlctlError('IO', `Not allowed to listen on ${settings.host}:${settings.port}.`, {
      hint: 'Ports below 1024 need privileges; pick another with --port.',
    });
  }
  if (err?.code === 'EADDRNOTAVAIL' || err?.code === 'ENOTFOUND') {
    return new MlctlError('USAGE', `Cannot listen on host "${settings.host}": no such local address.`, {
      hint: 'Use 127.0.0.1, 0.0.0.0 or an address of this machine.',
    });
  }
  return e;
}

function logEvent(logger: Logger, e: ManagerEvent, metrics: ServeMetrics | null): void {
  switch (e.type) {
    case 'loading':
      logger.info({ model: e.model, version: e.version }, `loading ${e.model} v${e.version}`);
      break;
    case 'available':
      metrics?.observeLoad(e.model, true);
      logger.info(
        { model: e.model, version: e.version, previous: e.previous, ms: Math.round(e.ms) },
        e.previous === null
          ? `serving ${e.model} v${e.version} (loaded in ${Math.round(e.ms)} ms)`
          : `serving ${e.model} v${e.version} instead of v${e.previous} (loaded in ${Math.round(e.ms)} ms)`,
      );
      break;
    case 'load-failed':
      metrics?.observeLoad(e.model, false);
      logger.error(
        { model: e.model, version: e.version, code: e.error.code },
        `${e.model} v${e.version} failed to load: ${e.error.message}${e.serving !== null ? ` (still serving v${e.serving})` : ''}`,
      );
      break;
    case 'unloaded':
      logger.info({ model: e.model, version: e.version }, `unloaded ${e.model} v${e.version}`);
      break;
    case 'unresolved':
      logger.warn({ model: e.model }, `${e.error.message}${e.serving !== null ? ` (still serving v${e.serving})` : ''}`);
      break;
  }
}
