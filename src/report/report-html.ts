/**
 * The report page: one self-contained HTML document (inline CSS and SVG, no script, no external
 * resource; a Content-Security-Policy forbids fetching anything), readable on screen, in dark mode
 * and printed. Sections carry stable ids (`#summary`, `#curves`, …) and values carry `data-*`
 * keys, so people can link to them and tests can read them.
 */
import { isClassificationMetrics, taskOf, type VersionRecord } from '../registry/version-record.js';
import type { FeatureSpec } from '../dataset/signature.js';
import { MODEL_JSON_FILE, OPERATION_PAST } from '../vocabulary.js';
import type { ReportData } from './gather-report.js';
import { CHART, histogramTensors } from './report-charts.js';
import type { CompressionFacts } from './compression-facts.js';

export interface ReportPageMeta {
  generatedAt: Date;
  mlctlVersion: string;
}

/** The sections a report can have, in page order: id → heading. */
export const SECTIONS = {
  summary: 'Summary',
  signature: 'Inputs and target',
  hyperparameters: 'Hyperparameters',
  curves: 'Training curves',
  evaluation: 'Test metrics',
  importance: 'Feature importance',
  weights: 'Weights',
  compression: 'Compression',
  lineage: 'Lineage',
  compare: 'Comparison',
  notes: 'Notes',
} as const;
export type SectionId = keyof typeof SECTIONS;

export interface ReportPage {
  html: string;
  sections: SectionId[];
}

