/** Human rendering of `mlctl version show`. */
import type { ShowVersionResult } from '../../lifecycle/show-version.js';
import type { Style } from '../output.js';
import { formatBytes, formatDate, formatDuration, formatValue, table } from './format.js';

export function renderShowVersion(result: ShowVersionResult, s: Style): string {
  const r = result.record;
  const lines: string[] = [];
  const field = (label: string, value: unknown): void => {
    lines.push(`${s.dim(label.padEnd(14))}${formatValue(value)}`);
  };
  lines.push(s.bold(`${r.model} v${r.version}`) + (result.aliases.length ? `  ${s.cyan(result.aliases.join(', '))}` : ''));
  field('operation', r.operation);
  field('parent', r.parent);
  field('created', formatDate(r.createdAt));
  if (r.durationMs !== null) field('duration', formatDuration(r.durationMs));
  field('backend', r.backend);
  field('tfjs / mlctl', `${r.tfjsVersion ?? '-'} / ${r.mlctlVersion}`);
  if (r.seed !== undefined) field('seed', r.seed);
  if (r.dataset) field('dataset', `${r.dataset.path} (${r.dataset.rows} rows, sha256 ${r.dataset.sha256.slice(0, 12)}…)`);
  const target = r.target;
  if (target) field('target', `${target.name} (${target.task}${target.task === 'classification' ? `: ${target.classes.join(', ')}` : ''})`);
  if (r.source) field('source', r.source.path);
  field('directory', result.dir);
  const metrics = r.metrics;
  if (metrics) {
    const scalar = Object.entries(metrics).filter(([, v]) => typeof v === 'number');
    if (scalar.length) {
      lines.push('', s.bold('metrics (test split)'));
      for (const [k, v] of scalar) lines.push(`  ${k.padEnd(12)}${formatValue(v)}`);
    }
  }
  if (r.hyperparameters) {
    lines.push('', s.bold('hyperparameters'));
    for (const [k, v] of Object.entries(r.hyperparameters)) lines.push(`  ${k.padEnd(14)}${formatValue(v)}`);
  }
  lines.push('', s.bold('files'));
  lines.push(
    table(
      ['FILE', 'BYTES', 'GZIP', 'SHA256'],
      r.files.map((f) => [f.path, formatBytes(f.bytes), formatBytes(f.gzipBytes), f.sha256.slice(0, 16)]),
      s,
    ),
  );
  return lines.join('\n');
}
