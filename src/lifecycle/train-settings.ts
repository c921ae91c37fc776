/**
 * Training settings: what a template, the config's `train` section and flags can set, the
 * built-in defaults, and the merge order (flags > MLCTL_* env > config > template > defaults).
 */
import { MlctlError } from '../errors.js';
import type { TrainDefaults } from '../config/schema.js';
import type { Template } from './templates.js';

export const ACTIVATIONS = ['relu', 'relu6', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'softsign', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface TrainSettings {
  hidden: number[];
  activation: Activation;
  dropout: number;
  l2: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** beta of inverse-time decay per epoch: lr_t = lr / (1 + beta * (t - 1)) */
  decay: number;
  /** early stopping patience in epochs on validation loss; 0 turns early stopping off */
  patience: number;
  seed: number;
  testSplit: number;
  validationSplit: number;
  maxCategories: number;
}

export const DEFAULT_TRAIN_SETTINGS: Readonly<TrainSettings> = {
  hidden: [64, 64],
  activation: 'relu',
  dropout: 0,
  l2: 0,
  epochs: 200,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 0.003,
  decay: 0,
  patience: 30,
  seed: 42,
  testSplit: 0.2,
  validationSplit: 0.1,
  maxCategories: 50,
};

/** Merge layers of settings, later layers winning; undefined values never override. */
export function mergeSettings(...layers: (Partial<TrainSettings> | TrainDefaults | undefined)[]): TrainSettings {
  const out: Record<string, unknown> = {};
  for (const layer of [DEFAULT_TRAIN_SETTINGS, ...layers]) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined && k in DEFAULT_TRAIN_SETTINGS) out[k] = Array.isArray(v) ? [...v] : v;
    }
  }
  const settings = out as unknown as TrainSettings;
  checkSettings(settings);
  return settings;
}

export function templateSettings(template: Template | undefined): Partial<TrainSettings> {
  if (!template) return {};
  return { ...(template.model ?? {}), ...(template.training ?? {}) } as Partial<TrainSettings>;
}

function checkSettings(s: TrainSettings): void {
  const usage = (message: string, hint?: string) => new MlctlError('USAGE', message, hint ? { hint } : {});
  if (!(ACTIVATIONS as readonly string[]).includes(s.activation)) {
    throw usage(`Unknown activation "${s.activation}".`, `Use one of ${ACTIVATIONS.join(', ')}.`);
  }
  if (!(OPTIMIZERS as readonly string[]).includes(s.optimizer)) {
    throw usage(`Unknown optimizer "${s.optimizer}".`, `Use one of ${OPTIMIZERS.join(', ')}.`);
  }
  if (s.testSplit + s.validationSplit >= 1) {
    throw usage(
      `--test-split ${s.testSplit} and --validation-split ${s.validationSplit} add up to ${s.testSplit + s.validationSplit}; nothing would be left to train on.`,
      'Keep their sum below 1, e.g. 0.2 and 0.1.',
    );
  }
  if (s.hidden.some((u) => !Number.isInteger(u) || u < 1)) throw usage('--hidden must be a list of positive integers, e.g. 64,64.');
}
