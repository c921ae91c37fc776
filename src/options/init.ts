/** `mlctl init`'s flags: what to scaffold. Flags choose; init never asks. */
import { CONFIG_FORMATS } from '../config/config-file.js';
import { GLOBAL_CONFIG_OPTIONS } from './global.js';
import { SERVE_OPTIONS } from './serve.js';
import { booleanKind, choiceKind, integerKind, nameListKind, option, textKind, type OptionValues } from './spec.js';

export const CI_TARGETS = ['github', 'gitlab', 'all'] as const;
export type CiTarget = (typeof CI_TARGETS)[number];

export const DEPLOY_TARGETS = ['nginx', 'systemd', 'kubernetes', 'all'] as const;
export type DeployTarget = (typeof DEPLOY_TARGETS)[number];

/** A serve setting a deployment recipe passes on: serve's own spec (flag, kind, default), init-only. */
const fromServe = <K extends keyof typeof SERVE_OPTIONS>(key: K, description: string) =>
  ({ ...SERVE_OPTIONS[key], description, env: false, config: false }) as (typeof SERVE_OPTIONS)[K];

export const INIT_OPTIONS = {
  format: option('--format <format>', 'config file format: yaml (mlctl.config.yaml) or js (mlctl.config.mjs)', choiceKind(CONFIG_FORMATS), {
    default: 'yaml',
    config: false,
  }),
  model: { ...GLOBAL_CONFIG_OPTIONS.model, env: false, config: false },
  gitignore: option('--gitignore', 'add the registry folder to .gitignore (the registry is build output, not source)', booleanKind, {
    config: false,
  }),
  ci: option(
    '--ci <provider>',
    'also write an example CI pipeline: github (.github/workflows/mlctl.yml), gitlab (.gitlab-ci.yml) or all',
    choiceKind(CI_TARGETS),
    {
      config: false,
    },
  ),
  deploy: option(
    '--deploy <target>',
    'also write a deployment recipe (deploy/): nginx (upstream over the replicas), systemd (one unit per replica), kubernetes (Deployment, Service, Secret example) or all',
    choiceKind(DEPLOY_TARGETS),
    { config: false },
  ),
  replicas: option(
    '--replicas <n>',
    'deploy: serving processes (nginx upstream servers per host, systemd instances, Kubernetes replicas; default 2)',
    integerKind({ min: 1, max: 64 }),
    {
      default: 2,
      config: false,
    },
  ),
  hosts: option(
    '--hosts <names>',
    'deploy: the machines nginx spreads over (comma-separated; default 127.0.0.1, nginx on the same machine)',
    nameListKind,
    {
      config: false,
    },
  ),
  alias: option('--alias <name>', 'deploy: serve the version this alias points to (default: the latest version)', textKind, {
    config: false,
  }),
  port: {
    ...fromServe(
      'port',
      `deploy: the port mlctl serve listens on (default ${SERVE_OPTIONS.port.default}; replicas on one host count up from it)`,
    ),
    kind: integerKind({ min: 1, max: 65535 }),
  },
  workers: fromServe('workers', `deploy: mlctl serve --workers per replica (default ${SERVE_OPTIONS.workers.default})`),
  bodyLimit: fromServe('bodyLimit', "deploy: mlctl serve --body-limit (default: serve's), and nginx's client_max_body_size"),
  drainTimeout: fromServe(
    'drainTimeout',
    "deploy: mlctl serve --drain-timeout (default: serve's); systemd and Kubernetes wait longer than it before killing",
  ),
  listen: option('--listen <[address:]port>', 'deploy: where nginx listens (default 80)', textKind, { default: '80', config: false }),
  appDir: option(
    '--app-dir <dir>',
    'deploy: the project folder on the server (systemd WorkingDirectory, container workingDir; default /srv/mlctl)',
    textKind,
    {
      default: '/srv/mlctl',
      config: false,
    },
  ),
  image: option('--image <ref>', 'deploy: the container image (node, this project after npm ci; default mlctl-<model>:latest)', textKind, {
    config: false,
  }),
  force: option('--force', 'overwrite files that already exist', booleanKind, { config: false }),
} as const;

export type InitFlags = Partial<OptionValues<typeof INIT_OPTIONS>>;
