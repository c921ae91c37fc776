/**
 * `mlctl quantize`: a new version whose float32 weights are stored as uint8, uint16 (affine
 * per-tensor, zero exactly representable, or a fixed `--step`) or float16, in TF.js's own
 * weights-manifest quantization format, so stock `tf.loadLayersModel` loads and dequantizes it.
 * Non-float weights and `--skip` layers are copied as they are. The record holds the dtype,
 * weight bytes and gzip bytes before and after, the largest weight error, and the change of every
 * test metric against the parent (or, for a model without a signature, the output change on
 * `--data` rows). Everything is checked before anything is written.
 */
import { MlctlError } from '../errors.js';
import type { IntegerQuantizationDtype } from '../engine/compress/affine-quantize.js';
import { decodeFloatTensor, storageDtype } from '../engine/compress/manifest-tensors.js';
import { packWeights, type PackInput } from '../engine/compress/pack-weights.js';
import { maxAbsWeightError } from '../engine/compress/size-stats.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { MetricComparison, OutputDifference, TensorChange, VersionRecord } from '../registry/version-record.js';
import { QUANTIZE_DTYPES, type BackendChoice, type QuantizeDtype } from '../vocabulary.js';
import { sizeChanges, type CompressProgress, type SizeChange } from './compression-report.js';
import type { QualityReport } from './compression-quality.js';
import { summarizeMetrics } from './metrics.js';
import { childRecord } from './records.js';
import { resolveSkippedWeights } from './skip-layers.js';
import type { SourceVersion } from './version-weights.js';

export type { QuantizeDtype } from '../vocabulary.js';

export interface QuantizeOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
  dtype: QuantizeDtype;
  /** uniform quantization y = round(x/step)·step instead of the affine min/max range (uint8/uint16) */
  step?: number;
  /** layers left in their current storage (e.g. the first and last) */
  skip?: string[];
  /** rows to measure the change on: labelled CSV, or numeric input rows for a model without a signature */
  data?: string;
  backend?: BackendChoice;
  onProgress?: (event: CompressProgress) => void;
}

export interface QuantizeResult {
  model: string;
  version: number;
  parent: number;
  dtype: QuantizeDtype;
  step: number | null;
  skipped: string[];
  weightBytes: SizeChange;
  gzipBytes: SizeChange;
  maxWeightError: number;
  tensors: TensorChange[];
  evaluation: MetricComparison | null;
  outputDifference: OutputDifference | null;
  notMeasured: string | null;
  backend: string;
  record: VersionRecord;
}

/** Bits per stored value, to refuse widening an already narrower weight. */
const STORAGE_BITS: Readonly<Record<string, number>> = { float32: 32, float16: 16, uint16: 16, uint8: 8 };

export function assertQuantizeOptions(options: Pick<QuantizeOptions, 'dtype' | 'step'>): void {
  if (!(QUANTIZE_DTYPES as readonly string[]).includes(options.dtype)) {
    throw new MlctlError('USAGE', `Unknown --dtype "${String(options.dtype)}": use uint8, uint16 or float16.`, {
      hint: 'uint8 is 4× smaller than float32, uint16 and float16 2×.',
    });
  }
  if (options.step !== undefined) {
    if (options.dtype === 'float16') {
      throw new MlctlError('USAGE', '--step applies to --dtype uint8 or uint16, not float16.', {
        hint: 'Drop --step, or use --dtype uint8/uint16 with it.',
      });
    }
    if (!(Number.isFinite(options.step) && options.step > 0)) {
      throw new MlctlError('USAGE', `--step must be a positive number, got ${String(options.step)}.`, { hint: 'For example --step 0.01.' });
    }
  }
}

