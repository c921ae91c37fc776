/**
 * `signature.json`, written beside an exported model: what goes into the model and what comes
 * out, so a browser or another server can encode raw rows itself (no mlctl needed). For a version
 * trained by mlctl it spells out the preprocessing of every feature column, in input order, with
 * the training statistics; for an imported model it gives the input and output shapes only.
 */
import type { FeatureSpec, Signature } from '../dataset/signature.js';
import { MISSING_CATEGORY, OTHER_CATEGORY } from '../dataset/signature.js';
import type { VersionRecord } from '../registry/version-record.js';

export const SIGNATURE_FORMAT = 'mlctl-signature/1' as const;

export interface ExportedSignature {
  format: typeof SIGNATURE_FORMAT;
  model: string;
  version: number;
  /** the TF.js model file beside this one */
  modelFile: 'model.json';
  input: {
    /** [batch, ...]; null = any batch size */
    shape: (number | null)[];
    dtype: 'float32';
    /** one name per input column (mlctl-trained models) */
    columns: string[] | null;
  };
  /** raw feature columns in the order they are encoded; null when preprocessing is not recorded */
  features: ExportedFeature[] | null;
  preprocessing: string;
  output: ExportedOutput;
}

export type ExportedFeature =
  | { name: string; type: 'numeric'; encode: string; mean: number; std: number; fill: number; columns: 1 }
  | { name: string; type: 'boolean'; encode: string; fill: 0 | 1; columns: 1 }
  | { name: string; type: 'categorical'; encode: string; categories: string[]; columns: number }
  | {
      name: string;
      type: 'datetime';
      kind: 'date' | 'datetime' | 'time';
      encode: string;
      origin: string | null;
      parts: { part: string; mean: number; std: number }[];
      columns: number;
    };

export type ExportedOutput =
  | { task: 'classification'; target: string; shape: (number | null)[]; labels: string[]; decode: string }
  | { task: 'regression'; target: string; shape: (number | null)[]; mean: number; std: number; decode: string }
  | { task: null; shape: (number | null)[] | null; decode: string };

const MISSING = 'empty, NA, N/A, NaN, null, none, - or ? (any case)';

export function exportedSignature(record: VersionRecord): ExportedSignature {
  const base = { format: SIGNATURE_FORMAT, model: record.model, version: record.version, modelFile: 'model.json' as const };
  if (!record.signature) {
    const io = record.io as { inputShape?: (number | null)[][]; outputShape?: (number | null)[][] } | undefined;
    return {
      ...base,
      input: { shape: io?.inputShape?.[0] ?? [], dtype: 'float32', columns: null },
      features: null,
      preprocessing: `none recorded: this model was ${record.operation}ed into mlctl; feed it the input tensor it was built for.`,
      output: { task: null, shape: io?.outputShape?.[0] ?? null, decode: 'the raw model output' },
    };
  }
  const sig = record.signature as unknown as Signature;
  const target = sig.target;
  return {
    ...base,
    input: { shape: [null, sig.inputSize], dtype: 'float32', columns: sig.encodedNames },
    features: sig.features.map(exportFeature),
    preprocessing:
      'Encode each row by taking the features in this order and concatenating their columns: ' +
      `a value counts as missing when it is ${MISSING}. Then call model.predict on a [rows, ${sig.inputSize}] float32 tensor.`,
    output:
      target.task === 'classification'
        ? {
            task: 'classification',
            target: target.name,
            shape: [null, target.classes.length],
            labels: target.classes,
            decode: 'softmax probabilities in the order of labels; the prediction is the label with the largest probability',
          }
        : {
            task: 'regression',
            target: target.name,
            shape: [null, 1],
            mean: target.mean,
            std: target.std,
            decode: 'value = output * std + mean (the model predicts the standardised target)',
          },
  };
}

function exportFeature(f: FeatureSpec): ExportedFeature {
  switch (f.type) {
    case 'numeric':
      return { ...f, encode: '(x - mean) / std; a missing x is replaced by fill first', columns: 1 };
    case 'boolean':
      return { ...f, encode: 'true/yes/1 → 1, false/no/0 → 0 (case-insensitive); missing → fill', columns: 1 };
    case 'categorical':
      return {
        ...f,
        encode:
          `one-hot over categories (one column each, in order); a missing value is the category "${MISSING_CATEGORY}" when listed, ` +
          `an unknown value is the category "${OTHER_CATEGORY}" when listed, and anything else unlisted encodes as all zeros`,
        columns: f.categories.length,
      };
    case 'datetime':
      return {
        ...f,
        encode:
          'an ISO 8601 date, date-time or time of day (wall-clock values, time zone ignored) becomes one column per part, in order: ' +
          'year, month, day (of month), weekday (ISO, Monday = 1 … Sunday = 7), hour (minutes as its fraction) or days (since origin, ' +
          'fractional for date-times), each (value - mean) / std; a missing value encodes as 0 in every column',
        columns: f.parts.length,
      };
  }
}
