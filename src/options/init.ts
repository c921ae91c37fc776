/** `mlctl init`'s flags: what to scaffold. Flags choose; init never asks. */
import { CONFIG_FORMATS } from '../config/config-file.js';
import { GLOBAL_CONFIG_OPTIONS } from './global.js';
import { booleanKind, choiceKind, option, type OptionValues } from './spec.js';

export const CI_TARGETS = ['github', 'gitlab', 'all'] as const;
export type CiTarget = (typeof CI_TARGETS)[number];

export const INIT_OPTIONS = {
  format: option('--format <format>', 'config file format: yaml (mlctl.config.yaml) or js (mlctl.config.mjs)', choiceKind(CONFIG_FORMATS), {
    default: 'yaml',
    config: false,
  }),
  model: { ...GLOBAL_CONFIG_OPTIONS.model, env: false, config: false },
  gitignore: option('--gitignore', 'add the registry folder to .gitignore (the registry is build output, not source)', booleanKind, {
    config: false,
  }),
  ci: option(
    '--ci <provider>',
    'also write an example CI pipeline: github (.github/workflows/mlctl.yml), gitlab (.gitlab-ci.yml) or all',
    choiceKind(CI_TARGETS),
    {
      config: false,
    },
  ),
  force: option('--force', 'overwrite files that already exist', booleanKind, { config: false }),
} as const;

export type InitFlags = Partial<OptionValues<typeof INIT_OPTIONS>>;
