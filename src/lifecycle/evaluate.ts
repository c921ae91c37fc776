/**
 * `mlctl evaluate`: metrics of a version on its own stored test split (exactly the rows training
 * held out) or on a labelled CSV matched by column name; quality gates for CI.
 */
import { MlctlError } from '../errors.js';
import { readCsvFile } from '../dataset/read-table.js';
import { prepareEvaluationData, type PreparedEvaluationData } from '../dataset/prepare.js';
import type { BackendChoice } from '../engine/backend-choices.js';
import type { Registry, VersionSelector } from '../registry/registry.js';
import type { VersionRecord } from '../registry/version-record.js';
import { loadVersion } from './load-version.js';
import { scoreSplit } from './fit-mlp.js';
import { signatureOf } from './predict-rows.js';
import { decodeTestSplit, type StoredTestSplit } from './test-split.js';
import { resolveStoredPath } from './train.js';
import type { Metrics } from './metrics.js';

export interface Gates {
  minAccuracy?: number;
  minF1?: number;
  maxRmse?: number;
  maxMae?: number;
  minR2?: number;
}

interface GateSpec {
  key: keyof Gates;
  flag: string;
  metric: 'accuracy' | 'macroF1' | 'rmse' | 'mae' | 'r2';
  task: 'classification' | 'regression';
  direction: 'min' | 'max';
}

const GATES: GateSpec[] = [
  { key: 'minAccuracy', flag: '--min-accuracy', metric: 'accuracy', task: 'classification', direction: 'min' },
  { key: 'minF1', flag: '--min-f1', metric: 'macroF1', task: 'classification', direction: 'min' },
  { key: 'maxRmse', flag: '--max-rmse', metric: 'rmse', task: 'regression', direction: 'max' },
  { key: 'maxMae', flag: '--max-mae', metric: 'mae', task: 'regression', direction: 'max' },
  { key: 'minR2', flag: '--min-r2', metric: 'r2', task: 'regression', direction: 'min' },
];

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
  const version = await registry.resolveVersion(name, options.selector ?? {});
  const record = await registry.readRecord(name, version);
  const signature = signatureOf(record);
  checkGatesFitTask(options.gates ?? {}, signature.target.task);

  const set = await loadEvaluationSet(record, options.data);
  const { prepared, path: dataPath } = set;
  const loaded = await loadVersion({ registry, model: name, selector: { version }, backend: options.backend });
  try {
    const { loadTf } = await import('../engine/tf.js');
    const { tf } = await loadTf(options.backend ?? 'auto');
    const metrics = await scoreSplit(tf, loaded.model, signature, { x: prepared.x, y: prepared.y, n: prepared.rows.length });
    const gates = checkGates(options.gates ?? {}, metrics);
    return {
      model: name,
      version,
      data: { source: set.source, path: dataPath, rows: prepared.rows.length, droppedRows: prepared.droppedRows },
      metrics,
      gates,
      passed: gates.every((g) => g.passed),
      backend: loaded.backend,
      warnings: prepared.warnings,
    };
  } finally {
    loaded.model.dispose();
  }
}

export interface EvaluationSet {
  source: 'test-split' | 'file';
  path: string;
  prepared: PreparedEvaluationData;
}

/**
 * The labelled rows a version is scored on, encoded with its signature: its stored test split
 * (the rows training held out, from the dataset file whose sha256 must still match), or `data`.
 * evaluate, quantize and prune all score through this, so their metrics compare.
 */
export async function loadEvaluationSet(record: VersionRecord, data?: string): Promise<EvaluationSet> {
  const signature = signatureOf(record);
  const { model: name, version } = record;
  let dataPath: string;
  let indices: Int32Array | undefined;
  if (data) {
    dataPath = data;
  } else {
    const split = (record.split as { testRows?: StoredTestSplit } | undefined)?.testRows;
    const dataset = record.dataset;
    if (!split || !dataset || split.rows === 0) {
      throw new MlctlError('USAGE', `${name} v${version} has no stored test split.`, {
        hint: 'Pass --data <labelled.csv> to evaluate on other data.',
      });
    }
    dataPath = resolveStoredPath(dataset.path);
    indices = decodeTestSplit(split);
  }
  const table = await readCsvFile(dataPath);
  if (!data && table.source.sha256 !== record.dataset!.sha256) {
    throw new MlctlError(
      'INVALID_DATA',
      `The training data ${dataPath} changed since ${name} v${version} was trained (sha256 differs), so its test split cannot be recovered.`,
      {
        hint: 'Restore the original file, or pass --data <labelled.csv>.',
      },
    );
  }
  return { source: data ? 'file' : 'test-split', path: dataPath, prepared: prepareEvaluationData(signature, table, { indices }) };
}

function checkGatesFitTask(gates: Gates, task: 'classification' | 'regression'): void {
  for (const spec of GATES) {
    if (gates[spec.key] !== undefined && spec.task !== task) {
      const fitting = GATES.filter((g) => g.task === task).map((g) => g.flag);
      throw new MlctlError('USAGE', `${spec.flag} applies to ${spec.task} models; this one is a ${task} model.`, {
        hint: `Use ${fitting.join(', ')}.`,
      });
    }
  }
}

export function checkGates(gates: Gates, metrics: Metrics): GateResult[] {
  const out: GateResult[] = [];
  for (const spec of GATES) {
    const threshold = gates[spec.key];
    if (threshold === undefined) continue;
    const value = (metrics as unknown as Record<string, number>)[spec.metric];
    const passed = spec.direction === 'min' ? value >= threshold : value <= threshold;
    out.push({
      gate: spec.flag,
      metric: spec.metric,
      threshold,
      value,
      passed,
      shortBy: passed ? 0 : Math.abs(value - threshold),
    });
  }
  return out;
}
