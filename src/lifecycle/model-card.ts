/**
 * `model-card.md`, written beside an exported model: the key facts of a version in a README a
 * person reads (what it predicts from what, how well, how big, where it came from, how to load
 * it), drawn from its record and its ancestors' records.
 */
import type { Signature } from '../dataset/signature.js';
import type { VersionRecord } from '../registry/version-record.js';
import { keyMetric } from './key-metric.js';

export interface ModelCardInput {
  record: VersionRecord;
  /** the version's ancestors, parent first */
  lineage: VersionRecord[];
  /** weight shard file names (manifest order) */
  shardFiles: string[];
}

export function modelCard({ record, lineage, shardFiles }: ModelCardInput): string {
  const out: string[] = [];
  const sig = record.signature as unknown as Signature | undefined;
  const weights = record.files.filter((f) => shardFiles.includes(f.path));
  const bytes = weights.reduce((a, f) => a + f.bytes, 0);
  const gzip = weights.reduce((a, f) => a + f.gzipBytes, 0);
  const metric = keyMetric(record);

  out.push(`# ${record.model} v${record.version}`, '');
  if (sig) {
    const target = sig.target;
    const what =
      target.task === 'classification'
        ? `classifies \`${target.name}\` into ${target.classes.length} classes (${target.classes.map((c) => `\`${c}\``).join(', ')})`
        : `predicts \`${target.name}\` (regression)`;
    out.push(`A TensorFlow.js layers model that ${what} from ${sig.features.length} feature${sig.features.length === 1 ? '' : 's'}.`, '');
  } else {
    out.push(
      `A TensorFlow.js layers model ${record.operation === 'import' ? 'imported into' : 'kept by'} mlctl (no recorded preprocessing).`,
      '',
    );
  }

  out.push('| | |', '|---|---|');
  out.push(`| version | ${record.version} (${record.operation}${record.parent !== null ? ` of v${record.parent}` : ''}) |`);
  out.push(`| created | ${record.createdAt} |`);
  if (metric) out.push(`| ${metric.name} (held-out test split) | ${format(metric.value)} |`);
  out.push(`| weights | ${bytes} bytes (${gzip} gzipped) in ${shardFiles.join(', ')} |`);
  const q = record.quantization as { dtype?: string; step?: number | null; skipped?: string[] } | undefined;
  if (q?.dtype)
    out.push(
      `| quantization | ${q.dtype}${q.step ? `, step ${q.step}` : ''}${q.skipped?.length ? `, except ${q.skipped.join(', ')}` : ''} (dequantized by TF.js on load) |`,
    );
  const p = record.pruning as { sparsity?: number } | undefined;
  if (typeof p?.sparsity === 'number') out.push(`| kernel sparsity | ${(p.sparsity * 100).toFixed(1)}% of kernel weights are exactly 0 |`);
  if (record.dataset)
    out.push(`| trained on | ${record.dataset.path} (${record.dataset.rows} rows, sha256 ${record.dataset.sha256.slice(0, 12)}…) |`);
  if (typeof record.seed === 'number') out.push(`| seed | ${record.seed} |`);
  out.push(`| mlctl / TF.js | ${record.mlctlVersion} / ${record.tfjsVersion ?? 'unknown'} |`);
  out.push('');

  const metrics = record.metrics as Record<string, unknown> | undefined;
  if (metrics) {
    const scalar = Object.entries(metrics).filter(([k, v]) => typeof v === 'number' && k !== 'rows');
    if (scalar.length) {
      out.push('## Test metrics', '', '| metric | value |', '|---|---|');
      for (const [k, v] of scalar) out.push(`| ${k} | ${format(v as number)} |`);
      if (typeof metrics.rows === 'number') out.push('', `On ${metrics.rows} held-out rows.`);
      out.push('');
    }
  }

  if (sig) {
    out.push('## Inputs', '', 'Columns in input order; `signature.json` has the exact encoding and statistics.', '');
    out.push('| feature | type | encoding |', '|---|---|---|');
    for (const f of sig.features) {
      const enc =
        f.type === 'numeric'
          ? `z-score (mean ${format(f.mean)}, std ${format(f.std)}), missing → ${format(f.fill)}`
          : f.type === 'boolean'
            ? `0/1, missing → ${f.fill}`
            : f.type === 'datetime'
              ? `${f.parts.map((p) => p.part).join(', ')}, each z-scored${f.origin ? ` (days since ${f.origin})` : ''}`
              : `one-hot over ${f.categories.length} categories`;
      out.push(`| ${f.name} | ${f.type === 'datetime' ? f.kind : f.type} | ${enc} |`);
    }
    out.push('');
  }

  if (lineage.length) {
    out.push('## Lineage', '');
    for (const r of [record, ...lineage])
      out.push(`- v${r.version}: ${r.operation}${r.parent !== null ? ` of v${r.parent}` : ''} (${r.createdAt})`);
    out.push('');
  }

  out.push(
    '## Loading it',
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    "const model = await tf.loadLayersModel('https://your.host/path/model.json');",
    sig
      ? `const probabilities = model.predict(tf.tensor2d(encodedRows, [encodedRows.length, ${sig.inputSize}]));`
      : 'const output = model.predict(input);',
    '```',
    '',
    'Every file here is stock TF.js: no mlctl code is needed to load or run the model.',
    '',
  );
  return out.join('\n');
}

function format(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(1) : Number(x.toPrecision(4)).toString();
}
