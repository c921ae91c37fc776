/**
 * `mlctl evaluate`: metrics of a version on its own stored test split (exactly the rows training
 * held out) or on a labelled CSV matched by column name; quality gates for CI.
 */
import { MlctlError } from '../errors.js';
import { GATE_ENTRIES, gateFlag, type GateMetric, type Gates } from '../options/evaluate.js';
import { envName } from '../options/spec.js';
import type { BackendChoice, Task } from '../vocabulary.js';
import path from 'node:path';
import { readCsvFile, type ReadCsvOptions, type Table } from '../dataset/read-table.js';
import { prepareEvaluationData, type PreparedEvaluationData } from '../dataset/prepare.js';
import type { Signature, UnseenCategories } from '../dataset/signature.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { VersionRecord } from '../registry/version-record.js';
import { openVersion, readVersion } from './open-version.js';
import { plainIoOf, plainSignature, plainTable } from './plain-input.js';
import { inputSignatureOf, type InputFormatOptions } from './predict.js';
import { scoreSplit } from './fit-mlp.js';
import { readStoredTestSplit } from './test-split.js';
import type { Metrics } from './metrics.js';

export type GateSources = Partial<Record<keyof Gates, 'flag' | 'env' | 'config'>>;

export interface GateResult {
  gate: string;
  metric: string;
  threshold: number;
  value: number;
  passed: boolean;
  /** how far the value falls short of the threshold (0 when passed) */
  shortBy: number;
}

export interface EvaluateOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
  /** a labelled CSV; default: the version's stored test split */
  data?: string;
  /** how to read `data` (--delimiter, --decimal, --encoding, --no-header) */
  read?: InputFormatOptions;
  gates?: Gates;
  /** where each gate came from: a gate for the other task is an error as a flag, skipped with a note otherwise (default flag) */
  gateSources?: GateSources;
  backend?: BackendChoice;
}

export interface EvaluateResult {
  model: string;
  version: number;
  data: { source: 'test-split' | 'file'; path: string; rows: number; droppedRows: number };
  metrics: Metrics;
  gates: GateResult[];
  passed: boolean;
  backend: string;
  /** categories the model never saw in training, per column (empty when none) */
  unseenCategories: UnseenCategories;
  warnings: string[];
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const { registry, model: name } = options;
  const info = await readVersion({ registry, model: name, selector: options.selector });
  const { signature } = await inputSignatureOf(info);
  const { gates: applicable, notes } = checkGatesFitTask(options.gates ?? {}, signature.target.task, options.gateSources);

  const data = await evaluationRows(info, options.data, options.read);
  const prepared = data.prepared;
  const opened = await openVersion({ registry, model: name, backend: options.backend }, info);
  try {
    const metrics = scoreSplit(opened.handle, signature, { x: prepared.x, y: prepared.y, n: prepared.rows.length });
    const gates = checkGates(applicable, metrics);
    return {
      model: name,
      version: info.version,
      data: {
        source: data.source,
        path: data.path,
        rows: prepared.rows.length,
        droppedRows: prepared.droppedRows,
      },
      metrics,
      gates,
      passed: gates.every((g) => g.passed),
      backend: opened.backend,
      unseenCategories: prepared.unseen,
      warnings: [...notes, ...prepared.warnings],
    };
  } finally {
    opened.dispose();
  }
}

export interface EvaluationRows {
  source: 'test-split' | 'file';
  path: string;
  /** the signature the rows were encoded with (the plain-number one for an imported model) */
  signature: Signature;
  prepared: PreparedEvaluationData;
  /** the rows as read (plain models: with the signature's column names); `prepared.rows` index it */
  table: Table;
}

/**
 * The labelled rows a version is scored on, encoded with its signature: `data` (a labelled CSV,
 * read as `read` says) or its stored test split (read as training read it). A version without a
 * signature (imported) takes plain numbers, the target last. evaluate, quantize and prune all
 * score through this.
 */
export async function evaluationRows(
  version: { record: VersionRecord; dir: string },
  data?: string,
  read: InputFormatOptions = {},
): Promise<EvaluationRows> {
  const { record, dir } = version;
  const plain = record.signature ? null : await plainIoOf(record, dir);
  const signature = record.signature ?? plainSignature(plain!);
  let rows: { path: string; table: Table; indices?: Int32Array };
  if (data) {
    const csv: ReadCsvOptions = { ...read };
    // without a header: the features in the model's order, then the target (plain models: positional)
    if (csv.header === false && !plain) csv.columns = [...signature.features.map((f) => f.name), signature.target.name];
    rows = { path: data, table: await readCsvFile(data, csv) };
  } else {
    // the version directory is <registry>/<model>/<n>; <project>/ paths are relative to the registry's folder
    rows = await readStoredTestSplit(record, path.dirname(path.dirname(dir)));
  }
  if (plain) rows.table = plainTable(rows.table, plain, record, true);
  const prepared = prepareEvaluationData(signature, rows.table, { indices: rows.indices });
  return { source: data ? 'file' : 'test-split', path: rows.path, signature, prepared, table: rows.table };
}

/**
 * The gates that apply to this task. A gate for the other task is an error when it was given as a
 * flag (or by a library caller), and is skipped with a note when it came from the config file or
 * an MLCTL_* variable, which are shared by every model.
 */
function checkGatesFitTask(gates: Gates, task: Task, sources: GateSources = {}): { gates: Gates; notes: string[] } {
  const kept: Gates = {};
  const notes: string[] = [];
  for (const [key, spec] of GATE_ENTRIES) {
    if (gates[key] === undefined) continue;
    if (spec.task === task) {
      kept[key] = gates[key];
      continue;
    }
    const source = sources[key] ?? 'flag';
    if (source === 'flag') {
      const fitting = GATE_ENTRIES.filter(([, g]) => g.task === task).map(([, g]) => gateFlag(g));
      throw new MlctlError('USAGE', `${gateFlag(spec)} applies to ${spec.task} models; this one is a ${task} model.`, {
        hint: `Use ${fitting.join(', ')}.`,
      });
    }
    const from = source === 'config' ? `"${key}" in the config` : envName(spec.flags);
    notes.push(`Skipped the ${gateFlag(spec)} gate (from ${from}): it applies to ${spec.task} models and this one is a ${task} model.`);
  }
  return { gates: kept, notes };
}

export function checkGates(gates: Gates, metrics: Metrics): GateResult[] {
  const out: GateResult[] = [];
  for (const [key, spec] of GATE_ENTRIES) {
    const threshold = gates[key];
    if (threshold === undefined) continue;
    const value = metricValue(metrics, spec.metric);
    const passed = spec.direction === 'min' ? value >= threshold : value <= threshold;
    out.push({
      gate: gateFlag(spec),
      metric: spec.metric,
      threshold,
      value,
      passed,
      shortBy: passed ? 0 : Math.abs(value - threshold),
    });
  }
  return out;
}

function metricValue(metrics: Metrics, metric: GateMetric): number {
  if (metrics.task === 'classification') {
    if (metric === 'accuracy' || metric === 'macroF1') return metrics[metric];
  } else if (metric === 'rmse' || metric === 'mae' || metric === 'r2') {
    return metrics[metric];
  }
  throw new MlctlError('USAGE', `The gate on ${metric} does not apply to a ${metrics.task} model.`);
}
