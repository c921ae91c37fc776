/**
 * A plain grpc-js client of KServe's inference.GRPCInferenceService for tests, built from the
 * .proto the package ships (not from mlctl's own client code), so the server is checked against
 * what any grpc-js client sends.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { REPO_ROOT } from './run-cli.js';

const definition = protoLoader.loadSync(path.join(REPO_ROOT, 'proto/grpc_predict_v2.proto'), {
  keepCase: true,
  longs: Number,
  defaults: true,
});
const Service = (grpc.loadPackageDefinition(definition) as any).inference.GRPCInferenceService as typeof grpc.Client;

/** code 0 with the answer in `value`, or the status code, details and trailing metadata */
export interface GrpcResult {
  code: number;
  value?: any;
  details?: string;
  metadata?: Record<string, unknown>;
}

export interface TestGrpcClient {
  client: grpc.Client;
  call(method: string, request: unknown, options?: { token?: string | null; deadlineMs?: number }): Promise<GrpcResult>;
  /** send bytes as the request message, untouched (for malformed messages) */
  callRaw(method: string, bytes: Buffer, options?: { token?: string | null }): Promise<GrpcResult>;
  close(): void;
}

/** `target` as grpc://host:port or host:port; `token` sent as `authorization: Bearer …` unless a call overrides it. */
export function grpcClient(target: string, token: string | null = null, channelOptions: grpc.ChannelOptions = {}): TestGrpcClient {
  const address = target.replace(/^grpc:\/\//, '');
  const client = new Service(address, grpc.credentials.createInsecure(), channelOptions) as any;
  const metadataFor = (t: string | null | undefined): grpc.Metadata => {
    const m = new grpc.Metadata();
    if (t) m.set('authorization', `Bearer ${t}`);
    return m;
  };
  const settle =
    (resolve: (r: GrpcResult) => void) =>
    (e: grpc.ServiceError | null, value: any): void =>
      resolve(e ? { code: e.code, details: e.details, metadata: e.metadata?.getMap() ?? {} } : { code: 0, value });
  return {
    client,
    call(method, request, options = {}) {
      const t = options.token === undefined ? token : options.token;
      const callOptions: grpc.CallOptions = options.deadlineMs !== undefined ? { deadline: Date.now() + options.deadlineMs } : {};
      return new Promise((resolve) => client[method](request, metadataFor(t), callOptions, settle(resolve)));
    },
    callRaw(method, bytes, options = {}) {
      const t = options.token === undefined ? token : options.token;
      return new Promise((resolve) =>
        client.makeUnaryRequest(
          `/inference.GRPCInferenceService/${method}`,
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          metadataFor(t),
          settle(resolve),
        ),
      );
    },
    close: () => client.close(),
  };
}

export const STATUS = grpc.status;

/** A ModelInferRequest as the bytes of a gRPC message (without the 5-byte frame prefix). */
export function serializeInferRequest(request: unknown): Buffer {
  return (Service as any).service.ModelInfer.requestSerialize(request);
}

/** Values of output `name` of a ModelInferResponse, from contents or raw_output_contents. */
export function outputOf(response: any, name: string): unknown[] {
  const i = response.outputs.findIndex((o: any) => o.name === name);
  if (i === -1) throw new Error(`no output "${name}" in ${JSON.stringify(response.outputs.map((o: any) => o.name))}`);
  const t = response.outputs[i];
  const raw: Buffer | undefined = response.raw_output_contents?.[i];
  if (raw && raw.length > 0) {
    if (t.datatype === 'FP32') return Array.from(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
    const out: string[] = [];
    for (let at = 0; at < raw.length;) {
      const n = raw.readUInt32LE(at);
      out.push(raw.toString('utf8', at + 4, at + 4 + n));
      at += 4 + n;
    }
    return out;
  }
  if (t.datatype === 'BYTES') return t.contents.bytes_contents.map((b: Buffer) => b.toString('utf8'));
  return t.contents.fp32_contents;
}

/** FP32 values as raw little-endian bytes. */
export const rawFp32 = (values: number[]): Buffer => Buffer.from(Float32Array.from(values).buffer);

/** BYTES values as raw contents: 4-byte little-endian length, then the UTF-8 bytes. */
export function rawBytes(values: string[]): Buffer {
  return Buffer.concat(
    values.flatMap((v) => {
      const b = Buffer.from(v, 'utf8');
      const n = Buffer.alloc(4);
      n.writeUInt32LE(b.length);
      return [n, b];
    }),
  );
}
