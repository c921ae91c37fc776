/** The one parser for model paths (TF Serving, OIP, model files): verbs, versions, labels, traversal. */
import { describe, expect, it } from 'vitest';
import { parseModelFilePath, parseOipPath, parseTfServingPath } from '../../../src/serve/model-path.js';

describe('parseTfServingPath', () => {
  it.each([
    ['iris', { model: 'iris', request: { kind: 'latest' }, action: 'status' }],
    ['iris:predict', { model: 'iris', request: { kind: 'latest' }, action: 'predict' }],
    ['iris%3Apredict', { model: 'iris', request: { kind: 'latest' }, action: 'predict' }],
    ['iris/versions/3:predict', { model: 'iris', request: { kind: 'version', version: 3 }, action: 'predict' }],
    ['iris/labels/production:predict', { model: 'iris', request: { kind: 'label', label: 'production' }, action: 'predict' }],
    ['iris:explain', { model: 'iris', request: { kind: 'latest' }, action: 'explain' }],
    ['iris/versions/3:explain', { model: 'iris', request: { kind: 'version', version: 3 }, action: 'explain' }],
    ['iris/versions/3', { model: 'iris', request: { kind: 'version', version: 3 }, action: 'status' }],
    ['iris/labels/stable/metadata', { model: 'iris', request: { kind: 'label', label: 'stable' }, action: 'metadata' }],
    ['iris/metadata', { model: 'iris', request: { kind: 'latest' }, action: 'metadata' }],
    ['house.prices_v2:classify', { model: 'house.prices_v2', request: { kind: 'latest' }, action: 'classify' }],
  ])('%s', (rest, expected) => {
    expect(parseTfServingPath(rest)).toEqual(expected);
  });

  it.each([
    'iris:explode',
    'iris/versions/03:predict',
    'iris/versions/x',
    'iris/labels/123',
    'Iris',
    '../iris',
    'iris/versions/3/extra:predict',
    '%E0%A4%A',
  ])('rejects %s', (rest) => {
    expect(parseTfServingPath(rest)).toBeNull();
  });
});

describe('parseOipPath', () => {
  it.each([
    ['iris', { model: 'iris', request: { kind: 'latest' }, action: 'metadata' }],
    ['iris/ready', { model: 'iris', request: { kind: 'latest' }, action: 'ready' }],
    ['iris/infer', { model: 'iris', request: { kind: 'latest' }, action: 'infer' }],
    ['iris/versions/2/infer', { model: 'iris', request: { kind: 'version', version: 2 }, action: 'infer' }],
    ['iris/versions/2', { model: 'iris', request: { kind: 'version', version: 2 }, action: 'metadata' }],
  ])('%s', (rest, expected) => {
    expect(parseOipPath(rest)).toEqual(expected);
  });

  it.each(['iris/labels/x/infer', 'iris/versions/0/infer', 'iris/predict'])('rejects %s', (rest) => {
    expect(parseOipPath(rest)).toBeNull();
  });
});

describe('parseModelFilePath', () => {
  it.each([
    ['iris/model.json', { model: 'iris', request: { kind: 'latest' }, file: 'model.json' }],
    ['iris/versions/4/weights.bin', { model: 'iris', request: { kind: 'version', version: 4 }, file: 'weights.bin' }],
    ['iris/versions/4/group1/shard1of2.bin', { model: 'iris', request: { kind: 'version', version: 4 }, file: 'group1/shard1of2.bin' }],
  ])('%s', (rest, expected) => {
    expect(parseModelFilePath(rest)).toEqual(expected);
  });

  it.each([
    'iris/../secret',
    'iris/versions/4/../../mlctl.json',
    'iris/%2e%2e/x',
    'iris//model.json',
    'iris',
    '../etc/passwd',
    'iris/versions/x/model.json/..',
  ])('rejects %s', (rest) => {
    expect(parseModelFilePath(rest)).toBeNull();
  });
});
