/**
 * `mlctl init`: scaffold a project — a commented config file, optionally a .gitignore entry for
 * the registry and example CI pipelines (templates/ci/). Everything is planned first and checked
 * for conflicts, then written: an existing file is never overwritten without `force`, and when
 * one would be, nothing at all is written.
 *
 * The plan is a list of pieces (`configPiece`, `gitignorePiece`, `ciPieces`, `deployPieces` for
 * the nginx, systemd and Kubernetes recipes of deploy-recipes.ts); a new kind of scaffold is one
 * more function returning `PlannedFile`s, added to `planInit`.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILE_NAMES, renderConfigFile, type ConfigFormat } from '../config/config-file.js';
import { CONFIG_FILES, loadConfig } from '../config/load-config.js';
import { MlctlError } from '../errors.js';
import { assertModelName } from '../registry/layout.js';
import type { CiTarget, DeployTarget } from '../options/init.js';
import { DEFAULT_REGISTRY_DIR } from '../vocabulary.js';
import { BUILTIN_TEMPLATES_DIR } from './templates.js';
import { assertNoPassword, isRegistryUrl, renderDeploy, type DeployOptions } from './deploy-recipes.js';

export interface InitOptions {
  /** the project folder (files are written here) */
  cwd: string;
  format?: ConfigFormat;
  /** the registry folder the config names (relative to cwd); default ./model-registry */
  registry?: string;
  /** the default model; also what the CI pipeline trains (default iris) */
  model?: string;
  gitignore?: boolean;
  ci?: CiTarget;
  /** deployment recipes to write under deploy/ (settings in `deployment`) */
  deploy?: DeployTarget;
  deployment?: Omit<DeployOptions, 'target' | 'model' | 'registry'>;
  force?: boolean;
}

export interface PlannedFile {
  /** relative to cwd, POSIX separators */
  path: string;
  /** what init does with it */
  action: 'create' | 'overwrite' | 'append' | 'unchanged';
  /** full content to write (create/overwrite) or the lines to append */
  content: string;
  /** what the file is for, one line */
  purpose: string;
}

export interface InitResult {
  cwd: string;
  files: PlannedFile[];
  /** the config file written */
  config: string;
  registry: string;
  next: string[];
}

/** Where each CI provider's pipeline comes from (templates/ci/) and goes. */
export const CI_PIPELINES: Readonly<Record<Exclude<CiTarget, 'all'>, { template: string; target: string; purpose: string }>> = {
  github: { template: 'github-actions.yml', target: '.github/workflows/mlctl.yml', purpose: 'GitHub Actions pipeline' },
  gitlab: { template: 'gitlab-ci.yml', target: '.gitlab-ci.yml', purpose: 'GitLab CI pipeline' },
};

export const CI_TEMPLATES_DIR = path.join(BUILTIN_TEMPLATES_DIR, 'ci');

export async function initProject(options: InitOptions): Promise<InitResult> {
  const plan = await planInit(options);
  const conflicts = plan.filter((f) => f.action === 'overwrite');
  if (conflicts.length > 0 && !options.force) {
    throw new MlctlError(
      'ALREADY_EXISTS',
      `Not overwriting ${conflicts.map((f) => f.path).join(', ')}: already there. Nothing was written.`,
      {
        hint: 'Pass --force to overwrite, or move the files away first.',
      },
    );
  }
  for (const f of plan) {
    const file = path.join(options.cwd, ...f.path.split('/'));
    if (f.action === 'create' || f.action === 'overwrite') {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, f.content);
    } else if (f.action === 'append') {
      const before = await readText(file);
      await writeFile(file, `${before ?? ''}${before && !before.endsWith('\n') ? '\n' : ''}${f.content}`);
    }
  }
  const { registry, model } = await projectTarget(options);
  const config = plan[0].path;
  return {
    cwd: options.cwd,
    files: plan,
    config,
    registry,
    next: [`mlctl train ${model}`, `mlctl evaluate ${model}`, `mlctl report ${model}`, ...deployNext(plan)],
  };
}

/** The files init would write, and what it would do with each (nothing is written). */
export async function planInit(options: InitOptions): Promise<PlannedFile[]> {
  if (options.model !== undefined) assertModelName(options.model);
  const pieces: PlannedFile[] = [await configPiece(options)];
  // pipelines, recipes and the ignore entry follow the flags, else a kept config's registry and model
  const project = { ...options, ...(await projectTarget(options)) };
  if (options.gitignore) pieces.push(await gitignorePiece(project));
  pieces.push(...(await ciPieces(project)));
  pieces.push(...(await deployPieces(project)));
  return pieces;
}

async function deployPieces(options: InitOptions): Promise<PlannedFile[]> {
  if (!options.deploy) {
    const given = Object.entries(options.deployment ?? {}).filter(([, v]) => v !== undefined);
    if (given.length > 0) {
      const flags = given.map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
      throw new MlctlError('USAGE', `${flags.join(', ')} only ${flags.length === 1 ? 'applies' : 'apply'} to deployment recipes.`, {
        hint: 'Add --deploy nginx|systemd|kubernetes|all, or leave them out.',
      });
    }
    return [];
  }
  const files = await renderDeploy({
    ...options.deployment,
    target: options.deploy,
    model: options.model ?? 'iris',
    registry: registryPath(options),
  });
  const out: PlannedFile[] = [];
  for (const f of files) out.push({ ...f, action: await createOrOverwrite(options.cwd, f.path, f.content) });
  return out;
}

