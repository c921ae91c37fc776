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
 *
 * The metadata, readiness and inference steps are exported (`oipModelMetadata`, `oipModelReady`,
 * `runOipInfer`): the gRPC service (serve/grpc) runs the same ones, so both protocols validate,
 * batch and answer alike.
 */
import type { FastifyInstance } from 'fastify';
import { MlctlError } from '../../errors.js';
import { decodeRegression } from '../../dataset/signature.js';
import { decodePredictions } from '../version-adapter.js';
import { infer, type RequestInfo, type ServeContext } from '../context.js';
import { parseOipPath } from '../model-path.js';
import { encodeOipInputs, isPlainObject } from '../request-rows.js';
import type { Servable } from '../servable.js';
import type { ServableRequest } from '../servable-manager.js';

/** No TF.js platform string exists in the protocol; `<project>_<format>` as the spec suggests. */
export const PLATFORM = 'tensorflowjs_layers';

export interface OipOutput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

export interface OipTensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface OipModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

/** One inference call, whichever protocol brought it. */
export interface OipInferCall {
  model: string;
  request: ServableRequest;
  id?: string;
  /** the input tensors as `{name, shape, datatype, data}` (validated by encodeOipInputs) */
  inputs: unknown;
  /** output names asked for; null = every output */
  outputs: string[] | null;
}

export interface OipInferResult {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: OipOutput[];
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
      const ready = oipModelReady(ctx, parsed.model, parsed.request);
      reply.code(ready ? 200 : 503);
      return { name: parsed.model, ready };
    }
    return oipModelMetadata(ctx, parsed.model, parsed.request);
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
    const info: RequestInfo = { route: 'oip_infer', model: parsed.model, version: '', rows: 0 };
    request.mlctl = info;
    const result = runOipInfer(
      ctx,
      {
        model: parsed.model,
        request: parsed.request,
        id: body.id as string | undefined,
        inputs: body.inputs,
        outputs: requestedOutputs(body.outputs),
      },
      info,
    );
    if (result instanceof Promise) return result;
    reply.send(result);
    return reply;
  });
}

/** Ready = a version answers for this request and the server is not draining; an unknown model throws NOT_FOUND. */
export function oipModelReady(ctx: ServeContext, model: string, request: ServableRequest): boolean {
  try {
    ctx.manager.acquire(model, request).release();
    return !ctx.isDraining();
  } catch (e) {
    if (!ctx.manager.hasModel(model)) throw e;
    return false;
  }
}

export function oipModelMetadata(ctx: ServeContext, model: string, request: ServableRequest): OipModelMetadata {
  const handle = ctx.manager.acquire(model, request);
  try {
    const s = handle.servable;
    return { name: s.model, versions: [String(s.version)], platform: PLATFORM, inputs: oipInputs(s), outputs: oipOutputs(s) };
  } finally {
    handle.release();
  }
}

/**
 * Acquire the version, check the requested outputs, validate and encode the inputs, run the
 * forward pass (batched where that pays) and build the output tensors. Synchronous unless the
 * version batches. `info` gets the version and row count for the access log and metrics.
 */
export function runOipInfer(ctx: ServeContext, call: OipInferCall, info: RequestInfo): OipInferResult | Promise<OipInferResult> {
  const handle = ctx.manager.acquire(call.model, call.request);
  const s = handle.servable;
  info.version = String(s.version);
  const wanted = call.outputs;
  let out: Float32Array | Promise<Float32Array>;
  let n: number;
  try {
    const available = oipOutputs(s).map((o) => o.name);
    const unknown = wanted?.find((w) => !available.includes(w));
    if (unknown !== undefined)
      throw new MlctlError('INVALID_DATA', `Unknown output "${unknown}"; this model's outputs are: ${available.join(', ')}.`);
    const rows = encodeOipInputs(s, call.inputs, ctx.maxRows);
    n = rows.n;
    info.rows = n;
    out = infer(ctx, s, rows);
  } catch (e) {
    handle.release();
    throw e;
  }
  const render = (o: Float32Array): OipInferResult => ({
    model_name: s.model,
    model_version: String(s.version),
    ...(call.id !== undefined ? { id: call.id } : {}),
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
  return render(out);
}

function requestedOutputs(outputs: unknown): string[] | null {
  if (outputs === undefined) return null;
  if (!Array.isArray(outputs) || !outputs.every((o) => isPlainObject(o) && typeof o.name === 'string')) {
    throw new MlctlError('INVALID_DATA', '"outputs" must be a list of {"name": ...}.');
  }
  return outputs.map((o) => (o as { name: string }).name);
}

/**
 * The signature as tensors: a version without a signature or with numeric features only takes one
 * FP32 input "input" [-1, width] (values in feature order, raw units: the server standardises);
 * one with categories, booleans or dates takes one input per raw feature, BYTES for categories and
 * dates, so a client sends raw rows as with /predict. (Both forms are accepted either way.)
 */
function oipInputs(s: Servable): OipTensorMetadata[] {
  if (!s.signature) return [{ name: 'input', datatype: 'FP32', shape: [-1, ...s.inputShape] }];
  const features = s.signature.features;
  if (features.every((f) => f.type === 'numeric')) return [{ name: 'input', datatype: 'FP32', shape: [-1, features.length] }];
  return features.map((f) => ({
    name: f.name,
    datatype: f.type === 'categorical' || f.type === 'datetime' ? 'BYTES' : 'FP32',
    shape: [-1],
  }));
}

function oipOutputs(s: Servable): OipTensorMetadata[] {
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
