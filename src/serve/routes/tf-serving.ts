/**
 * TensorFlow Serving's REST API (g3doc/api_rest.md), so existing TF Serving clients work:
 *
 *   POST /v1/models/NAME[/versions/N | /labels/L]:predict   instances → predictions, inputs → outputs
 *   POST /v1/models/NAME[/versions/N | /labels/L]:explain   the same bodies → the predictions plus per-feature
 *                                                           attributions (KServe's v1 verb; integrated gradients)
 *   GET  /v1/models/NAME[/versions/N | /labels/L]           GetModelStatusResponse
 *   GET  /v1/models/NAME[/versions/N | /labels/L]/metadata  GetModelMetadataResponse (+ mlctl's signature)
 *
 * Outputs are the model's output tensor, except that a regression value is given in the
 * target's units (preprocessing and its inverse are the server's job). Errors: `{"error": msg}`.
 */
import type { FastifyInstance } from 'fastify';
import { MlctlError, type ErrorCode } from '../../errors.js';
import { decodeRegression } from '../../dataset/signature.js';
import { infer, outputRows, type ServeContext } from '../context.js';
import { parseTfServingPath, type ModelPath } from '../model-path.js';
import { encodeBatch, encodeColumns, isPlainObject, type RowLimit } from '../request-rows.js';
import type { AttributionSet } from '../../lifecycle/explain/attributions.js';
import type { Servable } from '../servable.js';
import type { ServableHandle, VersionStatus } from '../servable-manager.js';

export const SIGNATURE_NAME = 'serving_default';

function notFound(url: string): MlctlError {
  return new MlctlError('NOT_FOUND', `Malformed request: ${url}`, {
    hint: 'Use /v1/models/NAME[/versions/N|/labels/LABEL][:predict|:explain|/metadata].',
  });
}

export function registerTfServingRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post('/v1/models/*', (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    const parsed = parseTfServingPath(rest);
    if (!parsed) throw notFound(`POST ${request.url}`);
    if (parsed.action !== 'predict' && parsed.action !== 'explain') {
      if (parsed.action === 'classify' || parsed.action === 'regress') {
        throw new MlctlError('NOT_FOUND', `:${parsed.action} is not supported; use :predict.`);
      }
      throw notFound(`POST ${request.url}`);
    }
    const explain = parsed.action === 'explain';
    const body = request.body;
    if (!isPlainObject(body)) throw new MlctlError('INVALID_DATA', 'Request body must be a JSON object with "instances" or "inputs".');
    const hasInstances = 'instances' in body;
    const hasInputs = 'inputs' in body;
    if (hasInstances === hasInputs) {
      throw new MlctlError(
        'INVALID_DATA',
        hasInstances
          ? 'Send either "instances" (row format) or "inputs" (columnar format), not both.'
          : 'Missing "instances" or "inputs" in the request body.',
      );
    }
    if (body.signature_name !== undefined && body.signature_name !== SIGNATURE_NAME) {
      throw new MlctlError(
        'INVALID_DATA',
        `Serving signature name: ${JSON.stringify(body.signature_name)} not found in signature def; the model has "${SIGNATURE_NAME}".`,
      );
    }
    const handle = ctx.manager.acquire(parsed.model, parsed.request);
    const s = handle.servable;
    request.mlctl = { route: explain ? 'tfs_explain' : 'tfs_predict', model: parsed.model, version: String(s.version), rows: 0 };
    // :explain costs dozens of forward and backward passes per row: its own, smaller row limit
    const limit: RowLimit = explain ? { max: ctx.explainMaxRows, flag: '--explain-max-rows' } : ctx.maxRows;
    const key = hasInstances ? 'predictions' : 'outputs';
    if (explain) {
      try {
        const rows = hasInstances ? encodeBatch(s, body.instances, limit, 'instances') : encodeColumns(s, body.inputs, limit);
        request.mlctl.rows = rows.n;
        // the forward pass as :predict makes it (metrics, drift), then the attributions (TF.js, synchronous)
        ctx.metrics.observeBatch(s, rows.n);
        const predicted = s.forward(rows.x, rows.n);
        ctx.metrics.observePredictions(s, rows.x, predicted, rows.n);
        reply.send({ [key]: tensorOut(s, predicted, rows.n), ...explanationBody(s.explain(rows.x, rows.n)) });
        return reply;
      } finally {
        handle.release();
      }
    }
    let out: Float32Array | Promise<Float32Array>;
    let n: number;
    try {
      const rows = hasInstances ? encodeBatch(s, body.instances, limit, 'instances') : encodeColumns(s, body.inputs, limit);
      n = rows.n;
      request.mlctl.rows = n;
      out = infer(ctx, s, rows);
    } catch (e) {
      handle.release();
      throw e;
    }
    if (out instanceof Promise) return finish(out, handle, (o) => ({ [key]: tensorOut(s, o, n) }));
    handle.release();
    reply.send({ [key]: tensorOut(s, out, n) });
    return reply;
  });

  app.get('/v1/models/*', async (request) => {
    const rest = (request.params as { '*': string })['*'];
    const parsed = parseTfServingPath(rest);
    if (!parsed || parsed.action === 'classify' || parsed.action === 'regress') {
      if (parsed) throw new MlctlError('USAGE', `Use POST for :${parsed.action}.`);
      throw notFound(`GET ${request.url}`);
    }
    if (parsed.action === 'predict' || parsed.action === 'explain') throw new MlctlError('USAGE', `Use POST for :${parsed.action}.`);
    request.mlctl = { route: parsed.action === 'metadata' ? 'tfs_metadata' : 'tfs_status', model: parsed.model, version: '', rows: 0 };
    return parsed.action === 'metadata' ? metadata(ctx, parsed) : status(ctx, parsed);
  });
}

