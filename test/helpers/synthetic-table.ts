/**
 * A synthetic labelled table for the explain tests, built with mlctl's
 * seeded generator: ten columns, of which only three carry signal (income, debt: numeric;
 * region: categorical); the other seven are noise (numeric, categorical, boolean and a date).
 * label = yes when 1.5·income − 1.5·debt + the region's effect (+ a little noise) > 0.
 */
import { createRng } from '../../src/random.js';

export const SIGNAL = ['income', 'debt', 'region'];
export const NOISE = ['age', 'height', 'score', 'visits', 'colour', 'member', 'signup'];
export const REGION_EFFECT: Record<string, number> = { north: 1.6, south: -1.6, east: 0.4, west: -0.4 };

/** The synthetic table as CSV text, `rows` rows drawn from `seed`. */
export function syntheticCsv(rows: number, seed: number): string {
  const rng = createRng(seed);
  const regions = Object.keys(REGION_EFFECT);
  const colours = ['red', 'green', 'blue'];
  const lines = [[...SIGNAL.slice(0, 2), 'age', 'region', 'height', 'score', 'colour', 'visits', 'member', 'signup', 'label'].join(',')];
  for (let i = 0; i < rows; i++) {
    const income = rng.normal();
    const debt = rng.normal();
    const region = regions[rng.int(regions.length)];
    const z = 1.5 * income - 1.5 * debt + REGION_EFFECT[region] + 0.2 * rng.normal();
    const day = new Date(Date.UTC(2022, 0, 1) + rng.int(700) * 86_400_000).toISOString().slice(0, 10);
    lines.push(
      [
        income.toFixed(4),
        debt.toFixed(4),
        (20 + rng.int(50)).toString(),
        region,
        (150 + 30 * rng.float()).toFixed(1),
        rng.normal().toFixed(4),
        colours[rng.int(3)],
        rng.int(20).toString(),
        rng.float() < 0.5 ? 'yes' : 'no',
        day,
        z > 0 ? 'yes' : 'no',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
