/**
 * vitest globalSetup: one real PostgreSQL 15 server for the test run (never a mock). `initdb`
 * into a temp folder (as the `postgres` user when running as root: PostgreSQL refuses to run as
 * root), started on a free 127.0.0.1 port with its socket in the same folder, password login
 * (scram-sha-256) over TCP. Test files get the server's URL through `inject('pg')` and create
 * their own database (test/helpers/pg.ts). Stopped and removed at teardown.
 *
 * Binaries come from PG_BIN, or /usr/lib/postgresql/<newest>/bin, or PATH. When there are none
 * the setup does not throw (the other tests still run) but provides the reason, and every
 * PostgreSQL test fails with it: `.ci/run` installs Debian's postgresql so CI never lacks it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PgServerInfo {
  /** postgres://mlctl:<password>@127.0.0.1:<port> (no database) */
  url: string;
  user: string;
  password: string;
  host: string;
  port: number;
  /** why there is no server (then url is empty) */
  error: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: PgServerInfo;
  }
}

function findBin(): string | null {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(path.join(fromEnv, 'initdb'))) return fromEnv;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? path.dirname(which.stdout.trim()) : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export default async function setup(project: { provide: (key: 'pg', value: PgServerInfo) => void }): Promise<() => void> {
  const none = (error: string): PgServerInfo => ({ url: '', user: '', password: '', host: '', port: 0, error });
  const bin = findBin();
  if (!bin) {
    project.provide(
      'pg',
      none('PostgreSQL is not installed (no initdb): run "apt-get install postgresql" (as .ci/run does) or set PG_BIN.'),
    );
    return () => undefined;
  }
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]): void => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    execFileSync(full[0] as string, full[1] as string[], { stdio: 'pipe', cwd: '/' });
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlctl-pg-'));
  const data = path.join(dir, 'data');
  const user = 'mlctl';
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  if (asRoot) {
    const pgUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const pgGid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, pgUid, pgGid);
    chownSync(pwfile, pgUid, pgGid);
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  try {
    run('initdb', [
      '-D',
      data,
      '-U',
      user,
      `--pwfile=${pwfile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--no-sync',
      '--locale=C',
    ]);
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-k ${dir} -h 127.0.0.1 -p ${port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    rmSync(dir, { recursive: true, force: true });
    project.provide('pg', none(`Could not start PostgreSQL from ${bin}: ${err.stderr?.toString().trim() || err.message}`));
    return () => undefined;
  }
  project.provide('pg', { url: `postgres://${user}:${password}@127.0.0.1:${port}`, user, password, host: '127.0.0.1', port, error: null });
  return () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
