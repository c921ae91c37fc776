/** `mlctl serve [model]`: an HTTP endpoint for registry models (TF Serving REST, Open Inference Protocol v2, /predict). */
import { Command, InvalidArgumentError } from 'commander';
import { MlctlError } from '../../errors.js';
import { parseByteSize, parseDuration, type ServeDefaults } from '../../config/schema.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, envOption, parseNonNegativeInt, parsePositiveInt } from '../options.js';
import { runAction } from '../run-action.js';
import { withDefaults, type CommandContext } from '../context.js';
import { openRegistry } from './shared.js';
import type { ServeSettings } from '../../serve/settings.js';
import type { VersionPolicy } from '../../serve/registry-source.js';

/** Flags with the config's `serve` keys; sizes and durations already parsed. */
interface ServeFlags {
  version?: number | 'latest';
  alias?: string;
  all?: boolean;
  host?: string;
  port?: number;
  token?: string;
  cors?: string;
  bodyLimit?: number;
  maxRows?: number;
  maxBatchSize?: number;
  batchTimeoutMs?: number;
  batching?: 'auto' | 'on' | 'off';
  fastPath?: 'auto' | 'off';
  watch?: boolean;
  workers?: number;
  drainTimeout?: number;
  requestTimeout?: number;
  headersTimeout?: number;
  keepAliveTimeout?: number;
  driftWindow?: number;
  logLevel?: ServeSettings['logLevel'];
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError(`expected a port number 0-65535, got "${value}".`);
  return Number(value);
}

function parseSize(value: string): number {
  const n = parseByteSize(value);
  if (n === null) throw new InvalidArgumentError(`expected a size such as 1mb, 512kb or 1048576, got "${value}".`);
  return n;
}

function parseTime(value: string): number {
  const n = parseDuration(value);
  if (n === null) throw new InvalidArgumentError(`expected a duration such as 10s, 500ms or 2m, got "${value}".`);
  return n;
}

function parseWorkers(value: string): number {
  const n = parsePositiveInt(value);
  if (n > 256) throw new InvalidArgumentError(`expected at most 256 workers, got "${value}".`);
  return n;
}

export function serveCommand(): Command {
  const command: Command = addBackendOption(addSelectorOptions(addGlobalOptions(new Command('serve'))))
    .description('serve a model over HTTP: /predict, TF Serving REST (/v1), Open Inference Protocol v2 (/v2), metrics')
    .argument('[model]', 'model name (default: the configured or only model)')
    .option('--all', 'serve every model in the registry (each at its latest version, or at --alias)')
    .addOption(envOption('--host <address>', 'interface to bind (default 127.0.0.1; 0.0.0.0 for all)'))
    .addOption(envOption('--port <n>', 'port (default 8080; 0 = any free port)', parsePort))
    .addOption(envOption('--token <secret>', 'require "Authorization: Bearer <secret>" (health endpoints stay open)'))
    .addOption(envOption('--cors <origin>', 'allow a browser page on this origin ("*" for any) to call the server'))
    .addOption(envOption('--workers <n>', 'worker processes sharing the port; a crashed one is restarted (default 1)', parseWorkers))
    .option('--watch', 'follow new versions and alias moves (default when serving latest or an alias)')
    .option('--no-watch', 'keep the version loaded at start-up')
    .addOption(envOption('--max-rows <n>', 'most rows per request (default 1000)', parsePositiveInt))
    .addOption(envOption('--body-limit <size>', 'largest request body (default 1mb)', parseSize))
    .addOption(envOption('--max-batch-size <n>', 'most rows coalesced into one forward pass; 1 = no batching (default 64)', parsePositiveInt))
    .addOption(envOption('--batch-timeout-ms <ms>', 'how long a batch waits for more requests; 0 = one event-loop turn (default 0)', parseNonNegativeInt))
    .addOption(envOption('--batching <mode>', 'auto (where measured faster), on or off (default auto)').choices(['auto', 'on', 'off']))
    .addOption(envOption('--fast-path <mode>', 'auto: plain-JS forward pass when it matches TF.js; off: always TF.js').choices(['auto', 'off']))
    .addOption(envOption('--drain-timeout <duration>', 'on SIGTERM/SIGINT, wait this long for requests in flight (default 10s)', parseTime))
    .addOption(envOption('--request-timeout <duration>', 'longest a request may take (default 30s)', parseTime))
    .addOption(envOption('--headers-timeout <duration>', 'longest a client may take to send headers (default 10s)', parseTime))
    .addOption(envOption('--keep-alive-timeout <duration>', 'idle keep-alive connections close after (default 5s)', parseTime))
    .addOption(envOption('--drift-window <rows>', 'rows per version in the feature-drift window (default 1000)', parsePositiveInt))
    .addOption(envOption('--log-level <level>', 'access and event logs on stderr, JSON lines (default info)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .addHelpText(
      'after',
      `
Endpoints:
  POST /predict                                 {"input_data": [5.1, 3.5, 1.4, 0.2]} → label and probabilities
  POST /v1/models/NAME[/versions/N|/labels/L]:predict   TensorFlow Serving REST (instances / inputs)
  GET  /v1/models/NAME[/versions/N][/metadata]  model status / signature
  POST /v2/models/NAME[/versions/N]/infer       Open Inference Protocol v2 (KServe)
  GET  /v2, /v2/health/live, /v2/health/ready, /v2/models/NAME[/versions/N][/ready]
  GET  /healthz, /readyz, /metrics              liveness, readiness, Prometheus metrics
  GET  /models/NAME/model.json                  the model files, for tf.loadLayersModel(url)

Settings come from flags > MLCTL_<FLAG> variables > the config's "serve" section > defaults.
SIGTERM or SIGINT drains: no new connections, requests in flight finish, then exit 0.

Examples:
  $ mlctl serve iris
  $ mlctl serve iris --alias production --port 9000 --token "$TOKEN"
  $ mlctl serve --all --host 0.0.0.0 --workers 4 --token "$TOKEN"
  $ curl -s localhost:8080/predict -H 'content-type: application/json' -d '{"input_data": [5.1, 3.5, 1.4, 0.2]}'`,
    );
  return command.action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: ServeFlags) => {
        const registry = await openRegistry(ctx);
        const { settings, policy, models } = await resolveServe(ctx, command, model, flags, registry);
        const { mlctlVersion } = await import('../../version.js');
        if (settings.workers > 1) {
          const { runServeCluster } = await import('../serve-cluster.js');
          await runServeCluster({ ctx, registry, models, policy, settings, serverVersion: mlctlVersion() });
        } else {
          const { runServeProcess } = await import('../serve-process.js');
          await runServeProcess({ ctx, registry, models, policy, settings, serverVersion: mlctlVersion() });
        }
      }),
    );
}

