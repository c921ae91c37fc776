/**
 * Live feature statistics over a sliding window of the last N requests' rows, read against the
 * training statistics stored in the signature. Works on the encoded rows the model sees:
 * - a numeric column holds the z-score (x − mean) / std under the training statistics, so its
 *   window mean IS the standardised mean shift (0 = like training; ±1 = one training standard
 *   deviation away); the live mean in the feature's own units is mean + std · shift;
 * - a categorical (one-hot) column's window mean is the share of rows with that category;
 * - a boolean column's window mean is the share of true;
 * - each part of a date/time feature (e.g. "signup.month") is z-scored like a numeric column.
 * Missing numeric values encode as the training mean (shift 0), as in prediction.
 */
import { MISSING_CATEGORY, OTHER_CATEGORY, type Signature } from '../dataset/signature.js';

export interface NumericDrift {
  feature: string;
  /** standardised mean shift over the window */
  shift: number;
  liveMean: number;
  trainMean: number;
  trainStd: number;
}

export interface CategoryShare {
  feature: string;
  category: string;
  share: number;
}

export interface DriftSnapshot {
  rows: number;
  numeric: NumericDrift[];
  categories: CategoryShare[];
}

export class DriftWindow {
  private readonly width: number;
  private readonly capacity: number;
  private readonly buffer: Float32Array;
  private readonly sums: Float64Array;
  private next = 0;
  private count = 0;

  constructor(
    private readonly signature: Signature,
    capacity: number,
  ) {
    this.width = signature.inputSize;
    this.capacity = Math.max(1, Math.floor(capacity));
    this.buffer = new Float32Array(this.capacity * this.width);
    this.sums = new Float64Array(this.width);
  }

  /** Add encoded rows (n × inputSize). */
  add(x: Float32Array, n: number): void {
    const w = this.width;
    // only the last `capacity` rows of a big request can stay in the window
    const first = Math.max(0, n - this.capacity);
    for (let r = first; r < n; r++) {
      const slot = this.next * w;
      const src = r * w;
      if (this.count === this.capacity) for (let j = 0; j < w; j++) this.sums[j] -= this.buffer[slot + j];
      else this.count++;
      for (let j = 0; j < w; j++) {
        const v = x[src + j];
        this.buffer[slot + j] = v;
        this.sums[j] += v;
      }
      this.next++;
      if (this.next === this.capacity) {
        this.next = 0;
        this.resum(); // once per lap: rounding in the running sums never accumulates
      }
    }
  }

  private resum(): void {
    this.sums.fill(0);
    const w = this.width;
    for (let r = 0; r < this.count; r++) for (let j = 0; j < w; j++) this.sums[j] += this.buffer[r * w + j];
  }

  snapshot(): DriftSnapshot {
    const numeric: NumericDrift[] = [];
    const categories: CategoryShare[] = [];
    const n = this.count;
    let at = 0;
    for (const f of this.signature.features) {
      if (f.type === 'numeric') {
        const shift = n > 0 ? this.sums[at] / n : 0;
        numeric.push({ feature: f.name, shift, liveMean: f.mean + f.std * shift, trainMean: f.mean, trainStd: f.std });
        at += 1;
      } else if (f.type === 'boolean') {
        categories.push({ feature: f.name, category: 'true', share: n > 0 ? this.sums[at] / n : 0 });
        at += 1;
      } else if (f.type === 'datetime') {
        // each part (year, month, hour, …) is a z-scored column of its own, like a numeric feature
        for (const p of f.parts) {
          const shift = n > 0 ? this.sums[at] / n : 0;
          numeric.push({ feature: `${f.name}.${p.part}`, shift, liveMean: p.mean + p.std * shift, trainMean: p.mean, trainStd: p.std });
          at += 1;
        }
      } else {
        let covered = 0;
        for (const c of f.categories) {
          const share = n > 0 ? this.sums[at] / n : 0;
          covered += share;
          categories.push({
            feature: f.name,
            category: c === MISSING_CATEGORY ? '(missing)' : c === OTHER_CATEGORY ? '(other)' : c,
            share,
          });
          at += 1;
        }
        // missing values of a feature whose training data had none encode as all zeros
        if (!f.categories.includes(MISSING_CATEGORY)) {
          categories.push({ feature: f.name, category: '(missing)', share: n > 0 ? Math.max(0, 1 - covered) : 0 });
        }
      }
    }
    return { rows: n, numeric, categories };
  }
}
