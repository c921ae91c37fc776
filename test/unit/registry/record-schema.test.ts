import { describe, expect, it } from 'vitest';
import { findRecordProblem, parseVersionRecord } from '../../../src/registry/record-schema.js';
import { MlctlError } from '../../../src/errors.js';
import { sampleTrainRecord } from '../../helpers/sample-record.js';

/** The record with one field replaced (dotted path; a numeric segment indexes a list). */
function edited(path: string, value: unknown): Record<string, unknown> {
  const record = structuredClone(sampleTrainRecord()) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let node = record as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[keys[keys.length - 1]];
  else node[keys[keys.length - 1]] = value;
  return record;
}

describe('parseVersionRecord', () => {
  it('accepts a complete train record and returns it unchanged', () => {
    const record = sampleTrainRecord();
    expect(parseVersionRecord(structuredClone(record), { model: 'iris', version: 1 })).toEqual(record);
  });

  it('accepts a record with only the base fields (an imported model) and keeps unknown sections', () => {
    const { model, version, schema, createdAt, operation, parent, files, mlctlVersion, tfjsVersion, backend, durationMs } =
      sampleTrainRecord();
    const bare = {
      schema,
      model,
      version,
      createdAt,
      operation,
      parent,
      files,
      mlctlVersion,
      tfjsVersion,
      backend,
      durationMs,
      future: { x: 1 },
    };
    expect(parseVersionRecord(bare, { model, version })).toEqual(bare);
  });

  // one case per section: the field named in the message is the one that was broken
  const cases: [string, unknown, string][] = [
    ['operation', 'distill', 'operation'],
    ['parent', 0, 'parent'],
    ['files.1.sha256', 7, 'files[1].sha256'],
    ['metrics.accuracy', 'high', 'metrics.accuracy'],
    ['metrics.confusionMatrix', [[1, -2]], 'metrics.confusionMatrix[0][1]'],
    ['signature.features.0.mean', 'x', 'signature.features[0].mean'],
    ['signature.features.1.type', 'text', 'signature.features[1].type'],
    ['signature.encodedNames', ['a'], 'signature.encodedNames'],
    ['target.task', 'ranking', 'target.task'],
    ['hyperparameters.optimizer', 'adagrad', 'hyperparameters.optimizer'],
    ['hyperparameters.hidden', [0], 'hyperparameters.hidden'],
    ['split.testRows.encoding', 'list', 'split.testRows.encoding'],
    ['history.epochs.0.learningRate', null, 'history.epochs[0].learningRate'],
    ['crossValidation.metrics.accuracy.folds', 'x', 'crossValidation.metrics.accuracy.folds'],
    ['dataset.rows', -1, 'dataset.rows'],
    ['template.builtin', 'yes', 'template.builtin'],
    ['warnings', 'none', 'warnings'],
  ];
  for (const [path, value, field] of cases) {
    it(`names "${field}" when ${path} is ${JSON.stringify(value)}`, () => {
      expect(findRecordProblem(edited(path, value))?.path).toBe(field);
      let err: unknown;
      try {
        parseVersionRecord(edited(path, value), { model: 'iris', version: 3 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MlctlError);
      expect((err as MlctlError).code).toBe('INVALID_MODEL');
      expect((err as MlctlError).message).toMatch(
        new RegExp(`^iris v3: mlctl\\.json field "${field.replace(/[[\].]/g, '\\$&')}" is invalid: expected `),
      );
      expect((err as MlctlError).hint).toContain('mlctl version rm iris 3');
    });
  }

  it('says "is missing" for an absent required field', () => {
    expect(() => parseVersionRecord(edited('signature.target', undefined), { model: 'iris', version: 1 })).toThrow(
      'iris v1: mlctl.json field "signature.target" is missing: expected an object.',
    );
    expect(() => parseVersionRecord(edited('hyperparameters.seed', undefined), { model: 'iris', version: 1 })).toThrow(
      'field "hyperparameters.seed" is missing',
    );
  });
});
