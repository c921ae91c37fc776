/** Human rendering of `mlctl version list`: one table per model, lineage drawn as a tree. */
import type { ListVersionsResult } from '../../lifecycle/list-versions.js';
import { lineageOrder } from '../../lifecycle/list-versions.js';
import type { Style } from '../output.js';
import { formatBytes, formatDate, formatMetric, table } from './format.js';

export function renderVersionList(result: ListVersionsResult, s: Style): string {
  if (result.models.length === 0) {
    return s.dim(`No models in ${result.registry} yet. Train one with "mlctl train iris".`);
  }
  const blocks: string[] = [];
  for (const model of result.models) {
    const count = model.versions.length;
    const header = `${s.bold(model.name)}  ${s.dim(`${count} version${count === 1 ? '' : 's'}${model.latest !== null ? `, latest ${model.latest}` : ''}`)}`;
    if (count === 0) {
      blocks.push(`${header}\n${s.dim('  (no versions)')}`);
      continue;
    }
    const rows = lineageOrder(model.versions).map(({ summary: v, depth, last }) => {
      const branch = depth === 0 ? '' : `${'  '.repeat(depth - 1)}${last ? '└─ ' : '├─ '}`;
      if (v.error) return [`${s.dim(branch)}${v.version}`, v.aliases.join(', '), s.red('unreadable'), '-', '-', '-', '-'];
      return [
        `${s.dim(branch)}${v.version}`,
        v.aliases.length ? s.cyan(v.aliases.join(', ')) : '',
        v.operation ?? '-',
        v.parent ?? '-',
        v.metric ? `${v.metric.name} ${formatMetric(v.metric.value)}` : '-',
        `${formatBytes(v.bytes)} (${formatBytes(v.gzipBytes)} gz)`,
        formatDate(v.createdAt),
      ];
    });
    const broken = model.versions.filter((v) => v.error).map((v) => s.red(`  v${v.version}: ${v.error}`));
    blocks.push(
      `${header}\n${table(['VERSION', 'ALIASES', 'OPERATION', 'PARENT', 'METRIC', 'SIZE', 'CREATED'], rows, s)}${broken.length ? `\n${broken.join('\n')}` : ''}`,
    );
  }
  return blocks.join('\n\n');
}
