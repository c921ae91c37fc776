/**
 * `mlctl init --deploy all` through the built binary: it writes every recipe, the nginx config it
 * writes passes `nginx -t` (the real nginx, in a temp prefix; .ci/run installs it), the
 * Kubernetes manifests parse, and a second run refuses to overwrite them. Then the recipe at work:
 * real nginx with the generated config in front of two `mlctl serve` replicas started with the
 * systemd unit's own arguments spreads requests over both, passes the bearer token on, refuses
 * bodies over --body-limit itself, and keeps answering while one replica drains and exits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../helpers/run-cli.js';
import { postJson, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
beforeAll(async () => {
  work = await makeTmpDir();
});
afterAll(async () => removeTmpDir(work));

/** Debian's nginx (apt-get install nginx); PATH may lack /usr/sbin for a non-root user. */
function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) if (existsSync(candidate)) return candidate;
  throw new Error('nginx is not installed (apt-get install -y nginx; .ci/run does this)');
}

/** A port nothing listens on right now (nginx -t binds its listen address). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `nginx -t` on the generated snippet, included in the http context of a minimal main config whose
 * logs, pid and temp folders all live in `prefix` (so no root is needed).
 */
async function nginxMain(snippet: string, prefix: string): Promise<string> {
  await mkdir(prefix, { recursive: true });
  const p = (name: string) => path.join(prefix, name);
  const main = [
    `error_log ${p('error.log')};`,
    `pid ${p('nginx.pid')};`,
    'events {}',
    'http {',
    `    access_log ${p('access.log')};`,
    `    client_body_temp_path ${p('body')};`,
    `    proxy_temp_path ${p('proxy')};`,
    `    fastcgi_temp_path ${p('fastcgi')};`,
    `    uwsgi_temp_path ${p('uwsgi')};`,
    `    scgi_temp_path ${p('scgi')};`,
    `    include ${snippet};`,
    '}',
    '',
  ].join('\n');
  await writeFile(p('nginx.conf'), main);
  return p('nginx.conf');
}

