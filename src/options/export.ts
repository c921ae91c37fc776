/** `mlctl export`'s flags, declared once (per invocation: not config keys). */
import { booleanKind, option, textKind, type OptionValues } from './spec.js';

export const EXPORT_OPTIONS = {
  out: option('--out <dir>', 'folder to write (must be new or empty unless --force)', textKind, { config: false }),
  force: option('--force', 'replace a non-empty --out folder', booleanKind, { config: false }),
} as const;

export type ExportFlags = Partial<OptionValues<typeof EXPORT_OPTIONS>>;
