/**
 * Options every command shares. The config file's top-level keys (registry, model, backend,
 * templates) are declared here too, so config validation and flags cannot drift apart.
 */
import { BACKEND_CHOICES } from '../vocabulary.js';
import { choiceKind, option, textKind, type OptionValues } from './spec.js';

/** Config keys at the top level of the file (and the flags that match them). */
export const GLOBAL_CONFIG_OPTIONS = {
  registry: option(
    '--registry <location>',
    'model registry: a folder (default ./model-registry) or postgres://user@host:5432/db',
    textKind,
    { env: true },
  ),
  model: option('--model <name>', 'the model commands use when none is named', textKind, { env: true }),
  backend: option('--backend <name>', 'TensorFlow.js backend: auto picks node (tfjs-node) > wasm > cpu', choiceKind(BACKEND_CHOICES), {
    env: true,
  }),
  templates: option('--templates <dir>', 'a folder of extra templates', textKind),
} as const;

export type GlobalConfig = Partial<OptionValues<typeof GLOBAL_CONFIG_OPTIONS>>;
