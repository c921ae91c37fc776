/**
 * How a CSV is read, for every command that reads one (train, evaluate --data, predict): the
 * field separator, the decimal separator and the encoding (detected unless given), and, for
 * rows to predict or evaluate, whether the file has a header row. These describe one file, not a
 * model or a team's habits, so the config file does not set them.
 */
import { DECIMAL_SEPARATORS, ENCODING_NAMES } from '../vocabulary.js';
import { booleanKind, choiceKind, option, textKind, type OptionValues } from './spec.js';

export const CSV_FORMAT_OPTIONS = {
  delimiter: option(
    '--delimiter <char>',
    'CSV field separator, e.g. ";" or tab (default: detected from the header and first rows)',
    textKind,
    {
      config: false,
    },
  ),
  decimal: option(
    '--decimal <sep>',
    'decimal separator in numbers (default: "." and, in ;-separated files, "," for columns written that way)',
    choiceKind(DECIMAL_SEPARATORS),
    { config: false },
  ),
  encoding: option(
    '--encoding <name>',
    `file encoding: ${ENCODING_NAMES.join(', ')} (default utf8; a UTF-16 byte-order mark is honoured)`,
    textKind,
    { config: false },
  ),
} as const;

/** `--no-header`: rows of values only, in the model's input order. */
export const HEADER_OPTIONS = {
  header: option(
    '--no-header',
    "the CSV has no header row: values in the model's input order (plain numbers for an imported model)",
    booleanKind,
    {
      config: false,
    },
  ),
} as const;

export type CsvFormatFlags = Partial<OptionValues<typeof CSV_FORMAT_OPTIONS> & OptionValues<typeof HEADER_OPTIONS>>;
