/** `mlctl prune`'s flags, declared once (per invocation: not config keys). */
import { PRUNE_SCHEDULES } from '../vocabulary.js';
import {
  booleanKind,
  choiceKind,
  fractionKind,
  integerKind,
  nameListKind,
  numberKind,
  option,
  textKind,
  type OptionValues,
} from './spec.js';

export const PRUNE_OPTIONS = {
  sparsity: option('--sparsity <s>', 'fraction of kernel weights to set to zero, in [0, 1)', fractionKind, { config: false }),
  threshold: option('--threshold <eps>', 'set every kernel weight with |w| < eps to zero', numberKind({ min: 0 }), { config: false }),
  perLayer: option('--per-layer', 'reach the sparsity in each layer (default: one cut over all kernels)', booleanKind, { config: false }),
  skip: option('--skip <layer,…>', 'leave these layers unpruned', nameListKind, { config: false }),
  fineTuneEpochs: option('--fine-tune-epochs <n>', 'train this many epochs afterwards, pruned weights held at 0', integerKind({ min: 0 }), {
    config: false,
  }),
  schedule: option(
    '--schedule <kind>',
    'sparsity while fine-tuning: constant (default) or polynomial (Zhu & Gupta)',
    choiceKind(PRUNE_SCHEDULES),
    {
      config: false,
    },
  ),
  data: option(
    '--data <file.csv>',
    "fine-tune on this labelled CSV instead of the version's own training rows (an imported model: numeric input columns, then the target)",
    textKind,
    { config: false },
  ),
} as const;

export type PruneFlags = Partial<OptionValues<typeof PRUNE_OPTIONS>>;
