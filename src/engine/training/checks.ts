/** The training loop's argument checks: options, and data against the model's shape. */
import { MlctlError } from '../../errors.js';
import type { MlpPlan } from '../build-model.js';
import type { TrainOptions, TrainSplit } from './types.js';

export function checkOptions(o: TrainOptions): void {
  const usage = (message: string): MlctlError => new MlctlError('USAGE', message);
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw usage(`epochs must be a positive integer, got ${o.epochs}.`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw usage(`batch size must be a positive integer, got ${o.batchSize}.`);
  if (!(o.learningRate > 0 && Number.isFinite(o.learningRate))) throw usage(`learning rate must be > 0, got ${o.learningRate}.`);
  if (o.decay != null && !(o.decay >= 0 && Number.isFinite(o.decay))) throw usage(`decay must be >= 0, got ${o.decay}.`);
  if (o.momentum != null && !(o.momentum >= 0 && o.momentum < 1)) throw usage(`momentum must be in [0, 1), got ${o.momentum}.`);
  if (o.earlyStopping) {
    const { patience, minDelta = 0 } = o.earlyStopping;
    if (!(Number.isInteger(patience) && patience >= 1)) throw usage(`early-stopping patience must be a positive integer, got ${patience}.`);
    if (!(minDelta >= 0 && Number.isFinite(minDelta))) throw usage(`early-stopping minDelta must be >= 0, got ${minDelta}.`);
  }
  if (!Number.isInteger(o.seed)) throw usage(`seed must be an integer, got ${o.seed}.`);
}

export function checkSplit(plan: MlpPlan, split: TrainSplit, what: string): void {
  const F = plan.inputSize;
  const C = plan.outputSize;
  const bad = (message: string): MlctlError => new MlctlError('INVALID_DATA', `The ${what} data ${message}.`);
  if (!(Number.isInteger(split.n) && split.n >= 1)) throw bad(`has no rows (n = ${split.n})`);
  if (split.x.length !== split.n * F) throw bad(`has ${split.x.length} feature values, expected ${split.n} rows x ${F}`);
  for (let i = 0; i < split.x.length; i++) {
    if (!Number.isFinite(split.x[i])) {
      throw bad(`has a non-finite feature value at row ${Math.floor(i / F) + 1}, column ${(i % F) + 1}`);
    }
  }
  if (plan.task === 'classification') {
    if (split.y.length !== split.n) throw bad(`has ${split.y.length} labels for ${split.n} rows`);
    for (let i = 0; i < split.n; i++) {
      const c = split.y[i];
      if (!(Number.isInteger(c) && c >= 0 && c < C)) throw bad(`has label ${c} at row ${i + 1}; the model has classes 0..${C - 1}`);
    }
  } else {
    if (split.y.length !== split.n * C) throw bad(`has ${split.y.length} target values, expected ${split.n} x ${C}`);
    for (let i = 0; i < split.y.length; i++) {
      if (!Number.isFinite(split.y[i])) throw bad(`has a non-finite target at row ${Math.floor(i / C) + 1}`);
    }
  }
}
