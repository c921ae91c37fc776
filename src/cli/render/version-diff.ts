/** Human rendering of `mlctl version diff`: changed fields, then per-class metrics and signature changes as their own small tables. */
import type { DiffVersionsResult } from '../../lifecycle/diff-versions.js';
import type { Style } from '../output.js';
import { formatMetric, formatValue, table } from './format.js';

/** A confusion matrix on one line ("10 0 0 | 0 3 7 | 0 1 9"); other values as formatValue does. */
function cell(value: unknown): string {
  if (Array.isArray(value) && value.length > 0 && value.every((r) => Array.isArray(r))) {
    return (value as unknown[][]).map((r) => r.join(' ')).join(' | ');
  }
  if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) return `${value.slice(0, 12)}…`;
  return formatValue(value);
}

export function renderDiff(result: DiffVersionsResult, s: Style): string {
  const title = s.bold(`${result.model}: v${result.a} → v${result.b}`);
  if (result.changes.length === 0 && !result.perClass && !result.signature) {
    return `${title}\n${s.dim(`no differences (${result.same} fields compared)`)}`;
  }
  const out = [title];
  if (result.changes.length > 0) {
    const rows = result.changes.map((c) => {
      let delta = '';
      if (c.delta !== undefined && c.delta !== 0) {
        const text = `${c.delta > 0 ? '+' : ''}${formatValue(c.delta)}`;
        delta = c.delta > 0 ? s.green(text) : s.red(text);
      }
      return [c.key, clip(cell(c.a)), clip(cell(c.b)), delta];
    });
    out.push(table(['FIELD', `v${result.a}`, `v${result.b}`, 'CHANGE'], rows, s));
  }
  if (result.perClass) {
    const pair = (a: number | undefined, b: number | undefined, int = false): string => {
      const f = (x: number | undefined) => (x === undefined ? '-' : int ? String(x) : formatMetric(x));
      return a === b ? f(a) : `${f(a)} → ${f(b)}`;
    };
    const rows = result.perClass.map((c) => [
      c.label,
      pair(c.a?.precision, c.b?.precision),
      pair(c.a?.recall, c.b?.recall),
      pair(c.a?.f1, c.b?.f1),
      pair(c.a?.support, c.b?.support, true),
    ]);
    out.push('', s.bold('per class (test split)'), table(['CLASS', 'PRECISION', 'RECALL', 'F1', 'SUPPORT'], rows, s));
  }
  if (result.signature) {
    const sig = result.signature;
    const rows: string[][] = [
      ...sig.added.map((n) => [s.green('+ added'), n, '']),
      ...sig.dropped.map((n) => [s.red('- dropped'), n, '']),
      ...sig.retyped.map((r) => ['~ retyped', r.name, `${r.a} → ${r.b}`]),
    ];
    out.push('', s.bold('input features'), table(['CHANGE', 'FEATURE', 'TYPE'], rows, s));
  }
  out.push(s.dim(`${result.same} other fields equal`));
  return out.join('\n');
}

/** Long values (per-class lists, per-tensor reports) are cut in the terminal; --json has them whole. */
const MAX_CELL = 60;
function clip(text: string): string {
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}
