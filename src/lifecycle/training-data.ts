/**
 * The data step train and tune share: resolve the source (template or CSV), the target, name and
 * settings, check the registry can take a new version, read the CSV and prepare the split. One
 * place, so `mlctl tune` reads a table exactly as `mlctl train` does (the same flags, detection,
 * warnings and test rows for the same seed).
 */
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { readCsvFile, type CsvTable, type ReadCsvOptions } from '../dataset/read-table.js';
import { prepareTrainingData, type PreparedTrainingData } from '../dataset/prepare.js';
import type { Task } from '../dataset/infer-schema.js';
import type { RegistryStore } from '../registry/store.js';
import { assertModelName } from '../registry/layout.js';
import { classLabels } from '../dataset/signature.js';
import type { TrainSections } from './records.js';
import { displayPath, resolveTrainSource, type Template, type TrainSource } from './templates.js';
import { mergeSettings, templateSettings, type TrainSettings } from './train-settings.js';
import { modelNameFrom } from './model-name.js';

export interface TrainingDataOptions {
  registry: RegistryStore;
  /** built-in template name, template .json path, or CSV path */
  source: string;
  name?: string;
  target?: string;
  features?: string[];
  ignore?: string[];
  /** use these columns even when they look like IDs or constants */
  keep?: string[];
  task?: Task;
  /** how to read the CSV (--delimiter, --decimal, --encoding); default: detected */
  read?: Pick<ReadCsvOptions, 'delimiter' | 'decimal' | 'encoding'>;
  /** settings from the config's section (below flags, above the template) */
  configSettings?: Partial<TrainSettings>;
  /** settings given as flags or MLCTL_* variables (override everything) */
  settings?: Partial<TrainSettings>;
  templatesDir?: string;
  cwd?: string;
}

export interface TrainingData {
  source: TrainSource;
  template: Template | undefined;
  name: string;
  target: string;
  features: string[] | undefined;
  ignore: string[] | undefined;
  task: Task | undefined;
  settings: TrainSettings;
  table: CsvTable;
  prepared: PreparedTrainingData;
  /** data warnings, decimal-comma note first */
  warnings: string[];
}

/**
 * @param verb  'Training' or 'Tuning', for the missing-target message
 * @param command  the CLI verb for the example in that message
 * @param validationFraction  the share carved out for early stopping (tune: 0, its folds carve their own)
 */
export async function loadTrainingData(
  options: TrainingDataOptions,
  how: { verb: string; command: string; validationFraction?: number },
): Promise<TrainingData> {
  const source = await resolveTrainSource(options.source, { templatesDir: options.templatesDir, cwd: options.cwd });
  const template = source.kind === 'template' ? source.template : undefined;
  const target = options.target ?? template?.target;
  if (!target) {
    throw new MlctlError('USAGE', `${how.verb} on ${path.basename(source.dataPath)} needs --target <column>: the column to predict.`, {
      hint: `For example: mlctl ${how.command} ${options.source} --target label`,
    });
  }
  const name = options.name ?? template?.name ?? modelNameFrom(source.dataPath);
  assertModelName(name);
  const settings = mergeSettings(templateSettings(template), options.configSettings, options.settings);
  // another target than the template's: its task is inferred again (unless --task), and the
  // template's column lists never name the new target
  const retargeted = template !== undefined && options.target !== undefined && options.target !== template.target;
  const notTarget = (cols: string[] | undefined) => (retargeted ? cols?.filter((c) => c !== target) : cols);
  const features = options.features ?? notTarget(template?.features);
  const ignore = options.ignore ?? notTarget(template?.ignore);
  const task = options.task ?? (retargeted ? undefined : template?.task);
  // fail before reading data and training when nothing could be published
  await options.registry.checkWritable();

  const table = await readCsvFile(source.dataPath, options.read);
  const prepared = prepareTrainingData(table, {
    target,
    features,
    ignore,
    keep: options.keep,
    task,
    seed: settings.seed,
    testFraction: settings.testSplit,
    validationFraction: how.validationFraction ?? settings.validationSplit,
    maxCategories: settings.maxCategories,
  });
  const warnings = [...prepared.warnings];
  if (table.format.decimal === 'auto' && table.format.decimalColumns.length > 0) {
    const cols = table.format.decimalColumns;
    warnings.unshift(
      `Read decimal commas in column${cols.length === 1 ? '' : 's'} ${cols.map((c) => `"${c}"`).join(', ')} of this semicolon-separated file (3,5 = 3.5); pass --decimal . to read ${cols.length === 1 ? 'it' : 'them'} otherwise.`,
    );
  }
  return { source, template, name, target, features, ignore, task, settings, table, prepared, warnings };
}

/**
 * The record sections that say where a trained version came from, as train and tune store them:
 * the template, the dataset (project-relative path, fingerprint, the CSV format it was read with,
 * so evaluate reads the test split the same way) and the target.
 */
export function originSections(data: TrainingData, registry: RegistryStore): Pick<TrainSections, 'template' | 'dataset' | 'target'> {
  const { source, template, table } = data;
  const sig = data.prepared.signature;
  return {
    template: template
      ? {
          name: template.name,
          builtin: source.kind === 'template' && source.builtin,
          path: source.kind === 'template' ? displayPath(source.templatePath) : null,
        }
      : undefined,
    dataset: {
      path: displayPath(source.dataPath, registry.localRoot ?? undefined),
      sha256: table.source.sha256,
      rows: table.rows.length,
      format: { encoding: table.format.encoding, delimiter: table.format.delimiter, decimal: table.format.decimal },
    },
    target:
      sig.target.task === 'classification'
        ? { name: sig.target.name, task: 'classification', classes: classLabels(sig) }
        : { name: sig.target.name, task: 'regression', mean: sig.target.mean, std: sig.target.std },
  };
}
