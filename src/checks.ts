/**
 * Small structural validators for JSON that mlctl reads back (version records, signatures):
 * each returns the first problem as `{path, expected}` naming the dotted field, or null.
 * A leaf module, hand-written on purpose: records are read by every command, including the
 * fast ones (`version list`), and a schema library costs more startup than these ~100 lines.
 */

export interface Problem {
  /** dotted path of the offending field, e.g. "metrics.accuracy" or "signature.features[2].mean" */
  path: string;
  /** what was expected there, e.g. "a number" */
  expected: string;
  /** the field is absent (rather than present with a wrong value) */
  missing?: boolean;
}

export type Validator = (value: unknown, path: string) => Problem | null;

const problem = (path: string, expected: string): Problem => ({ path, expected });
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value the predicate accepts. */
export function is(expected: string, test: (v: unknown) => boolean): Validator {
  return (v, path) => (test(v) ? null : problem(path, expected));
}

export const finiteNumber = is('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
/** A number, or null (JSON has no NaN/Infinity: JSON.stringify writes them as null). */
export const numberOrNull = is('a number or null', (v) => v === null || typeof v === 'number');
export const nonNegativeInt = is('an integer ≥ 0', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
export const positiveInt = is('an integer ≥ 1', (v) => Number.isSafeInteger(v) && (v as number) >= 1);
export const text = is('a string', (v) => typeof v === 'string');
export const nonEmptyText = is('a non-empty string', (v) => typeof v === 'string' && v.length > 0);
export const boolean = is('true or false', (v) => typeof v === 'boolean');

export function literal(...values: readonly unknown[]): Validator {
  const expected = values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return is(expected, (v) => values.includes(v));
}

export function nullable(inner: Validator): Validator {
  return (v, path) => (v === null ? null : inner(v, path));
}

export function arrayOf(item: Validator): Validator {
  return (v, path) => {
    if (!Array.isArray(v)) return problem(path, 'a list');
    for (let i = 0; i < v.length; i++) {
      const p = item(v[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  };
}

/** An object with string keys whose every value passes `item`. */
export function recordOf(item: Validator): Validator {
  return (v, path) => {
    if (!isPlainObject(v)) return problem(path, 'an object');
    for (const [key, value] of Object.entries(v)) {
      const p = item(value, join(path, key));
      if (p) return p;
    }
    return null;
  };
}

export interface ObjectShape {
  [key: string]: Validator;
}

/**
 * An object with these fields. Keys listed in `optional` may be absent (or undefined); other keys
 * are allowed and not checked (records written by a newer mlctl may carry more).
 */
export function object(fields: ObjectShape, optional: readonly string[] = []): Validator {
  return (v, path) => {
    if (!isPlainObject(v)) return problem(path, 'an object');
    for (const [key, check] of Object.entries(fields)) {
      if (v[key] === undefined) {
        if (optional.includes(key)) continue;
        return { path: join(path, key), expected: describe(check), missing: true };
      }
      const p = check(v[key], join(path, key));
      if (p) return p;
    }
    return null;
  };
}

/** One of several object shapes, chosen by the value of a discriminating field. */
export function union(discriminant: string, shapes: Readonly<Record<string, Validator>>): Validator {
  const names = Object.keys(shapes);
  return (v, path) => {
    if (!isPlainObject(v)) return problem(path, 'an object');
    const kind = v[discriminant];
    if (typeof kind !== 'string' || !(kind in shapes)) {
      return problem(join(path, discriminant), `one of ${names.map((n) => JSON.stringify(n)).join(', ')}`);
    }
    return shapes[kind](v, path);
  };
}

/** What a validator expects, for "missing field" messages (probed with undefined). */
function describe(check: Validator): string {
  return check(undefined, '')?.expected ?? 'a value';
}

/** The scheme of a registry location (`postgres`, `s3`, …), or null for a plain path (a Windows drive letter is a path). */
export function schemeOf(location: string): string | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location.trim());
  if (!m || m[1].length === 1) return null;
  return m[1].toLowerCase();
}
