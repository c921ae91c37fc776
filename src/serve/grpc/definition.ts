/**
 * KServe's `inference.GRPCInferenceService` (Open Inference Protocol v2 over gRPC), loaded from
 * the .proto shipped in the package (proto/grpc_predict_v2.proto, Apache-2.0, see proto/NOTICE).
 * Messages keep the proto's snake_case field names; int64 fields (shapes, int64_contents) arrive
 * as JS numbers; bytes as Buffers. Request deserialisers never throw: a message that does not
 * decode becomes a `MalformedMessage` the service answers with INVALID_ARGUMENT, so a broken
 * client gets a status instead of grpc-js's generic INTERNAL.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

export const SERVICE_NAME = 'inference.GRPCInferenceService';

export const METHODS = ['ServerLive', 'ServerReady', 'ModelReady', 'ServerMetadata', 'ModelMetadata', 'ModelInfer'] as const;
export type MethodName = (typeof METHODS)[number];

const MALFORMED = Symbol('malformed');

export interface MalformedMessage {
  [MALFORMED]: string;
}

export function malformedReason(request: unknown): string | null {
  return typeof request === 'object' && request !== null && MALFORMED in request ? (request as MalformedMessage)[MALFORMED] : null;
}

/** proto/grpc_predict_v2.proto from the package root (dist/serve/grpc or src/serve/grpc → ../../../proto). */
export function protoPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const file = path.resolve(here, '../../../proto/grpc_predict_v2.proto');
  if (!existsSync(file)) throw new Error(`The gRPC service definition is missing from the package: ${file}`);
  return file;
}

let cached: ServiceDefinition | null = null;

/** The service definition (parsed once per process), with total request deserialisers. */
export async function inferenceService(): Promise<ServiceDefinition> {
  if (cached) return cached;
  const protoLoader = await import('@grpc/proto-loader');
  const packageDefinition = protoLoader.loadSync(protoPath(), {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const service = packageDefinition[SERVICE_NAME] as unknown as Record<string, MethodDefinition<unknown, unknown>>;
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const name of METHODS) {
    const method = service[name];
    const decode = method.requestDeserialize;
    definition[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (e) {
          return { [MALFORMED]: e instanceof Error ? e.message : String(e) } satisfies MalformedMessage;
        }
      },
    };
  }
  cached = definition as ServiceDefinition;
  return cached;
}
