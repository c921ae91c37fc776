/**
 * The HTTP application: fastify with every route over one ServableManager, bearer-token auth,
 * CORS, body limits, timeouts, JSON errors and one access-log line per request. `createApp`
 * builds it without listening, so tests drive it with `app.inject()`; `startServer` listens.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { MlctlError } from '../errors.js';
import { Batcher } from './batcher.js';
import { renderError, errorBody, errorStyleOf } from './http-errors.js';
import type { ServeMetrics } from './metrics.js';
import type { ServableManager } from './servable-manager.js';
import type { ServeContext } from './context.js';
import { registerPredictRoute } from './routes/predict.js';
import { registerTfServingRoutes } from './routes/tf-serving.js';
import { registerOipRoutes } from './routes/oip.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerModelFileRoutes } from './routes/model-files.js';

export interface AppOptions {
  manager: ServableManager;
  metrics: ServeMetrics;
  /** pino logger for access and error logs; omit for none */
  logger?: Logger;
  /** require `Authorization: Bearer <token>` everywhere except the health endpoints */
  token?: string | null;
  /** allowed browser origin (or "*") */
  cors?: string | null;
  /** bytes; bigger bodies get 413 */
  bodyLimit: number;
  /** rows per request; more get 400 */
  maxRows: number;
  /** requests coalesced into one forward pass (versions whose measurement says batching pays) */
  maxBatchSize: number;
  batchTimeoutMs: number;
  /** whole request (ms, 0 = none) */
  requestTimeoutMs?: number;
  /** headers of a request (ms) */
  headersTimeoutMs?: number;
  /** idle keep-alive connection (ms) */
  keepAliveTimeoutMs?: number;
  /** metrics text; default this process's */
  metricsText?: () => Promise<{ contentType: string; body: string }>;
  isDraining?: () => boolean;
  /** true while the first versions are still loading (/readyz: 503) */
  isStarting?: () => boolean;
  serverName?: string;
  serverVersion?: string;
}

/** Endpoints a load balancer or orchestrator probes without credentials. */
export const UNAUTHENTICATED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready']);

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  // fastify's own logger stays off (it would build a child logger per request); access and error
  // lines go straight to ours
  const log = options.logger ?? null;
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    connectionTimeout: 0,
    routerOptions: { maxParamLength: 500 },
    // in-flight requests finish on close; idle keep-alive sockets are closed at once
    forceCloseConnections: 'idle',
  });
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  app.server.headersTimeout = requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout;

  app.decorateRequest('mlctl', null);

  // JSON only (fastify also parses text/plain by default: a wrong content type must be a 415),
  // with JSON.parse's own message so a client sees where its JSON breaks. `curl -d` labels its
  // body application/x-www-form-urlencoded, and TF Serving's own docs (and its server) take such
  // requests as JSON, so that type is read as JSON too.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new MlctlError('INVALID_DATA', 'Request body is empty; send a JSON object.'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(
        new MlctlError('INVALID_DATA', `Request body is not valid JSON: ${(e as Error).message.replace(/\.$/, '')}.`, {
          hint: 'Check the JSON: double-quoted keys, no trailing commas, no NaN or Infinity.',
        }),
        undefined,
      );
    }
  });

  const batcher =
    options.maxBatchSize > 1
      ? new Batcher({
          maxBatchSize: options.maxBatchSize,
          timeoutMs: options.batchTimeoutMs,
          onBatch: (s, rows) => options.metrics.observeBatch(s, rows),
        })
      : null;

  const ctx: ServeContext = {
    manager: options.manager,
    metrics: options.metrics,
    batcher,
    maxRows: options.maxRows,
    isDraining: options.isDraining ?? (() => false),
    isStarting: options.isStarting ?? (() => false),
    metricsText: options.metricsText ?? (async () => ({ contentType: options.metrics.contentType, body: await options.metrics.text() })),
    serverName: options.serverName ?? 'mlctl',
    serverVersion: options.serverVersion ?? '0.0.0',
  };

  if (options.cors) {
    const { default: cors } = await import('@fastify/cors');
    await app.register(cors, {
      origin: options.cors === '*' ? '*' : options.cors,
      methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      allowedHeaders: ['Content-Type', 'Authorization'],
      exposedHeaders: ['ETag', 'Content-Length', 'Content-Encoding'],
      maxAge: 600,
    });
  }

  const isDraining = ctx.isDraining;
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    // while draining, every response closes its connection so keep-alive clients move on
    if (isDraining()) reply.header('connection', 'close');
    done(null, payload);
  });

  if (options.token) {
    const check = tokenChecker(options.token);
    app.addHook('onRequest', (request, reply, done) => {
      if (request.method === 'OPTIONS' || UNAUTHENTICATED_PATHS.has(pathOf(request.url))) {
        done();
        return;
      }
      if (check(request.headers.authorization)) {
        done();
        return;
      }
      reply.header('www-authenticate', 'Bearer');
      done(
        new MlctlError(
          'UNAUTHENTICATED',
          request.headers.authorization ? 'The bearer token is not valid.' : 'Missing "Authorization: Bearer <token>" header.',
          {
            hint: 'Send the token the server was started with (--token or MLCTL_TOKEN).',
          },
        ),
      );
    });
  }

  const accessLog = log?.isLevelEnabled('info') === true;
  app.addHook('onResponse', (request, reply, done) => {
    const info = request.mlctl;
    const route = info?.route ?? routeLabelOf(request.routeOptions.url, reply.statusCode);
    const ms = reply.elapsedTime;
    options.metrics.observeRequest(route, reply.statusCode, info?.model ?? '', info?.version ?? '', ms / 1000);
    if (accessLog) {
      log!.info(
        {
          reqId: request.id,
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(ms * 1000) / 1000,
          ...(info?.model ? { model: info.model, version: info.version } : {}),
          ...(info?.rows ? { rows: info.rows } : {}),
        },
        'request',
      );
    }
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const r = renderError(error, request.url, options.bodyLimit, request.headers['content-type']);
    if (r.internal) log?.error({ reqId: request.id, err: error }, r.error.message);
    else if (r.status >= 500) log?.warn({ reqId: request.id }, r.error.message);
    reply.code(r.status).send(r.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new MlctlError('NOT_FOUND', `Not found: ${request.method} ${pathOf(request.url)}`, {
      hint: 'Endpoints: POST /predict, POST /v1/models/NAME:predict, POST /v2/models/NAME/infer, GET /healthz, /readyz, /metrics, /models/NAME/model.json.',
    });
    reply.code(404).send(errorBody(error, errorStyleOf(request.url)));
  });

  registerPredictRoute(app, ctx);
  registerTfServingRoutes(app, ctx);
  registerOipRoutes(app, ctx);
  registerHealthRoutes(app, ctx);
  registerModelFileRoutes(app, ctx);
  return app;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function routeLabelOf(url: string | undefined, status: number): string {
  if (!url) return status === 404 ? 'not_found' : 'other';
  if (url === '/predict') return 'predict';
  if (url.startsWith('/v1/')) return 'tfs';
  if (url.startsWith('/v2')) return 'oip';
  if (url.startsWith('/models/')) return 'model_files';
  return url.replace(/^\//, '') || 'other';
}

/** Constant-time comparison of `Bearer <token>` (digests, so lengths never leak either). */
export function tokenChecker(token: string): (header: string | undefined) => boolean {
  const want = createHash('sha256').update(token).digest();
  return (header) => {
    if (typeof header !== 'string') return false;
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m) return false;
    const got = createHash('sha256').update(m[1]).digest();
    return timingSafeEqual(got, want);
  };
}
