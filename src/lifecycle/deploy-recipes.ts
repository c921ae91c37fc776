/**
 * `mlctl init --deploy`: recipes for running `mlctl serve` in production — an nginx upstream over
 * the replicas, a systemd template unit (one instance per replica) with its environment file, and
 * Kubernetes Deployment + Service manifests with a Secret example. The texts live in
 * templates/deploy/; every number in them that must agree with the server (ports, the drain
 * timeout, the body limit, the keep-alive timeout, the token's variable, the health routes) is
 * computed here from the serve option table (src/options/serve.ts), so a recipe cannot drift from
 * `mlctl serve`. Secrets are never written: the token and a database registry's URL (with its
 * password) come from the environment (systemd EnvironmentFile, a Kubernetes Secret).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { GLOBAL_CONFIG_OPTIONS } from '../options/global.js';
import { INIT_OPTIONS, type DeployTarget } from '../options/init.js';
import { SERVE_OPTIONS } from '../options/serve.js';
import { defaultsOf, envName, longFlag } from '../options/spec.js';
import { assertAliasName, assertModelName } from '../registry/layout.js';
import { HEALTH_ROUTES } from '../vocabulary.js';
import { BUILTIN_TEMPLATES_DIR } from './templates.js';

export const DEPLOY_TEMPLATES_DIR = path.join(BUILTIN_TEMPLATES_DIR, 'deploy');

/** Seconds a stopping pod waits (preStop) before SIGTERM, so endpoints and proxies drop it first. */
export const PRE_STOP_SECONDS = 5;
/** Seconds systemd and Kubernetes wait beyond the drain timeout before SIGKILL. */
export const STOP_MARGIN_SECONDS = 5;

export interface DeployOptions {
  target: DeployTarget;
  model: string;
  /** serve this alias (default: latest) */
  alias?: string;
  /** the registry as the config names it: a folder (relative to the project) or a URL such as postgres://user@host:5432/db */
  registry: string;
  replicas?: number;
  /** machines nginx spreads over (default: 127.0.0.1, nginx on the serving machine) */
  hosts?: string[];
  port?: number;
  workers?: number;
  /** bytes */
  bodyLimit?: number;
  /** ms */
  drainTimeout?: number;
  /** nginx `listen` */
  listen?: string;
  /** the project folder on the server / in the image */
  appDir?: string;
  image?: string;
}

export interface DeployFile {
  /** relative to the project, POSIX separators */
  path: string;
  content: string;
  purpose: string;
}

/** The settings a recipe is made from, defaults filled in from the init table (itself from serve's). */
export interface DeploySettings {
  model: string;
  alias: string | null;
  registry: { kind: 'folder'; path: string } | { kind: 'url'; url: string };
  replicas: number;
  hosts: string[];
  port: number;
  workers: number;
  bodyLimit: number;
  drainTimeoutMs: number;
  listen: string;
  appDir: string;
  image: string;
}

const DEFAULTS = defaultsOf(INIT_OPTIONS);

/** A registry given as a URL (scheme://…) rather than a folder. */
export function isRegistryUrl(registry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(registry);
}

/** Throws when a registry URL carries a password: files init writes are never the place for one. */
export function assertNoPassword(registry: string): void {
  if (!isRegistryUrl(registry)) return;
  let url: URL;
  try {
    url = new URL(registry);
  } catch {
    throw new MlctlError('USAGE', `The registry "${registry}" is not a valid URL.`, {
      hint: 'Use the form postgres://user@host:5432/db.',
    });
  }
  if (url.password !== '') {
    throw new MlctlError('USAGE', 'The registry URL contains a password; init writes files, and a password must not be in them.', {
      hint: `Pass the URL without it (postgres://${url.username || 'user'}@${url.host}${url.pathname}); the deployment takes the full URL from ${envName(GLOBAL_CONFIG_OPTIONS.registry.flags)} in its secret environment.`,
    });
  }
}

