/**
 * `report()` on a trained iris classifier (v1), a real `prune` of it (v2), a retrained sibling (v3)
 * and a real `quantize` of the pruned version (v4): each section carries the numbers of the records
 * and of the weights on disk (read independently here), the charts' marks carry the same numbers,
 * and the page references nothing outside itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { train } from '../../../src/lifecycle/train.js';
import { openModel, type NamedWeight } from '../../../src/engine/model-handle.js';
import { Registry } from '../../../src/registry/registry.js';
import { isClassificationMetrics, type ClassificationMetricsSection, type VersionRecord } from '../../../src/registry/version-record.js';
import { report } from '../../../src/report/report.js';
import { prune } from '../../../src/lifecycle/prune.js';
import { quantize } from '../../../src/lifecycle/quantize.js';
import { externalReferences, kv, marks, num, parseReport, text, type Doc } from '../../helpers/report-dom.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let work: string;
let registry: Registry;
let v1: VersionRecord;
let v2: VersionRecord;
let v3: VersionRecord;
let v4: VersionRecord;

beforeAll(async () => {
  work = await makeTmpDir();
  registry = new Registry(path.join(work, 'reg'));
  // a small patience so training stops early and the stop is marked
  v1 = (await train({ registry, source: 'iris', settings: { epochs: 120, patience: 4 }, backend: 'cpu', cwd: work })).record;
  v2 = (
    await prune({ registry, model: 'iris', selector: { version: 1 }, sparsity: 0.5, perLayer: true, fineTuneEpochs: 3, backend: 'cpu' })
  ).record;
  v3 = (await train({ registry, source: 'iris', settings: { epochs: 25, hidden: [16], patience: 0 }, backend: 'cpu', cwd: work })).record;
  v4 = (await quantize({ registry, model: 'iris', selector: { version: 2 }, dtype: 'uint8', backend: 'cpu' })).record;
  await registry.setAlias('iris', 'production', 1);
}, 120_000);
afterAll(async () => removeTmpDir(work));

async function reportOf(
  version: number,
  extra: { compare?: number; out?: string } = {},
): Promise<{ doc: Doc; html: string; sections: string[] }> {
  const result = await report({
    registry,
    model: 'iris',
    selector: { version },
    compare: extra.compare === undefined ? undefined : { version: extra.compare },
    out: extra.out,
    cwd: work,
    backend: 'cpu',
  });
  const html = await readFile(result.path, 'utf8');
  return { doc: parseReport(html), html, sections: result.sections };
}

async function weightsOf(version: number): Promise<NamedWeight[]> {
  const handle = await openModel(registry.versionDir('iris', version), 'cpu');
  try {
    return handle.readWeights();
  } finally {
    handle.dispose();
  }
}

function metricsOf(r: VersionRecord): ClassificationMetricsSection {
  if (!r.metrics || !isClassificationMetrics(r.metrics)) throw new Error('no classification metrics');
  return r.metrics;
}

describe('report of a trained classifier', () => {
  let doc: Doc;
  let html: string;
  let sections: string[];
  beforeAll(async () => {
    ({ doc, html, sections } = await reportOf(1));
  });

  it('writes <model>-v<n>.html with the sections a trained classifier has, in order', async () => {
    expect(sections).toEqual(['summary', 'signature', 'hyperparameters', 'curves', 'evaluation', 'weights', 'lineage']);
    expect([...doc.querySelectorAll('main > section')].map((s) => s.id)).toEqual(sections);
    expect(await readFile(path.join(work, 'iris-v1.html'), 'utf8')).toBe(html);
  });

  it('summarises the version from its record', () => {
    expect(kv(doc, 'summary-table', 'model')).toBe('iris');
    expect(kv(doc, 'summary-table', 'version')).toBe('1');
    expect(kv(doc, 'summary-table', 'aliases')).toBe('production');
    expect(kv(doc, 'summary-table', 'operation')).toBe('train');
    expect(kv(doc, 'summary-table', 'parent')).toBe('none');
    expect(kv(doc, 'summary-table', 'seed')).toBe(String(v1.seed));
    expect(kv(doc, 'summary-table', 'backend')).toContain(v1.backend!);
    expect(kv(doc, 'summary-table', 'dataset')).toBe(v1.dataset!.path);
    expect(num(kv(doc, 'summary-table', 'dataset-rows'))).toBe(v1.dataset!.rows);
    expect(kv(doc, 'summary-table', 'dataset-sha256')).toBe(v1.dataset!.sha256);
    expect(kv(doc, 'summary-table', 'split')).toBe(
      `${v1.split!.train} train · ${v1.split!.validation} validation · ${v1.split!.test} test`,
    );
    const m = metricsOf(v1);
    for (const key of ['accuracy', 'macroF1', 'macroPrecision', 'macroRecall'] as const) {
      expect(num(text(doc.querySelector(`.card[data-metric="${key}"] .value`)))).toBeCloseTo(m[key], 4);
    }
    expect(num(text(doc.querySelector('.card[data-metric="rows"] .value')))).toBe(m.rows);
  });

  it('lists every feature with its training statistics, and the class labels', () => {
    const features = v1.signature!.features;
    const rows = doc.querySelectorAll('#features tbody tr');
    expect(rows.length).toBe(features.length);
    for (const f of features) {
      if (f.type !== 'numeric') throw new Error('iris features are numeric');
      const row = doc.querySelector(`#features tr[data-feature="${f.name}"]`)!;
      expect(num(text(row.querySelector('[data-key="mean"]')))).toBeCloseTo(f.mean, 4);
      expect(num(text(row.querySelector('[data-key="std"]')))).toBeCloseTo(f.std, 4);
    }
    const labels = [...doc.querySelectorAll('#target .label')].map((e) => text(e));
    expect(labels).toEqual(v1.target!.task === 'classification' ? v1.target!.classes : []);
  });

  it('shows the hyperparameters as recorded', () => {
    const h = v1.hyperparameters!;
    expect(kv(doc, 'hyperparameter-table', 'epochs')).toBe(String(h.epochs));
    expect(kv(doc, 'hyperparameter-table', 'patience')).toBe('4');
    expect(kv(doc, 'hyperparameter-table', 'hidden')).toBe(h.hidden.join(', '));
    expect(kv(doc, 'hyperparameter-table', 'optimizer')).toBe(h.optimizer);
  });

  it('draws loss and accuracy per epoch with the best epoch and the early stop marked', () => {
    const h = v1.history!;
    expect(h.stoppedEarly).toBe(true); // patience 4 out of 120 epochs
    expect(num(text(doc.querySelector('#curves [data-key="best-epoch"]')))).toBe(h.bestEpoch);
    expect(num(text(doc.querySelector('#curves [data-key="epochs-run"]')))).toBe(h.epochsRun);
    for (const chart of ['loss', 'metric']) {
      const labels = marks(doc, chart, 'text').map((m) => m.label);
      expect(labels).toContain(`best epoch ${h.bestEpoch}`);
      if (h.bestEpoch !== h.epochsRun) expect(labels).toContain(`stopped early at ${h.epochsRun}`);
      const axis = doc.querySelector(`figure[data-chart="${chart}"] [aria-roledescription="axis"]`)!;
      expect(axis.getAttribute('aria-label')).toMatch(/X-axis titled 'epoch'/);
    }
    // the first points of each line carry the recorded epoch-1 figures
    const first = h.epochs[0];
    const lines = marks(doc, 'loss', 'path');
    expect(num(lines.find((l) => l.series === 'train')!.loss)).toBeCloseTo(first.loss, 6);
    expect(num(lines.find((l) => l.series === 'validation')!.loss)).toBeCloseTo(first.valLoss!, 6);
    const acc = marks(doc, 'metric', 'path');
    expect(num(acc.find((l) => l.series === 'validation')!.accuracy)).toBeCloseTo(first.valAcc!, 6);
  });

  it('draws the confusion matrix as a heat map whose cells hold the recorded counts', () => {
    const m = metricsOf(v1);
    const cells = marks(doc, 'confusion', 'text');
    expect(cells).toHaveLength(m.labels.length ** 2);
    for (const c of cells) {
      const i = m.labels.indexOf(c['true class']);
      const j = m.labels.indexOf(c['predicted class']);
      expect(Number(c.rows)).toBe(m.confusionMatrix[i][j]);
    }
    // the rectangles carry the same counts (the colour scale)
    const rects = marks(doc, 'confusion', 'path');
    expect(rects.map((r) => Number(r.rows)).reduce((a, b) => a + b, 0)).toBe(m.rows);
  });

  it('draws precision, recall and F1 per class, with the same numbers in the table', () => {
    const m = metricsOf(v1);
    const bars = marks(doc, 'per-class', 'path');
    expect(bars).toHaveLength(m.perClass.length * 3);
    for (const c of m.perClass) {
      const of = (metric: string) => num(bars.find((b) => b.class === c.label && b.metric === metric)!.value);
      expect(of('precision')).toBeCloseTo(c.precision, 6);
      expect(of('recall')).toBeCloseTo(c.recall, 6);
      expect(of('F1')).toBeCloseTo(c.f1, 6);
      const row = doc.querySelector(`#per-class tr[data-class="${c.label}"]`)!;
      expect(num(text(row.querySelector('[data-key="f1"]')))).toBeCloseTo(c.f1, 4);
      expect(num(text(row.querySelector('[data-key="support"]')))).toBe(c.support);
    }
  });

  it('summarises every weight tensor and draws a histogram per layer holding all its values', async () => {
    const weights = await weightsOf(1);
    const rows = doc.querySelectorAll('#weight-table tbody tr');
    expect(rows.length).toBe(weights.length);
    for (const w of weights) {
      const v = Array.from(w.values);
      const row = doc.querySelector(`#weight-table tr[data-weight="${w.name}"]`)!;
      expect(num(text(row.querySelector('[data-key="count"]')))).toBe(v.length);
      expect(num(text(row.querySelector('[data-key="zeros"]')))).toBe(v.filter((x) => x === 0).length);
      expect(num(text(row.querySelector('[data-key="min"]')))).toBeCloseTo(Math.min(...v), 4);
      expect(num(text(row.querySelector('[data-key="max"]')))).toBeCloseTo(Math.max(...v), 4);
      expect(num(text(row.querySelector('[data-key="mean"]')))).toBeCloseTo(v.reduce((a, b) => a + b, 0) / v.length, 4);
    }
    const kernels = weights.filter((w) => w.name.endsWith('/kernel'));
    const histograms = [...doc.querySelectorAll('figure[data-chart^="weights-"]')];
    expect(histograms).toHaveLength(kernels.length);
    for (const k of kernels) {
      const fig = histograms.find((f) => text(f.querySelector('.role-title-text')).startsWith(`${k.name.split('/')[0]} kernel`))!;
      const counts = marks(doc, fig.getAttribute('data-chart')!, 'path').map((b) => Number(b.count));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(k.values.length);
    }
  });

  it('shows a lineage of one step', () => {
    const steps = doc.querySelectorAll('ol.lineage li');
    expect(steps).toHaveLength(1);
    expect(steps[0].getAttribute('data-version')).toBe('1');
    expect(num(text(steps[0].querySelector('.step-metric')).replace('accuracy ', ''))).toBeCloseTo(metricsOf(v1).accuracy, 4);
  });

  it('references nothing outside the file and forbids fetching anything', () => {
    expect(externalReferences(doc)).toEqual([]);
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content');
    expect(csp).toContain("default-src 'none'");
    expect(doc.querySelectorAll('figure.chart svg').length).toBeGreaterThanOrEqual(6);
    // every chart's element ids are unique on the page (several inline SVGs share one id space)
    const ids = [...doc.querySelectorAll('[id]')].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('report of a pruned child (mlctl prune)', () => {
  let doc: Doc;
  let sections: string[];
  beforeAll(async () => {
    ({ doc, sections } = await reportOf(2, { out: 'reports/pruned.html' }));
  });

  it('adds the compression section and writes where --out says', async () => {
    expect(sections).toContain('compression');
    await expect(readFile(path.join(work, 'reports/pruned.html'), 'utf8')).resolves.toContain('<h2>Compression</h2>');
  });

  it('shows each layer’s sparsity against the parent: the weights on disk, as prune recorded it', async () => {
    const [child, parent] = await Promise.all([weightsOf(2), weightsOf(1)]);
    const kernels = child.filter((w) => w.name.endsWith('/kernel'));
    expect(doc.querySelectorAll('#layer-sparsity tbody tr')).toHaveLength(kernels.length);
    for (const k of kernels) {
      const layer = k.name.split('/')[0];
      const zeros = Array.from(k.values).filter((x) => x === 0).length;
      const p = parent.find((w) => w.name === k.name)!;
      const parentZeros = Array.from(p.values).filter((x) => x === 0).length;
      const row = doc.querySelector(`#layer-sparsity tr[data-layer="${layer}"]`)!;
      expect(num(text(row.querySelector('[data-key="weights"]')))).toBe(k.values.length);
      expect(num(text(row.querySelector('[data-key="zeros"]')))).toBe(zeros);
      expect(v2.pruning!.layers.find((l) => l.layer === layer)!.zeros).toBe(zeros);
      expect(zeros / k.values.length).toBeCloseTo(0.5, 1); // --sparsity 0.5 --per-layer
      expect(num(text(row.querySelector('[data-key="sparsity"]')))).toBeCloseTo(zeros / k.values.length, 3);
      expect(num(text(row.querySelector('[data-key="parent-sparsity"]')))).toBeCloseTo(parentZeros / p.values.length, 3);
      const bars = marks(doc, 'sparsity', 'path').filter((b) => b.layer === layer);
      expect(num(bars.find((b) => b.version === 'v2')!.sparsity.replace('%', '')) / 100).toBeCloseTo(zeros / k.values.length, 2);
    }
    expect(num(text(doc.querySelector('#compression [data-key="sparsity"]')))).toBeCloseTo(v2.pruning!.sparsity, 3);
  });

  it('shows weight sizes and every test metric against the parent, as prune measured them', () => {
    const shards = (r: VersionRecord, key: 'bytes' | 'gzipBytes') =>
      r.files.filter((f) => f.path !== 'model.json').reduce((a, f) => a + f[key], 0);
    const row = (what: string) => doc.querySelector(`#size-change tr[data-size="${what}"]`)!;
    const p = v2.pruning!;
    expect(num(text(row('weight files').querySelector('[data-key="parent"]')))).toBe(p.weightBytes.parent);
    expect(num(text(row('weight files').querySelector('[data-key="child"]')))).toBe(p.weightBytes.child);
    expect(num(text(row('weight files, gzipped').querySelector('[data-key="parent"]')))).toBe(p.gzipBytes.parent);
    expect(num(text(row('weight files, gzipped').querySelector('[data-key="child"]')))).toBe(p.gzipBytes.child);
    // what prune measured agrees with the files the registry recorded
    expect(p.weightBytes.child).toBe(shards(v2, 'bytes'));
    expect(p.weightBytes.parent).toBe(shards(v1, 'bytes'));
    expect(p.gzipBytes.child).toBeLessThan(p.gzipBytes.parent); // zeros compress
    const changes = p.evaluation!.changes;
    expect(changes.length).toBeGreaterThan(4);
    expect(doc.querySelectorAll('#metric-changes tbody tr')).toHaveLength(changes.length);
    for (const c of changes) {
      const tr = doc.querySelector(`#metric-changes tr[data-metric="${c.metric}"]`)!;
      expect(num(text(tr.querySelector('[data-key="parent"]')))).toBeCloseTo(c.parent, 4);
      expect(num(text(tr.querySelector('[data-key="child"]')))).toBeCloseTo(c.child, 4);
      expect(num(text(tr.querySelector('[data-key="delta"]')))).toBeCloseTo(c.delta, 4);
    }
    expect(doc.querySelector('#metric-changes tr[data-metric="accuracy"] [data-key="parent"]')).not.toBeNull();
    expect(num(text(doc.querySelector('#metric-changes tr[data-metric="accuracy"] [data-key="parent"]')))).toBeCloseTo(
      metricsOf(v1).accuracy,
      4,
    );
    expect(kv(doc, 'compression-details', 'target sparsity')).toBe('0.5');
    expect(kv(doc, 'compression-details', 'scope')).toBe('per-layer');
    expect(kv(doc, 'compression-details', 'fine-tuning epochs')).toBe('3');
  });

  it('shows the lineage v1 → v2 with operations and key metrics', () => {
    const steps = [...doc.querySelectorAll('ol.lineage li')];
    expect(steps.map((s) => s.getAttribute('data-version'))).toEqual(['1', '2']);
    expect(steps.map((s) => text(s.querySelector('.step-op')))).toEqual(['train', 'prune']);
    expect(steps[1].getAttribute('aria-current')).toBe('true');
    expect(num(text(steps[1].querySelector('.step-metric')).replace('accuracy ', ''))).toBeCloseTo(metricsOf(v2).accuracy, 4);
  });
});

describe('report of a quantized version (mlctl quantize of the pruned one)', () => {
  let doc: Doc;
  beforeAll(async () => {
    ({ doc } = await reportOf(4));
  });

  it('says how the weights are stored now and what that did to their size', () => {
    const q = v4.quantization!;
    expect(text(doc.querySelector('#compression'))).toContain(
      'Weights stored as uint8 (4 tensors); v2 stored them as float32 (4 tensors).',
    );
    const row = doc.querySelector('#size-change tr[data-size="weight files"]')!;
    expect(num(text(row.querySelector('[data-key="parent"]')))).toBe(q.weightBytes.parent);
    expect(num(text(row.querySelector('[data-key="child"]')))).toBe(q.weightBytes.child);
    expect(num(text(row.querySelector('[data-key="ratio"]')))).toBeCloseTo(q.weightBytes.ratio, 3);
    expect(q.weightBytes.ratio).toBeLessThan(0.3); // float32 → uint8
    expect(kv(doc, 'compression-details', 'dtype')).toBe('uint8');
    expect(kv(doc, 'compression-details', 'method')).toBe('affine');
    expect(Math.abs(num(kv(doc, 'compression-details', 'largest weight change')) / q.maxWeightError - 1)).toBeLessThan(1e-3); // 4 digits
    for (const c of q.evaluation!.changes) {
      const tr = doc.querySelector(`#metric-changes tr[data-metric="${c.metric}"]`)!;
      expect(num(text(tr.querySelector('[data-key="delta"]')))).toBeCloseTo(c.delta, 4);
    }
  });

  it('keeps the pruned zeros through quantization: same sparsity as its parent, per layer', async () => {
    const weights = await weightsOf(4); // dequantized by TF.js on load
    for (const l of v2.pruning!.layers) {
      const row = doc.querySelector(`#layer-sparsity tr[data-layer="${l.layer}"]`)!;
      const kernel = weights.find((w) => w.name === `${l.layer}/kernel`)!;
      expect(Array.from(kernel.values).filter((x) => x === 0).length).toBe(l.zeros);
      expect(num(text(row.querySelector('[data-key="zeros"]')))).toBe(l.zeros);
      expect(num(text(row.querySelector('[data-key="parent-sparsity"]')))).toBeCloseTo(l.sparsity, 3);
    }
  });

  it('shows the whole lineage train → prune → quantize', () => {
    const steps = [...doc.querySelectorAll('ol.lineage li')];
    expect(steps.map((s) => s.getAttribute('data-version'))).toEqual(['1', '2', '4']);
    expect(steps.map((s) => text(s.querySelector('.step-op')))).toEqual(['train', 'prune', 'quantize']);
    expect(num(text(steps[2].querySelector('.step-metric')).replace('accuracy ', ''))).toBeCloseTo(metricsOf(v4).accuracy, 4);
  });
});

describe('report --compare', () => {
  let doc: Doc;
  beforeAll(async () => {
    ({ doc } = await reportOf(3, { compare: 1 }));
  });

  it('puts both versions’ metrics, sizes and differing hyperparameters side by side', () => {
    const row = (key: string) => doc.querySelector(`#compare-table tr[data-key="${key}"]`)!;
    const [a, b] = [metricsOf(v3), metricsOf(v1)];
    expect(num(text(row('metrics.accuracy').querySelector('[data-key="a"]')))).toBeCloseTo(a.accuracy, 4);
    expect(num(text(row('metrics.accuracy').querySelector('[data-key="b"]')))).toBeCloseTo(b.accuracy, 4);
    expect(num(text(row('metrics.accuracy').querySelector('[data-key="delta"]')))).toBeCloseTo(a.accuracy - b.accuracy, 4);
    const bytes = (r: VersionRecord) => r.files.filter((f) => f.path !== 'model.json').reduce((s, f) => s + f.bytes, 0);
    expect(num(text(row('size.weights').querySelector('[data-key="a"]')))).toBe(bytes(v3));
    expect(num(text(row('size.weights').querySelector('[data-key="b"]')))).toBe(bytes(v1));
    const hidden = doc.querySelector('#compare-hyperparameters tr[data-key="hidden"]')!;
    expect([...hidden.querySelectorAll('td')].map((td) => text(td))).toEqual(['hidden', '16', v1.hyperparameters!.hidden.join(', ')]);
    expect(doc.querySelector('#compare-hyperparameters tr[data-key="optimizer"]')).toBeNull(); // same in both
  });

  it('overlays both versions’ curves', () => {
    const series = new Set(marks(doc, 'compare-loss', 'path').map((l) => l.series));
    expect(series).toEqual(new Set(['v1 train', 'v1 validation', 'v3 train', 'v3 validation']));
    const v3last = v3.history!.epochs.at(-1)!;
    const legend = doc.querySelector('figure[data-chart="compare-loss"] [aria-roledescription="legend"]')!;
    expect(legend.getAttribute('aria-label')).toContain('4 values');
    expect(v3last.epoch).toBe(25);
  });

  it('refuses to compare a version with itself', async () => {
    await expect(
      report({ registry, model: 'iris', selector: { version: 1 }, compare: { version: 1 }, cwd: work, backend: 'cpu' }),
    ).rejects.toMatchObject({
      code: 'USAGE',
    });
  });
});
