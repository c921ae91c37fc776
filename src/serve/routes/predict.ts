/**
 * `POST /predict` — the shape users of the classic Flask example send:
 * `{"input_data": [5.1, 3.5, 1.4, 0.2]}`, a list of such rows, or a list of objects keyed by
 * feature name (raw values, categories as strings). Answers the model, the version and per row
 * the label and class probabilities (or the value, for regression); for a version without a
 * signature, the raw outputs.
 */
import type { FastifyInstance } from 'fastify';
import { MlctlError } from '../../errors.js';
import { decodePredictions } from '../version-adapter.js';
import { defaultModel, infer, outputRows, type ServeContext } from '../context.js';
import { encodeBatch, isPlainObject } from '../request-rows.js';
import type { Servable } from '../servable.js';

export function registerPredictRoute(app: FastifyInstance, ctx: ServeContext): void {
  app.post('/predict', (request, reply) => {
    const body = request.body;
    if (!isPlainObject(body)) {
      throw new MlctlError('INVALID_DATA', 'Request body must be a JSON object with "input_data".', {
        hint: 'For example {"input_data": [[5.1, 3.5, 1.4, 0.2]]}.',
      });
    }
    if (!('input_data' in body)) {
      throw new MlctlError('INVALID_DATA', 'Request body has no "input_data".', {
        hint: 'Send {"input_data": [v, ...]}, {"input_data": [[v, ...], ...]} or {"input_data": [{"feature": v}, ...]}.',
      });
    }
    const model = defaultModel(ctx, body.model);
    const handle = ctx.manager.acquire(model);
    const s = handle.servable;
    request.mlctl = { route: 'predict', model, version: String(s.version), rows: 0 };
    let out: Float32Array | Promise<Float32Array>;
    let n: number;
    try {
      const rows = encodeBatch(s, body.input_data, ctx.maxRows, 'input_data');
      n = rows.n;
      request.mlctl.rows = n;
      out = infer(ctx, s, rows);
    } catch (e) {
      handle.release();
      throw e;
    }
    if (out instanceof Promise) {
      return out.then(
        (o) => {
          handle.release();
          return answer(s, o, n);
        },
        (e) => {
          handle.release();
          throw e;
        },
      );
    }
    handle.release();
    reply.send(answer(s, out, n));
    return reply;
  });
}

function answer(s: Servable, out: Float32Array, n: number): unknown {
  if (!s.signature) return { model: s.model, version: s.version, predictions: outputRows(out, n, s.outputShape) };
  const decoded = decodePredictions(s.signature, out, n);
  return { model: s.model, version: s.version, predictions: decoded.predictions };
}
