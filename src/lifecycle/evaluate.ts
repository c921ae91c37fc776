/**
 * `mlctl evaluate`: metrics of a version on its own stored test split (exactly the rows training
 * held out) or on a labelled CSV matched by column name; quality gates for CI.
 */
import { MlctlError } from '../errors.js';
import { GATE_ENTRIES, gateFlag, type GateMetric, type Gates } from '../options/evaluate.js';
import type { BackendChoice, Task } from '../vocabulary.js';
import { readCsvFile } from '../dataset/read-table.js';
import { prepareEvaluationData, type PreparedEvaluationData } from '../dataset/prepare.js';
import type { Registry, VersionSelector } from '../registry/registry.js';
import type { VersionRecord } from '../registry/version-record.js';
import { openVersion, readVersion, requireSignature } from './open-version.js';
import { scoreSplit } from './fit-mlp.js';
import { readStoredTestSplit } from './test-split.js';
import type { Metrics } from './metrics.js';

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
  registry: Registry;
  model: string;
  selector?: VersionSelector;
  /** a labelled CSV; default: the version's stored test split */
  data?: string;
  gates?: Gates;
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
  warnings: string[];
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const { registry, model: name } = options;
  const info = await readVersion({ registry, model: name, selector: options.selector });
  const signature = requireSignature(info.record);
  checkGatesFitTask(options.gates ?? {}, signature.target.task);

  const data = await evaluationRows(info.record, options.data);
  const prepared = data.prepared;
  const opened = await openVersion({ registry, model: name, backend: options.backend }, info);
  try {
    const metrics = scoreSplit(opened.handle, signature, { x: prepared.x, y: prepared.y, n: prepared.rows.length });
    const gates = checkGates(options.gates ?? {}, metrics);
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
      warnings: prepared.warnings,
    };
  } finally {
    opened.dispose();
  }
}

export interface EvaluationRows {
  source: 'test-split' | 'file';
  path: string;
  prepared: PreparedEvaluationData;
}

/**
 * The labelled rows a version is scored on, encoded with its signature: `data` (a labelled CSV)
 * or its stored test split. evaluate, quantize and prune all score through this.
 */
export async function evaluationRows(record: VersionRecord, data?: string): Promise<EvaluationRows> {
  const signature = requireSignature(record);
  const rows = data ? { path: data, table: await readCsvFile(data) } : await readStoredTestSplit(record);
  const prepared = prepareEvaluationData(signature, rows.table, { indices: 'indices' in rows ? rows.indices : undefined });
  return { source: data ? 'file' : 'test-split', path: rows.path, prepared };
}

function checkGatesFitTask(gates: Gates, task: Task): void {
  for (const [key, spec] of GATE_ENTRIES) {
    if (gates[key] !== undefined && spec.task !== task) {
      const fitting = GATE_ENTRIES.filter(([, g]) => g.task === task).map(([, g]) => gateFlag(g));
      throw new MlctlError('USAGE', `${gateFlag(spec)} applies to ${spec.task} models; this one is a ${task} model.`, {
        hint: `Use ${fitting.join(', ')}.`,
      });
    }
  }
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
