/** Per-epoch shuffles and the scratch buffers each batch is copied into. */
import type { Rng } from '../../random.js';
import type { MlpPlan } from '../build-model.js';
import type { TrainSplit } from './types.js';

/** A fresh uniform permutation of 0..n-1 (Fisher-Yates on mlctl's generator). */
export function shufflePermutation(rng: Rng, perm: Int32Array): void {
  const n = perm.length;
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
}

/**
 * Scratch arrays for one batch, refilled from the caller's arrays through the epoch's
 * permutation (no shuffled copy of the whole data set): x (rows x F), xT (F + 1) x rows = x
 * transposed with a row of ones appended, y (rows x C; one-hot for classification).
 */
export class BatchBuffers {
  readonly x: Float32Array;
  readonly xT: Float32Array;
  readonly y: Float32Array;
  private readonly F: number;
  private readonly C: number;
  private readonly classification: boolean;

  constructor(plan: MlpPlan, batchSize: number) {
    this.F = plan.inputSize;
    this.C = plan.outputSize;
    this.classification = plan.task === 'classification';
    this.x = new Float32Array(batchSize * this.F);
    this.xT = new Float32Array(batchSize * (this.F + 1));
    this.y = new Float32Array(batchSize * this.C);
  }

  fill(data: TrainSplit, perm: Int32Array, start: number, rows: number): void {
    const { F, C, x: bx, xT, y: by } = this;
    const x = data.x;
    for (let i = 0; i < rows; i++) {
      const src = perm[start + i] * F;
      const dst = i * F;
      for (let j = 0; j < F; j++) {
        const v = x[src + j];
        bx[dst + j] = v;
        xT[j * rows + i] = v;
      }
    }
    xT.fill(1, F * rows, (F + 1) * rows);
    if (this.classification) {
      const labels = data.y;
      by.fill(0, 0, rows * C);
      for (let i = 0; i < rows; i++) by[i * C + labels[perm[start + i]]] = 1;
    } else {
      const targets = data.y;
      for (let i = 0; i < rows; i++) {
        const src = perm[start + i] * C;
        for (let j = 0; j < C; j++) by[i * C + j] = targets[src + j];
      }
    }
  }
}
