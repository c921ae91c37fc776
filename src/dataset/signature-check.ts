/**
 * The structure a stored signature must have (see signature.ts), checked when a version record
 * is read, so a damaged or hand-edited record fails with the field's name instead of encoding
 * rows wrongly. Extend this beside `FeatureSpec` when a feature type is added.
 */
import {
  arrayOf,
  finiteNumber,
  literal,
  nonEmptyText,
  nonNegativeInt,
  nullable,
  object,
  text,
  union,
  type Problem,
  type Validator,
} from '../checks.js';
import { DATE_PARTS } from '../vocabulary.js';

const featureSpec: Validator = union('type', {
  numeric: object({ name: nonEmptyText, type: literal('numeric'), mean: finiteNumber, std: finiteNumber, fill: finiteNumber }),
  boolean: object({ name: nonEmptyText, type: literal('boolean'), fill: literal(0, 1) }),
  categorical: object({ name: nonEmptyText, type: literal('categorical'), categories: arrayOf(text) }),
  datetime: object({
    name: nonEmptyText,
    type: literal('datetime'),
    kind: literal('date', 'datetime', 'time'),
    origin: nullable(text),
    parts: arrayOf(object({ part: literal(...DATE_PARTS), mean: finiteNumber, std: finiteNumber })),
  }),
});

export const targetSpec: Validator = union('task', {
  classification: object({ name: nonEmptyText, task: literal('classification'), classes: arrayOf(text) }),
  regression: object({ name: nonEmptyText, task: literal('regression'), mean: finiteNumber, std: finiteNumber }),
});

const signatureShape: Validator = object(
  {
    features: arrayOf(featureSpec),
    target: targetSpec,
    inputSize: nonNegativeInt,
    encodedNames: arrayOf(text),
    inputMeans: arrayOf(finiteNumber),
  },
  ['inputMeans'],
);

/** The first structural problem of a stored signature, or null; `path` names the field. */
export const checkSignature: Validator = (value, path) => {
  const p = signatureShape(value, path);
  if (p) return p;
  const sig = value as { inputSize: number; encodedNames: string[]; inputMeans?: number[] };
  if (sig.encodedNames.length !== sig.inputSize) {
    return { path: `${path}.encodedNames`, expected: `${sig.inputSize} names (one per encoded input)` } satisfies Problem;
  }
  if (sig.inputMeans && sig.inputMeans.length !== sig.inputSize) {
    return { path: `${path}.inputMeans`, expected: `${sig.inputSize} means (one per encoded input)` } satisfies Problem;
  }
  return null;
};
