// Real servers for tests and benchmarks, started as the current user's children on 127.0.0.1
// free ports inside a temp folder, and removed afterwards: PostgreSQL (initdb + pg_ctl; as the
// `postgres` user when running as root, which PostgreSQL refuses) and nginx (foreground, its own
// prefix and config). Used by test/helpers/pg-global-setup.ts, test/e2e/scale-out.test.ts and
// bench/registry.mjs. Types: local-servers.d.mts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** PG_BIN, else the newest /usr/lib/postgresql/<v>/bin, else initdb on PATH; null if none. */
export function findPgBin() {
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

/**
 * initdb into a temp folder (password login over TCP: scram-sha-256) and start it on a free
 * 127.0.0.1 port; throws with the reason when PostgreSQL is missing or does not start.
 */
export async function startPostgres() {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb): run "apt-get install postgresql" (as .ci/run does) or set PG_BIN.');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd, args) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    execFileSync(file, argv, { stdio: 'pipe', cwd: '/' });
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlctl-pg-'));
  const data = path.join(dir, 'data');
  const user = 'mlctl';
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
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
    const opts = `-k ${dir} -h 127.0.0.1 -p ${port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start PostgreSQL from ${bin}: ${e.stderr?.toString().trim() || e.message}`);
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}`,
    user,
    password,
    host: '127.0.0.1',
    port,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function findNginx() {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

/**
 * nginx in the foreground with its own prefix: one upstream of `ports` (127.0.0.1), retrying a
 * request on the next replica when one refuses, resets or times out (POST included:
 * `non_idempotent`), a failed replica benched for `failTimeout`.
 */
export async function startNginx(ports, options = {}) {
  const bin = findNginx();
  if (!bin) throw new Error('nginx is not installed: run "apt-get install nginx" (as .ci/run does).');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlctl-nginx-'));
  chmodSync(dir, 0o755);
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(path.join(dir, sub));
  const port = await freePort();
  const servers = ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=${options.failTimeout ?? '2s'};`).join('\n');
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream mlctl {
${servers}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://mlctl;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries ${ports.length + 1};
      proxy_connect_timeout 1s;
      proxy_read_timeout 10s;
    }
  }
}
`;
  const confFile = path.join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  const child = spawn(bin, ['-p', dir, '-c', confFile, '-e', path.join(dir, 'logs', 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start: ${stderr}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen on ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
