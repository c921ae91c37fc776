/**
 * Early stopping as Keras' EarlyStopping(restore_best_weights=True): track the monitored loss,
 * remember the best epoch, and say when `patience` epochs in a row brought no improvement larger
 * than `minDelta`. Pure bookkeeping: the loop keeps the best weights when told `improved`.
 */
import type { EarlyStoppingOptions } from './types.js';

export type EarlyStoppingDecision = 'improved' | 'wait' | 'stop';

export class EarlyStopping {
  private bestValue = Infinity;
  private wait = 0;
  /** the epoch with the lowest monitored value so far (0 before the first epoch) */
  bestEpoch = 0;

  constructor(private readonly options: EarlyStoppingOptions) {}

  /** Feed one epoch's monitored value (a loss: lower is better). */
  update(epoch: number, value: number): EarlyStoppingDecision {
    if (value < this.bestValue - (this.options.minDelta ?? 0)) {
      this.bestValue = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      return 'improved';
    }
    this.wait++;
    return this.wait >= this.options.patience ? 'stop' : 'wait';
  }
}
