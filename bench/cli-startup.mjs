#!/usr/bin/env node
// npm run bench:cli — how fast do commands that need no tensors start?
// Times `mlctl version list --json` on a registry of 200 versions against `node -e 0`, interleaved
// in the same run (this machine is noisy), and prints the ratio of medians. Target: ≤ 2.5×.
// Usage: node bench/cli-startup.mjs [--rounds 15] [--versions 200]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('rounds', 15);
const versionCount = arg('versions', 200);

const { Registry } = await import(path.join(root, 'dist/registry/registry.js'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlctl-bench-cli-'));
const registryDir = path.join(tmp, 'registry');
const registry = new Registry(registryDir);
const modelJson = JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] });
const started = Date.now();
for (let i = 0; i < versionCount; i++) {
  await registry.publishVersion('bench', {
    writeFiles: async (dir) => {
      writeFileSync(path.join(dir, 'model.json'), modelJson);
      writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(1024 + i));
    },
    buildRecord: (version, files) => ({
      schema: 1,
      model: 'bench',
      version,
      createdAt: new Date().toISOString(),
      operation: 'train',
      parent: version > 1 ? version - 1 : null,
      files,
      mlctlVersion: '0',
      tfjsVersion: '4.22.0',
      backend: 'wasm',
      durationMs: 1,
      metrics: { accuracy: 0.9 + (version % 10) / 100 },
    }),
  });
}
console.error(`registry of ${versionCount} versions built in ${Date.now() - started} ms`);

const time = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: tmp, encoding: 'utf8', env: { ...process.env, MLCTL_REGISTRY: registryDir } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
};

// check the command really lists all versions
const check = JSON.parse(time(process.execPath, [path.join(root, 'bin/mlctl.js'), 'version', 'list', '--json']).stdout);
if (check.models[0].versions.length !== versionCount) throw new Error('version list did not list every version');

const node = [];
const mlctl = [];
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? ['node', 'mlctl'] : ['mlctl', 'node'];
  for (const which of order) {
    if (which === 'node') node.push(time(process.execPath, ['-e', '0']).ms);
    else mlctl.push(time(process.execPath, [path.join(root, 'bin/mlctl.js'), 'version', 'list', '--json']).ms);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const result = {
  benchmark: 'cli-startup',
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  versions: versionCount,
  rounds,
  nodeMs: { median: median(node), min: Math.min(...node), max: Math.max(...node) },
  mlctlVersionListMs: { median: median(mlctl), min: Math.min(...mlctl), max: Math.max(...mlctl) },
  ratio: median(mlctl) / median(node),
  target: 2.5,
};
rmSync(tmp, { recursive: true, force: true });
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/cli-startup.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `node -e 0                         median ${result.nodeMs.median.toFixed(1)} ms (min ${result.nodeMs.min.toFixed(1)}, max ${result.nodeMs.max.toFixed(1)})`,
);
console.log(
  `mlctl version list --json (${versionCount} v) median ${result.mlctlVersionListMs.median.toFixed(1)} ms (min ${result.mlctlVersionListMs.min.toFixed(1)}, max ${result.mlctlVersionListMs.max.toFixed(1)})`,
);
console.log(`ratio ${result.ratio.toFixed(2)}× (target ≤ ${result.target}×) over ${rounds} interleaved rounds`);
process.exitCode = result.ratio <= result.target ? 0 : 1;
