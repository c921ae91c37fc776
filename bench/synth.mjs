// Local copy of the shared synthetic-data generator (../shared/peers/synth.mjs), so the training
// benchmark runs without ../shared. Same algorithm, same bytes (see ../shared/peers/README.md,
// "The same data in Node"):
//   mulberry32(seed) stream of uint32; normal() = (sum of 12 draws) / 2^32 - 6, as float32;
//   W (features x classes) drawn first, then X (rows x features), both row-major;
//   y[i] = argmax_c sum_j X[i,j] * W[j,c] (float64 sums in j order, first maximum wins).
// Returns { X: Float32Array(rows * features), y: Uint8Array(rows) }.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export function synth({ rows = 100000, features = 20, classes = 5, seed = 42 } = {}) {
  if (!(rows >= 1 && features >= 1 && classes >= 2 && classes <= 256 && seed >= 0 && seed < 2 ** 32)) {
    throw new RangeError('synth: need rows >= 1, features >= 1, 2 <= classes <= 256, 0 <= seed < 2**32');
  }
  const next = mulberry32(seed);
  const normal = () => {
    let sum = 0;
    for (let k = 0; k < 12; k++) sum += next();
    return sum / 4294967296 - 6;
  };
  const W = new Float32Array(features * classes);
  for (let i = 0; i < W.length; i++) W[i] = normal();
  const X = new Float32Array(rows * features);
  for (let i = 0; i < X.length; i++) X[i] = normal();
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let score = 0;
      for (let j = 0; j < features; j++) score += X[r * features + j] * W[j * classes + c];
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    y[r] = best;
  }
  return { X, y };
}
