/**
 * `mlctl predict`: batch inference from a CSV or JSON file (or stdin text) with a version's own
 * preprocessing; predictions come back in input order.
 */
import { readFile } from 'node:fs/promises';
import { MlctlError } from '../errors.js';
import { parseCsvText, readCsvFile, readJsonRows, type Table } from '../dataset/read-table.js';
import type { BackendChoice } from '../vocabulary.js';
import type { Registry, VersionSelector } from '../registry/registry.js';
import { openVersion, readVersion, requireSignature } from './open-version.js';
import type { Prediction } from './predict-rows.js';

export interface PredictOptions {
  registry: Registry;
  model: string;
  selector?: VersionSelector;
  /** a .csv or .json file path; or `text` for stdin */
  input: { path: string } | { text: string; name: string };
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
}

export async function predict(options: PredictOptions): Promise<PredictResult> {
  const { registry, model: name } = options;
  const info = await readVersion({ registry, model: name, selector: options.selector });
  const signature = requireSignature(info.record);
  const table = await readInput(
    options.input,
    signature.features.map((f) => f.name),
  );
  const opened = await openVersion({ registry, model: name, backend: options.backend }, info);
  try {
    const out = opened.predictRows(table, { unknownCategory: 'ignore' });
    return {
      model: name,
      version: info.version,
      task: out.task,
      labels: out.labels,
      rows: out.predictions.length,
      backend: opened.backend,
      predictions: out.predictions,
    };
  } finally {
    opened.dispose();
  }
}

/** CSV or JSON by extension (files) or by the first character (stdin). */
export async function readInput(input: PredictOptions['input'], featureNames: string[]): Promise<Table> {
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
    return readCsvFile(input.path);
  }
  const text = input.text.replace(/^\uFEFF/, '');
  if (text.trim() === '')
    throw new MlctlError('INVALID_DATA', `No input on ${input.name}.`, {
      hint: 'Pipe CSV (with a header row) or JSON rows into mlctl predict --input -.',
    });
  const first = text.trimStart()[0];
  return first === '[' || first === '{' ? parseJsonInput(text, input.name, featureNames) : parseCsvText(text, input.name);
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
