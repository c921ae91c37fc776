/**
 * The deployment recipes of `mlctl init --deploy`: every value that must agree with `mlctl serve`
 * (ports, drain timeout, body limit, keep-alive, token variable, health routes) is derived from the
 * options and the serve table; the serve arguments are flags `mlctl serve` really has; Kubernetes
 * manifests parse as YAML and hang together (Secret ↔ env, Service ↔ pod labels and port); no
 * password is ever written; init refuses to overwrite a recipe without --force.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createProgram } from '../../../src/cli/program.js';
import {
  PRE_STOP_SECONDS,
  deploySettings,
  renderDeploy,
  renderKubernetes,
  renderNginx,
  renderSystemd,
  type DeployFile,
  type DeployOptions,
} from '../../../src/lifecycle/deploy-recipes.js';
import { initProject } from '../../../src/lifecycle/init-project.js';
import { SERVE_OPTIONS, parseByteSize, parseDuration } from '../../../src/options/serve.js';
import { MlctlError } from '../../../src/errors.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

const base: DeployOptions = { target: 'all', model: 'churn', registry: './model-registry' };
const settings = (o: Partial<DeployOptions> = {}) => deploySettings({ ...base, ...o });
const byPath = (files: DeployFile[], suffix: string) => {
  const f = files.find((x) => x.path.endsWith(suffix));
  if (!f) throw new Error(`no ${suffix} among ${files.map((x) => x.path).join(', ')}`);
  return f.content;
};

/** The MlctlError a promise rejects with. */
async function errorOf(p: Promise<unknown>): Promise<MlctlError> {
  const e = await p.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlctlError);
  return e as MlctlError;
}

