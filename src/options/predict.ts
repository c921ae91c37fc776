/** `mlctl predict`'s settings that the config's `predict` section may set. */
import { PREDICT_FORMATS } from '../vocabulary.js';
import { choiceKind, option, type OptionValues } from './spec.js';

export const PREDICT_OPTIONS = {
  format: option('--format <format>', 'output format (default: from --output extension, else csv)', choiceKind(PREDICT_FORMATS)),
} as const;

export type PredictDefaults = Partial<OptionValues<typeof PREDICT_OPTIONS>>;
