/**
 * Training settings: the merge order (flags > MLCTL_* env > config > template > defaults) and the
 * checks that span several settings. What each setting is, its flag and its default are declared
 * once in src/options/train.ts.
 */
import { MlctlError } from '../errors.js';
import { TRAIN_SETTINGS_OPTIONS, DEFAULT_TRAIN_SETTINGS, type TrainDefaults, type TrainSettings } from '../options/train.js';
import type { Template } from './templates.js';

export { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../options/train.js';

/** Merge layers of settings, later layers winning; undefined values never override. */
export function mergeSettings(...layers: (Partial<TrainSettings> | TrainDefaults | undefined)[]): TrainSettings {
  const out: Record<string, unknown> = {};
  for (const layer of [DEFAULT_TRAIN_SETTINGS, ...layers]) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined && k in TRAIN_SETTINGS_OPTIONS) out[k] = Array.isArray(v) ? [...v] : v;
    }
  }
  checkSettings(out);
  return out as TrainSettings;
}

export function templateSettings(template: Template | undefined): Partial<TrainSettings> {
  if (!template) return {};
  return { ...(template.model ?? {}), ...(template.training ?? {}) };
}

/** Every value against its option's check (settings may come from code, not only flags), then the cross-setting rules. */
function checkSettings(s: Record<string, unknown>): void {
  for (const [key, spec] of Object.entries(TRAIN_SETTINGS_OPTIONS)) {
    const problem = spec.kind.check(s[key]);
    if (problem) {
      throw new MlctlError('USAGE', `${spec.flags.split(' ')[0]} is invalid: ${problem}, got ${JSON.stringify(s[key])}.`);
    }
  }
  const testSplit = s.testSplit as number;
  const validationSplit = s.validationSplit as number;
  if (testSplit + validationSplit >= 1) {
    throw new MlctlError(
      'USAGE',
      `--test-split ${testSplit} and --validation-split ${validationSplit} add up to ${testSplit + validationSplit}; nothing would be left to train on.`,
      { hint: 'Keep their sum below 1, e.g. 0.2 and 0.1.' },
    );
  }
}