/** `key=value` lines of a systemd unit (last one wins, comments skipped). */
function unitKeys(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The value after `flag` in an argument list. */
const after = (args: string[], flag: string) => {
  const i = args.indexOf(flag);
  expect(i, `${flag} in ${args.join(' ')}`).toBeGreaterThan(-1);
  return args[i + 1];
};

/** Every --flag of the arguments is an option `mlctl serve` has, and its value parses there. */
function expectServeAccepts(args: string[]): void {
  const serve = createProgram().commands.find((c) => c.name() === 'serve')!;
  expect(args[0]).toBe('serve');
  for (let i = 2; i < args.length; i += 2) {
    const opt = serve.options.find((o) => o.long === args[i]);
    expect(opt, `mlctl serve has ${args[i]}`).toBeDefined();
    const spec = Object.values(SERVE_OPTIONS).find((s) => s.flags.startsWith(`${args[i]} `));
    if (spec && args[i + 1] !== '%i') expect(() => spec.kind.parse(args[i + 1])).not.toThrow();
  }
}

describe('nginx', () => {
  it('one upstream server per replica on consecutive ports, passive health, keepalive shorter than serve', async () => {
    const conf = (await renderNginx(settings({ replicas: 3, port: 9000 }))).content;
    const servers = [...conf.matchAll(/^\s*server (\S+) max_fails=(\d+) fail_timeout=(\d+)s;$/gm)];
    expect(servers.map((m) => m[1])).toEqual(['127.0.0.1:9000', '127.0.0.1:9001', '127.0.0.1:9002']);
    expect(servers.every((m) => Number(m[2]) > 0 && Number(m[3]) > 0)).toBe(true);
    expect(conf).toMatch(/^\s*keepalive \d+;$/m);
    const keepalive = Number(/keepalive_timeout (\d+)s;/.exec(conf)![1]);
    expect(keepalive * 1000).toBeLessThan(SERVE_OPTIONS.keepAliveTimeout.default!);
    // keepalive to the upstream needs HTTP/1.1 and no "Connection: close"
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    expect(conf).toMatch(/proxy_set_header Connection "";/);
  });

  it('retries the next replica on errors, timeouts, 502 and 503 (POST too), at most as many times as there are replicas', async () => {
    const three = (await renderNginx(settings({ replicas: 3 }))).content;
    expect(three).toMatch(/proxy_next_upstream error timeout http_502 http_503 non_idempotent;/);
    expect(three).toMatch(/proxy_next_upstream_tries 3;/);
    const one = (await renderNginx(settings({ replicas: 1 }))).content;
    expect(one).toMatch(/proxy_next_upstream_tries 1;/);
  });

  it('spreads over --hosts, passes Authorization on, and matches --body-limit and --listen', async () => {
    const conf = (
      await renderNginx(settings({ hosts: ['10.0.0.1', 'node-b'], replicas: 2, bodyLimit: 5 * 1024 * 1024, listen: '127.0.0.1:8000' }))
    ).content;
    expect([...conf.matchAll(/^\s*server (\S+) max_fails/gm)].map((m) => m[1])).toEqual([
      '10.0.0.1:8080',
      '10.0.0.1:8081',
      'node-b:8080',
      'node-b:8081',
    ]);
    expect(conf).toMatch(/proxy_set_header Authorization \$http_authorization;/);
    expect(parseByteSize(/client_max_body_size (\S+);/.exec(conf)![1].replace(/m$/, 'mb').replace(/k$/, 'kb'))).toBe(5 * 1024 * 1024);
    expect(conf).toMatch(/^\s*listen 127\.0\.0\.1:8000;$/m);
    const odd = (await renderNginx(settings({ bodyLimit: 1000 }))).content;
    expect(odd).toMatch(/client_max_body_size 1000;/);
  });
});

describe('systemd', () => {
  it('a template unit: Type=simple, restart on failure, SIGTERM with more time than the drain timeout, EnvironmentFile', async () => {
    const files = await renderSystemd(settings({ drainTimeout: 25_000, replicas: 2, port: 7000 }));
    expect(files.map((f) => f.path)).toEqual(['deploy/systemd/mlctl-churn@.service', 'deploy/systemd/mlctl-churn.env.example']);
    const unit = files[0].content;
    const k = unitKeys(unit);
    expect(k).toMatchObject({
      Type: 'simple',
      Restart: 'on-failure',
      KillSignal: 'SIGTERM',
      EnvironmentFile: '/etc/mlctl/mlctl-churn.env',
    });
    expect(Number(k.TimeoutStopSec)).toBeGreaterThan(25);
    const args = k.ExecStart.split(' ');
    expect(args[0]).toBe('/srv/mlctl/node_modules/.bin/mlctl');
    expectServeAccepts(args.slice(1));
    expect(after(args, '--port')).toBe('%i');
    expect(parseDuration(after(args, '--drain-timeout'))).toBe(25_000);
    expect(after(args, '--host')).toBe('127.0.0.1'); // nginx on the same machine
    expect(unit).toContain('systemctl enable --now mlctl-churn@7000 mlctl-churn@7001');
  });

  it('hardened: NoNewPrivileges, ProtectSystem=strict with the registry folder writable', async () => {
    const k = unitKeys((await renderSystemd(settings({ registry: 'models', appDir: '/opt/app' })))[0].content);
    expect(k).toMatchObject({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ReadWritePaths: '/opt/app/models',
      WorkingDirectory: '/opt/app',
    });
    expect(k.ProtectHome).toBe('yes');
    const abs = unitKeys((await renderSystemd(settings({ registry: '/var/lib/mlctl/registry' })))[0].content);
    expect(abs.ReadWritePaths).toBe('/var/lib/mlctl/registry');
    const home = unitKeys((await renderSystemd(settings({ appDir: '/home/ml/app' })))[0].content);
    expect(home.ProtectHome).toBe('read-only'); // "yes" would hide the project itself
  });

  it('replicas on other machines listen on all interfaces', async () => {
    const k = unitKeys((await renderSystemd(settings({ hosts: ['10.0.0.1', '10.0.0.2'] })))[0].content);
    expect(after(k.ExecStart.split(' '), '--host')).toBe('0.0.0.0');
  });

  it('the environment file names the token variable without a value', async () => {
    const env = (await renderSystemd(settings()))[1].content;
    const vars = env.split('\n').filter((l) => /^[A-Z_]+=/.test(l));
    expect(vars).toEqual([`MLCTL_TOKEN=`]);
  });
});

describe('kubernetes', () => {
  async function manifests(o: Partial<DeployOptions> = {}) {
    const files = await renderKubernetes(settings(o));
    expect(files.map((f) => f.path)).toEqual([
      'deploy/kubernetes/deployment.yaml',
      'deploy/kubernetes/service.yaml',
      'deploy/kubernetes-secret.example.yaml',
    ]);
    const [deployment, service, secret] = files.map((f) => parseYaml(f.content));
    return { deployment, service, secret, pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0] };
  }

  it('a Deployment with the replicas, probes on /readyz and /healthz at the serve port, drain-aware termination', async () => {
    const { deployment, pod, container } = await manifests({ replicas: 4, port: 9100, drainTimeout: 30_000, alias: 'production' });
    expect(deployment).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 4 } });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 9100 }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const sleep = container.lifecycle.preStop.exec.command;
    expect(sleep).toEqual(['sleep', String(PRE_STOP_SECONDS)]);
    // SIGTERM comes after preStop, and the drain must fit in what is left of the grace period
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(PRE_STOP_SECONDS + 30);
    expectServeAccepts(container.args);
    expect(container.args.slice(0, 4)).toEqual(['serve', 'churn', '--alias', 'production']);
    expect(Number(after(container.args, '--port'))).toBe(9100);
    expect(after(container.args, '--host')).toBe('0.0.0.0');
    expect(parseDuration(after(container.args, '--drain-timeout'))).toBe(30_000);
    expect(container.resources.requests).toHaveProperty('cpu');
    expect(container.resources.limits).toHaveProperty('memory');
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) expect(deployment.spec.template.metadata.labels[k]).toBe(v);
  });

  it('the token comes from the Secret, whose example has the key and no value', async () => {
    const { container, secret } = await manifests();
    expect(container.env).toEqual([
      { name: 'MLCTL_TOKEN', valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'MLCTL_TOKEN' } } },
    ]);
    expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', stringData: { MLCTL_TOKEN: '' } });
  });

  it('the Service selects the pods and forwards to their named port', async () => {
    const { service, deployment } = await manifests({ port: 9100 });
    expect(service).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
    for (const [k, v] of Object.entries(service.spec.selector)) expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 9100, targetPort: 'http' }]);
  });

  it('a folder registry is mounted read-only where the config resolves it', async () => {
    const { pod, container } = await manifests({ registry: './models', appDir: '/app' });
    expect(container.workingDir).toBe('/app');
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'registry');
    expect(mount).toEqual({ name: 'registry', mountPath: '/app/models', readOnly: true });
    expect(pod.volumes.find((v: { name: string }) => v.name === 'registry').persistentVolumeClaim.claimName).toBe('mlctl-churn-registry');
  });

  it('Kubernetes names are DNS labels even when the model name has dots or underscores', async () => {
    const { deployment } = await manifests({ model: 'churn_v2.small' });
    expect(deployment.metadata.name).toBe('mlctl-churn-v2-small');
  });
});

