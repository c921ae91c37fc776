/**
 * The config file's shape (cosmiconfig name "mlctl"), derived from the option tables in
 * src/options/, so a key, its flag and its check are declared once. Strict: an unknown key is an
 * error naming the file and the key, so a typo never silently does nothing.
 * (A schema library such as zod costs 100+ ms of startup for ~25 keys; every mlctl command
 * reads the config, and commands that need no tensors must start fast — see bench/cli-startup.)
 */
import { GATE_OPTIONS, type Gates } from '../options/evaluate.js';
import { IMPORTANCE_OPTIONS, type ExplainDefaults } from '../options/explain.js';
import { GLOBAL_CONFIG_OPTIONS, type GlobalConfig } from '../options/global.js';
import { PREDICT_OPTIONS, type PredictDefaults } from '../options/predict.js';
import { SERVE_OPTIONS, type ServeDefaults } from '../options/serve.js';
import { configChecks, type Check, type OptionTable } from '../options/spec.js';
import { TRAIN_OPTIONS, TRAIN_SETTINGS_OPTIONS, type TrainDefaults } from '../options/train.js';
import { SEARCH_OPTIONS, type TuneDefaults } from '../options/tune.js';

export type { Check } from '../options/spec.js';
export type { TrainDefaults } from '../options/train.js';
export type { PredictDefaults } from '../options/predict.js';
export type { ServeDefaults } from '../options/serve.js';
export type { TuneDefaults } from '../options/tune.js';
export type { ExplainDefaults } from '../options/explain.js';
export type EvaluateDefaults = Gates;

export interface MlctlConfig extends GlobalConfig {
  train?: TrainDefaults;
  evaluate?: EvaluateDefaults;
  predict?: PredictDefaults;
  serve?: ServeDefaults;
  tune?: TuneDefaults;
  explain?: ExplainDefaults;
}

export type Shape = { [key: string]: Check | Shape };

export interface ConfigSection {
  title: string;
  table: OptionTable;
}

/**
 * The config file's sections, one per command that has settings, each from that command's option
 * table. Validation (CONFIG_SHAPE) and the file `mlctl init` writes are both built from this list.
 */
export const CONFIG_SECTIONS = {
  train: {
    title: 'mlctl train: training settings. Set here, they override every template (flags still win)',
    table: { ...TRAIN_SETTINGS_OPTIONS, folds: TRAIN_OPTIONS.folds },
  },
  evaluate: { title: 'mlctl evaluate: quality gates applied on every run (exit 3 when one falls short)', table: GATE_OPTIONS },
  predict: { title: 'mlctl predict: output defaults', table: PREDICT_OPTIONS },
  serve: { title: 'mlctl serve: server settings', table: SERVE_OPTIONS },
  tune: { title: 'mlctl tune: hyperparameter search defaults', table: SEARCH_OPTIONS },
  explain: { title: 'mlctl explain: permutation importance defaults', table: IMPORTANCE_OPTIONS },
} satisfies Record<string, ConfigSection>;

/** Training settings: the config's `train` section (a template's `model` + `training` use the parts). */
export const TRAIN_SHAPE: Shape = configChecks(CONFIG_SECTIONS.train.table);

export const CONFIG_SHAPE: Shape = {
  ...configChecks(GLOBAL_CONFIG_OPTIONS),
  ...Object.fromEntries(Object.entries(CONFIG_SECTIONS).map(([key, section]) => [key, configChecks(section.table)])),
};

export interface ConfigProblem {
  /** dotted key, e.g. "train.epochs" */
  key: string;
  kind: 'unknown' | 'invalid';
  expected?: string;
  /** for an unknown key: the keys allowed at its level (for "did you mean") */
  known?: string[];
}

/** The first problem in `raw` against the shape, or null when it fits. */
export function findConfigProblem(raw: Record<string, unknown>, shape: Shape = CONFIG_SHAPE, prefix = ''): ConfigProblem | null {
  for (const [key, value] of Object.entries(raw)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const rule = Object.prototype.hasOwnProperty.call(shape, key) ? shape[key] : undefined;
    if (rule === undefined) return { key: path, kind: 'unknown', known: Object.keys(shape) };
    if (typeof rule === 'function') {
      const expected = rule(value);
      if (expected) return { key: path, kind: 'invalid', expected };
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return { key: path, kind: 'invalid', expected: `expected an object with keys ${Object.keys(rule).join(', ')}` };
      }
      const nested = findConfigProblem(value as Record<string, unknown>, rule, path);
      if (nested) return nested;
    }
  }
  return null;
}
