/**
 * Serve settings: one table of defaults. The CLI fills them from flags > MLCTL_* > the config's
 * `serve` section > these defaults (the same precedence as train).
 */
export interface ServeSettings {
  host: string;
  /** 0 = any free port */
  port: number;
  /** bearer token; null = no auth */
  token: string | null;
  /** allowed browser origin for CORS ("*" for any); null = no CORS headers */
  cors: string | null;
  /** largest request body in bytes */
  bodyLimit: number;
  /** most rows per request */
  maxRows: number;
  /** most rows coalesced into one forward pass */
  maxBatchSize: number;
  /** how long a batch waits for company; 0 = until the end of the current event-loop turn */
  batchTimeoutMs: number;
  /** 'auto': batch a version when its load-time measurement says so */
  batching: 'auto' | 'on' | 'off';
  /** 'auto': the plain-JS forward pass when it compiles and matches TF.js */
  fastPath: 'auto' | 'off';
  /** follow new versions / alias moves */
  watch: boolean;
  /** safety-net poll of the registry while watching (ms) */
  pollMs: number;
  /** how long SIGTERM waits for in-flight requests (ms) */
  drainTimeoutMs: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** rows per version in the feature-drift window */
  driftWindow: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** worker processes sharing the port */
  workers: number;
}

export const DEFAULT_SERVE_SETTINGS: Readonly<ServeSettings> = {
  host: '127.0.0.1',
  port: 8080,
  token: null,
  cors: null,
  bodyLimit: 1024 * 1024,
  maxRows: 1000,
  maxBatchSize: 64,
  batchTimeoutMs: 0,
  batching: 'auto',
  fastPath: 'auto',
  watch: true,
  pollMs: 2000,
  drainTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  driftWindow: 1000,
  logLevel: 'info',
  workers: 1,
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
