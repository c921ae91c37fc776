/** `mlctl quantize`'s flags, declared once (per invocation: not config keys). */
import { QUANTIZE_DTYPES } from '../vocabulary.js';
import { choiceKind, nameListKind, numberKind, option, textKind, type OptionValues } from './spec.js';

export const QUANTIZE_OPTIONS = {
  dtype: option('--dtype <dtype>', 'storage dtype: uint8 (4× smaller), uint16 or float16 (2× smaller)', choiceKind(QUANTIZE_DTYPES), {
    config: false,
  }),
  step: option(
    '--step <q>',
    "uniform quantization y = round(x/q)·q instead of each tensor's min/max range (uint8/uint16)",
    numberKind({ min: 0, minExclusive: true }),
    { config: false },
  ),
  skip: option('--skip <layer,…>', 'leave these layers as they are (e.g. the first and last)', nameListKind, { config: false }),
  data: option(
    '--data <file.csv>',
    'measure the change on these rows instead of the stored test split (numeric input rows for an imported model)',
    textKind,
    { config: false },
  ),
} as const;

export type QuantizeFlags = Partial<OptionValues<typeof QUANTIZE_OPTIONS>>;
