/**
 * `mlctl init --deploy all` through the built binary: it writes every recipe, the nginx config it
 * writes passes `nginx -t` (the real nginx, in a temp prefix; .ci/run installs it), the
 * Kubernetes manifests parse, and a second run refuses to overwrite them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../helpers/run-cli.js';
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
async function nginxTest(snippet: string, prefix: string): Promise<{ status: number | null; output: string }> {
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
  const r = spawnSync(nginxBinary(), ['-t', '-p', prefix, '-e', p('error.log'), '-c', p('nginx.conf')], { encoding: 'utf8', timeout: 20_000 });
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
      ['init', '--model', 'churn', '--deploy', 'all', '--replicas', '3', '--port', '9000', '--listen', listen, '--drain-timeout', '20s', '--json'],
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
    expect([...text.matchAll(/^\s*server (\S+) max_fails/gm)].map((m) => m[1])).toEqual(['127.0.0.1:9000', '127.0.0.1:9001', '127.0.0.1:9002']);
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
