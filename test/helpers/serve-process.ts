/**
 * `mlctl serve` as a real process for e2e tests: spawned through the built CLI on 127.0.0.1 with
 * an ephemeral port (--port 0), its start-up document read from stdout (--json), its JSON log
 * lines collected from stderr, and stopped with a signal.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './run-cli.js';

export interface ServeProcess {
  url: string;
  startup: any;
  child: ChildProcess;
  /** parsed JSON log lines so far (stderr) */
  logs(): any[];
  stderr(): string;
  /** resolves with the first log line whose msg matches */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<any>;
  /** send a signal and wait for the exit code */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServe(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<ServeProcess> {
  const child = spawnCli(['serve', '--port', '0', '--json', ...args], { cwd: options.cwd, env: options.env });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (line: any) => void }[] = [];
  const parsed: any[] = [];
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  let partial = '';
  child.stderr!.on('data', (d: string) => {
    err += d;
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line);
        parsed.push(entry);
        for (const w of [...waiters]) {
          if (w.pattern.test(String(entry.msg))) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(entry);
          }
        }
      } catch {
        // not a log line
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const startup = await new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mlctl serve did not start in time.\nstdout: ${out}\nstderr: ${err}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout!.on('data', (d: string) => {
      out += d;
      try {
        const doc = JSON.parse(out);
        clearTimeout(timer);
        resolve(doc);
      } catch {
        // the rest of the document is on its way
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(
        Object.assign(new Error(`mlctl serve exited with ${code} before starting.\nstdout: ${out}\nstderr: ${err}`), {
          stdout: out,
          stderr: err,
          code,
        }),
      );
    });
  });
  return {
    url: startup.url,
    startup,
    child,
    logs: () => parsed,
    stderr: () => err,
    waitForLog(pattern, timeoutMs = 15_000) {
      const found = parsed.find((e) => pattern.test(String(e.msg)));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pattern, resolve: (line: any) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms.\nstderr: ${err}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const { code } = await exited;
      clearTimeout(timer);
      return code;
    },
    exited,
  };
}

/** POST JSON; resolves with status and parsed body (never throws on HTTP errors). */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (e.g. /metrics)
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
