/**
 * Everything a command needs besides its own options: merged global flags, the loaded config,
 * the registry root and the Reporter. Precedence: flags > MLCTL_* env > config file > defaults.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import type { MlctlConfig } from '../config/schema.js';
import type { BackendChoice } from '../vocabulary.js';
import { Reporter, shouldUseColor } from './output.js';
import { DEFAULT_REGISTRY_DIR } from '../vocabulary.js';
import { MlctlError } from '../errors.js';
import { LOCK_STALE_MS, MIN_LOCK_STALE_MS } from '../registry/model-lock.js';

/** Environment variable: how long (ms) a model lock left by a killed mlctl blocks others. */
export const LOCK_STALE_ENV = 'MLCTL_LOCK_STALE_MS';

export interface GlobalFlags {
  registry?: string;
  config?: string;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  backend?: BackendChoice;
}

export interface CommandContext {
  reporter: Reporter;
  config: MlctlConfig;
  configPath: string | null;
  /** the registry location as given (a folder path, or a postgres:// URL that may hold a password: never print it) */
  registryLocation: string;
  backend: BackendChoice;
  /** the model named by MLCTL_MODEL or the config's `model`, if any */
  defaultModel?: string;
  /** MLCTL_LOCK_STALE_MS, if set (the registry's default otherwise) */
  lockStaleMs?: number;
  json: boolean;
  verbose: boolean;
  cwd: string;
  /** where the command's own option `key` got its value: 'cli', 'env', 'default', or undefined */
  optionSource(key: string): string | undefined;
}

/**
 * Flags as given anywhere on the command line (program-level and leaf-level merged). The global
 * options are declared on the program and on every leaf, so each level holds its own value and
 * its source; a value typed on the command line beats one from MLCTL_* beats a default, wherever
 * it was typed (commander's optsWithGlobals() would let the program's env value or its
 * `--no-color` default override a flag typed after the subcommand). On a tie the leaf wins.
 */
export function globalFlags(cmd: Command): GlobalFlags {
  const rank = (source: string | undefined): number =>
    source === 'cli' ? 3 : source === 'env' ? 2 : source === 'implied' || source === 'config' ? 1 : 0;
  const out: Record<string, unknown> = {};
  const best: Record<string, number> = {};
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const [key, value] of Object.entries(c.opts())) {
      if (value === undefined) continue;
      const r = rank(c.getOptionValueSource(key));
      if (!(key in best) || r > best[key]) {
        out[key] = value;
        best[key] = r;
      }
    }
  }
  return out as GlobalFlags;
}

export function createReporter(flags: GlobalFlags): Reporter {
  const json = flags.json === true;
  const verbose = flags.verbose === true;
  return new Reporter({ json, verbose, color: shouldUseColor({ json, color: flags.color !== false }) });
}

export async function createContext(cmd: Command, reporter: Reporter): Promise<CommandContext> {
  const flags = globalFlags(cmd);
  const cwd = process.cwd();
  const { config, filepath } = await loadConfig({ cwd, file: flags.config });
  const registryLocation = flags.registry ?? config.registry ?? DEFAULT_REGISTRY_DIR;
  const backend: BackendChoice = flags.backend ?? config.backend ?? 'auto';
  const envModel = process.env.MLCTL_MODEL;
  return {
    reporter,
    config,
    configPath: filepath,
    registryLocation,
    backend,
    defaultModel: envModel && envModel.length > 0 ? envModel : config.model,
    lockStaleMs: parseLockStaleMs(process.env[LOCK_STALE_ENV]),
    json: reporter.json,
    verbose: reporter.verbose,
    cwd,
    optionSource: (key) => cmd.getOptionValueSource(key),
  };
}

/**
 * Fill options that neither the command line nor the environment set from a config section,
 * then from built-in defaults. Commander records where each value came from.
 */
export function withDefaults<T extends object>(cmd: Command, opts: Partial<T>, fromConfig: Partial<T> | undefined, defaults: T): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(fromConfig ?? {})) if (value !== undefined) out[key] = value;
  for (const [key, value] of Object.entries(opts)) {
    const source = cmd.getOptionValueSource(key);
    if (value !== undefined && (source === 'cli' || source === 'env' || source === undefined)) out[key] = value;
  }
  return out as T;
}

/** MLCTL_LOCK_STALE_MS: unset/empty → undefined (the default), else whole milliseconds ≥ 2000. */
export function parseLockStaleMs(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const ms = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(ms >= MIN_LOCK_STALE_MS)) {
    throw new MlctlError('USAGE', `${LOCK_STALE_ENV} must be a whole number of milliseconds ≥ ${MIN_LOCK_STALE_MS}, got "${raw}".`, {
      hint: `Unset it to use the default (${LOCK_STALE_MS}).`,
    });
  }
  return ms;
}
