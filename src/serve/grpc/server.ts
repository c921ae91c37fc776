/**
 * The gRPC server beside the HTTP one (`mlctl serve --grpc-port P`): grpc-js on the same host,
 * plaintext HTTP/2 (TLS belongs to the proxy or mesh in front, as for the REST side), largest
 * message from --body-limit. Under --workers N every worker binds the same port: node:cluster
 * shares the listening socket of grpc-js's HTTP/2 server as it does node:http's, so each worker
 * accepts its own connections (one client channel stays on one worker: HTTP/2 balances per
 * connection, not per call).
 *
 * `drain()` stops taking calls (the port closes and every connection gets GOAWAY, so a new call
 * fails UNAVAILABLE and a client retries elsewhere), lets those in flight finish — including one
 * whose message was still arriving — and after the timeout cuts the rest off.
 */
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { MlctlError } from '../../errors.js';
import type { ServeContext } from '../context.js';
import { inferenceService } from './definition.js';
import { createGrpcService } from './service.js';

export interface GrpcServerOptions {
  ctx: ServeContext;
  host: string;
  /** 0 = any free port */
  port: number;
  token: string | null;
  /** largest request message in bytes (--body-limit) */
  maxMessageBytes: number;
  logger?: Logger;
}

export interface RunningGrpcServer {
  port: number;
  /** host:port as a gRPC target */
  target: string;
  drain(timeoutMs: number): Promise<{ drained: boolean; abandoned: number }>;
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const grpc = await import('@grpc/grpc-js');
  const definition = await inferenceService();
  const service = createGrpcService({ ctx: options.ctx, token: options.token, logger: options.logger });
  const server: Server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': -1,
  });
  server.addService(definition, service.implementation);
  const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(bindError(error, options)) : resolve(bound),
    );
  });
  return {
    port,
    target: `${host}:${port}`,
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const closed = new Promise<'closed'>((resolve) => server.tryShutdown(() => resolve('closed')));
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([closed, timedOut]);
      clearTimeout(timer);
      if (outcome === 'closed') return { drained: true, abandoned: 0 };
      const abandoned = service.inFlight();
      server.forceShutdown();
      return { drained: false, abandoned };
    },
  };
}

function bindError(error: Error, options: GrpcServerOptions): Error {
  const text = error.message;
  if (/EADDRINUSE/.test(text)) {
    return new MlctlError('IO', `gRPC port ${options.port} on ${options.host} is already in use.`, {
      hint: 'Pick another with --grpc-port (0 = any free port); it must differ from --port.',
    });
  }
  if (/EACCES/.test(text)) {
    return new MlctlError('IO', `Not allowed to listen on ${options.host}:${options.port} for gRPC.`, {
      hint: 'Ports below 1024 need privileges; pick another with --grpc-port.',
    });
  }
  if (/EADDRNOTAVAIL|ENOTFOUND/.test(text)) {
    return new MlctlError('USAGE', `Cannot listen on host "${options.host}" for gRPC: no such local address.`, {
      hint: 'Use 127.0.0.1, 0.0.0.0 or an address of this machine.',
    });
  }
  return new MlctlError('IO', `Cannot start the gRPC server on ${options.host}:${options.port}: ${text}`);
}
