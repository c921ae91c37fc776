/** `mlctl serve [model]`: an HTTP endpoint for registry models (TF Serving REST, Open Inference Protocol v2, /predict). */
import { Command } from 'commander';
import { MlctlError } from '../../errors.js';
import { SERVE_OPTIONS, byteSizeKind, durationKind, unitValue, type ServeDefaults, type ServeOptionValues } from '../../options/serve.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, addTableOptions } from '../options.js';
import { runAction } from '../run-action.js';
import { withDefaults, type CommandContext } from '../context.js';
import { openRegistry } from './shared.js';
import type { RegistryStore } from '../../registry/store.js';
import type { ServeSettings } from '../../serve/settings.js';
import type { VersionPolicy } from '../../serve/registry-source.js';

/** The serve table's values as flags give them (sizes in bytes, durations in ms), plus the selector and --all. */
interface ServeFlags extends Partial<ServeOptionValues> {
  version?: number | 'latest';
  alias?: string;
  all?: boolean;
}

export function serveCommand(): Command {
  const command: Command = addTableOptions(
    addBackendOption(addSelectorOptions(addGlobalOptions(new Command('serve'))))
      .description(
        'serve a model over HTTP: /predict, TF Serving REST (/v1), Open Inference Protocol v2 (/v2, and gRPC with --grpc-port), metrics',
      )
      .argument('[model]', 'model name (default: the configured or only model)')
      .option('--all', 'serve every model in the registry (each at its latest version, or at --alias)'),
    SERVE_OPTIONS,
  )
    .option('--no-watch', 'keep the version loaded at start-up')
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
  gRPC inference.GRPCInferenceService           with --grpc-port: KServe's Open Inference Protocol v2 over gRPC
                                                (ServerLive, ServerReady, ModelReady, ServerMetadata, ModelMetadata, ModelInfer)

Settings come from flags > MLCTL_<FLAG> variables > the config's "serve" section > defaults.
SIGTERM or SIGINT drains: no new connections, requests in flight finish, then exit 0.

Examples:
  $ mlctl serve iris
  $ mlctl serve iris --alias production --port 9000 --token "$TOKEN"
  $ mlctl serve --all --host 0.0.0.0 --workers 4 --token "$TOKEN"
  $ mlctl serve iris --grpc-port 9001          gRPC beside REST; try it with: mlctl infer grpc://127.0.0.1:9001 iris --input rows.csv
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
  registry: RegistryStore,
): Promise<{ settings: ServeSettings; policy: VersionPolicy; models: string[] | 'all' }> {
  const { DEFAULT_SERVE_SETTINGS: d } = await import('../../serve/settings.js');
  const { version, alias, all, ...rest } = flags;
  const merged = withDefaults<Partial<ServeOptionValues>>(cmd, rest, configValues(ctx.config.serve), {});
  const policy: VersionPolicy =
    alias !== undefined
      ? { kind: 'alias', alias }
      : version === undefined || version === 'latest'
        ? { kind: 'latest' }
        : { kind: 'pinned', version };
  let models: string[] | 'all';
  if (all) {
    if (model !== undefined) throw new MlctlError('USAGE', `Give either a model ("${model}") or --all, not both.`);
    if (policy.kind === 'pinned') {
      throw new MlctlError(
        'USAGE',
        "--all serves each model at its latest version or at --alias; --version <n> names one model's version.",
        {
          hint: 'Serve one model with "mlctl serve <model> --version <n>".',
        },
      );
    }
    models = 'all';
  } else {
    const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
    models = [await resolveModelName(registry, model, ctx.defaultModel)];
  }
  const settings: ServeSettings = {
    host: merged.host ?? d.host,
    port: merged.port ?? d.port,
    grpcPort: merged.grpcPort ?? d.grpcPort,
    token: merged.token ?? d.token,
    cors: merged.cors ?? d.cors,
    bodyLimit: merged.bodyLimit ?? d.bodyLimit,
    maxRows: merged.maxRows ?? d.maxRows,
    explainMaxRows: merged.explainMaxRows ?? d.explainMaxRows,
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

/** The config's `serve` section with sizes and durations as numbers (bytes, ms). */
function configValues(section: ServeDefaults | undefined): Partial<ServeOptionValues> {
  if (!section) return {};
  const { bodyLimit, drainTimeout, requestTimeout, headersTimeout, keepAliveTimeout, ...plain } = section;
  return {
    ...plain,
    bodyLimit: unitValue(byteSizeKind, bodyLimit),
    drainTimeout: unitValue(durationKind, drainTimeout),
    requestTimeout: unitValue(durationKind, requestTimeout),
    headersTimeout: unitValue(durationKind, headersTimeout),
    keepAliveTimeout: unitValue(durationKind, keepAliveTimeout),
  };
}
