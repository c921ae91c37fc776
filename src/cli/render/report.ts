/** Human summary of `mlctl report`. */
import path from 'node:path';
import type { ReportResult } from '../../report/report.js';
import { SECTIONS } from '../../report/report-html.js';
import type { Style } from '../output.js';
import { formatBytes } from './format.js';

export function renderReport(r: ReportResult, s: Style): string {
  const shown = path.relative(process.cwd(), r.path) || r.path;
  const what = r.sections.map((id) => SECTIONS[id].toLowerCase()).join(', ');
  return [
    `${s.green('✔')} ${s.bold(`${r.model} v${r.version}`)} report written to ${s.bold(shown.startsWith('..') ? r.path : shown)} ${s.dim(`(${formatBytes(r.bytes)}, ${r.charts} charts)`)}`,
    s.dim(`  sections  ${what}${r.compare !== null ? ` (v${r.compare} side by side)` : ''}`),
  ].join('\n');
}
