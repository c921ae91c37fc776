/**
 * `mlctl predict`: batch inference from a CSV or JSON file (or stdin) with a version's own
 * preprocessing; predictions come back in input order. Versions without a signature (imported
 * models) take rows of plain numbers (see plain-input.ts).
 */
import { readFile } from 'node:fs/promises';
import { MlctlError } from '../errors.js';
import { parseCsvBytes, readCsvFile, readJsonRows, type ReadCsvOptions, type Table } from '../dataset/read-table.js';
import { describeUnseen, type Signature, type UnseenCategories } from '../dataset/signature.js';
import type { BackendChoice } from '../vocabulary.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import { openVersion, readVersion, type VersionInfo } from './open-version.js';
import { plainIoOf, plainSignature, plainTable, type PlainIo } from './plain-input.js';
import { predictRows, type Prediction } from './predict-rows.js';

/** How to read CSV input: --delimiter, --decimal, --encoding, --no-header (header: false). */
export type InputFormatOptions = Pick<ReadCsvOptions, 'delimiter' | 'decimal' | 'encoding' | 'header'>;

export interface PredictOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
  /** a .csv or .json file path; or the bytes (or text) read from stdin */
  input: { path: string } | { text: string; name: string } | { bytes: Buffer; name: string };
  /** CSV reading options */
  read?: InputFormatOptions;
  backend?: BackendChoice;
}

export interface PredictResult {
  model: string;
  version: number;
  task: 'classification' | 'regression';
  labels: string[];
  rows: number;
  backend: string;
  predictions: Prediction[];
  /** categories the model never saw in training, per column (empty when none) */
  unseenCategories: UnseenCategories;
  warnings: string[];
}

/** The signature to encode with: the version's own, or the plain-number one of an imported model. */
export async function inputSignatureOf(info: VersionInfo): Promise<{ signature: Signature; plain: PlainIo | null }> {
  if (info.signature) return { signature: info.signature, plain: null };
  const plain = await plainIoOf(info.record, info.dir);
  return { signature: plainSignature(plain), plain };
}

export async function predict(options: PredictOptions): Promise<PredictResult> {
  const { registry, model: name } = options;
  const info = await readVersion({ registry, model: name, selector: options.selector });
  const { signature, plain } = await inputSignatureOf(info);
  const featureNames = signature.features.map((f) => f.name);
  // plain rows are matched by position; plainTable checks their width against the model
  let table = await readInput(options.input, plain ? null : featureNames, options.read, featureNames);
  if (plain) table = plainTable(table, plain, info.record, false);
  const opened = await openVersion({ registry, model: name, backend: options.backend }, info);
  try {
    const unseen: UnseenCategories = {};
    const out = predictRows(opened.handle, signature, table, { unknownCategory: 'ignore', unseen });
    const note = describeUnseen(signature, unseen);
    return {
      model: name,
      version: info.version,
      task: out.task,
      labels: out.labels,
      rows: out.predictions.length,
      backend: opened.backend,
      predictions: out.predictions,
      unseenCategories: unseen,
      warnings: note ? [note] : [],
    };
  } finally {
    opened.dispose();
  }
}

/**
 * CSV or JSON by extension (files) or by the first character (stdin). A CSV without a header
 * (`header: false`) has the columns `headerless` (one per feature, in order), or columns 1, 2, …
 * when that is null. JSON arrays are matched to `featureNames` by position.
 */
export async function readInput(
  input: PredictOptions['input'],
  headerless: string[] | null,
  read: InputFormatOptions = {},
  featureNames: string[] = headerless ?? [],
): Promise<Table> {
  const csv: ReadCsvOptions = { ...read, columns: read.header === false && headerless ? headerless : undefined };
  if ('path' in input) {
    const lower = input.path.toLowerCase();
    if (lower.endsWith('.json') || lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) {
      let text: string;
      try {
        text = await readFile(input.path, 'utf8');
      } catch {
        throw new MlctlError('NOT_FOUND', `${input.path} does not exist.`, {
          hint: 'Pass --input <file.csv|file.json> or --input - for stdin.',
        });
      }
      return parseJsonInput(text, input.path, featureNames);
    }
    return readCsvFile(input.path, csv);
  }
  const bytes = 'bytes' in input ? input.bytes : Buffer.from(input.text, 'utf8');
  // JSON is UTF-8 by definition; only CSV goes through the encoding checks
  const head = bytes
    .subarray(0, 64)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head === '' && bytes.toString('utf8').trim() === '')
    throw new MlctlError('INVALID_DATA', `No input on ${input.name}.`, {
      hint: 'Pipe CSV (with a header row) or JSON rows into mlctl predict --input -.',
    });
  const first = head[0];
  if (first === '[' || first === '{') return parseJsonInput(bytes.toString('utf8').replace(/^\uFEFF/, ''), input.name, featureNames);
  return parseCsvBytes(bytes, input.name, csv);
}

function parseJsonInput(text: string, name: string, featureNames: string[]): Table {
  let value: unknown;
  const trimmed = text.trim();
  try {
    value = JSON.parse(trimmed);
  } catch (whole) {
    // not one JSON document: JSON Lines (one object per line), if every line parses
    const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== '');
    try {
      if (!trimmed.startsWith('{') || lines.length < 2) throw whole;
      value = lines.map((l) => JSON.parse(l) as unknown);
    } catch {
      throw new MlctlError('INVALID_DATA', `${name} is not valid JSON (${(whole as Error).message}).`, {
        hint: 'Send an array of rows: [{"feature": value, ...}, ...] or [[value, ...], ...], or JSON Lines (one object per line).',
      });
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    value = v.input_data ?? v.instances ?? v.rows ?? [v];
  }
  return readJsonRows(value, Array.isArray(value) && value.every((r) => Array.isArray(r)) ? featureNames : undefined);
}
