/**
 * `mlctl explain`: what a version looks at, and why it answered one row as it did, on the raw
 * columns the user knows.
 *
 * - Global importance (default): permutation feature importance (explain/importance.ts) on the
 *   version's stored test split or a labelled `--data` file, scored through the evaluate path
 *   (`evaluationRows`, the same metrics); stored in the version's explanation.json so the report
 *   shows it.
 * - Local attributions (`rows` or `input`): integrated gradients (explain/attributions.ts) from
 *   the training means, summed onto raw columns, with the completeness check of every row.
 */
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { encodeFeatures, describeUnseen, type UnseenCategories } from '../dataset/signature.js';
import type { Cell } from '../dataset/cell.js';
import type { Table } from '../dataset/read-table.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { ImportanceSection } from '../registry/version-record.js';
import { EXPLANATION_FILE, orList, TUNE_METRIC_INFO, TUNE_METRICS, type BackendChoice, type TuneMetric } from '../vocabulary.js';
import { mlctlVersion } from '../version.js';
import { IMPORTANCE_OPTIONS } from '../options/explain.js';
import { evaluationRows } from './evaluate.js';
import { openVersion, readVersion, type VersionInfo } from './open-version.js';
import { plainTable } from './plain-input.js';
import { inputSignatureOf, readInput, type InputFormatOptions, type PredictOptions } from './predict.js';
import { attributeRows, type AttributionSet, type RowAttribution } from './explain/attributions.js';
import { permutationImportance } from './explain/importance.js';

export type { AttributionSet, RowAttribution } from './explain/attributions.js';

export type ExplainProgress =
  { phase: 'importance'; done: number; total: number; feature: string } | { phase: 'attributions'; rows: number };

export interface ExplainOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
  backend?: BackendChoice;
  /** a labelled CSV (importance, or the rows `rows` picks from); default the stored test split */
  data?: string;
  /** how to read `data` and `input` (--delimiter, --decimal, --encoding, --no-header) */
  read?: InputFormatOptions;
  /** importance: shuffles per column (default 10) */
  repeats?: number;
  /** importance: the metric (default accuracy / r2) */
  metric?: TuneMetric;
  /** importance: seed of the shuffles (default 42) */
  seed?: number;
  /** importance: store it in the version's explanation.json (default true) */
  save?: boolean;
  /** attributions for these rows (1-based) of the test split or `data` */
  rows?: number[];
  /** attributions for every row of this CSV/JSON input (as `mlctl predict` reads it) */
  input?: PredictOptions['input'];
  onProgress?: (event: ExplainProgress) => void;
}

export interface ImportanceResult {
  kind: 'importance';
  model: string;
  version: number;
  backend: string;
  importance: ImportanceSection;
  /** where it was stored (the version's explanation.json, or the database's version), null with save: false */
  stored: string | null;
  warnings: string[];
}

export interface AttributionRow extends RowAttribution {
  /** the row's raw values, by column */
  values: Record<string, Cell>;
}

export interface AttributionsResult extends Omit<AttributionSet, 'rows'> {
  kind: 'attributions';
  model: string;
  version: number;
  backend: string;
  /** where the rows came from */
  data: { source: 'test-split' | 'file' | 'input'; path: string };
  rows: AttributionRow[];
  unseenCategories: UnseenCategories;
  warnings: string[];
}

export type ExplainResult = ImportanceResult | AttributionsResult;

export const DEFAULT_REPEATS = IMPORTANCE_OPTIONS.repeats.default as number;
export const DEFAULT_EXPLAIN_SEED = IMPORTANCE_OPTIONS.seed.default as number;

export async function explain(options: ExplainOptions): Promise<ExplainResult> {
  if (options.rows !== undefined && options.input !== undefined) {
    throw new MlctlError('USAGE', 'Give --row (rows of the test split or --data) or --input (rows of a file), not both.');
  }
  if (options.input !== undefined && options.data !== undefined) {
    throw new MlctlError('USAGE', '--data picks the rows --row explains; with --input the rows come from the input itself.', {
      hint: 'Drop --data, or use --row with --data.',
    });
  }
  const info = await readVersion({ registry: options.registry, model: options.model, selector: options.selector });
  if (options.rows !== undefined || options.input !== undefined) return explainRows(options, info);
  return explainImportance(options, info);
}

