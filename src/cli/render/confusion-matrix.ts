/**
 * The confusion matrix as an aligned text table: rows are the true class, columns the predicted
 * one, counts right-aligned under their class. The diagonal (correct predictions) is highlighted:
 * in brackets always (so it shows in CI logs and without colour), and green and bold in colour;
 * misclassifications are red, zeros dim.
 */
import type { Style } from '../output.js';

const CORNER = 'true \\ predicted';

export function renderConfusionMatrix(labels: string[], matrix: number[][], s: Style): string {
  const cell = (i: number, j: number) => (i === j ? `[${matrix[i][j]}]` : String(matrix[i][j]));
  const first = Math.max(CORNER.length, ...labels.map((l) => l.length));
  const widths = labels.map((label, j) => Math.max(label.length, ...labels.map((_, i) => cell(i, j).length)));
  const head = [s.dim(CORNER.padEnd(first)), ...labels.map((l, j) => s.bold(l.padStart(widths[j])))].join('  ');
  const rows = labels.map((label, i) => {
    const cells = labels.map((_, j) => {
      const text = cell(i, j);
      const pad = ' '.repeat(widths[j] - text.length);
      if (i === j) return pad + s.bold.green(text);
      return pad + (matrix[i][j] === 0 ? s.dim(text) : s.red(text));
    });
    return [s.bold(label.padEnd(first)), ...cells].join('  ');
  });
  return [head, ...rows].map((line) => line.trimEnd()).join('\n');
}
