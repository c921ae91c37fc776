/**
 * The one error type of mlctl and the one table that maps its codes to process exit codes and
 * HTTP statuses. Library code (lifecycle, registry, engine, dataset, serve) throws MlctlError and
 * never exits; only `cli/main.ts` turns an error into an exit code, only `serve/` into a status.
 */
export type ErrorCode =
  | 'USAGE'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'INVALID_DATA'
  | 'INVALID_MODEL'
  | 'CONFIG'
  | 'GATE_FAILED'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'IO'
  | 'INTERRUPTED'
  | 'INTERNAL';

/** gRPC status names (google.rpc.Code); serve/grpc turns a name into its number. */
export type GrpcStatusName =
  | 'CANCELLED'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED';

interface CodeInfo {
  /** process exit code for the CLI */
  exit: number;
  /** HTTP status for the server (null: never reaches HTTP) */
  http: number | null;
  /** gRPC status for the server's gRPC side */
  grpc: GrpcStatusName;
}

/** The only table: ErrorCode -> exit code / HTTP status / gRPC status. README's exit-code section mirrors it. */
export const ERROR_CODES: Readonly<Record<ErrorCode, CodeInfo>> = {
  USAGE: { exit: 2, http: 400, grpc: 'INVALID_ARGUMENT' },
  NOT_FOUND: { exit: 1, http: 404, grpc: 'NOT_FOUND' },
  ALREADY_EXISTS: { exit: 1, http: 409, grpc: 'ALREADY_EXISTS' },
  CONFLICT: { exit: 1, http: 409, grpc: 'ABORTED' },
  INVALID_DATA: { exit: 1, http: 400, grpc: 'INVALID_ARGUMENT' },
  INVALID_MODEL: { exit: 1, http: 422, grpc: 'FAILED_PRECONDITION' },
  CONFIG: { exit: 2, http: 500, grpc: 'INTERNAL' },
  GATE_FAILED: { exit: 3, http: null, grpc: 'FAILED_PRECONDITION' },
  UNAVAILABLE: { exit: 1, http: 503, grpc: 'UNAVAILABLE' },
  UNAUTHENTICATED: { exit: 1, http: 401, grpc: 'UNAUTHENTICATED' },
  PAYLOAD_TOO_LARGE: { exit: 1, http: 413, grpc: 'RESOURCE_EXHAUSTED' },
  UNSUPPORTED_MEDIA_TYPE: { exit: 1, http: 415, grpc: 'INVALID_ARGUMENT' },
  IO: { exit: 1, http: 500, grpc: 'INTERNAL' },
  /** stopped by the user (Ctrl-C); 128 + SIGINT as shells report it */
  INTERRUPTED: { exit: 130, http: null, grpc: 'CANCELLED' },
  INTERNAL: { exit: 1, http: 500, grpc: 'INTERNAL' },
};

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, GATE_FAILED: 3, INTERRUPTED: 130 } as const;

export interface MlctlErrorOptions {
  /** what the user can do about it; printed after the message */
  hint?: string;
  cause?: unknown;
  /** structured detail for --json output (e.g. the failed gates) */
  details?: Record<string, unknown>;
}

export class MlctlError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: MlctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MlctlError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http ?? 500;
  }

  get grpcStatus(): GrpcStatusName {
    return ERROR_CODES[this.code].grpc;
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isMlctlError(e: unknown): e is MlctlError {
  return e instanceof MlctlError;
}

/** Wrap anything thrown into an MlctlError; unknown errors become INTERNAL. */
export function toMlctlError(e: unknown): MlctlError {
  if (e instanceof MlctlError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && err.code === 'ENOSPC') {
    return new MlctlError('IO', `No space left on device${err.path ? ` writing ${err.path}` : ''}.`, {
      hint: 'Free some disk space and run the command again; nothing was published.',
      cause: e,
    });
  }
  if (err && typeof err === 'object' && (err.code === 'EACCES' || err.code === 'EPERM')) {
    return new MlctlError('IO', `Permission denied${err.path ? `: ${err.path}` : ''}.`, {
      hint: 'Check the permissions of the registry directory.',
      cause: e,
    });
  }
  if (
    err &&
    typeof err === 'object' &&
    (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR' || err.code === 'EROFS')
  ) {
    const what = { ENOENT: 'No such file or folder', ENOTDIR: 'Not a folder', EISDIR: 'Is a folder', EROFS: 'Read-only file system' }[
      err.code
    ];
    return new MlctlError('IO', `${what}${err.path ? `: ${err.path}` : ''}.`, {
      hint: 'Check the path; nothing was published.',
      cause: e,
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new MlctlError('INTERNAL', `Unexpected error (this is a bug): ${message}`, {
    hint: 'Re-run with --verbose for the stack trace.',
    cause: e,
  });
}