describe('a database registry', () => {
  const url = 'postgres://mlctl@db.internal:5432/models';

  it('takes MLCTL_REGISTRY from the secret environment; no folder to mount or write', async () => {
    const files = await renderDeploy({ ...base, registry: url });
    const k = unitKeys(byPath(files, '.service'));
    expect(k.ReadWritePaths).toBeUndefined();
    const env = byPath(files, '.env.example');
    expect(env.split('\n').filter((l) => /^[A-Z_]+=/.test(l))).toEqual(['MLCTL_TOKEN=', 'MLCTL_REGISTRY=']);
    const d = parseYaml(byPath(files, 'deployment.yaml'));
    const c = d.spec.template.spec.containers[0];
    expect(
      c.env.map((e: { name: string; valueFrom: { secretKeyRef: { key: string } } }) => [e.name, e.valueFrom.secretKeyRef.key]),
    ).toEqual([
      ['MLCTL_TOKEN', 'MLCTL_TOKEN'],
      ['MLCTL_REGISTRY', 'MLCTL_REGISTRY'],
    ]);
    expect(c.volumeMounts.map((m: { name: string }) => m.name)).toEqual(['tmp']);
    expect(parseYaml(byPath(files, 'secret.example.yaml')).stringData).toEqual({ MLCTL_TOKEN: '', MLCTL_REGISTRY: '' });
  });

  it('refuses a URL with a password (usage error), before writing anything', async () => {
    const err = await errorOf(renderDeploy({ ...base, registry: 'postgres://mlctl:hunter2@db:5432/models' }));
    expect(err).toMatchObject({ code: 'USAGE' });
    expect(err.message).not.toContain('hunter2');
    expect(err.hint).toContain('MLCTL_REGISTRY');
  });
});

