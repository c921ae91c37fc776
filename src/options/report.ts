/** `mlctl report`'s flags (none of them belongs in a config file: they name one run's output). */
import { option, textKind, type OptionValues } from './spec.js';

export const REPORT_OPTIONS = {
  out: option('-o, --out <file.html>', 'where to write the report (default: <model>-v<version>.html)', textKind, { config: false }),
  compare: option('--compare <n|latest|alias>', 'show a second version side by side (a number, "latest" or an alias)', textKind, {
    config: false,
  }),
} as const;

export type ReportFlags = Partial<OptionValues<typeof REPORT_OPTIONS>>;