export async function quantize(options: QuantizeOptions): Promise<QuantizeResult> {
  const started = Date.now();
  assertQuantizeOptions(options);
  const { openSourceVersion, writeModelDir } = await import('./version-weights.js');
  const source = await openSourceVersion(options.registry, options.model, options.selector ?? {});
  options.onProgress?.({ phase: 'read', model: source.model, version: source.version });

  const plan = planQuantization(source, options);
  options.onProgress?.({ phase: 'compress' });
  const packed = packWeights(plan.inputs);
  const tensors: TensorChange[] = [];
  let maxWeightError = 0;
  packed.tensors.forEach((t, i) => {
    const input = plan.inputs[i];
    if (!t.decoded || !input.values) return;
    const err = maxAbsWeightError(
      [{ name: t.name, shape: input.spec.shape, values: input.values }],
      [{ name: t.name, shape: input.spec.shape, values: t.decoded }],
    );
    maxWeightError = Math.max(maxWeightError, err);
    tensors.push({ name: t.name, from: storageDtype(input.spec), to: t.storage, maxError: err });
  });

  let quality: QualityReport | undefined;
  const published = await options.registry.publishVersion(source.model, {
    writeFiles: async (dir) => {
      await writeModelDir(dir, source.modelJson, packed);
      options.onProgress?.({ phase: 'evaluate' });
      const { measureQuality } = await import('./compression-quality.js');
      quality = await measureQuality(source, dir, { data: options.data, backend: options.backend });
      options.onProgress?.({ phase: 'publish' });
    },
    buildRecord: (version, files) => {
      const q = quality!;
      const sizes = sizeChanges(source, files, packed.weightsManifest[0].paths);
      return childRecord(
        source.record,
        'quantize',
        { model: source.model, version, files, tfjsVersion: q.tfjsVersion, backend: q.backend, startedAt: started },
        {
          metrics: q.childTestMetrics ? summarizeMetrics(q.childTestMetrics) : undefined,
          quantization: {
            dtype: options.dtype,
            method: options.step !== undefined ? 'step' : options.dtype === 'float16' ? 'float16' : 'affine',
            step: options.step ?? null,
            skipped: plan.skippedLayers,
            weightBytes: sizes.weightBytes,
            gzipBytes: sizes.gzipBytes,
            maxWeightError,
            tensors,
            evaluation: q.evaluation,
            outputDifference: q.outputDifference,
          },
        },
      );
    },
  });
  const q = quality!;
  const sizes = sizeChanges(source, published.record.files, packed.weightsManifest[0].paths);
  return {
    model: source.model,
    version: published.version,
    parent: source.version,
    dtype: options.dtype,
    step: options.step ?? null,
    skipped: plan.skippedLayers,
    weightBytes: sizes.weightBytes,
    gzipBytes: sizes.gzipBytes,
    maxWeightError,
    tensors,
    evaluation: q.evaluation,
    outputDifference: q.outputDifference,
    notMeasured: q.notMeasured,
    backend: q.backend,
    record: published.record,
  };
}

interface QuantizationPlan {
  inputs: PackInput[];
  skippedLayers: string[];
}

/** Which weight is stored how; every refusal (unknown --skip, widening, nothing to do) happens here. */
function planQuantization(source: SourceVersion, options: QuantizeOptions): QuantizationPlan {
  const names = source.tensors.map((t) => t.spec.name);
  const skipped = resolveSkippedWeights(names, options.skip);
  const targetBits = STORAGE_BITS[options.dtype];
  const quantizable = source.tensors.filter((t) => t.spec.dtype === 'float32' && !skipped.has(t.spec.name));
  if (quantizable.length === 0) {
    throw new MlctlError(
      'USAGE',
      `${source.model} v${source.version} has no float32 weights left to quantize${skipped.size ? ' after --skip' : ''}.`,
      {
        hint: skipped.size ? 'Skip fewer layers.' : 'Only float32 weights can be quantized.',
      },
    );
  }
  for (const t of quantizable) {
    const from = storageDtype(t.spec);
    if (STORAGE_BITS[from] < targetBits) {
      throw new MlctlError(
        'USAGE',
        `${source.model} v${source.version} is already quantized: weight "${t.spec.name}" is stored as ${from}, narrower than ${options.dtype}.`,
        {
          hint: `Quantizing to a wider dtype cannot restore precision, it only makes the files bigger; quantize the float32 parent${source.record.parent ? ` (v${source.record.parent})` : ''} instead.`,
        },
      );
    }
  }
  const encoding =
    options.dtype === 'float16'
      ? ({ kind: 'float16' } as const)
      : options.step !== undefined
        ? ({ kind: 'step', dtype: options.dtype as IntegerQuantizationDtype, step: options.step } as const)
        : ({ kind: 'affine', dtype: options.dtype as IntegerQuantizationDtype } as const);
  const chosen = new Set(quantizable.map((t) => t.spec.name));
  return {
    inputs: source.tensors.map((t) =>
      chosen.has(t.spec.name)
        ? { spec: t.spec, values: decodeFloatTensor(t), encoding }
        : { spec: t.spec, bytes: t.bytes, encoding: { kind: 'copy' } },
    ),
    skippedLayers: options.skip ? [...options.skip] : [],
  };
}
