/**
 * Sparsity schedules for pruning during fine-tuning.
 *
 * `polynomial`: Zhu & Gupta, "To prune, or not to prune" (2017), eq. 1, as the TensorFlow Model
 * Optimization Toolkit's `PolynomialDecay` computes it:
 *
 *   p = clip((step − beginStep) / (endStep − beginStep), 0, 1)
 *   s(step) = finalSparsity + (initialSparsity − finalSparsity) · (1 − p)^power     (power 3)
 *
 * so sparsity rises fast at first (while the network can still recover) and levels off at the
 * target; pruning happens every `frequency` steps between beginStep and endStep (and at endStep).
 * `constant`: the target from the first step.
 */
import { MlctlError } from '../../errors.js';

export type ScheduleKind = 'constant' | 'polynomial';

export interface PolynomialSchedule {
  initialSparsity: number;
  finalSparsity: number;
  beginStep: number;
  endStep: number;
  /** default 3 (cubic) */
  power?: number;
  /** prune every this many steps (default 1) */
  frequency?: number;
}

export function assertSchedule(s: PolynomialSchedule): void {
  const ok =
    Number.isFinite(s.initialSparsity) &&
    Number.isFinite(s.finalSparsity) &&
    s.initialSparsity >= 0 &&
    s.finalSparsity < 1 &&
    s.initialSparsity <= s.finalSparsity &&
    Number.isInteger(s.beginStep) &&
    Number.isInteger(s.endStep) &&
    s.beginStep >= 0 &&
    s.endStep > s.beginStep &&
    (s.frequency === undefined || (Number.isInteger(s.frequency) && s.frequency > 0)) &&
    (s.power === undefined || (Number.isFinite(s.power) && s.power > 0));
  if (!ok) throw new MlctlError('INTERNAL', `Invalid sparsity schedule ${JSON.stringify(s)} (this is a bug).`);
}

/** The target sparsity at `step` (Zhu & Gupta's cubic schedule by default). */
export function polynomialSparsity(step: number, s: PolynomialSchedule): number {
  const power = s.power ?? 3;
  const p = Math.min(1, Math.max(0, (step - s.beginStep) / (s.endStep - s.beginStep)));
  return s.finalSparsity + (s.initialSparsity - s.finalSparsity) * (1 - p) ** power;
}

/** Whether the masks are updated at `step`: every `frequency` steps in [beginStep, endStep], and at endStep. */
export function isPruningStep(step: number, s: PolynomialSchedule): boolean {
  if (step < s.beginStep || step > s.endStep) return false;
  return step === s.endStep || (step - s.beginStep) % (s.frequency ?? 1) === 0;
}

/**
 * The sparsity targets a fine-tuning run of `epochs` epochs uses, one per epoch (masks are
 * updated at the start of each epoch): constant → the target throughout; polynomial → from
 * `initial` (default 0) at epoch 0 up to the target at the last epoch.
 */
export function sparsityPerEpoch(kind: ScheduleKind, target: number, epochs: number, initial = 0): number[] {
  if (!(Number.isInteger(epochs) && epochs > 0)) return [];
  if (kind === 'constant' || epochs === 1) return new Array<number>(epochs).fill(target);
  const schedule: PolynomialSchedule = {
    initialSparsity: Math.min(initial, target),
    finalSparsity: target,
    beginStep: 0,
    endStep: epochs - 1,
  };
  assertSchedule(schedule);
  return Array.from({ length: epochs }, (_, e) => polynomialSparsity(e, schedule));
}
