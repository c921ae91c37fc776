/**
 * Stratified k-fold cross-validation (`train --folds k`): every kept row is in exactly one fold's
 * test set; for each fold the signature is fitted on that fold's training rows only, a validation
 * part is held out of them for early stopping, and the model is trained exactly as `train` does.
 */
import { MlctlError } from '../errors.js';
import type { Table } from '../dataset/read-table.js';
import { inferSchema, type Task } from '../dataset/infer-schema.js';
import { encodeTargets } from '../dataset/signature.js';
import type { EpochLog } from '../engine/model-handle.js';
import type { CrossValidationSection, MetricSpread } from '../registry/version-record.js';
import type { BackendChoice } from '../vocabulary.js';
import { encodeFold, planFolds } from './cv-folds.js';
import { fitMlp } from './fit-mlp.js';
import type { TrainSettings } from './train-settings.js';

/** The report is what the version record stores. */
export type CrossValidationReport = CrossValidationSection;

export interface CrossValidateOptions {
  backend: BackendChoice;
  table: Table;
  target: string;
  features?: string[];
  ignore?: string[];
  keep?: string[];
  task?: Task;
  settings: TrainSettings;
  folds: number;
  onFold?: (event: { fold: number; folds: number; metrics?: Record<string, number> }) => void;
  onEpoch?: (fold: number, log: EpochLog) => void;
}

export async function crossValidate(options: CrossValidateOptions): Promise<CrossValidationReport> {
  const { table, settings, folds: k } = options;
  if (!Number.isInteger(k) || k < 2) throw new MlctlError('USAGE', `--folds must be an integer of at least 2, got ${k}.`);
  const { schema, rows } = inferSchema(table, {
    target: options.target,
    features: options.features,
    ignore: options.ignore,
    keep: options.keep,
    task: options.task,
    maxCategories: settings.maxCategories,
  });
  const targetIndex = schema.target.index;
  const classification = schema.target.task === 'classification';
  const classes = schema.target.classes ?? undefined;
  const labelSig = {
    features: [],
    target: classification
      ? { name: schema.target.name, task: 'classification' as const, classes: classes as string[] }
      : { name: schema.target.name, task: 'regression' as const, mean: 0, std: 1 },
    inputSize: 0,
    encodedNames: [],
  };
  const labels = classification
    ? (encodeTargets(
        labelSig,
        rows.map((r) => table.rows[r][targetIndex]),
      ) as Int32Array)
    : null;
  const plans = planFolds({
    rows,
    labels,
    folds: k,
    seed: settings.seed,
    validationShare: settings.validationSplit / (1 - settings.testSplit),
    classNames: classes,
  });

  const perFold: Record<string, number>[] = [];
  for (let f = 0; f < plans.length; f++) {
    options.onFold?.({ fold: f + 1, folds: k });
    const fold = encodeFold(table, schema, plans[f], { maxCategories: settings.maxCategories });
    const fit = await fitMlp(
      fold,
      settings,
      settings.seed + 1000 * (f + 1),
      options.backend,
      options.onEpoch ? (log) => options.onEpoch!(f + 1, log) : undefined,
    );
    fit.handle.dispose();
    const m = fit.metrics!;
    const scores: Record<string, number> =
      m.task === 'classification' ? { accuracy: m.accuracy, macroF1: m.macroF1 } : { r2: m.r2, rmse: m.rmse, mae: m.mae };
    perFold.push(scores);
    options.onFold?.({ fold: f + 1, folds: k, metrics: scores });
  }

  const metrics: Record<string, MetricSpread> = {};
  for (const name of Object.keys(perFold[0])) {
    const values = perFold.map((s) => s[name]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    metrics[name] = { mean, std, folds: values };
  }
  return { folds: k, seed: settings.seed, rows: rows.length, metrics };
}