function finish(out: Promise<Float32Array>, handle: ServableHandle, render: (o: Float32Array) => unknown): Promise<unknown> {
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

/**
 * The attributions part of an :explain answer: how they were computed, and per row the output
 * explained, its value and the baseline's, each feature's share, and the completeness check.
 */
function explanationBody(set: AttributionSet): Record<string, unknown> {
  return {
    explanation: { method: 'integrated-gradients', baseline: set.baseline, unit: set.unit, tolerance: set.tolerance },
    explanations: set.rows.map((r) => ({
      explained: r.explained,
      prediction: r.prediction,
      baseline_prediction: r.baselinePrediction,
      attributions: r.attributions,
      completeness_error: r.error,
      steps: r.steps,
    })),
  };
}

/** Output rows; regression values in the target's units. */
function tensorOut(s: Servable, out: Float32Array, n: number): unknown[] {
  if (s.signature?.target.task === 'regression') return outputRows(Float32Array.from(decodeRegression(s.signature, out)), n, s.outputShape);
  return outputRows(out, n, s.outputShape);
}

/** Canonical error codes (google.rpc.Code names) TF Serving reports in model status. */
const RPC_CODES: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: 'NOT_FOUND',
  INVALID_MODEL: 'INVALID_ARGUMENT',
  INVALID_DATA: 'INVALID_ARGUMENT',
  UNAVAILABLE: 'UNAVAILABLE',
  IO: 'UNAVAILABLE',
};

function statusEntry(v: VersionStatus): unknown {
  return {
    version: String(v.version),
    state: v.state,
    status: v.error
      ? { error_code: RPC_CODES[v.error.code] ?? 'UNKNOWN', error_message: v.error.message }
      : { error_code: 'OK', error_message: '' },
  };
}

function status(ctx: ServeContext, parsed: ModelPath): unknown {
  const { model, request } = parsed;
  if (!ctx.manager.hasModel(model)) throw new MlctlError('NOT_FOUND', `Could not find any versions of model ${model}`);
  const all = ctx.manager.status(model);
  if (request.kind === 'latest') {
    if (all.length === 0) {
      const err = ctx.manager.sourceError(model);
      throw new MlctlError('NOT_FOUND', `Could not find any versions of model ${model}${err ? `: ${err.message}` : ''}`);
    }
    return { model_version_status: all.map(statusEntry) };
  }
  const version = request.kind === 'version' ? request.version : ctx.manager.aliases(model)[request.label];
  if (version === undefined)
    throw new MlctlError('NOT_FOUND', `Could not find label ${(request as { label: string }).label} of model ${model}`);
  const one = all.find((v) => v.version === version);
  if (!one) throw new MlctlError('NOT_FOUND', `Could not find version ${version} of model ${model}`);
  return { model_version_status: [statusEntry(one)] };
}

function metadata(ctx: ServeContext, parsed: ModelPath): unknown {
  const handle = ctx.manager.acquire(parsed.model, parsed.request);
  try {
    const s = handle.servable;
    return {
      model_spec: { name: s.model, signature_name: '', version: String(s.version) },
      metadata: {
        signature_def: {
          signature_def: {
            [SIGNATURE_NAME]: { inputs: tfInputs(s), outputs: tfOutputs(s), method_name: 'tensorflow/serving/predict' },
          },
        },
        mlctl: mlctlMetadata(s),
      },
    };
  } finally {
    handle.release();
  }
}

const dim = (size: number): { size: string; name: string } => ({ size: String(size), name: '' });

function tfInputs(s: Servable): Record<string, unknown> {
  if (!s.signature) {
    return {
      input: { dtype: 'DT_FLOAT', tensor_shape: { dim: [dim(-1), ...s.inputShape.map(dim)], unknown_rank: false }, name: 'input:0' },
    };
  }
  const out: Record<string, unknown> = {};
  for (const f of s.signature.features) {
    out[f.name] = {
      dtype: f.type === 'categorical' || f.type === 'datetime' ? 'DT_STRING' : 'DT_FLOAT',
      tensor_shape: { dim: [dim(-1)], unknown_rank: false },
      name: `${f.name}:0`,
    };
  }
  return out;
}

function tfOutputs(s: Servable): Record<string, unknown> {
  const name = !s.signature ? 'output' : s.signature.target.task === 'classification' ? 'probabilities' : 'value';
  return {
    [name]: { dtype: 'DT_FLOAT', tensor_shape: { dim: [dim(-1), ...s.outputShape.map(dim)], unknown_rank: false }, name: `${name}:0` },
  };
}

/** mlctl's own view: the signature (features with training statistics and categories) and how the version runs. */
export function mlctlMetadata(s: Servable): unknown {
  return {
    model: s.model,
    version: s.version,
    operation: s.record.operation,
    createdAt: s.record.createdAt,
    signature: s.signature,
    inputShape: s.inputShape,
    outputShape: s.outputShape,
    backend: s.backend,
    fastPath: s.fastPath,
    batching: s.batching,
  };
}
