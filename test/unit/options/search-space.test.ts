import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEARCH_SPACE,
  findSpaceProblem,
  mergeSpace,
  rungEpochs,
  SPACE_KEYS,
  type SearchSpace,
} from '../../../src/options/search-space.js';
import { durationKind, OptionValueError, parseDuration } from '../../../src/options/spec.js';
import { sampleTrial } from '../../../src/lifecycle/tune/sample.js';

const problem = (raw: unknown) => findSpaceProblem(raw, { partial: true });

describe('the search space format', () => {
  it('the built-in space is complete and valid', () => {
    expect(findSpaceProblem(DEFAULT_SEARCH_SPACE, { partial: false })).toBeNull();
    expect(Object.keys(DEFAULT_SEARCH_SPACE).sort()).toEqual([...SPACE_KEYS].sort());
  });

  it('accepts fixed values, lists of choices, ranges and the two forms of hidden', () => {
    expect(
      problem({
        hidden: [[64], [64, 32], []],
        activation: 'relu',
        optimizer: ['adam', 'sgd'],
        learningRate: { min: 0.001, max: 0.1, log: true },
        decay: 0,
        batchSize: { min: 16, max: 128 },
        l2: [0, 0.001],
        dropout: { min: 0, max: 0.5 },
        patience: 10,
        epochs: 50,
      }),
    ).toBeNull();
    expect(problem({ hidden: { layers: { min: 1, max: 3 }, width: [32, 64] } })).toBeNull();
  });

  it.each([
    [[], '(root)', 'expected a JSON object'],
    [{}, '(root)', 'has no keys'],
    [{ learning_rate: 0.1 }, 'learning_rate', 'is not a search-space key'],
    [{ learningRate: { min: -1, max: 0.1 } }, 'learningRate.min', 'expected a number > 0, got -1'],
    [{ learningRate: { min: 0.1, max: 0.01 } }, 'learningRate.min', 'is above max'],
    [{ learningRate: { min: 0.1 } }, 'learningRate.max', 'is missing'],
    [{ learningRate: { min: 0.01, max: 0.1, step: 2 } }, 'learningRate.step', 'is not a range key'],
    [{ l2: { min: 0, max: 0.1, log: true } }, 'l2.min', 'must be > 0 for a log range'],
    [{ l2: { min: 0.001, max: 0.1, log: 'yes' } }, 'l2.log', 'expected true or false'],
    [{ activation: ['relu', 'gelu'] }, 'activation[1]', 'expected one of relu'],
    [{ optimizer: [] }, 'optimizer', 'is an empty list'],
    [{ batchSize: [16, 0] }, 'batchSize[1]', 'expected a positive integer, got 0'],
    [{ batchSize: { min: 16.5, max: 17 } }, 'batchSize.min', 'expected a positive integer'],
    [{ dropout: 1 }, 'dropout', 'expected a number in [0, 1)'],
    [{ patience: -1 }, 'patience', 'expected an integer'],
    [{ hidden: [[64, 0]] }, 'hidden[0]', 'expected a list of layer sizes'],
    [{ hidden: { layers: 2 } }, 'hidden.width', 'is missing'],
    [{ hidden: { layers: [1, 40], width: 8 } }, 'hidden.layers[1]', 'expected an integer in [0, 16]'],
    [{ hidden: 64 }, 'hidden', 'expected {"layers"'],
    [{ epochs: { min: 30, max: 10 } }, 'epochs.min', 'is above max'],
    [{ epochs: 0 }, 'epochs', 'expected a positive integer'],
  ])('%j → %s: %s', (raw, key, text) => {
    const p = problem(raw);
    expect(p).not.toBeNull();
    expect(p!.key).toBe(key);
    expect(p!.problem).toContain(text);
  });

  it('a partial file keeps the built-in space for the keys it leaves out', () => {
    const space = mergeSpace({ optimizer: 'sgd', epochs: 40 });
    expect(space.optimizer).toBe('sgd');
    expect(space.epochs).toBe(40);
    expect(space.learningRate).toEqual(DEFAULT_SEARCH_SPACE.learningRate);
    expect(findSpaceProblem(space, { partial: false })).toBeNull();
  });

  it('a recorded space must be complete', () => {
    const { dropout: _dropout, ...rest } = structuredClone(DEFAULT_SEARCH_SPACE) as SearchSpace;
    expect(findSpaceProblem(rest, { partial: false })).toMatchObject({ key: 'dropout', problem: 'is missing' });
    expect(findSpaceProblem(rest, { partial: true })).toBeNull();
  });
});

