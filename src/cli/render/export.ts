/** Human rendering of `mlctl export`. */
import type { ExportResult } from '../../lifecycle/export.js';
import type { Style } from '../output.js';
import { formatBytes, table } from './format.js';

export function renderExport(r: ExportResult, s: Style): string {
  return [
    `${s.green('✔')} ${s.bold(`${r.model} v${r.version}`)} exported to ${r.out}${r.replaced ? s.dim(' (replaced)') : ''}`,
    table(
      ['FILE', 'SIZE'],
      r.files.map((f) => [f.path, formatBytes(f.bytes)]),
      s,
    ),
  ].join('\n');
}
