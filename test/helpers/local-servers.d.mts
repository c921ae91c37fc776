export interface PostgresServer {
  /** postgres://mlctl:<password>@127.0.0.1:<port> (no database) */
  url: string;
  user: string;
  password: string;
  host: string;
  port: number;
  stop(): void;
}
export interface NginxServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}
export function freePort(): Promise<number>;
export function findPgBin(): string | null;
export function startPostgres(): Promise<PostgresServer>;
export function findNginx(): string | null;
export function startNginx(ports: number[], options?: { failTimeout?: string }): Promise<NginxServer>;