describe('rungs of successive halving', () => {
  it('grow by eta from min to max, the last rung being max', () => {
    expect(rungEpochs({ min: 27, max: 243 })).toEqual([27, 81, 243]);
    expect(rungEpochs({ min: 20, max: 240 })).toEqual([27, 80, 240]);
    expect(rungEpochs({ min: 5, max: 45 })).toEqual([5, 15, 45]);
    expect(rungEpochs({ min: 10, max: 20 })).toEqual([20]);
    expect(rungEpochs(50)).toEqual([50]);
    expect(rungEpochs({ min: 4, max: 36 }, 2)).toEqual([5, 9, 18, 36]);
  });
});

describe('sampling', () => {
  const space: SearchSpace = mergeSpace({
    hidden: { layers: { min: 1, max: 3 }, width: { min: 8, max: 256, log: true } },
    learningRate: { min: 0.0001, max: 0.1, log: true },
    batchSize: { min: 8, max: 100 },
  });

  it('trial i has the same settings whatever else runs; other trials and seeds differ', () => {
    expect(sampleTrial(space, 7, 3)).toEqual(sampleTrial(space, 7, 3));
    const all = Array.from({ length: 20 }, (_, i) => JSON.stringify(sampleTrial(space, 7, i + 1)));
    expect(new Set(all).size).toBe(20);
    expect(sampleTrial(space, 8, 3)).not.toEqual(sampleTrial(space, 7, 3));
  });

  it('draws inside the domains: ranges within bounds (integers rounded), widths widest first', () => {
    for (let i = 1; i <= 200; i++) {
      const t = sampleTrial(space, 1, i);
      expect(t.hidden.length).toBeGreaterThanOrEqual(1);
      expect(t.hidden.length).toBeLessThanOrEqual(3);
      expect([...t.hidden].sort((a, b) => b - a)).toEqual(t.hidden);
      for (const w of t.hidden) expect(Number.isInteger(w) && w >= 8 && w <= 256).toBe(true);
      expect(t.learningRate).toBeGreaterThanOrEqual(0.0001);
      expect(t.learningRate).toBeLessThanOrEqual(0.1);
      expect(Number.isInteger(t.batchSize) && t.batchSize >= 8 && t.batchSize <= 100).toBe(true);
      expect(['relu', 'elu', 'selu', 'tanh']).toContain(t.activation);
    }
  });

  it('log ranges spread over the decades (about as many draws below 0.003 as above)', () => {
    const lrs = Array.from({ length: 400 }, (_, i) => sampleTrial(space, 2, i + 1).learningRate);
    const below = lrs.filter((v) => v < 0.00316).length;
    expect(below).toBeGreaterThan(150);
    expect(below).toBeLessThan(250);
  });
});

describe('durations (--time-budget)', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2.5m', 150_000],
    ['500ms', 500],
    ['45', 45_000],
  ])('%s = %i ms', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
    expect(durationKind.parse(raw)).toBe(ms);
  });

  it.each(['', '10x', 'm', '0s', '-5m', '10 m'])('refuses "%s"', (raw) => {
    expect(() => durationKind.parse(raw)).toThrow(OptionValueError);
  });

  it('config files may give the text or seconds', () => {
    expect(durationKind.check('10m')).toBeNull();
    expect(durationKind.check(90)).toBeNull();
    expect(durationKind.check('soon')).toMatch(/duration/);
    expect(durationKind.check(0)).toMatch(/duration/);
  });
});
