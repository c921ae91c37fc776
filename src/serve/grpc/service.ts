/**
 * The handlers of `inference.GRPCInferenceService` over the serving context the HTTP app uses
 * (same loaded versions, validation, batcher, metrics and drain flag):
 *
 *   ServerLive, ServerReady          open, like /v2/health/live and /v2/health/ready
 *   ModelReady, ServerMetadata,      metadata `authorization: Bearer <token>` when the server has one
 *   ModelMetadata, ModelInfer
 *
 * Errors are gRPC statuses from the error table (errors.ts): INVALID_ARGUMENT for a bad tensor or
 * message, NOT_FOUND for an unknown model or version, UNAUTHENTICATED, UNAVAILABLE while
 * draining, with the REST side's message as details (and the hint in `mlctl-hint` trailing
 * metadata). A call whose deadline has passed is answered DEADLINE_EXCEEDED without work.
 * Draining needs no check here: the server stops taking calls (GOAWAY on every connection, the
 * port closed), so new calls fail UNAVAILABLE in the transport, and any call that reaches a
 * handler began before the drain and is answered normally, as REST requests in flight are.
 * One access-log line and one `mlctl_grpc_requests_total` sample per call.
 */
import { Metadata, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { MlctlError, toMlctlError } from '../../errors.js';
import { isModelName, isVersionDirName } from '../../registry/layout.js';
import { tokenChecker } from '../app.js';
import type { RequestInfo, ServeContext } from '../context.js';
import { oipModelMetadata, oipModelReady, runOipInfer } from '../routes/oip.js';
import type { ServableRequest } from '../servable-manager.js';
import { malformedReason, type MethodName } from './definition.js';
import { inferResponseOf, plainInputs, type ModelInferRequest } from './tensors.js';

export interface GrpcServiceOptions {
  ctx: ServeContext;
  token: string | null;
  logger?: Logger;
}

/** Calls answered without a token (probes), as the REST health endpoints. */
const OPEN: ReadonlySet<MethodName> = new Set(['ServerLive', 'ServerReady']);

type Handler = (request: any, call: ServerUnaryCall<any, any>, info: RequestInfo) => unknown;

export interface GrpcService {
  implementation: UntypedServiceImplementation;
  /** calls received and not answered yet */
  inFlight(): number;
}

export function createGrpcService(options: GrpcServiceOptions): GrpcService {
  const { ctx, logger } = options;
  const check = options.token ? tokenChecker(options.token) : null;
  const accessLog = logger?.isLevelEnabled('info') === true;
  let inFlight = 0;

  const unary =
    (method: MethodName, handler: Handler) =>
    (call: ServerUnaryCall<any, any>, callback: sendUnaryData<any>): void => {
      const started = performance.now();
      const info: RequestInfo = { route: method, model: '', version: '', rows: 0 };
      inFlight++;
      let finished = false;
      const finish = (code: keyof typeof status, error?: MlctlError): void => {
        if (finished) return;
        finished = true;
        inFlight--;
        const ms = performance.now() - started;
        ctx.metrics.observeGrpc(method, code, info.model, info.version, ms / 1000);
        if (error && (error.code === 'INTERNAL' || error.code === 'IO'))
          logger?.error({ method, err: error.cause ?? error }, error.message);
        if (accessLog) {
          logger!.info(
            {
              grpc: method,
              code,
              ms: Math.round(ms * 1000) / 1000,
              ...(info.model ? { model: info.model, version: info.version } : {}),
              ...(info.rows ? { rows: info.rows } : {}),
            },
            'request',
          );
        }
      };
      const fail = (e: unknown): void => {
        const error = toMlctlError(e);
        const code = error.grpcStatus;
        finish(code, error);
        const metadata = new Metadata();
        metadata.set('mlctl-code', error.code);
        if (error.hint) metadata.set('mlctl-hint', error.hint);
        callback({ code: status[code], details: error.message, metadata });
      };
      // the client gave up (deadline, cancel): nothing more is sent; count it once
      call.on('cancelled', () => finish(deadlinePassed(call) ? 'DEADLINE_EXCEEDED' : 'CANCELLED'));
      try {
        const reason = malformedReason(call.request);
        if (reason !== null) throw new MlctlError('INVALID_DATA', `The request is not a valid ${method}Request message: ${reason}.`);
        if (check && !OPEN.has(method)) {
          const header = call.metadata.get('authorization')[0];
          if (!check(typeof header === 'string' ? header : undefined)) {
            throw new MlctlError(
              'UNAUTHENTICATED',
              header !== undefined ? 'The bearer token is not valid.' : 'Missing "authorization: Bearer <token>" metadata.',
              { hint: 'Send the token the server was started with (--token or MLCTL_TOKEN).' },
            );
          }
        }
        if (deadlinePassed(call)) {
          finish('DEADLINE_EXCEEDED');
          callback({ code: status.DEADLINE_EXCEEDED, details: 'The deadline passed before the call could start.' });
          return;
        }
        const result = handler(call.request, call, info);
        if (result instanceof Promise) {
          result.then(
            (r) => {
              if (call.cancelled) return;
              finish('OK');
              callback(null, r);
            },
            (e) => (call.cancelled ? undefined : fail(e)),
          );
        } else {
          finish('OK');
          callback(null, result);
        }
      } catch (e) {
        fail(e);
      }
    };

  const implementation: Record<MethodName, ReturnType<typeof unary>> = {
    ServerLive: unary('ServerLive', () => ({ live: true })),
    ServerReady: unary('ServerReady', () => ({ ready: ctx.manager.isReady() && !ctx.isDraining() })),
    ModelReady: unary('ModelReady', (r: { name: string; version: string }, _call, info) => {
      const { model, request } = target(ctx, r.name, r.version, info);
      return { ready: oipModelReady(ctx, model, request) };
    }),
    ServerMetadata: unary('ServerMetadata', () => ({ name: ctx.serverName, version: ctx.serverVersion, extensions: [] })),
    ModelMetadata: unary('ModelMetadata', (r: { name: string; version: string }, _call, info) => {
      const { model, request } = target(ctx, r.name, r.version, info);
      return oipModelMetadata(ctx, model, request);
    }),
    ModelInfer: unary('ModelInfer', (r: ModelInferRequest, _call, info) => {
      const { model, request } = target(ctx, r.model_name, r.model_version, info);
      const raw = (r.raw_input_contents?.length ?? 0) > 0;
      const result = runOipInfer(
        ctx,
        {
          model,
          request,
          ...(r.id ? { id: r.id } : {}),
          inputs: plainInputs(r),
          outputs: r.outputs?.length ? r.outputs.map((o) => o.name) : null,
        },
        info,
      );
      return result instanceof Promise ? result.then((x) => inferResponseOf(x, raw)) : inferResponseOf(result, raw);
    }),
  };
  return { implementation, inFlight: () => inFlight };
}

function deadlinePassed(call: ServerUnaryCall<unknown, unknown>): boolean {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) && at <= Date.now();
}

/** Model name and version string of a request → what the manager is asked for. */
function target(ctx: ServeContext, name: string, version: string, info: RequestInfo): { model: string; request: ServableRequest } {
  if (!name) {
    throw new MlctlError('INVALID_DATA', 'The request names no model.', {
      hint: `Set the model name; this server serves: ${ctx.manager.models().join(', ')}.`,
    });
  }
  info.model = name;
  if (!isModelName(name) || !ctx.manager.hasModel(name)) {
    // the manager's own message and hint (which models are served)
    ctx.manager.acquire(name).release();
  }
  if (!version) return { model: name, request: { kind: 'latest' } };
  if (!isVersionDirName(version)) {
    throw new MlctlError('NOT_FOUND', `Servable not found for request: ${name} version "${version}": versions are numbers.`, {
      hint: 'Leave the version empty for the one serving now.',
    });
  }
  return { model: name, request: { kind: 'version', version: Number(version) } };
}
