/**
 * Find and validate the user's config with cosmiconfig under the name "mlctl":
 * mlctl.config.{json,yaml,yml,mjs,cjs,js}, .mlctlrc[.json|.yaml|.yml|.js|.mjs|.cjs], or the
 * "mlctl" key of package.json, searched from the working directory upwards.
 * Precedence is applied by the CLI: flags > MLCTL_* environment > this file > built-in defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader } from 'cosmiconfig';
import { schemeOf } from '../checks.js';
import { MlctlError } from '../errors.js';
import { didYouMean } from '../suggest.js';
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

export const CONFIG_FILES = [
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
];

/**
 * A cheap look for any config file before loading cosmiconfig (it pulls in ~20 modules, a third of
 * the startup of commands like `version list`). Walks the same directories cosmiconfig's "project"
 * strategy searches: from cwd up to the nearest folder with a package.json. Any hit — including a
 * package.json that mentions "mlctl" — hands the real search to cosmiconfig.
 */
function mayHaveConfig(cwd: string): boolean {
  let dir = path.resolve(cwd);
  for (;;) {
    if (CONFIG_FILES.some((name) => existsSync(path.join(dir, name)))) return true;
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as unknown;
        return parsed !== null && typeof parsed === 'object' && MODULE_NAME in parsed;
      } catch {
        return true;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

/** A config file that exists but cannot be parsed or evaluated; remembers which file it was. */
class ConfigLoadError extends Error {
  constructor(
    readonly filepath: string,
    readonly reason: string,
    cause: unknown,
  ) {
    super(reason, { cause });
  }
}

/** Runs a loader; a failure becomes a ConfigLoadError naming the file and the parser's reason. */
function named(loader: Loader): Loader {
  return async (filepath, content) => {
    try {
      return await loader(filepath, content);
    } catch (e) {
      // cosmiconfig prefixes "JSON Error in <file>:\n" / "YAML Error in <file>:\n"; keep the reason
      const message = e instanceof Error ? e.message : String(e);
      const reason = message
        .replace(/^(JSON|YAML) Error in .*:\n/, '')
        .split('\n')[0]
        .trim();
      throw new ConfigLoadError(filepath, reason || message, e);
    }
  };
}

/** "line 3, column 28" of a character offset in a text. */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/** JSON configs: JSON.parse, with the parser's "at position N" turned into a line and column. */
const loadJson: Loader = (_filepath, content) => {
  try {
    return JSON.parse(content.replace(/^\uFEFF/, '')) as unknown;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const m = / in JSON at position (\d+).*$/.exec(message);
    const unexpectedEnd = /Unexpected end of JSON input/.test(message);
    const where = m ? lineColumn(content, Number(m[1])) : unexpectedEnd ? lineColumn(content, content.trimEnd().length) : null;
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/^Unexpected end of JSON input$/, 'unexpected end of the file');
    throw new Error(where ? `invalid JSON at ${where}: ${reason}` : `invalid JSON: ${reason}`);
  }
};

/** YAML parser messages end in "(line:column)"; say it in words, first, as for JSON. */
function yamlWhere(loader: Loader): Loader {
  return async (filepath, content) => {
    try {
      return await loader(filepath, content);
    } catch (e) {
      const message =
        e instanceof Error
          ? e.message
              .replace(/^YAML Error in .*:\n/, '')
              .split('\n')[0]
              .trim()
          : String(e);
      const m = /^(.*?)\s*\((\d+):(\d+)\)\s*$/.exec(message);
      throw new Error(m ? `invalid YAML at line ${m[2]}, column ${m[3]}: ${m[1]}` : message);
    }
  };
}

/** JS configs (.js/.mjs/.cjs) through import(): cosmiconfig's require() fallback hides the real error of an ES module. */
const loadJsModule: Loader = async (filepath) => {
  const mod = (await import(pathToFileURL(filepath).href)) as { default?: unknown };
  return mod.default;
};

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  if (!options.file && !mayHaveConfig(cwd)) return { config: {}, filepath: null };
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig');
  const explorer = cosmiconfig(MODULE_NAME, {
    searchStrategy: 'project',
    loaders: {
      '.json': named(loadJson),
      '.yaml': named(yamlWhere(defaultLoaders['.yaml'])),
      '.yml': named(yamlWhere(defaultLoaders['.yml'])),
      '.js': named(loadJsModule),
      '.mjs': named(loadJsModule),
      '.cjs': named(loadJsModule),
      noExt: named(yamlWhere(defaultLoaders.noExt)),
    },
    searchPlaces: ['package.json', ...CONFIG_FILES],
  });
  let result: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    result = options.file ? await explorer.load(path.resolve(cwd, options.file)) : await explorer.search(cwd);
  } catch (e) {
    if (e instanceof ConfigLoadError) {
      throw new MlctlError('CONFIG', `Config file ${e.filepath} could not be read: ${e.reason.replace(/\.?$/, '.')}`, {
        hint: 'Fix the syntax of the config file (JSON, YAML or a JS module exporting an object).',
        cause: e.cause,
      });
    }
    const err = e as NodeJS.ErrnoException;
    if (options.file && err.code === 'ENOENT' && !existsSync(path.resolve(cwd, options.file))) {
      throw new MlctlError('CONFIG', `Config file ${options.file} does not exist.`, { cause: e });
    }
    throw new MlctlError('CONFIG', `Config file could not be read: ${err.message.split('\n')[0]}`, {
      hint: 'Check the config file and its permissions.',
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
    const last = problem.key.split('.').pop() ?? problem.key;
    throw new MlctlError('CONFIG', `Config file ${filepath}: unknown key "${problem.key}".${didYouMean(last, problem.known ?? [])}`, {
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
    // a folder is relative to the config file; a location with a scheme (postgres://…) stays as written
    ...(config.registry ? { registry: schemeOf(config.registry) === null ? path.resolve(dir, config.registry) : config.registry } : {}),
    ...(config.templates ? { templates: path.resolve(dir, config.templates) } : {}),
    ...(config.tune?.space ? { tune: { ...config.tune, space: path.resolve(dir, config.tune.space) } } : {}),
  };
}
