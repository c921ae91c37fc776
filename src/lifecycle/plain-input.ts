/**
 * Versions without a signature (imported TF.js models): `predict` and `evaluate` take rows of
 * plain numbers in the model's input shape, checked against model.json, and give outputs as for
 * trained models: one output is a regression value, several are class probabilities labelled by
 * index ("0", "1", …). A synthetic identity signature (numeric features x1…xn with mean 0 and std 1;
 * targets as they are) lets these rows go through the one encoding path (`encodeFeatures`).
 *
 * This is the one adapter that reads a model's input and output shape from its files. When
 * `openVersion` / `ModelHandle` land (`handle.inputShape`, `handle.outputSize`), `plainIoOf`
 * becomes a read of those two fields; nothing else here changes.
 */
import { MlctlError } from '../errors.js';
import { cellNumber, describeCell } from '../dataset/cell.js';
import { rowLabel, type Table } from '../dataset/read-table.js';
import type { Signature } from '../dataset/signature.js';
import type { VersionRecord } from '../registry/version-record.js';

export interface PlainIo {
  /** e.g. [null, 4] */
  inputShape: (number | null)[];
  inputSize: number;
  outputSize: number;
}

/** The name of the target column of plain evaluation data (its last column). */
export const PLAIN_TARGET = 'target';

const who = (record: VersionRecord): string => `${record.model} v${record.version}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Layer configs of a Keras-style topology (Sequential or functional), in order. */
function layerConfigs(topology: Record<string, unknown>): Record<string, unknown>[] {
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const config = model.config;
  const layers = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : [];
  return layers.filter(isObject).map((l) => (isObject(l.config) ? l.config : {}));
}

function shapeOf(v: unknown): (number | null)[] | null {
  return Array.isArray(v) && v.every((d) => d === null || typeof d === 'number') ? (v as (number | null)[]) : null;
}

/** Input shape from model.json, output size from the import record (or the last layer's units). */
export async function plainIoOf(record: VersionRecord, dir: string): Promise<PlainIo> {
  const { readModelJson } = await import('../engine/model-files.js');
  const modelJson = await readModelJson(dir);
  const layers = layerConfigs(modelJson.modelTopology);
  let inputShape: (number | null)[] | null = null;
  for (const l of layers) {
    inputShape = shapeOf(l.batch_input_shape) ?? shapeOf(l.batchInputShape);
    if (inputShape) break;
  }
  const recorded = (record.io as { outputShape?: unknown[] } | undefined)?.outputShape;
  const outShape = Array.isArray(recorded) ? shapeOf(recorded[0]) : null;
  let outputSize = outShape ? outShape[outShape.length - 1] : null;
  if (outputSize == null) {
    const units = layers.length > 0 ? layers[layers.length - 1].units : undefined;
    outputSize = typeof units === 'number' ? units : null;
  }
  if (!inputShape || outputSize == null) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${who(record)} has no input signature and its model.json does not state its input and output shapes.`,
      {
        hint: 'Predict and evaluate need a version trained by "mlctl train", or an imported layers model with a batch_input_shape.',
      },
    );
  }
  const size = inputShape[inputShape.length - 1];
  if (inputShape.length !== 2 || typeof size !== 'number' || size < 1) {
    throw new MlctlError(
      'INVALID_MODEL',
      `${who(record)} takes input of shape [${inputShape.map(String).join(', ')}]; rows of plain numbers work only for models with input shape [null, n].`,
      { hint: 'Flatten the model input, or serve it with TF.js directly.' },
    );
  }
  return { inputShape, inputSize: size, outputSize };
}

/** The identity signature of a plain-number model: x1…xn in, outputs as they are. */
export function plainSignature(io: PlainIo): Signature {
  const features = Array.from({ length: io.inputSize }, (_, i) => ({
    name: `x${i + 1}`,
    type: 'numeric' as const,
    mean: 0,
    std: 1,
    fill: 0,
  }));
  return {
    features,
    target:
      io.outputSize === 1
        ? { name: PLAIN_TARGET, task: 'regression', mean: 0, std: 1 }
        : { name: PLAIN_TARGET, task: 'classification', classes: Array.from({ length: io.outputSize }, (_, k) => String(k)) },
    inputSize: io.inputSize,
    encodedNames: features.map((f) => f.name),
  };
}

/**
 * Rows for a plain-number model, matched by position: `inputSize` values per row (plus the target
 * last when `withTarget`). Every value must be a finite number: the model has no preprocessing to
 * impute or encode anything. Returns the table with the signature's column names.
 */
export function plainTable(table: Table, io: PlainIo, record: VersionRecord, withTarget: boolean): Table {
  const width = io.inputSize + (withTarget ? 1 : 0);
  const shape = `[${io.inputShape.map(String).join(', ')}]`;
  if (table.columns.length !== width) {
    throw new MlctlError(
      'INVALID_DATA',
      `The rows have ${table.columns.length} value${table.columns.length === 1 ? '' : 's'} each; ${who(record)} takes ${io.inputSize} number${io.inputSize === 1 ? '' : 's'} per row (input shape ${shape})${withTarget ? ' plus the target in the last column' : ''}.`,
      { hint: "It has no input signature (it was imported), so rows are plain numbers in the model's input order." },
    );
  }
  const inputs = table.columns.length - (withTarget ? 1 : 0);
  table.rows.forEach((row, r) => {
    for (let j = 0; j < inputs; j++) {
      const x = cellNumber(row[j]);
      if (x === null || Number.isNaN(x)) {
        const what = x === null ? `: ${describeCell(row[j])} is not a number` : ' is empty';
        const where = rowLabel(table, r).replace(/^./, (c) => c.toUpperCase());
        throw new MlctlError('INVALID_DATA', `${where}, value ${j + 1}${what}.`, {
          hint: 'An imported model has no preprocessing: give every value as a number.',
        });
      }
    }
  });
  const columns = Array.from({ length: io.inputSize }, (_, i) => `x${i + 1}`);
  if (withTarget) columns.push(PLAIN_TARGET);
  return { ...table, columns };
}
