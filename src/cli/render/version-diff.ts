/** Human rendering of `mlctl version diff`. */
import type { DiffVersionsResult } from '../../lifecycle/diff-versions.js';
import type { Style } from '../output.js';
import { formatValue, table } from './format.js';

export function renderDiff(result: DiffVersionsResult, s: Style): string {
  const title = s.bold(`${result.model}: v${result.a} → v${result.b}`);
  if (result.changes.length === 0) return `${title}\n${s.dim(`no differences (${result.same} fields compared)`)}`;
  const rows = result.changes.map((c) => {
    let delta = '';
    if (c.delta !== undefined && c.delta !== 0) {
      const text = `${c.delta > 0 ? '+' : ''}${formatValue(c.delta)}`;
      delta = c.delta > 0 ? s.green(text) : s.red(text);
    }
    return [c.key, formatValue(c.a), formatValue(c.b), delta];
  });
  return `${title}\n${table(['FIELD', `v${result.a}`, `v${result.b}`, 'CHANGE'], rows, s)}\n${s.dim(`${result.same} other fields equal`)}`;
}
