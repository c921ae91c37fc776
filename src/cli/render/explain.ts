/**
 * Human rendering of `mlctl explain`: importance as a ranked table with a bar per column;
 * attributions per row as a table of raw columns (largest share first, signed bars) and the
 * completeness check (Σ attributions against prediction − baseline prediction).
 */
import type { AttributionsResult, ExplainResult, ImportanceResult } from '../../lifecycle/explain.js';
import type { Style } from '../output.js';
import { formatMetric, formatValue, table } from './format.js';
import { horizontalBar } from './sparkline.js';
import { plural } from '../../vocabulary.js';

export function renderExplain(r: ExplainResult, s: Style): string {
  return r.kind === 'importance' ? renderImportance(r, s) : renderAttributions(r, s);
}

const signed = (v: number): string => (v >= 0 ? '+' : '') + formatMetric(v);

function renderImportance(r: ImportanceResult, s: Style): string {
  const imp = r.importance;
  const where = imp.data.source === 'test-split' ? 'its held-out test split' : imp.data.path;
  const lines = [
    s.bold(`${r.model} v${r.version}`) +
      s.dim(` permutation importance on ${where} (${plural(imp.data.rows, 'row')}, ${r.backend} backend)`),
    `${imp.metric} ${s.bold(formatMetric(imp.score))} as is; how much it ${imp.higherIsBetter ? 'drops' : 'rises'} when each column is shuffled, mean ± std over ${plural(imp.repeats, 'repeat')} (seed ${imp.seed})`,
    '',
  ];
  const max = Math.max(0, ...imp.features.map((f) => f.mean));
  lines.push(
    table(
      ['#', 'COLUMN', 'DROP', '± STD', ''],
      imp.features.map((f, i) => [
        i + 1,
        f.feature,
        signed(f.mean),
        formatMetric(f.std),
        // within noise of zero: dim
        f.mean > 2 * f.std ? s.cyan(horizontalBar(f.mean, max)) : s.dim(horizontalBar(f.mean, max) || '·'),
      ]),
      s,
    ),
  );
  if (r.stored) lines.push('', s.dim(`Stored in ${r.stored} (mlctl report shows it).`));
  return lines.join('\n');
}

function renderAttributions(r: AttributionsResult, s: Style): string {
  const where = r.data.source === 'test-split' ? 'the held-out test split' : r.data.path;
  const unit = r.unit === 'probability' ? 'probability of the predicted class' : 'predicted value';
  const baseline =
    r.baseline === 'training-means'
      ? 'the training means'
      : r.baseline === 'zeros'
        ? 'all zeros (no training statistics)'
        : 'the signature';
  const lines = [
    s.bold(`${r.model} v${r.version}`) +
      s.dim(
        ` integrated gradients of the ${unit}, from ${baseline}, on ${plural(r.rows.length, 'row')} of ${where} (${r.backend} backend)`,
      ),
  ];
  for (const row of r.rows) {
    lines.push('');
    const answer = r.unit === 'probability' ? `${row.explained} (p = ${formatMetric(row.prediction)})` : formatMetric(row.prediction);
    lines.push(`${s.bold(`row ${row.row}`)}: ${answer}   baseline ${formatMetric(row.baselinePrediction)}`);
    const ranked = r.features.map((f) => [f, row.attributions[f]] as const).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    const max = Math.max(...ranked.map(([, v]) => Math.abs(v)));
    lines.push(
      table(
        ['COLUMN', 'VALUE', 'ATTRIBUTION', ''],
        ranked.map(([f, v]) => [
          f,
          formatValue(row.values[f]),
          signed(v),
          v >= 0 ? s.green(horizontalBar(v, max, 16)) : s.red(horizontalBar(-v, max, 16)),
        ]),
        s,
      ),
    );
    const delta = row.prediction - row.baselinePrediction;
    const ok = row.error <= r.tolerance;
    lines.push(
      `${ok ? s.green('✔') : s.red('✖')} completeness: Σ attributions ${signed(row.sum)} vs prediction − baseline ${signed(delta)} ` +
        `(error ${(row.error * 100).toFixed(2)}% ${ok ? '≤' : '>'} ${(r.tolerance * 100).toFixed(0)}%, ${plural(row.steps, 'step')})`,
    );
  }
  return lines.join('\n');
}
