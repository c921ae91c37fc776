/** The start-up line of `mlctl serve`: URL, models and versions, backend, fast path, batching, workers. */
import type { ServedModelInfo } from '../../serve/start-server.js';
import type { VersionPolicy } from '../../serve/registry-source.js';
import type { Style } from '../output.js';

export interface ServeStartup {
  url: string;
  /** with --grpc-port: grpc://host:port of the Open Inference Protocol gRPC service */
  grpc?: string;
  pid: number;
  workers: number;
  /** with --workers N: the worker processes at start-up */
  workerPids?: number[];
  watching: boolean;
  policy: VersionPolicy;
  auth: boolean;
  models: ServedModelInfo[];
}

function policyText(p: VersionPolicy): string {
  return p.kind === 'latest' ? 'latest' : p.kind === 'alias' ? `alias ${p.alias}` : `pinned v${p.version}`;
}

export function renderServeStartup(r: ServeStartup, s: Style): string {
  const lines = [`${s.green('✔')} Serving at ${s.bold(r.url)} (${policyText(r.policy)}${r.watching ? ', watching for changes' : ''})`];
  if (r.grpc) lines.push(`  gRPC (Open Inference Protocol v2) at ${s.bold(r.grpc)}`);
  for (const m of r.models) {
    lines.push(
      `  ${s.bold(`${m.model} v${m.version}`)} · backend ${m.backend} · fast path ${m.fastPath.enabled ? 'on' : 'off'} (${m.fastPath.reason}) · batching ${m.batching.enabled ? 'on' : 'off'}`,
    );
  }
  lines.push(
    `  workers ${r.workers} · auth ${r.auth ? 'bearer token' : 'none'} · try: curl -s ${r.url}/predict -H 'content-type: application/json' -d '{"input_data": [...]}'`,
  );
  return lines.join('\n');
}
