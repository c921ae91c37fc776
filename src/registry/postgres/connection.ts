/**
 * A `postgres://` registry location: parsing it, printing it without its password, and turning
 * node-postgres errors into MlctlErrors that say what to do (and never carry the password).
 * libpq URL options (`sslmode`, `options`, `application_name`, `host=/socket/dir`, …) pass
 * through to node-postgres unchanged; PGPASSWORD and the other PG* variables are read by it.
 */
import { MlctlError } from '../../errors.js';

export const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'] as const;

export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/** The URL as it may be printed: `postgres://user@host:5432/db?sslmode=require`, no password. */
export function redactLocation(location: string): string {
  try {
    const url = new URL(location);
    url.password = '';
    for (const key of [...url.searchParams.keys()]) {
      if (/pass/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return location.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1@');
  }
}

/** The password in a URL (to scrub it from any message that might echo it), or null. */
export function passwordOf(location: string): string | null {
  try {
    const url = new URL(location);
    const fromQuery = url.searchParams.get('password');
    if (url.password) return decodeURIComponent(url.password);
    return fromQuery && fromQuery.length > 0 ? fromQuery : null;
  } catch {
    return null;
  }
}

/** Checks the URL has a database name; USAGE naming the expected shape otherwise. */
export function checkPostgresLocation(location: string): void {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new MlctlError('USAGE', `The registry location "${redactLocation(location)}" is not a valid postgres:// URL.`, {
      hint: 'Use postgres://user@host:5432/database (password from PGPASSWORD or ~/.pgpass).',
    });
  }
  if (url.pathname === '' || url.pathname === '/') {
    throw new MlctlError('USAGE', `The registry location ${redactLocation(location)} names no database.`, {
      hint: 'Use postgres://user@host:5432/database.',
    });
  }
}

/** node-postgres / network errors → MlctlError (UNAVAILABLE, UNAUTHENTICATED, NOT_FOUND, IO). */
export function toPgError(e: unknown, location: string, secrets: readonly string[] = []): MlctlError {
  if (e instanceof MlctlError) return scrubError(e, secrets);
  const err = e as { code?: string; message?: string };
  const code = typeof err?.code === 'string' ? err.code : '';
  const raw = scrub(String(err?.message ?? e), secrets).replace(/\.$/, '');
  const where = redactLocation(location);
  if (code === '28P01' || code === '28000' || /password|authentication/i.test(raw)) {
    return new MlctlError('UNAUTHENTICATED', `The registry database ${where} refused the login: ${raw}.`, {
      hint: 'Check the user and the password (PGPASSWORD, ~/.pgpass, or the URL).',
    });
  }
  if (code === '3D000') {
    return new MlctlError('NOT_FOUND', `The registry database ${where} does not exist: ${raw}.`, {
      hint: 'Create it ("createdb <name>"); mlctl creates its tables itself.',
    });
  }
  if (
    [
      'ECONNREFUSED',
      'ENOTFOUND',
      'ETIMEDOUT',
      'ECONNRESET',
      'EHOSTUNREACH',
      'EAI_AGAIN',
      '57P01',
      '57P03',
      '08006',
      '08001',
      '08003',
    ].includes(code) ||
    /Connection terminated|timeout/i.test(raw)
  ) {
    return new MlctlError('UNAVAILABLE', `Cannot reach the registry database ${where}: ${raw}.`, {
      hint: 'Check that the PostgreSQL server is running and reachable, then run the command again.',
    });
  }
  return new MlctlError('IO', `Registry database error (${where}): ${raw}${code ? ` [${code}]` : ''}.`, {
    hint: 'Run "mlctl registry migrate" and check the server log; then run the command again.',
  });
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

function scrubError(e: MlctlError, secrets: readonly string[]): MlctlError {
  if (!secrets.some((s) => s.length > 0 && (e.message.includes(s) || (e.hint ?? '').includes(s)))) return e;
  return new MlctlError(e.code, scrub(e.message, secrets), {
    hint: e.hint === undefined ? undefined : scrub(e.hint, secrets),
    details: e.details,
  });
}