async function explainImportance(options: ExplainOptions, info: VersionInfo): Promise<ImportanceResult> {
  const started = Date.now();
  const { signature } = await inputSignatureOf(info);
  const task = signature.target.task;
  const metric = options.metric ?? (task === 'classification' ? 'accuracy' : 'r2');
  if (TUNE_METRIC_INFO[metric].task !== task) {
    const fitting = TUNE_METRICS.filter((m) => TUNE_METRIC_INFO[m].task === task);
    throw new MlctlError('USAGE', `--metric ${metric} does not fit a ${task} model ("${signature.target.name}").`, {
      hint: `Use ${orList(fitting)}.`,
    });
  }
  const repeats = options.repeats ?? DEFAULT_REPEATS;
  const seed = options.seed ?? DEFAULT_EXPLAIN_SEED;
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new MlctlError('USAGE', `--repeats must be a positive integer, got ${repeats}.`);
  const rows = await evaluationRows(info, options.data, options.read);
  if (rows.prepared.rows.length < 2) {
    throw new MlctlError(
      'INVALID_DATA',
      `Permutation importance needs at least 2 labelled rows; ${rows.path} has ${rows.prepared.rows.length}.`,
      {
        hint: 'Pass --data <labelled.csv> with more rows.',
      },
    );
  }
  const opened = await openVersion({ registry: options.registry, model: info.model, backend: options.backend }, info);
  try {
    const { prepared } = rows;
    const result = permutationImportance({
      predict: (x, n) => opened.handle.predict(x, n),
      signature: rows.signature,
      x: prepared.x,
      y: prepared.y,
      n: prepared.rows.length,
      metric,
      repeats,
      seed,
      onColumn: (done, total, feature) => options.onProgress?.({ phase: 'importance', done, total, feature }),
    });
    const importance: ImportanceSection = {
      method: 'permutation',
      metric,
      higherIsBetter: TUNE_METRIC_INFO[metric].higherIsBetter,
      score: result.score,
      repeats,
      seed,
      data: { source: rows.source, path: rows.path, rows: prepared.rows.length },
      features: result.features,
      createdAt: new Date().toISOString(),
      mlctlVersion: mlctlVersion(),
      durationMs: Date.now() - started,
    };
    let stored: string | null = null;
    if (options.save !== false) {
      await options.registry.writeExplanation(info.model, info.version, importance);
      const where = options.registry.versionLocation(info.model, info.version);
      stored = options.registry.kind === 'folder' ? path.join(where, EXPLANATION_FILE) : where;
    }
    return {
      kind: 'importance',
      model: info.model,
      version: info.version,
      backend: opened.backend,
      importance,
      stored,
      warnings: prepared.warnings,
    };
  } finally {
    opened.dispose();
  }
}

async function explainRows(options: ExplainOptions, info: VersionInfo): Promise<AttributionsResult> {
  const { signature, plain } = await inputSignatureOf(info);
  const names = signature.features.map((f) => f.name);
  let x: Float32Array;
  let table: Table;
  let tableRows: ArrayLike<number>;
  let rowNumbers: number[];
  let data: AttributionsResult['data'];
  const unseen: UnseenCategories = {};
  const warnings: string[] = [];
  if (options.input !== undefined) {
    table = await readInput(options.input, plain ? null : names, options.read, names);
    if (plain) table = plainTable(table, plain, info.record, false);
    if (table.rows.length === 0) throw new MlctlError('INVALID_DATA', 'The input has no rows to explain.');
    x = encodeFeatures(signature, table, { unknownCategory: 'ignore', unseen });
    rowNumbers = table.rows.map((_, i) => i + 1);
    tableRows = Int32Array.from(rowNumbers, (r) => r - 1);
    data = { source: 'input', path: 'path' in options.input ? options.input.path : options.input.name };
    const note = describeUnseen(signature, unseen);
    if (note) warnings.push(note);
  } else {
    const rows = await evaluationRows(info, options.data, options.read);
    const count = rows.prepared.rows.length;
    const wanted = options.rows ?? [];
    const outside = wanted.filter((r) => !(Number.isInteger(r) && r >= 1 && r <= count));
    if (outside.length > 0 || wanted.length === 0) {
      throw new MlctlError(
        'USAGE',
        `--row ${outside.join(',') || '(none)'} is outside the ${count} rows of ${rows.source === 'test-split' ? `the test split of ${path.basename(rows.path)}` : path.basename(rows.path)} (1 to ${count}).`,
        {
          hint:
            rows.source === 'test-split'
              ? 'Rows count within the stored test split, in file order.'
              : 'Rows count the labelled rows of --data.',
        },
      );
    }
    const width = rows.signature.inputSize;
    x = new Float32Array(wanted.length * width);
    wanted.forEach((r, k) => x.set(rows.prepared.x.subarray((r - 1) * width, r * width), k * width));
    table = rows.table;
    tableRows = Int32Array.from(wanted, (r) => rows.prepared.rows[r - 1]);
    rowNumbers = wanted;
    data = { source: rows.source, path: rows.path };
    warnings.push(...rows.prepared.warnings);
  }
  options.onProgress?.({ phase: 'attributions', rows: rowNumbers.length });
  const opened = await openVersion({ registry: options.registry, model: info.model, backend: options.backend }, info);
  try {
    const set = attributeRows(opened.handle, signature, x, rowNumbers.length, { rowNumbers, plain: plain !== null });
    const columns = names.map((name) => table.columns.indexOf(name));
    const rows: AttributionRow[] = set.rows.map((row, k) => {
      const cells = table.rows[tableRows[k]];
      return { ...row, values: Object.fromEntries(names.map((name, j) => [name, columns[j] >= 0 ? (cells[columns[j]] ?? null) : null])) };
    });
    if (!set.completeness.passed) {
      warnings.push(
        `Completeness missed ${(set.tolerance * 100).toFixed(0)}% on some rows (largest error ${(set.completeness.maxError * 100).toFixed(2)}% after ${set.completeness.maxSteps} steps).`,
      );
    }
    return {
      ...set,
      kind: 'attributions',
      model: info.model,
      version: info.version,
      backend: opened.backend,
      data,
      rows,
      unseenCategories: unseen,
      warnings,
    };
  } finally {
    opened.dispose();
  }
}
