/**
 * What every route gets: the manager (handles on servables), the inference call (plain pass or
 * TF.js, batched where that pays), limits, and the request info the access log and metrics read.
 */
import { MlctlError } from '../errors.js';
import type { Batcher } from './batcher.js';
import type { ServeMetrics } from './metrics.js';
import type { EncodedRows } from './request-rows.js';
import type { Servable } from './servable.js';
import type { ServableManager } from './servable-manager.js';

/** Filled by each handler; read by the onResponse hook (metrics, access log). */
export interface RequestInfo {
  /** a stable route name for metrics, e.g. "predict", "tfs_predict", "oip_infer" */
  route: string;
  model: string;
  version: string;
  rows: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    mlctl: RequestInfo | null;
  }
}

export interface ServeContext {
  manager: ServableManager;
  metrics: ServeMetrics;
  batcher: Batcher | null;
  maxRows: number;
  /** true once draining started (readiness turns false) */
  isDraining: () => boolean;
  /** true until the first read of the registry has loaded what should serve */
  isStarting: () => boolean;
  /** the metrics text to serve (merged across workers when clustered) */
  metricsText: () => Promise<{ contentType: string; body: string }>;
  serverName: string;
  serverVersion: string;
}

/** Run the forward pass for encoded rows: through the batcher when the version batches. */
export function infer(ctx: ServeContext, servable: Servable, rows: EncodedRows): Float32Array | Promise<Float32Array> {
  if (ctx.batcher && servable.batching.enabled) {
    return ctx.batcher.run(servable, rows.x, rows.n).then((out) => {
      ctx.metrics.observePredictions(servable, rows.x, out, rows.n);
      return out;
    });
  }
  ctx.metrics.observeBatch(servable, rows.n);
  const out = servable.forward(rows.x, rows.n);
  ctx.metrics.observePredictions(servable, rows.x, out, rows.n);
  return out;
}

/** The one model `/predict` means when the body names none. */
export function defaultModel(ctx: ServeContext, named: unknown): string {
  if (named !== undefined) {
    if (typeof named !== 'string') throw new MlctlError('INVALID_DATA', '"model" must be a string naming a served model.');
    return named;
  }
  const sole = ctx.manager.soleModel();
  if (sole !== null) return sole;
  const models = ctx.manager.models();
  throw new MlctlError(
    'INVALID_DATA',
    `This server serves ${models.length} models (${models.join(', ')}); name one with "model" in the body.`,
    {
      hint: 'For example {"model": "iris", "input_data": [...]}, or use POST /v1/models/NAME:predict.',
    },
  );
}

/** Output rows as nested lists in the output shape: [[p1, p2, p3], ...] for shape [3]. */
export function outputRows(out: Float32Array, n: number, shape: readonly number[]): unknown[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const rows = new Array<unknown>(n);
  for (let r = 0; r < n; r++) rows[r] = nest(out, r * size, shape, 0);
  return rows;
}

function nest(out: Float32Array, at: number, shape: readonly number[], dim: number): unknown {
  const len = shape[dim];
  if (dim === shape.length - 1) {
    const row = new Array<number>(len);
    for (let i = 0; i < len; i++) row[i] = out[at + i];
    return row;
  }
  const step = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  return Array.from({ length: len }, (_, i) => nest(out, at + i * step, shape, dim + 1));
}