export function reportHtml(data: ReportData, svgs: Map<string, string>, meta: ReportPageMeta): ReportPage {
  const r = data.subject.record;
  const sections: [SectionId, string][] = [];
  const add = (id: SectionId, body: string | null) => {
    if (body) sections.push([id, body]);
  };
  add('summary', summarySection(data));
  add('signature', signatureSection(r));
  add('hyperparameters', hyperparameterSection(r));
  add('curves', curvesSection(r, svgs));
  add('evaluation', evaluationSection(data, svgs));
  add('importance', data.importance ? importanceSection(data, svgs) : null);
  add('weights', weightsSection(data, svgs));
  add('compression', data.compression ? compressionSection(data.compression, r, svgs) : null);
  add('lineage', lineageSection(data));
  add('compare', data.compare ? compareSection(data, svgs) : null);
  add('notes', data.notes.length ? `<ul>${data.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : null);

  const title = `${r.model} v${r.version}`;
  const nav = sections.map(([id]) => `<a href="#${id}">${esc(SECTIONS[id])}</a>`).join('');
  const body = sections.map(([id, html]) => `<section id="${id}">\n<h2>${esc(SECTIONS[id])}</h2>\n${html}\n</section>`).join('\n');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="mlctl ${esc(meta.mlctlVersion)}">
<title>${esc(title)} · mlctl model report</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(r.model)} <span class="version">v${r.version}</span></h1>
<p class="lede">${esc(lede(data))}</p>
<p class="meta">Model report generated ${esc(formatDate(meta.generatedAt.toISOString()))} UTC by mlctl ${esc(meta.mlctlVersion)}${
    data.compare ? ` · compared with v${data.compare.record.version}` : ''
  }</p>
<nav>${nav}</nav>
</header>
<main>
${body}
</main>
</body>
</html>
`;
  return { html, sections: sections.map(([id]) => id) };
}

// ------------------------------------------------------------------ sections

function lede(data: ReportData): string {
  const r = data.subject.record;
  const t = r.target;
  const what = t
    ? t.task === 'classification'
      ? `Classifies ${t.name} into ${t.classes.length} classes`
      : `Predicts ${t.name} (regression)`
    : 'A TensorFlow.js layers model';
  const from = r.signature ? ` from ${r.signature.features.length} feature${r.signature.features.length === 1 ? '' : 's'}` : '';
  const how = r.parent !== null ? `; ${OPERATION_PAST[r.operation]} from v${r.parent}` : `; ${OPERATION_PAST[r.operation]}`;
  return `${what}${from}${how}.`;
}

function summarySection(data: ReportData): string {
  const r = data.subject.record;
  const rows: [string, string, string][] = [
    ['model', 'model', esc(r.model)],
    ['version', 'version', String(r.version)],
    ['aliases', 'aliases', data.subject.aliases.length ? data.subject.aliases.map(esc).join(', ') : '<span class="muted">none</span>'],
    ['operation', 'operation', esc(r.operation)],
    ['parent', 'parent', r.parent === null ? '<span class="muted">none</span>' : `v${r.parent}`],
    ['created', 'created', `${esc(formatDate(r.createdAt))} UTC`],
    ['backend', 'backend', `${esc(r.backend ?? 'unknown')}${r.tfjsVersion ? ` (TF.js ${esc(r.tfjsVersion)})` : ''}`],
  ];
  if (r.seed !== undefined) rows.push(['seed', 'seed', String(r.seed)]);
  if (r.durationMs !== null) rows.push(['duration', 'duration', esc(formatDuration(r.durationMs))]);
  if (r.template) rows.push(['template', 'template', `${esc(r.template.name)}${r.template.builtin ? ' (built-in)' : ''}`]);
  if (r.dataset) {
    rows.push(['dataset', 'data', esc(r.dataset.path)]);
    rows.push(['dataset-rows', 'data rows', String(r.dataset.rows)]);
    rows.push(['dataset-sha256', 'data sha256', `<code>${esc(r.dataset.sha256)}</code>`]);
  }
  if (r.split) {
    rows.push(['split', 'split', `${r.split.train} train · ${r.split.validation} validation · ${r.split.test} test`]);
    if (r.split.droppedColumns.length) rows.push(['dropped-columns', 'left out', esc(r.split.droppedColumns.join(', '))]);
  }
  if (r.source) rows.push(['source', 'imported from', esc(r.source.path)]);
  const params = r.io?.parameters;
  if (params !== undefined) rows.push(['parameters', 'parameters', String(params)]);
  rows.push(['size', 'files', esc(filesSummary(r))]);
  return `${metricCards(r)}\n${keyValueTable('summary-table', rows)}`;
}

function metricCards(r: VersionRecord): string {
  const m = r.metrics;
  if (!m) return '<p class="muted">No test metrics recorded for this version.</p>';
  const cards: [string, string, number][] = isClassificationMetrics(m)
    ? [
        ['accuracy', 'accuracy', m.accuracy],
        ['macroF1', 'macro F1', m.macroF1],
        ['macroPrecision', 'macro precision', m.macroPrecision],
        ['macroRecall', 'macro recall', m.macroRecall],
      ]
    : [
        ['r2', 'R²', m.r2],
        ['rmse', 'RMSE', m.rmse],
        ['mae', 'MAE', m.mae],
      ];
  const items = cards
    .map(
      ([key, label, v]) =>
        `<div class="card" data-metric="${key}"><span class="value">${metric(v)}</span><span class="label">${esc(label)}</span></div>`,
    )
    .join('');
  return `<div class="cards">${items}<div class="card" data-metric="rows"><span class="value">${m.rows}</span><span class="label">test rows</span></div></div>`;
}

function signatureSection(r: VersionRecord): string | null {
  const sig = r.signature;
  if (!sig) {
    if (!r.io) return null;
    return `<p>No recorded preprocessing (an imported model takes plain numeric rows). Input shape ${esc(JSON.stringify(r.io.inputShape))}, output shape ${esc(JSON.stringify(r.io.outputShape))}.</p>`;
  }
  const featureRows = sig.features
    .map(
      (f) =>
        `<tr data-feature="${esc(f.name)}"><td>${esc(f.name)}</td><td>${f.type === 'datetime' ? `${f.type} (${f.kind})` : f.type}</td>${featureStats(f)}</tr>`,
    )
    .join('\n');
  const t = sig.target;
  const target =
    t.task === 'classification'
      ? `<p id="target" data-task="classification">Target <b>${esc(t.name)}</b>, classification into ${t.classes.length} classes: <span class="labels">${t.classes
          .map((c) => `<span class="label" data-label="${esc(c)}">${esc(c)}</span>`)
          .join(' ')}</span></p>`
      : `<p id="target" data-task="regression">Target <b>${esc(t.name)}</b>, regression (standardised for training with mean <span data-key="target-mean">${fmt(t.mean)}</span>, standard deviation <span data-key="target-std">${fmt(t.std)}</span>).</p>`;
  return `${target}
<p class="muted">Training statistics of each feature (from the training split only): numeric columns are filled with the mean when missing and standardised with the mean and standard deviation; categorical columns are one-hot encoded; dates become standardised parts.</p>
<table id="features"><thead><tr><th>feature</th><th>type</th><th class="num">mean</th><th class="num">std</th><th>missing → / categories</th></tr></thead>
<tbody>
${featureRows}
</tbody></table>`;
}

function featureStats(f: FeatureSpec): string {
  if (f.type === 'numeric')
    return `<td class="num" data-key="mean">${fmt(f.mean)}</td><td class="num" data-key="std">${fmt(f.std)}</td><td>${fmt(f.fill)}</td>`;
  if (f.type === 'boolean') return `<td class="num">–</td><td class="num">–</td><td>${f.fill}</td>`;
  if (f.type === 'datetime') {
    const parts = f.parts.map((p) => `${p.part} (mean ${fmt(p.mean)}, std ${fmt(p.std)})`).join(', ');
    return `<td class="num">–</td><td class="num">–</td><td>${esc(`${f.kind}${f.origin ? ` from ${f.origin}` : ''}: ${parts}`)}</td>`;
  }
  const shown = f.categories.length > 12 ? [...f.categories.slice(0, 12), `… ${f.categories.length} in all`] : f.categories;
  return `<td class="num">–</td><td class="num">–</td><td>${esc(shown.join(', '))}</td>`;
}

function hyperparameterSection(r: VersionRecord): string | null {
  const h = r.hyperparameters;
  if (!h) return null;
  const rows = Object.entries(h).map(([k, v]): [string, string, string] => [k, k, esc(formatSetting(v))]);
  return keyValueTable('hyperparameter-table', rows);
}

function curvesSection(r: VersionRecord, svgs: Map<string, string>): string | null {
  const h = r.history;
  if (!h || h.epochs.length === 0) return null;
  const stop = h.stoppedEarly
    ? `Training stopped early at epoch <b data-key="epochs-run">${h.epochsRun}</b> (validation loss had not improved for ${h.epochsRun - h.bestEpoch} epochs); the version holds the weights of epoch <b data-key="best-epoch">${h.bestEpoch}</b>, marked on the curves.`
    : `Training ran all <b data-key="epochs-run">${h.epochsRun}</b> epochs; the version holds the weights of epoch <b data-key="best-epoch">${h.bestEpoch}</b>${h.bestEpoch > 0 ? ', marked on the curves' : ''}.`;
  return `<p>${stop}</p>\n<div class="charts">${figure(svgs, CHART.loss)}${figure(svgs, CHART.metric)}</div>`;
}

function evaluationSection(data: ReportData, svgs: Map<string, string>): string | null {
  const r = data.subject.record;
  const m = r.metrics;
  if (!m) return null;
  if (isClassificationMetrics(m)) {
    const rows = m.perClass
      .map(
        (c) =>
          `<tr data-class="${esc(c.label)}"><td>${esc(c.label)}</td><td class="num" data-key="precision">${metric(c.precision)}</td><td class="num" data-key="recall">${metric(c.recall)}</td><td class="num" data-key="f1">${metric(c.f1)}</td><td class="num" data-key="support">${c.support}</td></tr>`,
      )
      .join('\n');
    return `<p>On the ${m.rows} rows of the held-out test split.</p>
<div class="charts">${figure(svgs, CHART.confusion, 'Rows: the true class; columns: the class predicted. The diagonal counts correct predictions.')}${figure(svgs, CHART.perClass)}</div>
<table id="per-class"><thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">support</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
  }
  const charts = data.regression
    ? `<div class="charts">${figure(svgs, CHART.scatter, 'Each point is one test row; on the dashed line the prediction is exact.')}${figure(svgs, CHART.residuals, 'Residuals should scatter evenly around zero; a trend means a systematic error.')}</div>`
    : '';
  return `<p>On the ${m.rows} rows of the held-out test split, in the target's units.</p>\n${charts}`;
}

function importanceSection(data: ReportData, svgs: Map<string, string>): string {
  const imp = data.importance!;
  const where = imp.data.source === 'test-split' ? 'the held-out test split' : esc(imp.data.path);
  const rows = imp.features
    .map(
      (f, i) =>
        `<tr data-column="${esc(f.feature)}"><td class="num">${i + 1}</td><td>${esc(f.feature)}</td><td class="num" data-key="mean">${metric(f.mean)}</td><td class="num" data-key="std">${metric(f.std)}</td></tr>`,
    )
    .join('\n');
  return `<p>Permutation importance on ${imp.data.rows} rows of ${where}: how much ${esc(imp.metric)} (${metric(imp.score)} as is) ${imp.higherIsBetter ? 'drops' : 'rises'} when one column's values are shuffled across rows, mean ± std over ${imp.repeats} repeats (seed ${imp.seed}). A drop within its std of zero means the model does not rely on the column.</p>
<div class="charts">${figure(svgs, CHART.importance)}</div>
<table id="importance"><thead><tr><th class="num">#</th><th>column</th><th class="num">drop</th><th class="num">± std</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function weightsSection(data: ReportData, svgs: Map<string, string>): string | null {
  if (data.weights.length === 0) return null;
  const rows = data.weights
    .map(
      (w) =>
        `<tr data-weight="${esc(w.name)}"><td>${esc(w.name)}</td><td>${w.shape.join(' × ')}</td><td class="num" data-key="count">${w.count}</td><td class="num" data-key="zeros">${w.zeros}</td><td class="num" data-key="min">${fmt(w.min)}</td><td class="num" data-key="max">${fmt(w.max)}</td><td class="num" data-key="mean">${fmt(w.mean)}</td><td class="num" data-key="std">${fmt(w.std)}</td></tr>`,
    )
    .join('\n');
  const figs = histogramTensors(data.weights)
    .map(([i]) => figure(svgs, CHART.histogram(i)))
    .join('');
  return `<p>The distribution of each layer's weights (${data.weights.reduce((a, w) => a + w.count, 0)} values in all); the table summarises every tensor.</p>
<div class="charts small">${figs}</div>
<table id="weight-table"><thead><tr><th>tensor</th><th>shape</th><th class="num">values</th><th class="num">zeros</th><th class="num">min</th><th class="num">max</th><th class="num">mean</th><th class="num">std</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function compressionSection(c: CompressionFacts, r: VersionRecord, svgs: Map<string, string>): string {
  const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
  const sizes = c.sizes
    .map(
      (s) =>
        `<tr data-size="${esc(s.what)}"><td>${esc(s.what)}</td><td class="num" data-key="parent">${s.parent}</td><td class="num" data-key="child">${s.child}</td><td class="num" data-key="ratio">${Number.isFinite(s.ratio) ? s.ratio.toFixed(3) : '–'}</td><td class="num">${esc(formatBytes(s.parent))} → ${esc(formatBytes(s.child))}</td></tr>`,
    )
    .join('\n');
  const layers = c.layers
    .map(
      (l) =>
        `<tr data-layer="${esc(l.layer)}"><td>${esc(l.layer)}</td><td class="num" data-key="weights">${l.weights}</td><td class="num" data-key="zeros">${l.zeros}</td><td class="num" data-key="sparsity">${pct(l.sparsity)}</td><td class="num" data-key="parent-sparsity">${pct(l.parentSparsity)}</td></tr>`,
    )
    .join('\n');
  const changes = c.metricChanges.length
    ? `<table id="metric-changes"><thead><tr><th>metric</th><th class="num">v${c.parentVersion} (parent)</th><th class="num">v${r.version}</th><th class="num">change</th></tr></thead><tbody>
${c.metricChanges
  .map(
    (m) =>
      `<tr data-metric="${esc(m.metric)}"><td>${esc(metricLabel(m.metric))}</td><td class="num" data-key="parent">${metric(m.parent)}</td><td class="num" data-key="child">${metric(m.child)}</td><td class="num ${deltaClass(m.metric, m.delta)}" data-key="delta">${signed(m.delta)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<p class="muted">Metric changes: ${esc(c.metricSource ?? '')}, on the test split the versions share.</p>`
    : '<p class="muted">No metric change to show: the versions do not both have test metrics.</p>';
  const changedStorage = c.storage.filter((s) => s.from !== null && s.from !== s.to);
  const parentStorage = storageSummary(c.storage.filter((s) => s.from !== null).map((s) => ({ ...s, to: s.from as string })));
  const storage = c.storage.length
    ? `<p>Weights stored as <span data-key="storage">${esc(storageSummary(c.storage))}</span>${
        changedStorage.length === c.storage.length ? `; v${c.parentVersion} stored them as ${esc(parentStorage)}` : ''
      }.${
        changedStorage.length && changedStorage.length < c.storage.length
          ? ` Changed: ${changedStorage.map((s) => `${esc(s.name)} (${esc(s.from ?? '?')} → ${esc(s.to)})`).join(', ')}.`
          : ''
      }</p>`
    : '';
  const details = c.details.length
    ? keyValueTable(
        'compression-details',
        c.details.map((d) => [d.label, d.label, esc(d.value)]),
      )
    : '';
  return `<p>v${r.version} was ${OPERATION_PAST[c.operation]} from v${c.parentVersion}. Kernel sparsity <b data-key="sparsity">${pct(c.sparsity.child)}</b> (parent ${pct(c.sparsity.parent)}).</p>
${storage}
<div class="charts">${figure(svgs, CHART.sparsity)}</div>
<table id="layer-sparsity"><thead><tr><th>layer</th><th class="num">kernel weights</th><th class="num">zeros</th><th class="num">sparsity</th><th class="num">parent</th></tr></thead><tbody>
${layers}
</tbody></table>
<table id="size-change"><thead><tr><th>size</th><th class="num">v${c.parentVersion} bytes</th><th class="num">v${r.version} bytes</th><th class="num">ratio</th><th class="num"></th></tr></thead><tbody>
${sizes}
</tbody></table>
${changes}
${details}`;
}

function storageSummary(storage: CompressionFacts['storage']): string {
  const counts = new Map<string, number>();
  for (const s of storage) counts.set(s.to, (counts.get(s.to) ?? 0) + 1);
  return [...counts].map(([dtype, n]) => `${dtype} (${n} tensor${n === 1 ? '' : 's'})`).join(', ');
}

function lineageSection(data: ReportData): string {
  const steps = data.lineage
    .map((s) => {
      const current = s.version === data.subject.record.version;
      const score = s.metric
        ? `<span class="step-metric" data-key="${esc(s.metric.name)}">${esc(METRIC_LABELS[s.metric.name] ?? s.metric.name)} ${metric(s.metric.value)}</span>`
        : '';
      const op = s.operation ? `<span class="step-op">${esc(s.operation)}</span>` : '<span class="step-op muted">removed</span>';
      const when = s.createdAt ? `<span class="step-date">${esc(formatDate(s.createdAt).slice(0, 10))}</span>` : '';
      return `<li data-version="${s.version}"${current ? ' class="current" aria-current="true"' : ''}><b>v${s.version}</b>${op}${score}${when}</li>`;
    })
    .join('');
  const intro =
    data.lineage.length === 1
      ? `v${data.subject.record.version} has no parent: it was ${OPERATION_PAST[data.subject.record.operation]} directly.`
      : `The chain of versions v${data.subject.record.version} came from, oldest first.`;
  return `<p>${intro}</p>\n<ol class="lineage">${steps}</ol>`;
}

function compareSection(data: ReportData, svgs: Map<string, string>): string {
  const a = data.subject.record;
  const b = data.compare!.record;
  const head = `<tr><th></th><th class="num">v${a.version}${data.subject.aliases.length ? ` (${esc(data.subject.aliases.join(', '))})` : ''}</th><th class="num">v${b.version}${
    data.compare!.aliases.length ? ` (${esc(data.compare!.aliases.join(', '))})` : ''
  }</th><th class="num">v${a.version} − v${b.version}</th></tr>`;
  const row = (key: string, label: string, va: number | null | undefined, vb: number | null | undefined, format = metric) =>
    !isNum(va) && !isNum(vb)
      ? ''
      : `<tr data-key="${esc(key)}"><td>${esc(label)}</td><td class="num" data-key="a">${isNum(va) ? format(va) : '–'}</td><td class="num" data-key="b">${isNum(vb) ? format(vb) : '–'}</td><td class="num" data-key="delta">${
          isNum(va) && isNum(vb) ? (format === metric ? signed(va - vb) : signedInt(va - vb)) : '–'
        }</td></tr>`;
  const rows: string[] = [];
  const ma = a.metrics;
  const mb = b.metrics;
  const metricKeys: [string, string][] =
    taskOf(a) === 'regression'
      ? [
          ['r2', 'R²'],
          ['rmse', 'RMSE'],
          ['mae', 'MAE'],
        ]
      : [
          ['accuracy', 'accuracy'],
          ['macroF1', 'macro F1'],
          ['macroPrecision', 'macro precision'],
          ['macroRecall', 'macro recall'],
        ];
  const get = (m: unknown, k: string) => (m as Record<string, number> | undefined)?.[k];
  for (const [k, label] of metricKeys) rows.push(row(`metrics.${k}`, label, get(ma, k), get(mb, k)));
  const asInt = (x: number) => String(Math.round(x));
  const weightBytes = (r: VersionRecord, key: 'bytes' | 'gzipBytes') =>
    r.files.filter((f) => f.path !== MODEL_JSON_FILE).reduce((s, f) => s + f[key], 0);
  rows.push(row('size.weights', 'weight bytes', weightBytes(a, 'bytes'), weightBytes(b, 'bytes'), asInt));
  rows.push(row('size.gzip', 'weight bytes, gzipped', weightBytes(a, 'gzipBytes'), weightBytes(b, 'gzipBytes'), asInt));
  rows.push(row('parameters', 'parameters', a.io?.parameters, b.io?.parameters, asInt));
  rows.push(row('epochs', 'epochs run', a.history?.epochsRun, b.history?.epochsRun, asInt));

  const ha = a.hyperparameters as Record<string, unknown> | undefined;
  const hb = b.hyperparameters as Record<string, unknown> | undefined;
  const keys = [...new Set([...Object.keys(ha ?? {}), ...Object.keys(hb ?? {})])];
  const differing = keys.filter((k) => JSON.stringify(ha?.[k]) !== JSON.stringify(hb?.[k]));
  const hyper = differing.length
    ? `<table id="compare-hyperparameters"><thead><tr><th>hyperparameter</th><th>v${a.version}</th><th>v${b.version}</th></tr></thead><tbody>${differing
        .map(
          (k) =>
            `<tr data-key="${esc(k)}"><td>${esc(k)}</td><td>${esc(formatSetting(ha?.[k]))}</td><td>${esc(formatSetting(hb?.[k]))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="muted">Same hyperparameters${ha || hb ? '' : ' (neither version records any)'}.</p>`;
  return `<p>v${a.version} (this report) next to v${b.version} (${OPERATION_PAST[b.operation]}${b.parent !== null ? ` from v${b.parent}` : ''}, ${esc(formatDate(b.createdAt))} UTC).</p>
<table id="compare-table"><thead>${head}</thead><tbody>
${rows.filter(Boolean).join('\n')}
</tbody></table>
${hyper}
${
  svgs.has(CHART.compareLoss)
    ? `<div class="charts">${figure(svgs, CHART.compareLoss)}${figure(svgs, CHART.compareMetric)}</div>`
    : `<p class="muted">No curves to overlay: ${[a, b]
        .filter((r) => !r.history?.epochs.length)
        .map(
          (r) =>
            `v${r.version} has no training history (it was ${OPERATION_PAST[r.operation]}${r.operation === 'train' ? '' : ' without training'})`,
        )
        .join('; ')}.</p>`
}`;
}

// ------------------------------------------------------------------ pieces

function figure(svgs: Map<string, string>, id: string, caption?: string): string {
  const svg = svgs.get(id);
  if (!svg) return '';
  return `<figure class="chart" data-chart="${esc(id)}">${svg}${caption ? `<figcaption>${esc(caption)}</figcaption>` : ''}</figure>`;
}

function keyValueTable(id: string, rows: [string, string, string][]): string {
  return `<table id="${id}" class="kv"><tbody>
${rows.map(([key, label, html]) => `<tr data-key="${esc(key)}"><th scope="row">${esc(label)}</th><td>${html}</td></tr>`).join('\n')}
</tbody></table>`;
}

function filesSummary(r: VersionRecord): string {
  const bytes = r.files.reduce((a, f) => a + f.bytes, 0);
  const gzip = r.files.reduce((a, f) => a + f.gzipBytes, 0);
  return `${r.files.map((f) => f.path).join(', ')}: ${formatBytes(bytes)} (${formatBytes(gzip)} gzipped)`;
}

function deltaClass(metric: string, delta: number): string {
  if (delta === 0) return '';
  const lowerIsBetter = /^(rmse|mae)/.test(metric);
  return delta > 0 !== lowerIsBetter ? 'better' : 'worse';
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

const METRIC_LABELS: Record<string, string> = {
  accuracy: 'accuracy',
  macroF1: 'macro F1',
  macroPrecision: 'macro precision',
  macroRecall: 'macro recall',
  r2: 'R²',
  rmse: 'RMSE',
  mae: 'MAE',
};

/** "macroF1" → "macro F1", "f1[setosa]" → "F1 of setosa". */
function metricLabel(key: string): string {
  const perClass = /^(precision|recall|f1)\[(.*)\]$/.exec(key);
  if (perClass) return `${perClass[1] === 'f1' ? 'F1' : perClass[1]} of ${perClass[2]}`;
  return METRIC_LABELS[key] ?? key;
}

/** Numbers as the report prints them: integers whole, others to 4 decimals (2 from 100 up). */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(2) : v.toFixed(4);
}

/** A metric: always 4 decimals (2 from 100 up), so columns line up. */
function metric(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(2) : v.toFixed(4);
}

function signed(v: number): string {
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${metric(Math.abs(v))}`;
}

function signedInt(v: number): string {
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(Math.round(v))}`;
}

function formatSetting(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  if (v === undefined || v === null) return '–';
  return String(v);
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19);
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// ------------------------------------------------------------------ style

const CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1d1f23; --muted: #5f6670; --line: #dfe2e7; --card: #f4f6f9; --accent: #4e79a7;
  --better: #2e7d32; --worse: #c62828; --axis: #444a52;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.5;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #16181c; --fg: #e6e8eb; --muted: #a3aab3; --line: #343941; --card: #1f2227; --accent: #8ab4f8;
    --better: #81c995; --worse: #f28b82; --axis: #c4c9cf; }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0 auto; max-width: 1120px; padding: 24px 28px 64px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; letter-spacing: -0.01em; }
h1 .version { color: var(--accent); font-weight: 600; }
h2 { font-size: 1.25rem; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.lede { font-size: 1.05rem; margin: 0 0 2px; }
.meta, .muted, figcaption { color: var(--muted); }
.meta { font-size: 0.85rem; margin: 0 0 12px; }
nav { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 0.9rem; padding: 8px 0; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
section { margin-top: 32px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85em; word-break: break-all; }
table { border-collapse: collapse; margin: 12px 0; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 12px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-weight: 600; color: var(--muted); }
.num { text-align: right; padding-left: 12px; }
table.kv th { font-weight: 500; color: var(--muted); width: 10rem; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 8.5rem; display: flex; flex-direction: column; }
.card .value { font-size: 1.45rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .label { font-size: 0.8rem; color: var(--muted); }
.labels .label { display: inline-block; background: var(--card); border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; margin: 2px 2px; font-size: 0.85rem; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 28px; align-items: flex-start; }
figure.chart { margin: 8px 0; max-width: 100%; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.8rem; max-width: 34rem; margin-top: 4px; }
.charts.small figure.chart { margin: 0; }
.better { color: var(--better); }
.worse { color: var(--worse); }
ol.lineage { list-style: none; padding: 0; margin: 12px 0; display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
ol.lineage li { display: flex; flex-direction: column; border: 1px solid var(--line); background: var(--card); border-radius: 8px; padding: 8px 14px; min-width: 9rem; }
ol.lineage li + li::before { content: "→"; color: var(--muted); position: relative; left: -30px; top: 22px; height: 0; width: 0; }
ol.lineage li + li { margin-left: 18px; }
ol.lineage li.current { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent); }
ol.lineage .step-op { font-size: 0.85rem; color: var(--muted); }
ol.lineage .step-metric { font-variant-numeric: tabular-nums; }
ol.lineage .step-date { font-size: 0.8rem; color: var(--muted); }
/* chart text and axes follow the page's colours (CSS beats SVG presentation attributes) */
figure.chart svg .role-axis-label text, figure.chart svg .role-legend-label text { fill: var(--axis); }
figure.chart svg .role-axis-title text, figure.chart svg .role-legend-title text, figure.chart svg .role-title-text text { fill: var(--fg); }
figure.chart svg .role-axis-grid line { stroke: var(--line); }
figure.chart svg .role-axis-domain line, figure.chart svg .role-axis-tick line { stroke: var(--muted); }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #444; --line: #ccc; --card: #fff; --accent: #1f4e79; --axis: #222; font-size: 11pt; }
  body { max-width: none; padding: 0; }
  nav { display: none; }
  section { break-inside: auto; }
  h2 { break-after: avoid; }
  figure.chart, table, .cards, ol.lineage { break-inside: avoid; }
  a { color: inherit; }
}
`;
