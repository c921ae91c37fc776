/**
 * Uniform quantization with a fixed step q: y = round(x / q) · q, mapped onto the same manifest
 * fields stock TF.js decodes (ANCHORS §2.7): k = round(x/q), kmin = min(k), stored k − kmin,
 * `scale = q`, `min = kmin · q`. TF.js then decodes (k − kmin)·q + kmin·q = k·q, and 0 stays
 * exactly 0. Valid while max(k) − kmin fits the storage dtype; otherwise a USAGE error says how
 * many levels the tensor needs.
 */
import { MlctlError } from '../../errors.js';
import {
  QUANT_MAX,
  finiteRange,
  newIntegerArray,
  roundHalfEven,
  type AffineQuantized,
  type IntegerQuantizationDtype,
} from './affine-quantize.js';

/** Quantize one tensor with step `step` (> 0) into `dtype`; `name` names it in errors. */
export function quantizeStep(values: ArrayLike<number>, step: number, dtype: IntegerQuantizationDtype, name = 'weight'): AffineQuantized {
  if (!(Number.isFinite(step) && step > 0)) {
    throw new MlctlError('USAGE', `--step must be a positive number, got ${String(step)}.`, { hint: 'For example --step 0.01.' });
  }
  const data = newIntegerArray(dtype, values.length);
  if (values.length === 0) return { dtype, data, scale: step, min: 0 };
  finiteRange(values, name);
  const k = new Float64Array(values.length);
  let kmin = Infinity;
  let kmax = -Infinity;
  for (let i = 0; i < values.length; i++) {
    k[i] = roundHalfEven(values[i] / step);
    if (k[i] < kmin) kmin = k[i];
    if (k[i] > kmax) kmax = k[i];
  }
  const levels = kmax - kmin + 1;
  if (levels > QUANT_MAX[dtype] + 1) {
    const wider = dtype === 'uint8' && levels <= QUANT_MAX.uint16 + 1 ? ' or --dtype uint16' : '';
    throw new MlctlError(
      'USAGE',
      `--step ${step} needs ${levels} levels for weight "${name}" (values ${kmin * step} … ${kmax * step}), but ${dtype} holds ${QUANT_MAX[dtype] + 1}.`,
      { hint: `Use a larger --step (at least ${((kmax - kmin) * step) / QUANT_MAX[dtype]})${wider}, or drop --step.` },
    );
  }
  for (let i = 0; i < values.length; i++) data[i] = k[i] - kmin;
  return { dtype, data, scale: step, min: kmin * step };
}
