/**
 * Where `mlctl train <source>` gets its data and settings: a built-in template (templates/<name>/
 * template.json + its CSV, shipped in the package), a template in the config's templates folder,
 * a template file given by path, or a CSV given by path (then --target names the column).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlctlError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { findConfigProblem, type Shape } from '../config/schema.js';
import { configChecks, nameListKind, textKind, type OptionValues } from '../options/spec.js';
import { MODEL_OPTIONS, TRAINING_OPTIONS, TRAIN_DATA_OPTIONS } from '../options/train.js';
import type { Task } from '../vocabulary.js';

/** templates/ at the package root (the same relative path from src/lifecycle and dist/lifecycle). */
export const BUILTIN_TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

export const TEMPLATE_FILE = 'template.json';

export interface Template {
  name: string;
  description?: string;
  /** CSV path, relative to the template file */
  data: string;
  target: string;
  task?: Task;
  features?: string[];
  ignore?: string[];
  model?: Partial<OptionValues<typeof MODEL_OPTIONS>>;
  training?: Partial<OptionValues<typeof TRAINING_OPTIONS>>;
}

export type TrainSource =
  { kind: 'template'; template: Template; templatePath: string; builtin: boolean; dataPath: string } | { kind: 'csv'; dataPath: string };

/** The template file format; the `model` and `training` keys are the train option tables'. */
const TEMPLATE_SHAPE: Shape = {
  name: textKind.check,
  description: (v) => (typeof v === 'string' ? null : 'expected a string'),
  data: textKind.check,
  target: textKind.check,
  task: TRAIN_DATA_OPTIONS.task.kind.check,
  features: nameListKind.check,
  ignore: nameListKind.check,
  model: configChecks(MODEL_OPTIONS),
  training: configChecks(TRAINING_OPTIONS),
};

export interface ResolveTrainSourceOptions {
  /** a folder of extra templates from the config (`<dir>/<name>.json` or `<dir>/<name>/template.json`) */
  templatesDir?: string;
  cwd?: string;
}

export async function resolveTrainSource(source: string, options: ResolveTrainSourceOptions = {}): Promise<TrainSource> {
  const cwd = options.cwd ?? process.cwd();
  const lower = source.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv') || lower.endsWith('.txt')) {
    const dataPath = path.resolve(cwd, source);
    if (!(await isFile(dataPath))) {
      throw new MlctlError('NOT_FOUND', `${source} does not exist.`, { hint: 'Pass the path of a CSV file with a header row.' });
    }
    return { kind: 'csv', dataPath };
  }
  if (lower.endsWith('.json')) {
    const file = path.resolve(cwd, source);
    if (!(await isFile(file))) {
      throw new MlctlError('NOT_FOUND', `Template file ${source} does not exist.`, { hint: 'Pass the path of a template .json file.' });
    }
    return loadTemplate(file, false);
  }
  // a name: the config's templates folder first (users may shadow a built-in), then built-ins
  const candidates: { file: string; builtin: boolean }[] = [];
  if (options.templatesDir) {
    candidates.push({ file: path.join(options.templatesDir, `${source}.json`), builtin: false });
    candidates.push({ file: path.join(options.templatesDir, source, TEMPLATE_FILE), builtin: false });
  }
  if (/^[a-z0-9][a-z0-9._-]*$/.test(source)) {
    candidates.push({ file: path.join(BUILTIN_TEMPLATES_DIR, source, TEMPLATE_FILE), builtin: true });
  }
  for (const c of candidates) {
    if (await isFile(c.file)) return loadTemplate(c.file, c.builtin);
  }
  if (await isFile(path.resolve(cwd, source))) {
    throw new MlctlError('USAGE', `Cannot tell what ${source} is: mlctl trains from a .csv file or a template .json file.`, {
      hint: 'Rename the data file to .csv, or pass a built-in template name.',
    });
  }
  const names = await listTemplates(options.templatesDir);
  throw new MlctlError('NOT_FOUND', `No template or file named "${source}".${didYouMean(source, names)}`, {
    hint: `Templates: ${names.join(', ')}; or pass a CSV path with --target <column>.`,
  });
}

export async function listTemplates(templatesDir?: string): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of [BUILTIN_TEMPLATES_DIR, templatesDir]) {
    if (!dir) continue;
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isDirectory() && (await isFile(path.join(dir, e.name, TEMPLATE_FILE)))) names.add(e.name);
      else if (e.isFile() && e.name.endsWith('.json')) names.add(e.name.slice(0, -5));
    }
  }
  return [...names].sort();
}

async function loadTemplate(file: string, builtin: boolean): Promise<TrainSource> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new MlctlError('INVALID_DATA', `Template ${file} is not valid JSON (${(e as Error).message}).`, { cause: e });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new MlctlError('INVALID_DATA', `Template ${file} must be a JSON object.`);
  }
  const problem = findConfigProblem(raw as Record<string, unknown>, TEMPLATE_SHAPE);
  if (problem) {
    throw new MlctlError(
      'INVALID_DATA',
      problem.kind === 'unknown'
        ? `Template ${file}: unknown key "${problem.key}".${didYouMean(problem.key.split('.').pop() ?? '', problem.known ?? [])}`
        : `Template ${file}: "${problem.key}" is invalid (${problem.expected}).`,
      { hint: 'See "Templates" in the README for the template format.' },
    );
  }
  const t = raw as Partial<Template>;
  for (const key of ['data', 'target'] as const) {
    if (!t[key]) throw new MlctlError('INVALID_DATA', `Template ${file} has no "${key}".`, { hint: 'See "Templates" in the README.' });
  }
  const template: Template = { ...(t as Template), name: t.name ?? path.basename(path.dirname(file)) };
  const dataPath = path.resolve(path.dirname(file), template.data);
  if (!(await isFile(dataPath))) {
    throw new MlctlError('NOT_FOUND', `Template ${file} names data file ${template.data}, which does not exist.`);
  }
  return { kind: 'template', template, templatePath: file, builtin, dataPath };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** `dir`-relative POSIX path of `file`, or null when `file` is not inside `dir`. */
function inside(dir: string, file: string): string | null {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : null;
}

/**
 * How a file is named in a version record, so the record survives moves: inside the package's
 * templates/ as `<templates>/…` (reinstalls), inside the registry's project (the folder that holds
 * the registry) as `<project>/…` (a moved or re-cloned project), else absolute.
 */
export function displayPath(file: string, registryRoot?: string): string {
  const inTemplates = inside(BUILTIN_TEMPLATES_DIR, file);
  if (inTemplates) return `<templates>/${inTemplates}`;
  const inProject = registryRoot ? inside(path.dirname(path.resolve(registryRoot)), path.resolve(file)) : null;
  if (inProject) return `<project>/${inProject}`;
  return file;
}

/** The file a stored path names now (the inverse of `displayPath`). */
export function resolveStoredPath(stored: string, registryRoot?: string): string {
  if (stored.startsWith('<templates>/')) return path.join(BUILTIN_TEMPLATES_DIR, stored.slice('<templates>/'.length));
  if (stored.startsWith('<project>/') && registryRoot) {
    return path.join(path.dirname(path.resolve(registryRoot)), stored.slice('<project>/'.length));
  }
  return stored;
}
