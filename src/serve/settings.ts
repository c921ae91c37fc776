/**
 * What the serving core needs to run (sizes in bytes, durations in ms). The CLI fills it from the
 * serve option table (src/options/serve.ts): flags > MLCTL_* > the config's `serve` section >
 * the table's defaults.
 */
import { defaultsOf } from '../options/spec.js';
import { SERVE_OPTIONS, type LogLevel } from '../options/serve.js';

export interface ServeSettings {
  host: string;
  /** 0 = any free port */
  port: number;
  /** also serve the Open Inference Protocol over gRPC on this port (0 = any free); null = no gRPC */
  grpcPort: number | null;
  /** bearer token; null = no auth */
  token: string | null;
  /** allowed browser origin for CORS ("*" for any); null = no CORS headers */
  cors: string | null;
  /** largest request body in bytes */
  bodyLimit: number;
  /** most rows per request */
  maxRows: number;
  /** most rows per :explain request */
  explainMaxRows: number;
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
  logLevel: LogLevel;
  /** worker processes sharing the port */
  workers: number;
}

const d = defaultsOf(SERVE_OPTIONS);

export const DEFAULT_SERVE_SETTINGS: Readonly<ServeSettings> = Object.freeze({
  host: d.host!,
  port: d.port!,
  grpcPort: null,
  token: null,
  cors: null,
  bodyLimit: d.bodyLimit!,
  maxRows: d.maxRows!,
  explainMaxRows: d.explainMaxRows!,
  maxBatchSize: d.maxBatchSize!,
  batchTimeoutMs: d.batchTimeoutMs!,
  batching: d.batching!,
  fastPath: d.fastPath!,
  watch: true,
  pollMs: 2000,
  drainTimeoutMs: d.drainTimeout!,
  requestTimeoutMs: d.requestTimeout!,
  headersTimeoutMs: d.headersTimeout!,
  keepAliveTimeoutMs: d.keepAliveTimeout!,
  driftWindow: d.driftWindow!,
  logLevel: d.logLevel!,
  workers: d.workers!,
});
