/**
 * `mlctl prune`: a new version whose kernels' smallest-magnitude weights are exactly zero, to a
 * target sparsity or below a threshold, over all kernels (global) or per layer; biases and
 * normalisation parameters are untouched, and every weight keeps the storage dtype it had in the
 * parent (a float32 model stays float32: prune first, then quantize). Optional fine-tuning on
 * the version's own training rows keeps pruned weights at exactly zero throughout, with the
 * target sparsity from the start (`constant`) or rising on Zhu & Gupta's cubic schedule
 * (`polynomial`). The record holds per-layer and overall sparsity, weight bytes and gzip bytes
 * before and after, and the change of every test metric against the parent.
 */
import { MlctlError } from '../errors.js';
import { decodeFloatTensor, isFloatTensor, storageDtype } from '../engine/compress/manifest-tensors.js';
import { assertPruneCriterion, magnitudePrune, type PruneCriterion } from '../engine/compress/magnitude-prune.js';
import type { NamedWeight } from '../engine/compress/named-weight.js';
import { packWeights, type PackInput, type TensorEncoding } from '../engine/compress/pack-weights.js';
import type { ScheduleKind } from '../engine/compress/sparsity-schedule.js';
import { kernelSparsity, maxAbsWeightError, type SparsityReport } from '../engine/compress/size-stats.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { MetricComparison, OutputDifference, VersionRecord } from '../registry/version-record.js';
import { PRUNE_SCHEDULES, type BackendChoice } from '../vocabulary.js';
import { sizeChanges, type CompressProgress, type SizeChange } from './compression-report.js';
import type { QualityReport } from './compression-quality.js';
import type { FineTuneReport } from './fine-tune.js';
import { summarizeMetrics } from './metrics.js';
import { childRecord } from './records.js';
import { resolveSkippedWeights } from './skip-layers.js';

export interface PruneOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
  /** fraction of kernel weights to set to zero, in [0, 1) */
  sparsity?: number;
  /** set |w| < threshold to zero (≥ 0) */
  threshold?: number;
  /** prune each kernel to the target on its own instead of one cut over all kernels */
  perLayer?: boolean;
  /** layers to leave alone */
  skip?: string[];
  /** epochs of fine-tuning after pruning (default 0: none) */
  fineTuneEpochs?: number;
  /** sparsity during fine-tuning: the target throughout (default) or Zhu & Gupta's cubic ramp */
  schedule?: ScheduleKind;
  /**
   * training rows for fine-tuning instead of the version's own: a labelled CSV (columns by name);
   * for a model without a signature, numeric input columns then the target (a class index when
   * the model has several outputs, else the output value)
   */
  data?: string;
  backend?: BackendChoice;
  onProgress?: (event: CompressProgress) => void;
}

export interface PruneResult {
  model: string;
  version: number;
  parent: number;
  criterion: PruneCriterion;
  scope: 'global' | 'per-layer';
  skipped: string[];
  sparsity: SparsityReport;
  /** kernel sparsity of the parent, for comparison */
  parentSparsity: SparsityReport['overall'];
  weightBytes: SizeChange;
  gzipBytes: SizeChange;
  maxWeightError: number;
  fineTune: FineTuneReport | null;
  evaluation: MetricComparison | null;
  outputDifference: OutputDifference | null;
  notMeasured: string | null;
  warnings: string[];
  backend: string;
  record: VersionRecord;
}

