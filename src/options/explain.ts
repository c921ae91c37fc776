/**
 * `mlctl explain` settings, declared once: flags (+ MLCTL_* variables), the config's `explain`
 * section and the defaults. Global importance takes the metric, repeats and seed; local
 * attributions take rows (`--row`) or a file (`--input`).
 */
import { TUNE_METRICS } from '../vocabulary.js';
import { booleanKind, choiceKind, integerKind, kind, option, textKind, type OptionValues, type ValueKind } from './spec.js';

/** "3" or "1,5,9": 1-based row numbers. */
export const rowListKind: ValueKind<number[]> = kind(
  'row numbers like 3 or 1,5,9',
  (raw) => {
    const parts = raw.split(',').map((s) => s.trim());
    return parts.length > 0 && parts.every((p) => /^[1-9][0-9]*$/.test(p)) ? parts.map(Number) : undefined;
  },
  (v) =>
    Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && (x as number) > 0)
      ? null
      : 'expected row numbers, e.g. [1, 5]',
);

/** Global importance: permutation feature importance on raw columns. */
export const IMPORTANCE_OPTIONS = {
  repeats: option('--repeats <n>', 'shuffles per column; importance is their mean ± std', integerKind({ min: 1, max: 1000 }), {
    default: 10,
    env: true,
  }),
  metric: option(
    '--metric <name>',
    'the metric whose drop measures importance (default accuracy for classification, r2 for regression)',
    choiceKind(TUNE_METRICS),
    {
      env: true,
    },
  ),
  seed: option('--seed <n>', 'seed of the shuffles: same seed, same importances', integerKind({ min: 0, max: 2 ** 32 - 1 }), {
    default: 42,
    env: true,
  }),
  save: option('--no-save', "do not store the importances in the version's explanation.json", booleanKind, { config: false }),
} as const;

/** Local attributions: which rows to explain. */
export const ATTRIBUTION_OPTIONS = {
  row: option('--row <n>', 'explain these rows of the test split (or --data), 1-based: 3 or 1,5,9', rowListKind, { config: false }),
  input: option('--input <file>', 'explain the rows of a CSV or JSON file (- for stdin), as predict reads them', textKind, {
    config: false,
  }),
} as const;

export const EXPLAIN_OPTIONS = { ...IMPORTANCE_OPTIONS, ...ATTRIBUTION_OPTIONS } as const;
export type ExplainFlags = Partial<OptionValues<typeof EXPLAIN_OPTIONS>>;
/** The config file's `explain` section. */
export type ExplainDefaults = Partial<Omit<OptionValues<typeof IMPORTANCE_OPTIONS>, 'save'>>;
