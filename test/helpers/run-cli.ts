/**
 * Spawn the built CLI (bin/mlctl.js → dist/) the way a user or CI step runs it.
 * Never inherits MLCTL_* from the developer's shell, never runs in the repo's own registry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO_ROOT, 'bin/mlctl.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** JSON.parse(stdout); throws with the output when stdout is not one JSON document */
  json<T = any>(): T;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MLCTL_') && k !== 'FORCE_COLOR' && k !== 'NO_COLOR') env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function spawnCli(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function runCli(args: string[], options: RunOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`stdout is not one JSON document (exit ${code}).\nstdout:\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      });
    });
    child.stdin!.end(options.input ?? '');
  });
}

/**
 * The checks every `--json` run must pass: stdout is exactly one JSON document (JSON.parse of the
 * whole of stdout) and it is an object; stderr is `stderr` (default empty: no warning, progress or
 * TF.js banner; null: not checked). Returns the document.
 */
export function jsonDocument<T = any>(r: CliResult, { stderr = '' }: { stderr?: string | null } = {}): T {
  const doc = r.json<T>();
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`stdout is not one JSON object:\n${r.stdout}`);
  if (stderr !== null && r.stderr !== stderr) throw new Error(`stderr is not ${JSON.stringify(stderr)}:\n${r.stderr}`);
  return doc;
}
