/** Human rendering of `mlctl evaluate`: headline metrics, per-class table, confusion matrix, gates. */
import type { EvaluateResult } from '../../lifecycle/evaluate.js';
import type { Style } from '../output.js';
import { renderConfusionMatrix } from './confusion-matrix.js';
import { formatMetric, table } from './format.js';
import { plural } from '../../vocabulary.js';

export function renderEvaluate(r: EvaluateResult, s: Style): string {
  const lines: string[] = [];
  const where = r.data.source === 'test-split' ? 'its held-out test split' : r.data.path;
  lines.push(s.bold(`${r.model} v${r.version}`) + s.dim(` on ${where} (${plural(r.data.rows, 'row')}, ${r.backend} backend)`));
  const m = r.metrics;
  if (m.task === 'classification') {
    lines.push(
      `accuracy ${s.bold(formatMetric(m.accuracy))}   macro F1 ${s.bold(formatMetric(m.macroF1))}   macro precision ${formatMetric(m.macroPrecision)}   macro recall ${formatMetric(m.macroRecall)}`,
    );
    lines.push('');
    lines.push(
      table(
        ['CLASS', 'PRECISION', 'RECALL', 'F1', 'SUPPORT'],
        m.perClass.map((c) => [c.label, formatMetric(c.precision), formatMetric(c.recall), formatMetric(c.f1), c.support]),
        s,
      ),
    );
    lines.push('');
    lines.push(s.dim('confusion matrix (rows: true class, columns: predicted; [diagonal] = correct)'));
    lines.push(renderConfusionMatrix(m.labels, m.confusionMatrix, s));
  } else {
    lines.push(`MAE ${s.bold(formatMetric(m.mae))}   RMSE ${s.bold(formatMetric(m.rmse))}   R² ${s.bold(formatMetric(m.r2))}`);
  }
  if (r.gates.length) {
    lines.push('');
    for (const g of r.gates) {
      const cmp = g.gate.startsWith('--min') ? '≥' : '≤';
      lines.push(
        g.passed
          ? `${s.green('✔')} ${g.metric} ${formatMetric(g.value)} ${cmp} ${g.threshold} (${g.gate})`
          : `${s.red('✖')} ${g.metric} ${formatMetric(g.value)} fails ${g.gate} ${g.threshold} by ${formatMetric(g.shortBy)}`,
      );
    }
  }
  return lines.join('\n');
}
