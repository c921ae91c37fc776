/**
 * mlctl owns its random numbers: TF.js initialisers ignore their seed (tfjs#7104), so weight
 * initialisation, shuffling and splits all draw from this seeded generator. Same seed, same stream,
 * on every platform (pure 32-bit integer arithmetic).
 */
export interface Rng {
  /** next uint32 */
  nextUint32(): number;
  /** uniform float in [0, 1) */
  float(): number;
  /** uniform float in [lo, hi) */
  uniform(lo: number, hi: number): number;
  /** standard normal (Box–Muller on two uniforms) */
  normal(): number;
  /** integer in [0, n) */
  int(n: number): number;
  /** in-place Fisher–Yates shuffle; returns the same array */
  shuffle<T>(items: T[]): T[];
  shuffle<T extends Int32Array | Uint32Array | Float32Array>(items: T): T;
  /** an independent generator derived from this one (for a sub-task such as one fold) */
  fork(): Rng;
}

/** mulberry32: small, fast, well-distributed 32-bit generator. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const nextUint32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const float = (): number => nextUint32() / 4294967296;
  const rng: Rng = {
    nextUint32,
    float,
    uniform: (lo, hi) => lo + (hi - lo) * float(),
    normal: () => {
      let u = float();
      while (u === 0) u = float();
      const v = float();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int: (n) => Math.floor(float() * n),
    shuffle: ((items: { length: number; [i: number]: unknown }) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(float() * (i + 1));
        const tmp = items[i];
        items[i] = items[j];
        items[j] = tmp;
      }
      return items;
    }) as Rng['shuffle'],
    fork: () => createRng(nextUint32()),
  };
  return rng;
}

/**
 * A seed derived from a seed and a path of integers (e.g. seed, trial, fold): a 32-bit hash
 * (murmur3's finaliser over each part), so sub-tasks get independent streams that do not depend
 * on the order in which they run.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (const part of [...parts, parts.length]) {
    h = Math.imul(h ^ (part >>> 0), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