describe('bad settings', () => {
  it.each([
    [{ appDir: 'srv/app' }, /--app-dir must be an absolute path/],
    [{ appDir: '/srv/my app' }, /without spaces/],
    [{ registry: './my models' }, /contains a space/],
    [{ hosts: ['a b'] }, /--hosts: "a b"/],
    [{ listen: 'eighty' }, /--listen must be a port/],
    [{ port: 65535, replicas: 2 }, /runs past port 65535/],
    [{ alias: 'Prod!' }, /alias/i],
  ] as [Partial<DeployOptions>, RegExp][])('%o is a usage error', async (o, message) => {
    const err = await errorOf(renderDeploy({ ...base, ...o }));
    expect(err.code).toBe('USAGE');
    expect(err.message).toMatch(message);
  });
});

describe('initProject --deploy', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTmpDir();
  });
  afterEach(async () => removeTmpDir(dir));

  it('writes every recipe with the model and settings given', async () => {
    const r = await initProject({ cwd: dir, model: 'churn', deploy: 'all', deployment: { replicas: 3 } });
    expect(r.files.map((f) => `${f.action} ${f.path}`)).toEqual([
      'create mlctl.config.yaml',
      'create deploy/nginx/mlctl-churn.conf',
      'create deploy/systemd/mlctl-churn@.service',
      'create deploy/systemd/mlctl-churn.env.example',
      'create deploy/kubernetes/deployment.yaml',
      'create deploy/kubernetes/service.yaml',
      'create deploy/kubernetes-secret.example.yaml',
    ]);
    expect(parseYaml(await readFile(path.join(dir, 'deploy/kubernetes/deployment.yaml'), 'utf8')).spec.replicas).toBe(3);
  });

  it('refuses to overwrite a recipe (writing nothing) and overwrites with force', async () => {
    await mkdir(path.join(dir, 'deploy/nginx'), { recursive: true });
    await writeFile(path.join(dir, 'deploy/nginx/mlctl-iris.conf'), '# mine\n');
    const err = await errorOf(initProject({ cwd: dir, deploy: 'nginx' }));
    expect(err).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(err.message).toContain('deploy/nginx/mlctl-iris.conf');
    expect(await readdir(dir)).toEqual(['deploy']);
    await initProject({ cwd: dir, deploy: 'nginx', force: true });
    expect(await readFile(path.join(dir, 'deploy/nginx/mlctl-iris.conf'), 'utf8')).toMatch(/^upstream mlctl_iris \{$/m);
  });

  it('deployment settings without --deploy are a usage error', async () => {
    const err = await errorOf(initProject({ cwd: dir, deployment: { replicas: 3, appDir: '/x' } }));
    expect(err).toMatchObject({ code: 'USAGE', message: '--replicas, --app-dir only apply to deployment recipes.' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('a database registry: the config names it without a password; a password is refused and nothing written', async () => {
    await initProject({ cwd: dir, registry: 'postgres://mlctl@db:5432/models', deploy: 'systemd' });
    expect(parseYaml(await readFile(path.join(dir, 'mlctl.config.yaml'), 'utf8'))).toEqual({ registry: 'postgres://mlctl@db:5432/models' });
    const other = await makeTmpDir();
    try {
      const err = await errorOf(initProject({ cwd: other, registry: 'postgres://mlctl:secret@db:5432/models' }));
      expect(err.code).toBe('USAGE');
      expect(await readdir(other)).toEqual([]);
    } finally {
      await removeTmpDir(other);
    }
  });
});