export function deploySettings(o: DeployOptions): DeploySettings {
  assertModelName(o.model);
  if (o.alias !== undefined) assertAliasName(o.alias);
  assertNoPassword(o.registry);
  const appDir = o.appDir ?? DEFAULTS.appDir!;
  if (!path.posix.isAbsolute(appDir) || /\s/.test(appDir)) {
    throw new MlctlError('USAGE', `--app-dir must be an absolute path on the server, without spaces, got "${appDir}".`, {
      hint: 'For example --app-dir /srv/mlctl.',
    });
  }
  const hosts = o.hosts ?? ['127.0.0.1'];
  for (const h of hosts) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/.test(h)) {
      throw new MlctlError('USAGE', `--hosts: "${h}" is not a host name or address.`, {
        hint: 'For example --hosts 10.0.0.11,10.0.0.12 (IPv6 in brackets).',
      });
    }
  }
  const listen = o.listen ?? DEFAULTS.listen!;
  if (!/^(\S+:)?\d{1,5}$/.test(listen)) {
    throw new MlctlError('USAGE', `--listen must be a port or address:port, got "${listen}".`, {
      hint: 'For example --listen 80 or --listen 127.0.0.1:8000.',
    });
  }
  if (!isRegistryUrl(o.registry) && /\s/.test(o.registry)) {
    throw new MlctlError(
      'USAGE',
      `The registry folder "${o.registry}" contains a space, which the recipes' command lines and unit settings cannot carry.`,
      {
        hint: 'Use a registry folder without spaces.',
      },
    );
  }
  const port = o.port ?? DEFAULTS.port!;
  const replicas = o.replicas ?? DEFAULTS.replicas!;
  if (port + replicas - 1 > 65535) {
    throw new MlctlError('USAGE', `--port ${port} with --replicas ${replicas} runs past port 65535.`, { hint: 'Use a lower --port.' });
  }
  return {
    model: o.model,
    alias: o.alias ?? null,
    registry: isRegistryUrl(o.registry)
      ? { kind: 'url', url: o.registry }
      : { kind: 'folder', path: path.posix.resolve(appDir, o.registry) },
    replicas,
    hosts,
    port,
    workers: o.workers ?? DEFAULTS.workers!,
    bodyLimit: o.bodyLimit ?? DEFAULTS.bodyLimit!,
    drainTimeoutMs: o.drainTimeout ?? DEFAULTS.drainTimeout!,
    listen,
    appDir: appDir.replace(/\/+$/, '') || '/',
    image: o.image ?? `mlctl-${k8sName(o.model).slice('mlctl-'.length)}:latest`,
  };
}

