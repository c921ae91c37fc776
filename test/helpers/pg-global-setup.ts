/**
 * vitest globalSetup: one real PostgreSQL server for the test run (never a mock), started by
 * `startPostgres` (local-servers.mjs: initdb into a temp folder, as the `postgres` user when
 * running as root, a free 127.0.0.1 port, password login). Test files get its URL through
 * `inject('pg')` and create their own database (test/helpers/pg.ts). Stopped and removed at teardown.
 *
 * When PostgreSQL is missing the setup does not throw (the other tests still run) but provides
 * the reason, and every PostgreSQL test fails with it: `.ci/run` installs Debian's postgresql.
 */
import { startPostgres } from './local-servers.mjs';

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

export default async function setup(project: { provide: (key: 'pg', value: PgServerInfo) => void }): Promise<() => void> {
  try {
    const server = await startPostgres();
    project.provide('pg', {
      url: server.url,
      user: server.user,
      password: server.password,
      host: server.host,
      port: server.port,
      error: null,
    });
    return () => server.stop();
  } catch (e) {
    project.provide('pg', { url: '', user: '', password: '', host: '', port: 0, error: (e as Error).message });
    return () => undefined;
  }
}
