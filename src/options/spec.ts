/**
 * Option tables: each command declares its settings once, as a table of `OptionSpec`s, and
 * everything else is derived from it:
 * - the commander flags, with MLCTL_<FLAG> variables and --help text (cli/options.ts `addTableOptions`);
 * - the config file's section for that command and its validation (config/schema.ts);
 * - the TypeScript type of the settings (`OptionValues<typeof TABLE>`) and their defaults.
 * A new command adds its flags by adding one table in src/options/. This module is a leaf: it
 * does not import commander (only cli/ does), so config, lifecycle and registry may use it.
 */

/** Thrown by `OptionSpec.parse` for a string that does not fit; cli/ turns it into a usage error. */
export class OptionValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionValueError';
  }
}

/** Checks a typed value (from a config file or a template); returns what is expected, or null. */
export type Check = (value: unknown) => string | null;

/** How a value of one kind is read from a flag or variable and checked from a file. */
export interface ValueKind<T> {
  /** "expected …" phrase shared by flag and config errors, e.g. "an integer in [1, ∞)" */
  readonly expected: string;
  /** a flag's or MLCTL_* variable's text → value; throws OptionValueError */
  parse(raw: string): T;
  /** a value from a config file or template; returns "expected …" or null */
  check: Check;
  /** the allowed words, for a choice (commander lists them in --help) */
  readonly choices?: readonly string[];
}

export interface OptionSpec<T> {
  /** commander flags, e.g. "--batch-size <n>" or "--json" */
  readonly flags: string;
  readonly description: string;
  readonly kind: ValueKind<T>;
  readonly default?: T;
  /** MLCTL_<FLAG> sets it too (e.g. --batch-size ↔ MLCTL_BATCH_SIZE) */
  readonly env?: boolean;
  /** the config file's section for the command may set it (default true) */
  readonly config?: boolean;
}

export type OptionTable = Readonly<Record<string, OptionSpec<any>>>;

/** The settings type a table describes: `{ epochs: number; optimizer: 'sgd' | … }`. */
export type OptionValues<T extends OptionTable> = { -readonly [K in keyof T]: T[K] extends OptionSpec<infer V> ? V : never };

export function option<T>(
  flags: string,
  description: string,
  kind: ValueKind<T>,
  extra: { default?: NoInfer<T>; env?: boolean; config?: boolean } = {},
): OptionSpec<T> {
  return { flags, description, kind, ...extra };
}

/** The defaults of every option that has one. */
export function defaultsOf<T extends OptionTable>(table: T): Partial<OptionValues<T>> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    if (spec.default !== undefined) out[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return out as Partial<OptionValues<T>>;
}

/** The config-file checks of a table (options with `config: false` left out). */
export function configChecks(table: OptionTable): Record<string, Check> {
  const out: Record<string, Check> = {};
  for (const [key, spec] of Object.entries(table)) if (spec.config !== false) out[key] = spec.kind.check;
  return out;
}

/** Long flag name without dashes: "--batch-size <n>" → "batch-size". */
export function longFlag(flags: string): string {
  const m = /--(?:no-)?([a-z0-9][a-z0-9-]*)/.exec(flags);
  if (!m) throw new Error(`option "${flags}" has no long flag`);
  return m[1];
}

/** The MLCTL_* variable of a flag: "--batch-size <n>" → "MLCTL_BATCH_SIZE". */
export function envName(flags: string): string {
  return `MLCTL_${longFlag(flags).toUpperCase().replace(/-/g, '_')}`;
}

// ------------------------------------------------------------------------------ value kinds

const fail = (expected: string, raw: string): never => {
  throw new OptionValueError(`expected ${expected}, got "${raw}".`);
};

/** Wraps a Check into a kind whose flag text is parsed by `read` first. */
export function kind<T>(expected: string, read: (raw: string) => T | undefined, check: Check, choices?: readonly string[]): ValueKind<T> {
  return {
    expected,
    choices,
    check: (v) => check(v),
    parse(raw) {
      const value = read(raw.trim());
      if (value === undefined || check(value) !== null) return fail(expected, raw);
      return value;
    },
  };
}