/** "10s", "1500ms", "2m": how serve's duration flags take milliseconds. */
export function durationText(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** nginx's size syntax: 1m, 512k or bytes. */
export function nginxSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}m`;
  return bytes % 1024 === 0 ? `${bytes / 1024}k` : String(bytes);
}

/** A DNS-1123 name for Kubernetes objects: mlctl-<model>. */
export function k8sName(model: string): string {
  return `mlctl-${model.replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

const flag = (key: keyof typeof SERVE_OPTIONS) => `--${longFlag(SERVE_OPTIONS[key].flags)}`;
const TOKEN_ENV = envName(SERVE_OPTIONS.token.flags);
const REGISTRY_ENV = envName(GLOBAL_CONFIG_OPTIONS.registry.flags);
const seconds = (ms: number) => Math.ceil(ms / 1000);

/** `mlctl serve …` arguments for one replica (`port` may be systemd's `%i`). */
export function serveArgs(s: DeploySettings, host: string, port: string): string[] {
  return [
    'serve',
    s.model,
    ...(s.alias !== null ? ['--alias', s.alias] : []),
    flag('host'),
    host,
    flag('port'),
    port,
    flag('workers'),
    String(s.workers),
    flag('bodyLimit'),
    String(s.bodyLimit),
    flag('drainTimeout'),
    durationText(s.drainTimeoutMs),
    flag('keepAliveTimeout'),
    durationText(SERVE_OPTIONS.keepAliveTimeout.default!),
  ];
}

/** The variables the recipes take from a secret environment, never from a file init writes. */
export function secretEnvNames(s: DeploySettings): string[] {
  return s.registry.kind === 'url' ? [TOKEN_ENV, REGISTRY_ENV] : [TOKEN_ENV];
}

async function template(name: string, values: Record<string, string | number>): Promise<string> {
  const text = await readFile(path.join(DEPLOY_TEMPLATES_DIR, name), 'utf8');
  const value = (whole: string, key: string): string => {
    if (!(key in values)) throw new Error(`templates/deploy/${name}: no value for ${whole}`);
    return String(values[key]);
  };
  return text
    .split('\n')
    .filter((line) => {
      const only = /^\s*(\{\{(\w+)\}\})\s*$/.exec(line);
      return !(only && value(only[1], only[2]) === ''); // a block left empty leaves no blank line
    })
    .join('\n')
    .replace(/\{\{(\w+)\}\}/g, value);
}

/** The nginx upstream servers: each host, at --port and the next replicas-1 ports. */
export function upstreamServers(s: DeploySettings): string[] {
  const out: string[] = [];
  for (const host of s.hosts) for (let i = 0; i < s.replicas; i++) out.push(`${host}:${s.port + i}`);
  return out;
}

export async function renderNginx(s: DeploySettings): Promise<DeployFile> {
  const servers = upstreamServers(s);
  const keepAliveS = seconds(SERVE_OPTIONS.keepAliveTimeout.default!);
  const requestS = seconds(SERVE_OPTIONS.requestTimeout.default!);
  const content = await template('nginx.conf', {
    model: s.model,
    replica_count: servers.length,
    upstream: `mlctl_${s.model.replace(/[^a-z0-9_]/g, '_')}`,
    servers: servers.map((a) => `    server ${a} max_fails=3 fail_timeout=10s;`).join('\n'),
    serve_keepalive: durationText(SERVE_OPTIONS.keepAliveTimeout.default!),
    keepalive_timeout: `${Math.max(1, keepAliveS - 1)}s`,
    listen: s.listen,
    body_limit: s.bodyLimit,
    client_max_body_size: nginxSize(s.bodyLimit),
    token_env: TOKEN_ENV,
    tries: Math.min(servers.length, 3),
    serve_request_timeout: durationText(SERVE_OPTIONS.requestTimeout.default!),
    read_timeout: `${requestS + 5}s`,
  });
  return { path: `deploy/nginx/mlctl-${s.model}.conf`, content, purpose: `nginx upstream over ${servers.length} replicas` };
}

export async function renderSystemd(s: DeploySettings): Promise<DeployFile[]> {
  const unit = `mlctl-${s.model}@.service`;
  const envExample = `mlctl-${s.model}.env.example`;
  const envFile = `/etc/mlctl/mlctl-${s.model}.env`;
  // nginx on the same machine reaches the replicas on loopback; on other machines they must listen on all interfaces
  const host = s.hosts.every((h) => h === '127.0.0.1' || h === 'localhost') ? '127.0.0.1' : '0.0.0.0';
  const ports = Array.from({ length: s.replicas }, (_, i) => s.port + i);
  const underHome = /^\/(home|root|run\/user)(\/|$)/.test(s.appDir);
  const common = { model: s.model, unit, env_file: envFile };
  const service = await template('systemd.service', {
    ...common,
    env_example: envExample,
    app_dir: s.appDir,
    instances: ports.map((p) => `mlctl-${s.model}@${p}`).join(' '),
    drain: durationText(s.drainTimeoutMs),
    stop_timeout: seconds(s.drainTimeoutMs) + STOP_MARGIN_SECONDS,
    secret_envs: secretEnvNames(s).join(', '),
    exec_start: [path.posix.join(s.appDir, 'node_modules/.bin/mlctl'), ...serveArgs(s, host, '%i')].join(' '),
    read_write_paths: s.registry.kind === 'folder' ? `ReadWritePaths=${s.registry.path}` : '',
    protect_home: underHome ? 'read-only' : 'yes',
  });
  const env = await template('systemd.env', {
    ...common,
    token_env: TOKEN_ENV,
    registry_env:
      s.registry.kind === 'url'
        ? `\n# The registry with its password (the config file names it without one), e.g.\n# ${REGISTRY_ENV}=${exampleUrl(s.registry.url)}\n${REGISTRY_ENV}=\n`
        : '',
  });
  return [
    { path: `deploy/systemd/${unit}`, content: service, purpose: `systemd unit, one instance per replica (ports ${ports.join(', ')})` },
    {
      path: `deploy/systemd/${envExample}`,
      content: env,
      purpose: `its EnvironmentFile (${secretEnvNames(s).join(', ')}), without values`,
    },
  ];
}

/** The registry URL with a placeholder where its password goes. */
function exampleUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.username || 'user'}:PASSWORD@${u.host}${u.pathname}${u.search}`;
}

export async function renderKubernetes(s: DeploySettings): Promise<DeployFile[]> {
  const name = k8sName(s.model);
  const secret = name;
  const drainS = seconds(s.drainTimeoutMs);
  const envLines = secretEnvNames(s).flatMap((v) => [
    `            - name: ${v}`,
    '              valueFrom:',
    '                secretKeyRef:',
    `                  name: ${secret}`,
    `                  key: ${v}`,
  ]);
  const folder = s.registry.kind === 'folder' ? s.registry.path : null;
  const startupSeconds = 120;
  const deployment = await template('kubernetes-deployment.yaml', {
    model: s.model,
    name,
    app_dir: s.appDir,
    replicas: s.replicas,
    pre_stop: PRE_STOP_SECONDS,
    drain: durationText(s.drainTimeoutMs),
    drain_seconds: drainS,
    margin: STOP_MARGIN_SECONDS,
    grace: PRE_STOP_SECONDS + drainS + STOP_MARGIN_SECONDS,
    image: JSON.stringify(s.image),
    command: JSON.stringify([path.posix.join(s.appDir, 'node_modules/.bin/mlctl')]),
    args: JSON.stringify(serveArgs(s, '0.0.0.0', String(s.port))),
    port: s.port,
    env: envLines.join('\n'),
    live_path: HEALTH_ROUTES.live,
    ready_path: HEALTH_ROUTES.ready,
    startup_seconds: startupSeconds,
    startup_failures: startupSeconds / 2,
    cpu: `${500 * s.workers}m`,
    memory_request: `${256 * s.workers}Mi`,
    memory_limit: `${512 * s.workers}Mi`,
    registry_mount: folder
      ? [
          '            # the registry folder: mlctl serve only reads it (new versions and alias moves are followed)',
          '            - name: registry',
          `              mountPath: ${JSON.stringify(folder)}`,
          '              readOnly: true',
        ].join('\n')
      : '',
    registry_volume: folder
      ? [
          '        # a volume holding the registry that the publishing side (CI, mlctl train) writes;',
          '        # drop it and the mount when the image contains the registry',
          '        - name: registry',
          '          persistentVolumeClaim:',
          `            claimName: ${name}-registry`,
          '            readOnly: true',
        ].join('\n')
      : '',
  });
  const service = await template('kubernetes-service.yaml', { name, port: s.port });
  const secretData = secretEnvNames(s).map((v) => `  ${v}: ""`);
  const secretYaml = await template('kubernetes-secret.yaml', {
    name,
    secret,
    token_env: TOKEN_ENV,
    registry_literal: s.registry.kind === 'url' ? ` \\\n#     --from-literal=${REGISTRY_ENV}='${exampleUrl(s.registry.url)}'` : '',
    secret_data: secretData.join('\n'),
  });
  return [
    {
      path: 'deploy/kubernetes/deployment.yaml',
      content: deployment,
      purpose: `Kubernetes Deployment (${s.replicas} replicas, probes on ${HEALTH_ROUTES.ready} and ${HEALTH_ROUTES.live})`,
    },
    { path: 'deploy/kubernetes/service.yaml', content: service, purpose: 'Kubernetes Service' },
    {
      path: 'deploy/kubernetes-secret.example.yaml',
      content: secretYaml,
      purpose: `Kubernetes Secret example (${secretEnvNames(s).join(', ')}), without values`,
    },
  ];
}

/** The recipe files for a target (nothing is written). */
export async function renderDeploy(options: DeployOptions): Promise<DeployFile[]> {
  const s = deploySettings(options);
  const t = options.target;
  const out: DeployFile[] = [];
  if (t === 'nginx' || t === 'all') out.push(await renderNginx(s));
  if (t === 'systemd' || t === 'all') out.push(...(await renderSystemd(s)));
  if (t === 'kubernetes' || t === 'all') out.push(...(await renderKubernetes(s)));
  return out;
}
