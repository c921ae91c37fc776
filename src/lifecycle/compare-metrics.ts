/**
 * The change of every test metric from a parent version to a derived one (prune, quantize),
 * both scored on the same rows through the evaluate path: accuracy, macro F1/precision/recall
 * and each class's precision, recall and F1 for a classifier; MAE, RMSE and R² for a regressor.
 */
import type { MetricChange } from '../registry/version-record.js';
import type { Metrics } from './metrics.js';

export type { MetricChange, MetricComparison } from '../registry/version-record.js';

export function compareMetrics(parent: Metrics, child: Metrics): MetricChange[] {
  const a = flatMetrics(parent);
  const b = flatMetrics(child);
  const out: MetricChange[] = [];
  for (const [metric, p] of a) {
    const c = b.get(metric);
    if (c === undefined) continue;
    out.push({ metric, parent: p, child: c, delta: c - p });
  }
  return out;
}

/** The headline metrics (no per-class rows): what a terminal table shows. */
export function isHeadlineMetric(metric: string): boolean {
  return !metric.includes('[');
}

function flatMetrics(m: Metrics): Map<string, number> {
  const out = new Map<string, number>();
  if (m.task === 'regression') {
    out.set('mae', m.mae);
    out.set('rmse', m.rmse);
    out.set('r2', m.r2);
    return out;
  }
  out.set('accuracy', m.accuracy);
  out.set('macroF1', m.macroF1);
  out.set('macroPrecision', m.macroPrecision);
  out.set('macroRecall', m.macroRecall);
  for (const c of m.perClass) {
    out.set(`precision[${c.label}]`, c.precision);
    out.set(`recall[${c.label}]`, c.recall);
    out.set(`f1[${c.label}]`, c.f1);
  }
  return out;
}
