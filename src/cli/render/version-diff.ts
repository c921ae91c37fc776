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
    return [c.key, clip(formatValue(c.a)), clip(formatValue(c.b)), delta];
  });
  return `${title}\n${table(['FIELD', `v${result.a}`, `v${result.b}`, 'CHANGE'], rows, s)}\n${s.dim(`${result.same} other fields equal`)}`;
}

/** Long values (per-class lists, per-tensor reports) are cut in the terminal; --json has them whole. */
const MAX_CELL = 60;
function clip(text: string): string {
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}