/** Every flag combination that cannot work, refused before anything is read or written. */
export function assertPruneOptions(options: Omit<PruneOptions, 'registry' | 'model'>): PruneCriterion {
  const hasSparsity = options.sparsity !== undefined;
  const hasThreshold = options.threshold !== undefined;
  if (hasSparsity === hasThreshold) {
    throw new MlctlError(
      'USAGE',
      hasSparsity ? 'Pass either --sparsity or --threshold, not both.' : 'Pass --sparsity <s> or --threshold <eps>.',
      {
        hint: 'For example: --sparsity 0.8 (80% of kernel weights become zero) or --threshold 0.01.',
      },
    );
  }
  const criterion: PruneCriterion = hasSparsity ? { sparsity: options.sparsity! } : { threshold: options.threshold! };
  assertPruneCriterion(criterion);
  const epochs = options.fineTuneEpochs ?? 0;
  if (!(Number.isInteger(epochs) && epochs >= 0)) {
    throw new MlctlError('USAGE', `--fine-tune-epochs must be a whole number ≥ 0, got ${String(epochs)}.`);
  }
  if (options.schedule !== undefined && !(PRUNE_SCHEDULES as readonly string[]).includes(options.schedule)) {
    throw new MlctlError('USAGE', `Unknown --schedule "${String(options.schedule)}": use constant or polynomial.`);
  }
  if (options.schedule === 'polynomial') {
    if (epochs === 0) {
      throw new MlctlError('USAGE', '--schedule polynomial ramps sparsity up during fine-tuning; it needs --fine-tune-epochs.', {
        hint: 'Add --fine-tune-epochs 20, or drop --schedule.',
      });
    }
    if (!hasSparsity) {
      throw new MlctlError('USAGE', '--schedule polynomial needs a target --sparsity, not --threshold.', {
        hint: 'Use --sparsity, or --schedule constant with --threshold.',
      });
    }
  }
  if (options.data !== undefined && epochs === 0) {
    throw new MlctlError('USAGE', '--data gives prune its fine-tuning rows; it needs --fine-tune-epochs.', {
      hint: 'Add --fine-tune-epochs <n>, or drop --data.',
    });
  }
  return criterion;
}