/** How to put the written recipes to work (the files say more). */
function deployNext(plan: PlannedFile[]): string[] {
  const has = (prefix: string) => plan.some((f) => f.path.startsWith(prefix));
  const next: string[] = [];
  if (has('deploy/systemd/')) next.push('see deploy/systemd/*.service for the systemctl steps');
  if (has('deploy/nginx/')) next.push('sudo cp deploy/nginx/*.conf /etc/nginx/conf.d/ && sudo nginx -t && sudo systemctl reload nginx');
  if (has('deploy/kubernetes/')) next.push('kubectl apply -f deploy/kubernetes/ (after the Secret: deploy/kubernetes-secret.example.yaml)');
  return next;
}

function addsToProject(options: InitOptions): boolean {
  return Boolean(options.gitignore || options.ci || options.deploy);
}

/**
 * The registry and model of the project (what the recipes serve, what the summary names): the flags, else (when the project's config is kept)
 * what it names (a folder relative to the project, as the config writes it), else the defaults.
 */
async function projectTarget(options: InitOptions): Promise<{ registry: string; model: string }> {
  const file = path.join(options.cwd, CONFIG_FILE_NAMES[options.format ?? 'yaml']);
  const kept = !options.force && (await exists(file)) ? (await loadConfig({ file })).config : {};
  let registry = options.registry ?? kept.registry;
  if (registry !== undefined && !isRegistryUrl(registry) && path.isAbsolute(registry) && options.registry === undefined) {
    registry = path.relative(options.cwd, registry) || '.';
  }
  return { registry: registryPath({ ...options, registry }), model: options.model ?? kept.model ?? 'iris' };
}

function registryPath(options: InitOptions): string {
  const given = options.registry ?? `./${DEFAULT_REGISTRY_DIR}`;
  if (given.trim() === '') throw new MlctlError('USAGE', 'The registry path is empty.', { hint: 'Pass --registry <dir>.' });
  if (isRegistryUrl(given)) {
    assertNoPassword(given);
    return given;
  }
  // stored as given when relative (the config resolves it against its own folder)
  if (path.isAbsolute(given)) return given;
  const normal = path.posix.normalize(given.split(path.sep).join('/')).replace(/\/$/, '');
  return normal.startsWith('..') ? normal : `./${normal.replace(/^\.\//, '')}`;
}

async function configPiece(options: InitOptions): Promise<PlannedFile> {
  const format = options.format ?? 'yaml';
  const name = CONFIG_FILE_NAMES[format];
  const others: string[] = [];
  for (const other of CONFIG_FILES) if (other !== name && (await exists(path.join(options.cwd, other)))) others.push(other);
  if (others.length > 0) {
    throw new MlctlError(
      'ALREADY_EXISTS',
      `This folder already has a config file (${others.join(', ')}); mlctl would read that one, not ${name}.`,
      {
        hint: `Edit ${others[0]}, or remove it and run "mlctl init" again.`,
      },
    );
  }
  const content = renderConfigFile(format, { registry: registryPath(options), model: options.model });
  const action = await createOrOverwrite(options.cwd, name, content);
  // adding pipelines, recipes or an ignore entry to a project that has its config: keep the config
  if (action === 'overwrite' && !options.force && addsToProject(options)) {
    return { path: name, action: 'unchanged', content: '', purpose: 'config (already there, kept; --force rewrites it)' };
  }
  return { path: name, action, content, purpose: 'config (commented; every key with its default)' };
}

async function gitignorePiece(options: InitOptions): Promise<PlannedFile> {
  const registry = registryPath(options);
  if (isRegistryUrl(registry)) {
    throw new MlctlError('USAGE', `--gitignore: the registry ${registry} is not a folder, so there is nothing to ignore.`, {
      hint: 'Leave out --gitignore.',
    });
  }
  const rel = path.relative(options.cwd, path.resolve(options.cwd, registry));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new MlctlError('USAGE', `--gitignore: the registry ${registry} is not inside this folder, so .gitignore cannot cover it.`, {
      hint: 'Leave out --gitignore, or use a registry inside the project.',
    });
  }
  const entry = `/${rel.split(path.sep).join('/')}/`;
  const current = await readText(path.join(options.cwd, '.gitignore'));
  const covered =
    current !== null &&
    current.split(/\r?\n/).some((line) => {
      const l = line.trim().replace(/\/$/, '');
      return l === entry.replace(/\/$/, '') || l === entry.slice(1).replace(/\/$/, '');
    });
  return {
    path: '.gitignore',
    action: covered ? 'unchanged' : current === null ? 'create' : 'append',
    content: covered ? '' : `# mlctl model registry (build output; publish it as a CI artifact instead)\n${entry}\n`,
    purpose: `keeps ${entry} out of git`,
  };
}

async function ciPieces(options: InitOptions): Promise<PlannedFile[]> {
  if (!options.ci) return [];
  const providers = options.ci === 'all' ? (Object.keys(CI_PIPELINES) as (keyof typeof CI_PIPELINES)[]) : [options.ci];
  const values: Record<string, string> = {
    model: options.model ?? 'iris',
    registry: registryPath(options).replace(/^\.\//, ''),
  };
  const out: PlannedFile[] = [];
  for (const p of providers) {
    const { template, target, purpose } = CI_PIPELINES[p];
    const content = fillPlaceholders(await readFile(path.join(CI_TEMPLATES_DIR, template), 'utf8'), values);
    out.push({ path: target, action: await createOrOverwrite(options.cwd, target, content), content, purpose });
  }
  return out;
}

/** Replaces `{{name}}` for the names given (other `{{…}}`, such as GitHub's `${{ … }}`, stay). */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? values[name] : whole));
}

async function createOrOverwrite(cwd: string, rel: string, content: string): Promise<PlannedFile['action']> {
  const current = await readText(path.join(cwd, ...rel.split('/')));
  if (current === null) return 'create';
  return current === content ? 'unchanged' : 'overwrite';
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
