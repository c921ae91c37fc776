/**
 * `GET /healthz` (the process answers), `GET /readyz` (every served model has a loaded, warmed-up
 * version and the server is not draining: 200, else 503 with the reason), `GET /metrics`.
 */
import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';

export function registerHealthRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/healthz', async (request) => {
    request.mlctl = { route: 'healthz', model: '', version: '', rows: 0 };
    return { status: 'ok' };
  });

  app.get('/readyz', async (request, reply) => {
    request.mlctl = { route: 'readyz', model: '', version: '', rows: 0 };
    const models = ctx.manager.models().map((model) => {
      const version = ctx.manager.servingVersion(model);
      const problem = ctx.manager.sourceError(model);
      return { model, version, ...(version === null && problem ? { error: problem.message } : {}) };
    });
    const draining = ctx.isDraining();
    const ready = !draining && !ctx.isStarting() && ctx.manager.isReady();
    reply.code(ready ? 200 : 503);
    return { ready, ...(draining ? { reason: 'draining' } : !ready ? { reason: 'loading' } : {}), models };
  });

  app.get('/metrics', async (request, reply) => {
    request.mlctl = { route: 'metrics', model: '', version: '', rows: 0 };
    const { contentType, body } = await ctx.metricsText();
    reply.type(contentType);
    return body;
  });
}
