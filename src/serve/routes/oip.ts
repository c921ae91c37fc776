/**
 * The Open Inference Protocol v2 over REST (KServe), inference_rest.md:
 *
 *   GET  /v2                                    server metadata
 *   GET  /v2/health/live | /v2/health/ready     {"live"} / {"ready"} (503 while not ready)
 *   GET  /v2/models/NAME[/versions/N]           model metadata (inputs, outputs, platform)
 *   GET  /v2/models/NAME[/versions/N]/ready     {"name", "ready"}
 *   POST /v2/models/NAME[/versions/N]/infer     tensors in, tensors out
 *
 * Inputs of a version with a signature: one tensor per feature (FP32, or BYTES for a category),
 * or one FP32 tensor [n, features]. Outputs: "probabilities" [n, classes] and "label" [n]
 * (classification) or "value" [n, 1] in the target's units (regression); "output" for a version
 * without a signature. Errors: `{"error": msg}`.
 */
import type { FastifyInstance } from 'fastify';
import { MlctlError } from '../../errors.js';
import { decodeRegression } from '../../dataset/signature.js';
import { decodePredictions } from '../version-adapter.js';
import { infer, type ServeContext } from '../context.js';
import { parseOipPath } from '../model-path.js';
import { encodeOipInputs, isPlainObject } from '../request-rows.js';
import type { Servable } from '../servable.js';

/** No TF.js platform string exists in the protocol; `<project>_<format>` as the spec suggests. */
export const PLATFORM = 'tensorflowjs_layers';

interface OipOutput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

export function registerOipRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/v2', async (request) => {
    request.mlctl = { route: 'oip_server', model: '', version: '', rows: 0 };
    return { name: ctx.serverName, version: ctx.serverVersion, extensions: [] };
  });

  app.get('/v2/health/live', async (request) => {
    request.mlctl = { route: 'oip_live', model: '', version: '', rows: 0 };
    return { live: true };
  });

  app.get('/v2/health/ready', async (request, reply) => {
    request.mlctl = { route: 'oip_ready', model: '', version: '', rows: 0 };
    const ready = ctx.manager.isReady() && !ctx.isDraining() && !ctx.isStarting();
    reply.code(ready ? 200 : 503);
    return { ready };
  });

  app.get('/v2/models/*', async (request, reply) => {
    const parsed = parseOipPath((request.params as { '*': string })['*']);
    if (!parsed || parsed.action === 'infer') {
      if (parsed) throw new MlctlError('USAGE', 'Use POST for /infer.');
      throw new MlctlError('NOT_FOUND', `Malformed request: GET ${request.url}`, { hint: 'Use /v2/models/NAME[/versions/N][/ready].' });
    }
    request.mlctl = {
      route: parsed.action === 'ready' ? 'oip_model_ready' : 'oip_model_metadata',
      model: parsed.model,
      version: '',
      rows: 0,
    };
    if (parsed.action === 'ready') {
      let ready = false;
      try {
        ctx.manager.acquire(parsed.model, parsed.request).release();
        ready = !ctx.isDraining();
      } catch (e) {
        if (!ctx.manager.hasModel(parsed.model)) throw e;
      }
      reply.code(ready ? 200 : 503);
      return { name: parsed.model, ready };
    }
    const handle = ctx.manager.acquire(parsed.model, parsed.request);
    try {
      const s = handle.servable;
      return { name: s.model, versions: [String(s.version)], platform: PLATFORM, inputs: oipInputs(s), outputs: oipOutputs(s) };
    } finally {
      handle.release();
    }
  });

  app.post('/v2/models/*', (request, reply) => {
    const parsed = parseOipPath((request.params as { '*': string })['*']);
    if (!parsed || parsed.action !== 'infer') {
      throw new MlctlError('NOT_FOUND', `Malformed request: POST ${request.url}`, { hint: 'Use POST /v2/models/NAME[/versions/N]/infer.' });
    }
    const body = request.body;
    if (!isPlainObject(body)) throw new MlctlError('INVALID_DATA', 'Request body must be a JSON object with "inputs".');
    if (!('inputs' in body)) throw new MlctlError('INVALID_DATA', 'Request body has no "inputs".');
    if (body.id !== undefined && typeof body.id !== 'string') throw new MlctlError('INVALID_DATA', '"id" must be a string.');
    const wanted = requestedOutputs(body.outputs);
    const handle = ctx.manager.acquire(parsed.model, parsed.request);
    const s = handle.servable;
    request.mlctl = { route: 'oip_infer', model: parsed.model, version: String(s.version), rows: 0 };
    let out: Float32Array | Promise<Float32Array>;
    let n: number;
    try {
      const available = oipOutputs(s).map((o) => o.name);
      const unknown = wanted?.find((w) => !available.includes(w));
      if (unknown !== undefined)
        throw new MlctlError('INVALID_DATA', `Unknown output "${unknown}"; this model's outputs are: ${available.join(', ')}.`);
      const rows = encodeOipInputs(s, body.inputs, ctx.maxRows);
      n = rows.n;
      request.mlctl.rows = n;
      out = infer(ctx, s, rows);
    } catch (e) {
      handle.release();
      throw e;
    }
    const render = (o: Float32Array): unknown => ({
      model_name: s.model,
      model_version: String(s.version),
      ...(body.id !== undefined ? { id: body.id } : {}),
      outputs: outputTensors(s, o, n).filter((t) => !wanted || wanted.includes(t.name)),
    });
    if (out instanceof Promise) {
      return out.then(
        (o) => {
          handle.release();
          return render(o);
        },
        (e) => {
          handle.release();
          throw e;
        },
      );
    }
    handle.release();
    reply.send(render(out));
    return reply;
  });
}

function requestedOutputs(outputs: unknown): string[] | null {
  if (outputs === undefined) return null;
  if (!Array.isArray(outputs) || !outputs.every((o) => isPlainObject(o) && typeof o.name === 'string')) {
    throw new MlctlError('INVALID_DATA', '"outputs" must be a list of {"name": ...}.');
  }
  return outputs.map((o) => (o as { name: string }).name);
}

function oipInputs(s: Servable): unknown[] {
  if (!s.signature) return [{ name: 'input', datatype: 'FP32', shape: [-1, ...s.inputShape] }];
  return s.signature.features.map((f) => ({
    name: f.name,
    datatype: f.type === 'categorical' || f.type === 'datetime' ? 'BYTES' : 'FP32',
    shape: [-1],
  }));
}

function oipOutputs(s: Servable): { name: string; datatype: string; shape: number[] }[] {
  if (!s.signature) return [{ name: 'output', datatype: 'FP32', shape: [-1, ...s.outputShape] }];
  if (s.signature.target.task === 'classification') {
    return [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, s.outputSize] },
      { name: 'label', datatype: 'BYTES', shape: [-1] },
    ];
  }
  return [{ name: 'value', datatype: 'FP32', shape: [-1, 1] }];
}

function outputTensors(s: Servable, out: Float32Array, n: number): OipOutput[] {
  if (!s.signature) return [{ name: 'output', datatype: 'FP32', shape: [n, ...s.outputShape], data: Array.from(out) }];
  if (s.signature.target.task === 'classification') {
    const labels = (decodePredictions(s.signature, out, n).predictions as { label: string }[]).map((p) => p.label);
    return [
      { name: 'probabilities', datatype: 'FP32', shape: [n, s.outputSize], data: Array.from(out) },
      { name: 'label', datatype: 'BYTES', shape: [n], data: labels },
    ];
  }
  return [{ name: 'value', datatype: 'FP32', shape: [n, 1], data: decodeRegression(s.signature, out) }];
}
