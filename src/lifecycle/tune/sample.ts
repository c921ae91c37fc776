/**
 * Drawing a trial's settings from the search space. Trial i draws from its own generator,
 * seeded from the search seed and i, so trial i has the same settings however many trials run,
 * in whatever order, on however many threads.
 */
import { createRng, deriveSeed, type Rng } from '../../random.js';
import type { NumberDomain, SearchSpace, TrialSettings, WordDomain } from '../../options/search-space.js';
import type { TrainSettings } from '../../options/train.js';

export type { TrialSettings } from '../../options/search-space.js';

/** Seeds per purpose, mixed with the search seed (see deriveSeed). */
export const SEED_PURPOSE = { settings: 1, fold: 2, member: 3 } as const;

/** Ranges are drawn to 3 significant digits (readable records; 1e-3 relative resolution is plenty). */
const round3 = (v: number): number => Number(v.toPrecision(3));

function drawNumber(domain: NumberDomain, rng: Rng, integer: boolean): number {
  if (typeof domain === 'number') return domain;
  if (Array.isArray(domain)) return domain[rng.int(domain.length)];
  const { min, max, log } = domain;
  const v = log ? Math.exp(rng.uniform(Math.log(min), Math.log(max))) : rng.uniform(min, max);
  if (!integer) return Math.min(max, Math.max(min, round3(v)));
  return Math.min(Math.floor(max), Math.max(Math.ceil(min), Math.round(v)));
}

function drawWord<T extends string>(domain: WordDomain<T>, rng: Rng): T {
  return Array.isArray(domain) ? domain[rng.int(domain.length)] : domain;
}

function drawHidden(space: SearchSpace, rng: Rng): number[] {
  const h = space.hidden;
  if (Array.isArray(h)) return [...h[rng.int(h.length)]];
  const layers = drawNumber(h.layers, rng, true);
  const widths = Array.from({ length: layers }, () => drawNumber(h.width, rng, true));
  return widths.sort((a, b) => b - a); // widest first
}

/** Trial `trial`'s settings (same search seed + same trial number = same settings). */
export function sampleTrial(space: SearchSpace, seed: number, trial: number): TrialSettings {
  const rng = createRng(deriveSeed(seed, SEED_PURPOSE.settings, trial));
  return {
    hidden: drawHidden(space, rng),
    activation: drawWord(space.activation, rng),
    optimizer: drawWord(space.optimizer, rng),
    learningRate: drawNumber(space.learningRate, rng, false),
    decay: drawNumber(space.decay, rng, false),
    batchSize: drawNumber(space.batchSize, rng, true),
    l2: drawNumber(space.l2, rng, false),
    dropout: drawNumber(space.dropout, rng, false),
    patience: drawNumber(space.patience, rng, true),
  };
}

/** The settings one model of a trial trains with (train's full settings type). */
export function fitSettings(trial: TrialSettings, epochs: number, patience: number, seed: number): TrainSettings {
  return { ...trial, epochs, patience, seed, testSplit: 0, validationSplit: 0, maxCategories: 50 };
}
