/**
 * A one-line chart of a series with Unicode block characters (▁▂▃▄▅▆▇█), for the terminal after
 * `train`. Long series are averaged into `width` buckets; one bucket can be marked (the best epoch).
 */
import type { Style } from '../output.js';

const BLOCKS = '▁▂▃▄▅▆▇█';

export interface Sparkline {
  text: string;
  /** the bucket each input index fell into */
  bucketOf: (index: number) => number;
}

export function sparkline(values: readonly number[], width = 48): Sparkline {
  const n = values.length;
  const buckets = Math.max(1, Math.min(width, n));
  const bucketOf = (i: number) => Math.min(buckets - 1, Math.floor((i * buckets) / n));
  const sums = new Array<number>(buckets).fill(0);
  const counts = new Array<number>(buckets).fill(0);
  values.forEach((v, i) => {
    sums[bucketOf(i)] += v;
    counts[bucketOf(i)]++;
  });
  const means = sums.map((sum, b) => (counts[b] > 0 ? sum / counts[b] : NaN));
  const finite = means.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const text = means
    .map((m) => {
      if (!Number.isFinite(m)) return ' ';
      const level = hi > lo ? Math.round(((m - lo) / (hi - lo)) * (BLOCKS.length - 1)) : 0;
      return BLOCKS[level];
    })
    .join('');
  return { text, bucketOf };
}

/** The sparkline with one index's bucket highlighted (e.g. the best epoch). */
export function markedSparkline(values: readonly number[], mark: number | null, s: Style, width?: number): string {
  const line = sparkline(values, width);
  if (mark === null || mark < 0 || mark >= values.length) return line.text;
  const chars = [...line.text];
  const b = line.bucketOf(mark);
  return `${chars.slice(0, b).join('')}${s.bold.green(chars[b])}${chars.slice(b + 1).join('')}`;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `value / max` of `width` cells, in eighths of a cell (empty for ≤ 0). */
export function horizontalBar(value: number, max: number, width = 24): string {
  if (!(value > 0) || !(max > 0)) return '';
  const eighths = Math.round(Math.min(1, value / max) * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}