const readNumber = (raw: string): number | undefined => {
  if (raw === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
};

export interface RangeOptions {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function rangeText({ min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false }: RangeOptions): string {
  if (min === -Infinity && max === Infinity) return '';
  if (max === Infinity) return minExclusive ? ` > ${min}` : ` ≥ ${min}`;
  if (min === -Infinity) return maxExclusive ? ` < ${max}` : ` ≤ ${max}`;
  return ` in ${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
}

function inRange(v: number, { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false }: RangeOptions): boolean {
  return !(v < min || (minExclusive && v === min) || v > max || (maxExclusive && v === max));
}

/** A finite number, optionally within a range. */
export function numberKind(range: RangeOptions = {}): ValueKind<number> {
  const expected = `a number${rangeText(range)}`;
  return kind(expected, readNumber, (v) =>
    typeof v === 'number' && Number.isFinite(v) && inRange(v, range) ? null : `expected ${expected}`,
  );
}

/** An integer, optionally within a range (flags accept plain decimal digits only). */
export function integerKind(range: RangeOptions = {}): ValueKind<number> {
  const expected = range.min === 1 && range.max === undefined ? 'a positive integer' : `an integer${rangeText(range)}`;
  return kind(
    expected,
    (raw) => (/^[-+]?\d+$/.test(raw) ? Number(raw) : undefined),
    (v) => (typeof v === 'number' && Number.isSafeInteger(v) && inRange(v, range) ? null : `expected ${expected}`),
  );
}

/** A fraction in [0, 1) (held-out shares, dropout). */
export const fractionKind: ValueKind<number> = numberKind({ min: 0, max: 1, maxExclusive: true });

/** One word of a fixed list. */
export function choiceKind<T extends string>(choices: readonly T[]): ValueKind<T> {
  const expected = `one of ${choices.join(', ')}`;
  return kind<T>(
    expected,
    (raw) => raw as T,
    (v) => (typeof v === 'string' && (choices as readonly string[]).includes(v) ? null : `expected ${expected}`),
    choices,
  );
}

/** A non-empty string. */
export const textKind: ValueKind<string> = kind(
  'a non-empty string',
  (raw) => raw,
  (v) => (typeof v === 'string' && v.length > 0 ? null : 'expected a non-empty string'),
);

/** A comma-separated list of names ("a,b,c"); a list of strings in a file. */
export const nameListKind: ValueKind<string[]> = kind(
  'a comma-separated list of names',
  (raw) => raw.split(',').map((s) => s.trim()),
  (v) =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.trim().length > 0)
      ? null
      : 'expected a list of names, e.g. a,b',
);

/** Hidden layer sizes: "64,64", or "none" / "" for no hidden layer; a list of positive integers in a file. */
export const layerSizesKind: ValueKind<number[]> = kind(
  'layer sizes like 64,64 (or none)',
  (raw) => {
    if (raw === '' || raw === 'none') return [];
    const parts = raw.split(',').map((s) => s.trim());
    return parts.every((p) => /^[1-9][0-9]*$/.test(p)) ? parts.map(Number) : undefined;
  },
  (v) =>
    Array.isArray(v) && v.every((x) => Number.isInteger(x) && (x as number) > 0)
      ? null
      : 'expected a list of positive integers, e.g. [64, 64]',
);

/** A switch: a bare flag on the command line, true/false in a file. */
export const booleanKind: ValueKind<boolean> = kind(
  'true or false',
  (raw) => (raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : undefined),
  (v) => (typeof v === 'boolean' ? null : 'expected true or false'),
);

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "10m", "90s", "1h30m", "2.5m", "500ms" → milliseconds; a bare number is seconds. */
export function parseDuration(raw: string): number | undefined {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

/** A duration in milliseconds: "10m", "90s", "1h30m" on the command line; the same text, or seconds as a number, in a file. */
export const durationKind: ValueKind<number> = {
  expected: 'a duration such as 90s, 10m or 1h30m',
  parse(raw) {
    const ms = parseDuration(raw);
    if (ms === undefined || !(ms > 0)) return fail('a duration such as 90s, 10m or 1h30m (more than 0)', raw);
    return ms;
  },
  // in a config file: the same text ("10m"), or a number of seconds
  check(v) {
    const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? parseDuration(v) : undefined;
    return ms !== undefined && Number.isFinite(ms) && ms > 0
      ? null
      : 'expected a duration such as "90s", "10m" or "1h30m" (or seconds as a number)';
  },
};

/** A duration from a config file ("10m", or seconds as a number) → milliseconds. */
export function configDurationMs(v: number | string): number {
  return typeof v === 'number' ? v * 1000 : (parseDuration(v) as number);
}
