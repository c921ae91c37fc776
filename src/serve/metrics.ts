/**
 * Prometheus metrics (prom-client), labelled by model and version:
 *
 *   mlctl_http_requests_total{route,code,model,version}          counter
 *   mlctl_http_request_duration_seconds{route,model,version}      histogram
 *   mlctl_batch_size{model,version}                               histogram of rows per forward pass
 *   mlctl_predictions_total{model,version,class}                  counter (class = predicted label; "value" for regression)
 *   mlctl_feature_drift{model,version,feature}                    gauge: standardised mean shift over the window
 *   mlctl_feature_live_mean{model,version,feature}                gauge: window mean in the feature's units
 *   mlctl_feature_train_mean{model,version,feature}               gauge: training mean (from the signature)
 *   mlctl_feature_category_share{model,version,feature,category}  gauge: share of rows per category
 *   mlctl_drift_window_rows{model,version}                        gauge
 *   mlctl_servable_info{model,version,backend,fast_path,batching} gauge (1 per serving version)
 *   mlctl_servable_loads_total{model,result}                      counter
 * plus prom-client's process metrics (resident memory, CPU, event-loop lag).
 *
 * Gauges that describe a window average across workers (aggregator "average"); counters and
 * histograms sum. The per-request series are plain numbers in arrays on the hot path (prom-client
 * hashes a label object on every observe(), which costs more than serving a one-row request) and
 * are handed to prom-client as ordinary metrics when scraped.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { DriftWindow } from './drift.js';
import type { Servable } from './servable.js';

export interface ServeMetricsOptions {
  /** rows per model version in the drift window (default 1000) */
  driftWindow?: number;
  /** currently serving versions (drift and info gauges describe these) */
  serving: () => Servable[];
  /** add prom-client's process metrics (default true) */
  processMetrics?: boolean;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

interface ClassCounts {
  model: string;
  version: string;
  labels: string[];
  counts: Float64Array;
  reported: Float64Array;
}

type Labels = Record<string, string | number>;

/** What prom-client's Registry reads from a metric (`get()`), for the families below. */
interface ExposedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { metricName?: string; labels: Labels; value: number }[];
}

/** A counter family whose series are plain numbers, exposed to prom-client at scrape time. */
class FastCounter {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  /** the series for `key`, created with `labels()` the first time */
  series_(key: string, labels: () => Labels): { labels: Labels; value: number } {
    let s = this.series.get(key);
    if (!s) {
      s = { labels: labels(), value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  get(): ExposedMetric {
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      aggregator: 'sum',
      values: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value })),
    };
  }
}

interface HistogramSeries {
  labels: Labels;
  counts: Float64Array;
  sum: number;
  count: number;
}

/** A histogram family with plain-array buckets, exposed to prom-client at scrape time. */
class FastHistogram {
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: number[],
  ) {}

  series_(key: string, labels: () => Labels): HistogramSeries {
    let s = this.series.get(key);
    if (!s) {
      s = { labels: labels(), counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  observe(s: HistogramSeries, value: number): void {
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]) {
        s.counts[i]++;
        break;
      }
    }
    s.sum += value;
    s.count++;
  }

  get(): ExposedMetric {
    const values: ExposedMetric['values'] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}