async function nginxTest(snippet: string, prefix: string): Promise<{ status: number | null; output: string }> {
  await nginxMain(snippet, prefix);
  const p = (name: string) => path.join(prefix, name);
  const r = spawnSync(nginxBinary(), ['-t', '-p', prefix, '-e', p('error.log'), '-c', p('nginx.conf')], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('mlctl init --deploy all', () => {
  let project: string;
  let listen: string;
  beforeAll(async () => {
    project = path.join(work, 'project');
    await mkdir(project);
    listen = `127.0.0.1:${await freePort()}`;
  });

  it('writes the nginx, systemd and Kubernetes recipes (--json lists them)', async () => {
    const r = await runCli(
      [
        'init',
        '--model',
        'churn',
        '--deploy',
        'all',
        '--replicas',
        '3',
        '--port',
        '9000',
        '--listen',
        listen,
        '--drain-timeout',
        '20s',
        '--json',
      ],
      { cwd: project },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().files.map((f: { action: string; path: string }) => `${f.action} ${f.path}`)).toEqual([
      'create mlctl.config.yaml',
      'create deploy/nginx/mlctl-churn.conf',
      'create deploy/systemd/mlctl-churn@.service',
      'create deploy/systemd/mlctl-churn.env.example',
      'create deploy/kubernetes/deployment.yaml',
      'create deploy/kubernetes/service.yaml',
      'create deploy/kubernetes-secret.example.yaml',
    ]);
  });

  it('the nginx config passes nginx -t, and nginx -t does reject a broken one', async () => {
    const snippet = path.join(project, 'deploy/nginx/mlctl-churn.conf');
    const text = await readFile(snippet, 'utf8');
    expect([...text.matchAll(/^\s*server (\S+) max_fails/gm)].map((m) => m[1])).toEqual([
      '127.0.0.1:9000',
      '127.0.0.1:9001',
      '127.0.0.1:9002',
    ]);
    const ok = await nginxTest(snippet, path.join(work, 'nginx-ok'));
    expect(ok.output).toContain('test is successful');
    expect(ok.status, ok.output).toBe(0);

    const broken = path.join(work, 'broken.conf');
    await writeFile(broken, text.replace('proxy_next_upstream error', 'proxy_next_upstream eror'));
    const bad = await nginxTest(broken, path.join(work, 'nginx-bad'));
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/invalid value "eror"/);
  });

  it('the Kubernetes manifests parse, with the drain timeout in args and grace period', async () => {
    for (const file of ['deploy/kubernetes/deployment.yaml', 'deploy/kubernetes/service.yaml', 'deploy/kubernetes-secret.example.yaml']) {
      const docs = parseAllDocuments(await readFile(path.join(project, file), 'utf8'));
      expect(docs).toHaveLength(1);
      expect(docs[0].errors, file).toEqual([]);
    }
    const d = parseAllDocuments(await readFile(path.join(project, 'deploy/kubernetes/deployment.yaml'), 'utf8'))[0].toJS();
    const c = d.spec.template.spec.containers[0];
    expect(c.args[c.args.indexOf('--drain-timeout') + 1]).toBe('20s');
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(20);
  });

  it('a second run refuses to overwrite the recipes (exit 1) and writes nothing', async () => {
    const unit = path.join(project, 'deploy/systemd/mlctl-churn@.service');
    const before = await readFile(unit, 'utf8');
    const again = await runCli(['init', '--model', 'churn', '--deploy', 'systemd', '--replicas', '5', '--json'], { cwd: project });
    expect(again.code).toBe(1);
    expect(again.json().error).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(again.json().error.message).toContain('deploy/systemd/mlctl-churn@.service');
    expect(await readFile(unit, 'utf8')).toBe(before);
  });

  it('a registry URL with a password is a usage error (exit 2) that does not echo the password', async () => {
    const dir = path.join(work, 'pg');
    await mkdir(dir);
    const r = await runCli(['init', '--registry', 'postgres://mlctl:s3cret@db:5432/models', '--deploy', 'all'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/contains a password/);
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret');
  });
});

/** Two consecutive free ports (the replicas count up from --port). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    if (port >= 65535) continue;
    const next = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false));
      next.listen(port + 1, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => next.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no two consecutive free ports');
}

describe('the nginx and systemd recipes at work', () => {
  const TOKEN = 'test-token-0123456789';
  const AUTH = { authorization: `Bearer ${TOKEN}` };
  const ROW = { input_data: [5.1, 3.5, 1.4, 0.2] };
  let project: string;
  let proxy: string;
  const replicas: ServeProcess[] = [];
  let nginx: ChildProcess | undefined;

  beforeAll(async () => {
    project = path.join(work, 'live');
    await mkdir(project);
    const port = await freePortPair();
    const listen = `127.0.0.1:${await freePort()}`;
    proxy = `http://${listen}`;
    const init = await runCli(
      ['init', '--deploy', 'all', '--model', 'iris', '--replicas', '2', '--port', String(port), '--listen', listen, '--body-limit', '2kb'],
      { cwd: project },
    );
    expect(init.code, init.stderr).toBe(0);
    const trained = await runCli(['train', 'iris', '--epochs', '3', '--backend', 'wasm', '--json'], { cwd: project });
    expect(trained.code, trained.stderr).toBe(0);

    // each replica exactly as systemd starts it: the unit's ExecStart with %i = its port
    const unit = await readFile(path.join(project, 'deploy/systemd/mlctl-iris@.service'), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1].split(' ');
    expect(execStart[0]).toMatch(/node_modules\/\.bin\/mlctl$/);
    for (const p of [port, port + 1]) {
      const args = execStart.slice(1).map((a) => (a === '%i' ? String(p) : a));
      expect(args[0]).toBe('serve');
      replicas.push(await startServe([...args.slice(1), '--backend', 'wasm'], { cwd: project, env: { MLCTL_TOKEN: TOKEN } }));
    }
    expect(replicas.map((r) => r.url)).toEqual([`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]);

    const prefix = path.join(work, 'nginx-live');
    const conf = await nginxMain(path.join(project, 'deploy/nginx/mlctl-iris.conf'), prefix);
    nginx = spawn(
      nginxBinary(),
      ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', conf, '-g', 'daemon off; master_process off;'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let nginxErr = '';
    nginx.stderr!.on('data', (d: Buffer) => (nginxErr += d.toString()));
    for (let i = 0; ; i++) {
      const up = await fetch(`${proxy}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) break;
      if (i >= 50 || nginx.exitCode !== null) throw new Error(`nginx did not come up: ${nginxErr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const gone = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      await gone;
    }
    await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
  });

  /** Predictions a replica answered with 200 (its own /metrics, asked directly). */
  async function predictionsServedBy(r: ServeProcess): Promise<number> {
    const res = await fetch(`${r.url}/metrics`, { headers: AUTH });
    const m = /^mlctl_http_requests_total\{route="predict",code="200",model="iris",version="1"\} (\d+)/m.exec(await res.text());
    return m ? Number(m[1]) : 0;
  }

  it('spreads predictions over both replicas and passes the bearer token on', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await postJson(`${proxy}/predict`, ROW, AUTH);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ model: 'iris', version: 1 });
    }
    const served = await Promise.all(replicas.map(predictionsServedBy));
    expect(served[0] + served[1]).toBe(6);
    expect(
      served.every((n) => n > 0),
      `per replica: ${served.join(', ')}`,
    ).toBe(true);
    const unauthenticated = await postJson(`${proxy}/predict`, ROW);
    expect(unauthenticated.status).toBe(401);
  });

  it('refuses a body over --body-limit at nginx already (413)', async () => {
    const before = await Promise.all(replicas.map(predictionsServedBy));
    const big = JSON.stringify({ input_data: Array.from({ length: 400 }, () => [5.1, 3.5, 1.4, 0.2]) });
    expect(big.length).toBeGreaterThan(2048);
    const res = await fetch(`${proxy}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: big });
    await res.text();
    expect(res.status).toBe(413);
    expect(await Promise.all(replicas.map(predictionsServedBy))).toEqual(before); // never reached a replica
  });

  it('keeps answering while one replica drains on SIGTERM and exits', async () => {
    const code = await replicas[0].stop('SIGTERM');
    expect(code).toBe(0);
    const servedBefore = await predictionsServedBy(replicas[1]);
    for (let i = 0; i < 6; i++) {
      const res = await postJson(`${proxy}/predict`, ROW, AUTH);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    expect((await predictionsServedBy(replicas[1])) - servedBefore).toBe(6);
  });
});