/** Settings, version policy and models from the parsed flags, MLCTL_*, the config's `serve` section and defaults. */
export async function resolveServe(
  ctx: Pick<CommandContext, 'config' | 'defaultModel'>,
  cmd: Command,
  model: string | undefined,
  flags: ServeFlags,
  registry: import('../../registry/registry.js').Registry,
): Promise<{ settings: ServeSettings; policy: VersionPolicy; models: string[] | 'all' }> {
  const { DEFAULT_SERVE_SETTINGS } = await import('../../serve/settings.js');
  const fromConfig = configFlags(ctx.config.serve);
  const { version, alias, all, ...rest } = flags;
  const merged = withDefaults<ServeFlags>(cmd, rest, fromConfig, {});
  const policy: VersionPolicy =
    alias !== undefined ? { kind: 'alias', alias } : version === undefined || version === 'latest' ? { kind: 'latest' } : { kind: 'pinned', version };
  let models: string[] | 'all';
  if (all) {
    if (model !== undefined) throw new MlctlError('USAGE', `Give either a model ("${model}") or --all, not both.`);
    if (policy.kind === 'pinned') {
      throw new MlctlError('USAGE', '--all serves each model at its latest version or at --alias; --version <n> names one model\'s version.', {
        hint: 'Serve one model with "mlctl serve <model> --version <n>".',
      });
    }
    models = 'all';
  } else {
    const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
    models = [await resolveModelName(registry, model, ctx.defaultModel)];
  }
  const d = DEFAULT_SERVE_SETTINGS;
  const token = merged.token ?? null;
  const settings: ServeSettings = {
    host: merged.host ?? d.host,
    port: merged.port ?? d.port,
    token: token === '' ? null : token,
    cors: merged.cors ?? d.cors,
    bodyLimit: merged.bodyLimit ?? d.bodyLimit,
    maxRows: merged.maxRows ?? d.maxRows,
    maxBatchSize: merged.maxBatchSize ?? d.maxBatchSize,
    batchTimeoutMs: merged.batchTimeoutMs ?? d.batchTimeoutMs,
    batching: merged.batching ?? d.batching,
    fastPath: merged.fastPath ?? d.fastPath,
    watch: merged.watch ?? policy.kind !== 'pinned',
    pollMs: d.pollMs,
    drainTimeoutMs: merged.drainTimeout ?? d.drainTimeoutMs,
    requestTimeoutMs: merged.requestTimeout ?? d.requestTimeoutMs,
    headersTimeoutMs: merged.headersTimeout ?? d.headersTimeoutMs,
    keepAliveTimeoutMs: merged.keepAliveTimeout ?? d.keepAliveTimeoutMs,
    driftWindow: merged.driftWindow ?? d.driftWindow,
    logLevel: merged.logLevel ?? d.logLevel,
    workers: merged.workers ?? d.workers,
  };
  return { settings, policy, models };
}

/** The config's `serve` section with sizes and durations in bytes and ms. */
function configFlags(section: ServeDefaults | undefined): Partial<ServeFlags> {
  if (!section) return {};
  const { bodyLimit, drainTimeout, requestTimeout, headersTimeout, keepAliveTimeout, ...plain } = section;
  const size = (v: number | string | undefined): number | undefined => (typeof v === 'string' ? (parseByteSize(v) ?? undefined) : v);
  const time = (v: number | string | undefined): number | undefined => (typeof v === 'string' ? (parseDuration(v) ?? undefined) : v);
  return {
    ...plain,
    bodyLimit: size(bodyLimit),
    drainTimeout: time(drainTimeout),
    requestTimeout: time(requestTimeout),
    headersTimeout: time(headersTimeout),
    keepAliveTimeout: time(keepAliveTimeout),
  };
}

