/** Metrics merged across workers the way the cluster primary does it: counters and histograms sum, drift averages. */
import { describe, expect, it } from 'vitest';
import { AggregatorRegistry } from 'prom-client';
import { encodeFeatures } from '../../../src/dataset/signature.js';
import { ServeMetrics } from '../../../src/serve/metrics.js';
import { fakeServable } from '../../helpers/fake-servable.js';

function worker(aValues: number[]) {
  const s = fakeServable({ model: 'demo', version: 3 });
  const m = new ServeMetrics({ serving: () => [s], processMetrics: false });
  const rows = aValues.map((a) => ({ a, b: 0, color: 'red', flag: false }));
  const x = encodeFeatures(s.signature!, rows);
  m.observePredictions(s, x, s.forward(x, rows.length), rows.length);
  m.observeBatch(s, rows.length);
  for (const _ of aValues) m.observeRequest('predict', 200, 'demo', '3', 0.002);
  return m;
}

const value = (text: string, line: string) => Number(new RegExp(`^${line.replace(/[{}"()[\].+]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('ServeMetrics across workers', () => {
  it('sums requests, latency counts and predictions; averages the drift gauges', async () => {
    // worker 1 saw a = 1 (training mean: shift 0), worker 2 saw a = 5 (shift +2)
    const merged = AggregatorRegistry.aggregate([await worker([1, 1]).json(), await worker([5, 5, 5]).json()] as never);
    const text = await merged.metrics();
    expect(value(text, 'mlctl_http_requests_total{route="predict",code="200",model="demo",version="3"}')).toBe(5);
    expect(value(text, 'mlctl_http_request_duration_seconds_count{route="predict",model="demo",version="3"}')).toBe(5);
    expect(value(text, 'mlctl_http_request_duration_seconds_bucket{route="predict",model="demo",version="3",le="0.0025"}')).toBe(5);
    expect(value(text, 'mlctl_batch_size_count{model="demo",version="3"}')).toBe(2);
    const yes = value(text, 'mlctl_predictions_total{model="demo",version="3",class="yes"}') || 0;
    const no = value(text, 'mlctl_predictions_total{model="demo",version="3",class="no"}') || 0;
    expect(yes + no).toBe(5);
    expect(value(text, 'mlctl_feature_drift{model="demo",version="3",feature="a"}')).toBeCloseTo(1, 6);
    expect(value(text, 'mlctl_feature_category_share{model="demo",version="3",feature="color",category="red"}')).toBe(1);
    expect(value(text, 'mlctl_servable_info{model="demo",version="3",backend="fake",fast_path="on",batching="off"}')).toBe(1);
  });
});
