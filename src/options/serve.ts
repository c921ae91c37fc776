/**
 * `mlctl serve` settings, declared once: flags (+ MLCTL_* variables), the config's `serve`
 * section and the defaults come from this table. Precedence: flags > MLCTL_* > config `serve` >
 * defaults. Sizes take "1mb"/"512kb"/bytes; durations "10s"/"500ms"/"2m"/milliseconds (in a
 * config file: a number of bytes or milliseconds, or the same strings).
 */
import { OptionValueError, booleanKind, choiceKind, integerKind, option, textKind, type OptionValues, type ValueKind } from './spec.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** "1mb", "512kb", "2MiB", "1048576" → bytes; null when it is not a size. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  const bytes = Math.floor(Number(m[1]) * factor);
  return bytes > 0 ? bytes : null;
}

/** "500ms", "10s", "2m", "1500" (ms) → milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? 'ms').toLowerCase();
  return Math.round(Number(m[1]) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1));
}

/** A value with a unit: parsed from a flag; a number or the same string in a config file. */
function unitKind(expected: string, read: (text: string) => number | null): ValueKind<number> {
  const fits = (v: unknown): boolean =>
    (typeof v === 'number' && Number.isFinite(v) && v >= 0) || (typeof v === 'string' && read(v) !== null);
  return {
    expected,
    parse(raw) {
      const n = read(raw);
      if (n === null) throw new OptionValueError(`expected ${expected}, got "${raw}".`);
      return n;
    },
    check: (v) => (fits(v) ? null : `expected ${expected}`),
  };
}

export const byteSizeKind = unitKind('a size such as 1mb, 512kb or 1048576', parseByteSize);
export const durationKind = unitKind('a duration such as 10s, 500ms or 2m', parseDuration);

/** A config value of a unit kind (number or string) as a number. */
export function unitValue(kind: ValueKind<number>, v: number | string | undefined): number | undefined {
  return typeof v === 'string' ? kind.parse(v) : v;
}

export const SERVE_OPTIONS = {
  host: option('--host <address>', 'interface to bind (0.0.0.0 for all)', textKind, { default: '127.0.0.1', env: true }),
  port: option('--port <n>', 'port (0 = any free port)', integerKind({ min: 0, max: 65535 }), { default: 8080, env: true }),
  grpcPort: option(
    '--grpc-port <n>',
    "also serve KServe's Open Inference Protocol v2 over gRPC on this port (0 = any free port)",
    integerKind({ min: 0, max: 65535 }),
    { env: true },
  ),
  token: option('--token <secret>', 'require "Authorization: Bearer <secret>" (health endpoints stay open)', textKind, { env: true }),
  cors: option('--cors <origin>', 'allow a browser page on this origin ("*" for any) to call the server', textKind, { env: true }),
  workers: option('--workers <n>', 'worker processes sharing the port; a crashed one is restarted', integerKind({ min: 1, max: 256 }), {
    default: 1,
    env: true,
  }),
  watch: option('--watch', 'follow new versions and alias moves (default when serving latest or an alias)', booleanKind),
  maxRows: option('--max-rows <n>', 'most rows per request', integerKind({ min: 1 }), { default: 1000, env: true }),
  explainMaxRows: option(
    '--explain-max-rows <n>',
    'most rows per :explain request (each costs dozens of forward and backward passes)',
    integerKind({ min: 1 }),
    { default: 10, env: true },
  ),
  bodyLimit: option('--body-limit <size>', 'largest request body', byteSizeKind, { default: 1024 * 1024, env: true }),
  maxBatchSize: option('--max-batch-size <n>', 'most rows coalesced into one forward pass; 1 = no batching', integerKind({ min: 1 }), {
    default: 64,
    env: true,
  }),
  batchTimeoutMs: option(
    '--batch-timeout-ms <ms>',
    'how long a batch waits for more requests; 0 = one event-loop turn',
    integerKind({ min: 0, max: 60_000 }),
    { default: 0, env: true },
  ),
  batching: option(
    '--batching <mode>',
    'coalesce concurrent requests: auto (where measured faster), on or off',
    choiceKind(['auto', 'on', 'off'] as const),
    {
      default: 'auto',
      env: true,
    },
  ),
  fastPath: option(
    '--fast-path <mode>',
    'auto: the plain-JS forward pass when it matches TF.js; off: always TF.js',
    choiceKind(['auto', 'off'] as const),
    {
      default: 'auto',
      env: true,
    },
  ),
  drainTimeout: option('--drain-timeout <duration>', 'on SIGTERM/SIGINT, how long requests in flight may take to finish', durationKind, {
    default: 10_000,
    env: true,
  }),
  requestTimeout: option('--request-timeout <duration>', 'longest a request may take', durationKind, { default: 30_000, env: true }),
  headersTimeout: option('--headers-timeout <duration>', 'longest a client may take to send its headers', durationKind, {
    default: 10_000,
    env: true,
  }),
  keepAliveTimeout: option('--keep-alive-timeout <duration>', 'idle keep-alive connections close after', durationKind, {
    default: 5000,
    env: true,
  }),
  driftWindow: option('--drift-window <rows>', 'rows per version in the feature-drift window', integerKind({ min: 1 }), {
    default: 1000,
    env: true,
  }),
  logLevel: option('--log-level <level>', 'access and event logs on stderr (JSON lines)', choiceKind(LOG_LEVELS), {
    default: 'info',
    env: true,
  }),
} as const;

export type ServeOptionValues = OptionValues<typeof SERVE_OPTIONS>;
/** The config file's `serve` section (sizes and durations may be strings there). */
export type ServeDefaults = Partial<
  Omit<ServeOptionValues, 'bodyLimit' | 'drainTimeout' | 'requestTimeout' | 'headersTimeout' | 'keepAliveTimeout'>
> & {
  bodyLimit?: number | string;
  drainTimeout?: number | string;
  requestTimeout?: number | string;
  headersTimeout?: number | string;
  keepAliveTimeout?: number | string;
};
