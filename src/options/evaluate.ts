/**
 * `mlctl evaluate`'s quality gates, declared once: each gate's flag, MLCTL_* variable, config key
 * (`evaluate` section), the metric it reads, the task it applies to and its direction.
 */
import type { Task } from '../vocabulary.js';
import { numberKind, option, type OptionSpec, type OptionValues, type RangeOptions } from './spec.js';

export type GateMetric = 'accuracy' | 'macroF1' | 'rmse' | 'mae' | 'r2';

export interface GateSpec extends OptionSpec<number> {
  metric: GateMetric;
  task: Task;
  /** min: the metric must be ≥ the threshold; max: ≤ */
  direction: 'min' | 'max';
}

function gate(flags: string, description: string, metric: GateMetric, task: Task, direction: 'min' | 'max', range: RangeOptions): GateSpec {
  return { ...option(flags, description, numberKind(range), { env: true }), metric, task, direction };
}

const UNIT = { min: 0, max: 1 };
const NON_NEGATIVE = { min: 0 };

export const GATE_OPTIONS = {
  minAccuracy: gate('--min-accuracy <x>', 'fail (exit 3) when accuracy < x', 'accuracy', 'classification', 'min', UNIT),
  minF1: gate('--min-f1 <x>', 'fail (exit 3) when macro F1 < x', 'macroF1', 'classification', 'min', UNIT),
  maxRmse: gate('--max-rmse <x>', 'fail (exit 3) when RMSE > x (target units)', 'rmse', 'regression', 'max', NON_NEGATIVE),
  maxMae: gate('--max-mae <x>', 'fail (exit 3) when MAE > x (target units)', 'mae', 'regression', 'max', NON_NEGATIVE),
  minR2: gate('--min-r2 <x>', 'fail (exit 3) when R² < x', 'r2', 'regression', 'min', { max: 1 }),
} as const;

export type Gates = Partial<OptionValues<typeof GATE_OPTIONS>>;
export type GateName = keyof typeof GATE_OPTIONS;

/** `--min-accuracy` from "--min-accuracy <x>". */
export function gateFlag(spec: GateSpec): string {
  return spec.flags.split(' ')[0];
}

/** The gates as [config key, spec] pairs, in declaration order. */
export const GATE_ENTRIES = Object.entries(GATE_OPTIONS) as [GateName, GateSpec][];
