/**
 * Find and validate the user's config with cosmiconfig under the name "mlctl":
 * mlctl.config.{json,yaml,yml,mjs,cjs,js}, .mlctlrc[.json|.yaml|.yml|.js|.mjs|.cjs], or the
 * "mlctl" key of package.json, searched from the working directory upwards.
 * Precedence is applied by the CLI: flags > MLCTL_* environment > this file > built-in defaults.
 */
import path from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { MlctlError } from '../errors.js';
import { findConfigProblem, type MlctlConfig } from './schema.js';

export interface LoadedConfig {
  config: MlctlConfig;
  /** absolute path of the file the config came from, or null when none was found */
  filepath: string | null;
}

export interface LoadConfigOptions {
  cwd?: string;
  /** an explicit file (e.g. from --config or MLCTL_CONFIG) instead of searching */
  file?: string;
}

const MODULE_NAME = 'mlctl';

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const explorer = cosmiconfig(MODULE_NAME, {
    searchStrategy: 'project',
    searchPlaces: [
      'package.json',
      `.${MODULE_NAME}rc`,
      `.${MODULE_NAME}rc.json`,
      `.${MODULE_NAME}rc.yaml`,
      `.${MODULE_NAME}rc.yml`,
      `.${MODULE_NAME}rc.js`,
      `.${MODULE_NAME}rc.mjs`,
      `.${MODULE_NAME}rc.cjs`,
      `${MODULE_NAME}.config.json`,
      `${MODULE_NAME}.config.yaml`,
      `${MODULE_NAME}.config.yml`,
      `${MODULE_NAME}.config.js`,
      `${MODULE_NAME}.config.mjs`,
      `${MODULE_NAME}.config.cjs`,
    ],
  });
  let result: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    result = options.file ? await explorer.load(path.resolve(cwd, options.file)) : await explorer.search(cwd);
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { mark?: unknown };
    if (err.code === 'ENOENT') {
      throw new MlctlError('CONFIG', `Config file ${options.file} does not exist.`, { cause: e });
    }
    const where = err.message.split('\n')[0];
    throw new MlctlError('CONFIG', `Config file could not be read: ${where}`, {
      hint: 'Fix the syntax of the config file (JSON, YAML or a JS module exporting an object).',
      cause: e,
    });
  }
  if (!result || result.isEmpty) return { config: {}, filepath: result?.filepath ?? null };
  const config = validateConfig(result.config, result.filepath);
  return { config: resolvePaths(config, path.dirname(result.filepath)), filepath: result.filepath };
}

/** Validate a config object; errors name the file and the offending key. */
export function validateConfig(raw: unknown, filepath: string): MlctlConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new MlctlError('CONFIG', `Config file ${filepath} must contain an object of settings.`);
  }
  const problem = findConfigProblem(raw as Record<string, unknown>);
  if (!problem) return raw as MlctlConfig;
  if (problem.kind === 'unknown') {
    throw new MlctlError('CONFIG', `Config file ${filepath}: unknown key "${problem.key}".`, {
      hint: 'Remove it or check its spelling; see "Configuration" in the README for the keys mlctl reads.',
    });
  }
  throw new MlctlError('CONFIG', `Config file ${filepath}: "${problem.key}" is invalid (${problem.expected}).`, {
    hint: 'See "Configuration" in the README for the expected values.',
  });
}

function resolvePaths(config: MlctlConfig, dir: string): MlctlConfig {
  return {
    ...config,
    ...(config.registry ? { registry: path.resolve(dir, config.registry) } : {}),
    ...(config.templates ? { templates: path.resolve(dir, config.templates) } : {}),
  };
}