export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requests = new FastCounter('mlctl_http_requests_total', 'HTTP requests by route and status code');
  private readonly latency = new FastHistogram(
    'mlctl_http_request_duration_seconds',
    'Time from request received to response sent',
    LATENCY_BUCKETS,
  );
  private readonly grpcRequests = new FastCounter('mlctl_grpc_requests_total', 'gRPC calls by method and status code');
  private readonly grpcLatency = new FastHistogram(
    'mlctl_grpc_request_duration_seconds',
    'Time from gRPC call received to status sent',
    LATENCY_BUCKETS,
  );
  private readonly batchSize = new FastHistogram(
    'mlctl_batch_size',
    'Rows per forward pass (requests coalesced by batching count together)',
    BATCH_BUCKETS,
  );
  private readonly predictions: Counter<'model' | 'version' | 'class'>;
  private readonly loads: Counter<'model' | 'result'>;
  /** by model + version (not by Servable, so a retired version's memory is never held) */
  private readonly classCounts = new Map<string, ClassCounts>();
  private readonly classCountsOf = new WeakMap<Servable, ClassCounts>();
  private readonly drift = new WeakMap<Servable, DriftWindow>();
  private readonly driftWindow: number;
  private readonly serving: () => Servable[];

  constructor(options: ServeMetricsOptions) {
    this.driftWindow = options.driftWindow ?? 1000;
    this.serving = options.serving;
    const registers = [this.registry];
    for (const m of [this.requests, this.latency, this.grpcRequests, this.grpcLatency, this.batchSize])
      this.registry.registerMetric(m as never);
    // prom-client calls collect() with the metric as `this`; these arrows keep ours
    const classCounts = (): Iterable<ClassCounts> => this.classCounts.values();
    const serving = (): Servable[] => this.serving();
    this.predictions = new Counter({
      name: 'mlctl_predictions_total',
      help: 'Predicted rows by predicted class ("value" for regression)',
      labelNames: ['model', 'version', 'class'],
      registers,
      collect() {
        for (const c of classCounts()) {
          for (let k = 0; k < c.labels.length; k++) {
            const delta = c.counts[k] - c.reported[k];
            if (delta > 0) this.labels(c.model, c.version, c.labels[k]).inc(delta);
            c.reported[k] = c.counts[k];
          }
        }
      },
    });
    this.loads = new Counter({
      name: 'mlctl_servable_loads_total',
      help: 'Version loads by result (ok | failed)',
      labelNames: ['model', 'result'],
      registers,
    });
    new Gauge({
      name: 'mlctl_servable_info',
      help: 'The versions serving now (value 1), with backend, fast path and batching',
      labelNames: ['model', 'version', 'backend', 'fast_path', 'batching'],
      registers,
      aggregator: 'max',
      collect() {
        this.reset();
        for (const s of serving()) {
          this.labels(s.model, String(s.version), s.backend, s.fastPath.enabled ? 'on' : 'off', s.batching.enabled ? 'on' : 'off').set(1);
        }
      },
    });
    this.addDriftGauges(registers);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  private addDriftGauges(registers: Registry[]): void {
    const snapshots = (): { s: Servable; snap: ReturnType<DriftWindow['snapshot']> }[] =>
      this.serving()
        .filter((s) => s.signature)
        .map((s) => ({ s, snap: this.windowOf(s).snapshot() }));
    const labels = ['model', 'version', 'feature'] as const;
    new Gauge({
      name: 'mlctl_feature_drift',
      help: 'Standardised mean shift of each numeric feature over the window: (live mean - training mean) / training std',
      labelNames: labels,
      registers,
      aggregator: 'average',
      collect() {
        this.reset();
        for (const { s, snap } of snapshots())
          for (const d of snap.numeric) this.labels(s.model, String(s.version), d.feature).set(d.shift);
      },
    });
    new Gauge({
      name: 'mlctl_feature_live_mean',
      help: "Mean of each numeric feature over the window, in the feature's units",
      labelNames: labels,
      registers,
      aggregator: 'average',
      collect() {
        this.reset();
        for (const { s, snap } of snapshots())
          for (const d of snap.numeric) this.labels(s.model, String(s.version), d.feature).set(d.liveMean);
      },
    });
    new Gauge({
      name: 'mlctl_feature_train_mean',
      help: 'Training mean of each numeric feature (from the signature)',
      labelNames: labels,
      registers,
      aggregator: 'average',
      collect() {
        this.reset();
        for (const { s, snap } of snapshots())
          for (const d of snap.numeric) this.labels(s.model, String(s.version), d.feature).set(d.trainMean);
      },
    });
    new Gauge({
      name: 'mlctl_feature_category_share',
      help: 'Share of rows with each category of a categorical (or true for a boolean) feature over the window',
      labelNames: ['model', 'version', 'feature', 'category'],
      registers,
      aggregator: 'average',
      collect() {
        this.reset();
        for (const { s, snap } of snapshots()) {
          for (const c of snap.categories) this.labels(s.model, String(s.version), c.feature, c.category).set(c.share);
        }
      },
    });
    new Gauge({
      name: 'mlctl_drift_window_rows',
      help: 'Rows in the drift window',
      labelNames: ['model', 'version'],
      registers,
      collect() {
        this.reset();
        for (const { s, snap } of snapshots()) this.labels(s.model, String(s.version)).set(snap.rows);
      },
    });
  }

  private windowOf(s: Servable): DriftWindow {
    let w = this.drift.get(s);
    if (!w) {
      w = new DriftWindow(s.signature!, this.driftWindow);
      this.drift.set(s, w);
    }
    return w;
  }

  /** One finished HTTP request. */
  observeRequest(route: string, code: number, model: string, version: string, seconds: number): void {
    const lkey = `${route}\u0000${model}\u0000${version}`;
    this.requests.series_(`${lkey}\u0000${code}`, () => ({ route, code: String(code), model, version })).value++;
    this.latency.observe(
      this.latency.series_(lkey, () => ({ route, model, version })),
      seconds,
    );
  }

  /** One finished gRPC call; `code` is the status name (OK, INVALID_ARGUMENT, ...). */
  observeGrpc(method: string, code: string, model: string, version: string, seconds: number): void {
    const lkey = `${method}\u0000${model}\u0000${version}`;
    this.grpcRequests.series_(`${lkey}\u0000${code}`, () => ({ method, code, model, version })).value++;
    this.grpcLatency.observe(
      this.grpcLatency.series_(lkey, () => ({ method, model, version })),
      seconds,
    );
  }

  /** One forward pass over `rows` rows. */
  observeBatch(servable: Servable, rows: number): void {
    const key = `${servable.model}\u0000${servable.version}`;
    this.batchSize.observe(
      this.batchSize.series_(key, () => ({ model: servable.model, version: String(servable.version) })),
      rows,
    );
  }

  /** Rows a version was asked about (encoded) and what it answered. */
  observePredictions(servable: Servable, x: Float32Array, out: Float32Array, n: number): void {
    if (servable.signature) this.windowOf(servable).add(x, n);
    let c = this.classCountsOf.get(servable);
    if (!c) {
      const key = `${servable.model}\u0000${servable.version}`;
      c = this.classCounts.get(key);
      if (!c) {
        const sig = servable.signature;
        const labels = sig?.target.task === 'classification' ? [...sig.target.classes] : ['value'];
        c = {
          model: servable.model,
          version: String(servable.version),
          labels,
          counts: new Float64Array(labels.length),
          reported: new Float64Array(labels.length),
        };
        this.classCounts.set(key, c);
      }
      this.classCountsOf.set(servable, c);
    }
    if (c.labels.length === 1) {
      c.counts[0] += n;
      return;
    }
    const k = servable.outputSize;
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (out[r * k + j] > out[r * k + best]) best = j;
      c.counts[best] += 1;
    }
  }

  observeLoad(model: string, ok: boolean): void {
    this.loads.labels(model, ok ? 'ok' : 'failed').inc();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** This process's metrics in Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** This process's metrics as JSON, for merging across workers (prom-client's AggregatorRegistry.aggregate). */
  json(): Promise<unknown[]> {
    return this.registry.getMetricsAsJSON() as Promise<unknown[]>;
  }
}
