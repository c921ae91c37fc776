/** Human rendering of `mlctl version show`. */
import type { ShowVersionResult } from '../../lifecycle/show-version.js';
import type { Style } from '../output.js';
import { renderSearch } from './tune.js';
import { formatBytes, formatDate, formatDuration, formatValue, table } from './format.js';
import { plural } from '../../vocabulary.js';

/** Label/value lines with the labels in one column, at least two spaces before every value. */
function keyValues(pairs: [string, unknown][], s: Style, indent = ''): string[] {
  const width = Math.max(0, ...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, v]) => `${indent}${s.dim(k.padEnd(width))}${formatValue(v)}`);
}

export function renderShowVersion(result: ShowVersionResult, s: Style): string {
  const r = result.record;
  const lines: string[] = [];
  const head: [string, unknown][] = [];
  const field = (label: string, value: unknown): void => {
    head.push([label, value]);
  };
  lines.push(s.bold(`${r.model} v${r.version}`) + (result.aliases.length ? `  ${s.cyan(result.aliases.join(', '))}` : ''));
  field('operation', r.operation);
  field('parent', r.parent);
  field('created', formatDate(r.createdAt));
  if (r.durationMs !== null) field('duration', formatDuration(r.durationMs));
  field('backend', r.backend);
  field('tfjs / mlctl', `${r.tfjsVersion ?? '-'} / ${r.mlctlVersion}`);
  if (r.seed !== undefined) field('seed', r.seed);
  if (r.dataset) field('dataset', `${r.dataset.path} (${plural(r.dataset.rows, 'row')}, sha256 ${r.dataset.sha256.slice(0, 12)}…)`);
  const target = r.target;
  if (target) field('target', `${target.name} (${target.task}${target.task === 'classification' ? `: ${target.classes.join(', ')}` : ''})`);
  if (r.signature) {
    field('features', r.signature.features.map((f) => `${f.name} (${f.type === 'datetime' ? f.kind : f.type})`).join(', '));
  }
  if (r.source) field('source', r.source.path);
  field('directory', result.dir);
  lines.push(...keyValues(head, s));
  const metrics = r.metrics;
  if (metrics) {
    const scalar = Object.entries(metrics).filter(([, v]) => typeof v === 'number');
    if (scalar.length) {
      lines.push('', s.bold('metrics (test split)'));
      lines.push(...keyValues(scalar, s, '  '));
    }
  }
  if (r.hyperparameters) {
    lines.push('', s.bold('hyperparameters'));
    lines.push(...keyValues(Object.entries(r.hyperparameters), s, '  '));
  }
  if (r.search) {
    lines.push('', s.bold(`search (${r.search.metric}, ${r.search.strategy})`));
    lines.push(...renderSearch(r.search, s));
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
