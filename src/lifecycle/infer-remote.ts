/**
 * `mlctl infer URL [model] --input rows`: rows from a CSV or JSON file (or stdin) sent to a
 * deployed Open Inference Protocol endpoint, over REST or gRPC by the URL's scheme, shaped by the
 * model's own metadata: one FP32 tensor [n, width] (columns in the model's input order) when the
 * model takes one input, else one tensor per input named by its column (BYTES as text, FP32 as
 * numbers; yes/no/true/false read as 1/0). The answer comes back per row. Meant for smoke tests
 * in a pipeline: any failure is an MlctlError with the server's message.
 */
import { MlctlError } from '../errors.js';
import { cellText, type Cell } from '../dataset/cell.js';
import type { Table } from '../dataset/read-table.js';
import { connectInference } from '../serve/client/remote.js';
import type { PlainTensor } from '../serve/grpc/tensors.js';
import type { OipModelMetadata } from '../serve/routes/oip.js';
import { readInput, type InputFormatOptions, type PredictOptions } from './predict.js';

export interface RemoteInferOptions {
  url: string;
  model: string;
  /** null = the version the server serves */
  version: number | null;
  input: PredictOptions['input'];
  read?: InputFormatOptions;
  token: string | null;
  timeoutMs: number;
}

export interface RemoteInferResult {
  url: string;
  protocol: 'rest' | 'grpc';
  model: string;
  version: string;
  rows: number;
  /** round trip of the inference call */
  ms: number;
  /** one object per row: output name → its value (a number, a label) or list of values */
  predictions: Record<string, unknown>[];
}

export async function inferRemote(options: RemoteInferOptions): Promise<RemoteInferResult> {
  const client = await connectInference(options.url, { token: options.token, timeoutMs: options.timeoutMs });
  try {
    const target = { model: options.model, version: options.version };
    const meta = await client.metadata(target);
    const single = meta.inputs.length === 1 && meta.inputs[0].shape.length >= 2;
    // JSON rows as lists are matched by position: to the input names, or to the values of the one input
    const width = single ? meta.inputs[0].shape.slice(1).reduce((a, b) => a * b, 1) : 0;
    const positions = single ? Array.from({ length: width }, (_, j) => `value ${j + 1}`) : meta.inputs.map((i) => i.name);
    const table = await readInput(options.input, null, options.read, positions);
    if (table.rows.length === 0) throw new MlctlError('INVALID_DATA', 'The input has no rows.');
    const inputs = single ? oneTensor(table, meta) : tensorPerInput(table, meta);
    const started = performance.now();
    const result = await client.infer(target, inputs);
    const ms = performance.now() - started;
    return {
      url: options.url,
      protocol: client.protocol,
      model: result.model_name,
      version: result.model_version,
      rows: table.rows.length,
      ms: Math.round(ms * 1000) / 1000,
      predictions: perRow(result.outputs, table.rows.length),
    };
  } finally {
    client.close();
  }
}

function oneTensor(table: Table, meta: OipModelMetadata): PlainTensor[] {
  const input = meta.inputs[0];
  const inner = input.shape.slice(1);
  const width = inner.reduce((a, b) => a * b, 1);
  if (table.columns.length !== width) {
    throw new MlctlError(
      'INVALID_DATA',
      `The input has ${table.columns.length} columns but ${meta.name} takes ${width} values per row (input "${input.name}" [${input.shape.join(', ')}]).`,
      { hint: "Give only the model's input columns, in its input order." },
    );
  }
  const data = table.rows.flatMap((row, r) => row.map((cell, j) => numberOf(cell, r, table.columns[j])));
  return [{ name: input.name, datatype: 'FP32', shape: [table.rows.length, ...inner], data }];
}

function tensorPerInput(table: Table, meta: OipModelMetadata): PlainTensor[] {
  return meta.inputs.map((input) => {
    const j = table.columns.indexOf(input.name);
    if (j === -1) {
      throw new MlctlError(
        'INVALID_DATA',
        `The input has no column "${input.name}"; ${meta.name} takes: ${meta.inputs.map((i) => i.name).join(', ')}.`,
      );
    }
    const data = table.rows.map((row, r) => {
      if (input.datatype !== 'BYTES') return numberOf(row[j], r, input.name);
      const text = cellText(row[j]);
      if (text === null)
        throw new MlctlError('INVALID_DATA', `Row ${r + 1}, column "${input.name}" is empty; a tensor cannot carry a missing value.`);
      return text;
    });
    return { name: input.name, datatype: input.datatype, shape: [table.rows.length], data };
  });
}

const TRUE = new Set(['true', 'yes']);
const FALSE = new Set(['false', 'no']);

function numberOf(cell: Cell, r: number, column: string): number {
  if (typeof cell === 'number' && Number.isFinite(cell)) return cell;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  const text = cellText(cell);
  if (text !== null) {
    const lower = text.toLowerCase();
    if (TRUE.has(lower)) return 1;
    if (FALSE.has(lower)) return 0;
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  throw new MlctlError(
    'INVALID_DATA',
    `Row ${r + 1}, column "${column}": ${text === null ? 'empty' : JSON.stringify(text)} is not a number; a tensor cannot carry a missing value.`,
  );
}

function perRow(outputs: { name: string; shape: number[]; data: unknown[] }[], n: number): Record<string, unknown>[] {
  const rows = Array.from({ length: n }, () => ({}) as Record<string, unknown>);
  for (const o of outputs) {
    const size = o.shape.slice(1).reduce((a, b) => a * b, 1);
    for (let r = 0; r < n; r++) {
      const values = o.data.slice(r * size, (r + 1) * size);
      rows[r][o.name] = size === 1 ? values[0] : values;
    }
  }
  return rows;
}
