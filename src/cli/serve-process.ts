/**
 * Running the server as a process: the logger on stderr, the start-up result, and the signals.
 * SIGTERM/SIGINT drain (no new connections, requests in flight finish) and the command returns;
 * a drain that runs past --drain-timeout cuts the rest off and fails with exit code 1.
 * The process part of serving lives here, in cli/, so serve/ stays free of it.
 */
import { pino, type Logger } from 'pino';
import { MlctlError } from '../errors.js';
import type { RegistryStore } from '../registry/store.js';
import type { VersionPolicy } from '../serve/registry-source.js';
import type { ServeSettings } from '../serve/settings.js';
import type { RunningServer, StartServerOptions } from '../serve/start-server.js';
import type { CommandContext } from './context.js';
import type { ServeStartup } from './render/serve.js';

export interface ServeRunOptions {
  ctx: CommandContext;
  registry: RegistryStore;
  models: string[] | 'all';
  policy: VersionPolicy;
  settings: ServeSettings;
  serverVersion: string;
}

/** JSON lines on stderr (pino), buffered off the request path. */
export function createServeLogger(level: ServeSettings['logLevel'], bindings: Record<string, unknown> = {}): Logger {
  const destination = pino.destination({ dest: 2, sync: false, minLength: 4096 });
  const logger = pino({ level, base: { pid: process.pid, ...bindings } }, destination);
  // flush whatever is buffered however the process ends
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // nothing more can be done at exit
    }
  });
  const timer = setInterval(() => destination.flush(), 250);
  timer.unref();
  return logger;
}

export function startupOf(server: RunningServer, settings: ServeSettings, workers: number): ServeStartup {
  return {
    url: server.url,
    pid: process.pid,
    workers,
    watching: server.watching,
    policy: server.policy,
    auth: settings.token !== null,
    models: server.models,
  };
}

export async function startServing(
  options: ServeRunOptions,
  logger: Logger,
  extra: Partial<StartServerOptions> = {},
): Promise<RunningServer> {
  const { startServer } = await import('../serve/start-server.js');
  return startServer({
    registry: options.registry,
    models: options.models,
    policy: options.policy,
    settings: options.settings,
    backend: options.ctx.backend,
    logger,
    serverVersion: options.serverVersion,
    ...extra,
  });
}

/** Resolves with the first of SIGTERM / SIGINT (or another trigger) received. */
export function waitForStop(extra?: (stop: (why: string) => void) => void): Promise<string> {
  return new Promise((resolve) => {
    const stop = (why: string): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(why);
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    extra?.(stop);
  });
}

/** Drain after a stop signal; a second signal while draining ends the process at once. */
export async function drainAndReport(server: RunningServer, logger: Logger, why: string, settings: ServeSettings): Promise<void> {
  logger.info(`${why}: draining (up to ${settings.drainTimeoutMs} ms for requests in flight)`);
  const force = (): void => {
    logger.warn('second signal: stopping without waiting');
    logger.flush();
    process.exit(1);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  const result = await server.drain(settings.drainTimeoutMs);
  process.off('SIGTERM', force);
  process.off('SIGINT', force);
  if (!result.drained) {
    logger.error(`drain timed out after ${settings.drainTimeoutMs} ms; ${result.abandoned} request(s) cut off`);
    logger.flush();
    throw new MlctlError('UNAVAILABLE', `Drain timed out after ${settings.drainTimeoutMs} ms with requests still in flight.`, {
      hint: 'Raise --drain-timeout if requests legitimately take longer.',
    });
  }
  logger.info({ ms: result.ms }, `drained in ${result.ms} ms; stopped`);
  logger.flush();
  exitWhenIdle();
}

/**
 * After a clean stop nothing should keep the event loop alive; if a library left a handle
 * open, do not hang a deployment's shutdown on it.
 */
function exitWhenIdle(): void {
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}

/** One process: start, announce, wait for a signal, drain. */
export async function runServeProcess(options: ServeRunOptions): Promise<void> {
  const { ctx, settings } = options;
  const logger = createServeLogger(settings.logLevel);
  const server = await startServing(options, logger, { listenBeforeLoad: true });
  for (const w of server.warnings) ctx.reporter.warn(w);
  const startup = startupOf(server, settings, 1);
  logger.info({ url: server.url, models: server.models.map((m) => `${m.model} v${m.version}`) }, `listening on ${server.url}`);
  const { renderServeStartup } = await import('./render/serve.js');
  ctx.reporter.result(startup, renderServeStartup);
  const why = await waitForStop();
  await drainAndReport(server, logger, why, settings);
}