export async function prune(options: PruneOptions): Promise<PruneResult> {
  const started = Date.now();
  const criterion = assertPruneOptions(options);
  const epochs = options.fineTuneEpochs ?? 0;
  const { openSourceVersion, writeModelDir } = await import('./version-weights.js');
  const source = await openSourceVersion(options.registry, options.model, options.selector ?? {});
  options.onProgress?.({ phase: 'read', model: source.model, version: source.version });

  const floatTensors = source.tensors.filter(isFloatTensor);
  const parentWeights: NamedWeight[] = floatTensors.map((t) => ({
    name: t.spec.name,
    shape: [...t.spec.shape],
    values: decodeFloatTensor(t),
  }));
  const skippedWeights = resolveSkippedWeights(
    source.tensors.map((t) => t.spec.name),
    options.skip,
  );
  const parentSparsity = kernelSparsity(parentWeights).overall;
  if (parentSparsity.weights === 0) {
    throw new MlctlError('USAGE', `${source.model} v${source.version} has no kernel weights to prune.`, {
      hint: 'Pruning zeroes the weight matrices of Dense, Conv, DepthwiseConv, recurrent and Embedding layers.',
    });
  }
  const warnings: string[] = [];

  // fine-tuning data is found (or refused) before any work is done
  const { resolveFineTuneData, fineTune } = await import('./fine-tune.js');
  const fineTuneData = epochs > 0 ? await resolveFineTuneData(source, options.data) : null;

  options.onProgress?.({ phase: 'compress' });
  const pruneWith = { criterion, perLayer: options.perLayer, exclude: skippedWeights };
  let finalWeights: NamedWeight[];
  let fineTuneReport: FineTuneReport | null = null;
  if (fineTuneData) {
    const tuned = await fineTune({
      source,
      weights: parentWeights,
      data: fineTuneData,
      prune: pruneWith,
      epochs,
      schedule: options.schedule ?? 'constant',
      backend: options.backend,
      onEpoch: (e) => options.onProgress?.({ phase: 'fine-tune', ...e }),
    });
    finalWeights = tuned.weights;
    fineTuneReport = tuned.report;
  } else {
    finalWeights = magnitudePrune(parentWeights, pruneWith).weights;
  }
  const changed = new Set(
    fineTuneData ? finalWeights.map((w) => w.name) : finalWeights.filter((w, i) => w !== parentWeights[i]).map((w) => w.name),
  );
  const finalByName = new Map(finalWeights.map((w) => [w.name, w]));
  const inputs: PackInput[] = source.tensors.map((t) =>
    changed.has(t.spec.name)
      ? { spec: t.spec, values: finalByName.get(t.spec.name)!.values, encoding: sameStorage(t.spec) }
      : { spec: t.spec, bytes: t.bytes, encoding: { kind: 'copy' } },
  );
  if (source.tensors.some((t) => changed.has(t.spec.name) && t.spec.quantization)) {
    warnings.push(
      `${source.model} v${source.version} is quantized; the pruned weights were quantized again to the same dtypes. Pruning the float32 version first, then quantizing, loses less.`,
    );
  }
  const packed = packWeights(inputs);
  // what TF.js will load: re-quantized tensors may differ slightly from finalWeights
  const loaded = new Map(packed.tensors.filter((t) => t.decoded).map((t) => [t.name, t.decoded!]));
  const childWeights = parentWeights.map((w) => ({ ...w, values: loaded.get(w.name) ?? w.values }));
  const sparsity = kernelSparsity(childWeights);
  const maxWeightError = maxAbsWeightError(parentWeights, childWeights);
  if (!options.perLayer) {
    const dead = sparsity.layers.filter((l) => l.weights > 0 && l.zeros === l.weights && 'sparsity' in criterion);
    if (dead.length > 0) {
      warnings.push(
        `Global pruning zeroed every kernel weight of ${dead.map((l) => l.layer).join(', ')} (its weights are small next to the other layers'), ` +
          `so ${dead.length === 1 ? 'that layer passes' : 'those layers pass'} nothing on; pass --per-layer to prune each layer to the target instead.`,
      );
    }
  }
  if ('sparsity' in criterion && parentSparsity.sparsity > criterion.sparsity + 1e-12) {
    warnings.push(
      `${source.model} v${source.version} already has ${(parentSparsity.sparsity * 100).toFixed(1)}% zero kernel weights, more than --sparsity ${criterion.sparsity}; existing zeros stay zero.`,
    );
  }

  let quality: QualityReport | undefined;
  const published = await options.registry.publishVersion(source.model, {
    writeFiles: async (dir) => {
      await writeModelDir(dir, source.modelJson, packed);
      options.onProgress?.({ phase: 'evaluate' });
      const { measureQuality } = await import('./compression-quality.js');
      quality = await measureQuality(source, dir, { backend: options.backend, dataFlagMeasures: false });
      options.onProgress?.({ phase: 'publish' });
    },
    buildRecord: (version, files) => {
      const q = quality!;
      const sizes = sizeChanges(source, files, packed.weightsManifest[0].paths);
      return childRecord(
        source.record,
        'prune',
        { model: source.model, version, files, tfjsVersion: q.tfjsVersion, backend: q.backend, startedAt: started },
        {
          metrics: q.childTestMetrics ? summarizeMetrics(q.childTestMetrics) : undefined,
          pruning: {
            criterion,
            scope: options.perLayer ? 'per-layer' : 'global',
            skipped: options.skip ?? [],
            sparsity: sparsity.overall.sparsity,
            layers: sparsity.layers,
            parentSparsity: parentSparsity.sparsity,
            weightBytes: sizes.weightBytes,
            gzipBytes: sizes.gzipBytes,
            maxWeightError,
            fineTune: fineTuneReport,
            evaluation: q.evaluation,
            outputDifference: q.outputDifference,
          },
          warnings: warnings.length ? warnings : undefined,
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
    criterion,
    scope: options.perLayer ? 'per-layer' : 'global',
    skipped: options.skip ?? [],
    sparsity,
    parentSparsity,
    weightBytes: sizes.weightBytes,
    gzipBytes: sizes.gzipBytes,
    maxWeightError,
    fineTune: fineTuneReport,
    evaluation: q.evaluation,
    outputDifference: q.outputDifference,
    notMeasured: q.notMeasured,
    warnings,
    backend: q.backend,
    record: published.record,
  };
}

/** The encoding that keeps a weight's storage dtype: float32 stays float32, quantized weights are re-quantized alike. */
function sameStorage(spec: { dtype: string; quantization?: { dtype: string } }): TensorEncoding {
  const storage = storageDtype(spec as never);
  if (storage === 'float16') return { kind: 'float16' };
  if (storage === 'uint8' || storage === 'uint16') return { kind: 'affine', dtype: storage };
  return { kind: 'float32' };
}
