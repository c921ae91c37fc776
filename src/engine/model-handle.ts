/**
 * The model handle: the one way code outside engine/ uses a TF.js model. Open a model directory
 * (or build a new MLP) once, then predict encoded rows to plain arrays, read and write weights as
 * named Float32Arrays, continue training (optionally keeping masked weights at zero), save, and
 * dispose. Nothing of TF.js leaks through it, types included, so lifecycle/ and serve/ never
 * import @tensorflow.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import type { BackendChoice, Task } from '../vocabulary.js';
import { buildMlp, describeMlp, type MlpPlan, type MlpSpec } from './build-model.js';
import type { EnsembleMember } from './build-ensemble.js';
import { loadLayersModelFromDir, saveLayersModelToDir } from './load-model.js';
import type { ModelFileReader } from './reader-io-handler.js';
import { outputSizeOf, predictBatch, rowShape } from './predict.js';
import { loadTf, type Tf } from './tf.js';
import type { TrainData, TrainOptions, TrainResult } from './training/types.js';
import { integratedGradients, type IntegratedGradientsOptions, type IntegratedGradientsResult } from './integrated-gradients.js';

export type { MlpSpec } from './build-model.js';
export type { IntegratedGradientsOptions, IntegratedGradientsResult } from './integrated-gradients.js';
export type { EnsembleMember } from './build-ensemble.js';
export type { EpochLog, TrainData, TrainOptions, TrainResult, TrainSplit, WeightMask } from './training/types.js';

/** One weight tensor, by the name model.json's weights manifest gives it (e.g. "dense_1/kernel"). */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface FitOptions extends TrainOptions {
  /** the loss for a model that is not an mlctl MLP (default: softmax output = classification) */
  task?: Task;
}

export interface ModelHandle {
  /** the active TF.js backend: 'tensorflow' | 'wasm' | 'cpu' */
  readonly backend: string;
  readonly tfjsVersion: string;
  /** every input's and output's shape as TF.js reports it (null = any size, e.g. the batch) */
  readonly inputShapes: (number | null)[][];
  readonly outputShapes: (number | null)[][];
  /** values per input row (product of the first input's dimensions after the batch) */
  readonly rowSize: number;
  /** values per output row */
  readonly outputSize: number;
  readonly parameters: number;
  /** an mlctl MLP (Dense + Dropout): fast training loop and fast predict path */
  readonly isMlp: boolean;
  /** the MLP's task from its output layer (softmax = classification, linear = regression), else null */
  readonly task: Task | null;
  /** n rows, row-major → n × outputSize outputs (probabilities or standardised values) */
  predict(x: Float32Array, n: number): Float32Array;
  /**
   * per-input attributions of n encoded rows by integrated gradients from `options.baseline`
   * (see integrated-gradients.ts), steps chosen per row until completeness holds within the tolerance
   */
  integratedGradients(x: Float32Array, n: number, options: IntegratedGradientsOptions): IntegratedGradientsResult;
  /** every weight, in the order of the model's weights (copies) */
  readWeights(): NamedWeight[];
  /** replaces the named weights (shapes must match); weights not named keep their values */
  writeWeights(weights: readonly NamedWeight[]): void;
  /** continues training this model on encoded rows (see TrainOptions: mask, early stopping, …) */
  fit(data: TrainData, options: FitOptions): Promise<TrainResult>;
  /** writes the model as a stock TF.js layers model (model.json + weights.bin) into `dir` */
  save(dir: string): Promise<void>;
  dispose(): void;
}

/** Activate a backend (loading TF.js) and say which one runs; no model involved. */
export async function activateBackend(choice: BackendChoice = 'auto'): Promise<{ backend: string; tfjsVersion: string }> {
  const { backend, tfjsVersion } = await loadTf(choice);
  return { backend, tfjsVersion };
}

/**
 * Open the layers model in `dir`. Broken files fail with the MlctlError of the file checks
 * (before any tensor is built); a topology or weight set TF.js cannot deserialise (an unknown
 * layer class, weights that do not match the layers) fails with INVALID_MODEL naming `dir`.
 */
export async function openModel(dir: string | ModelFileReader, backend: BackendChoice = 'auto'): Promise<ModelHandle> {
  const { tf, tfjsVersion } = await loadTf(backend);
  const loaded = await loadLayersModelFromDir(dir, backend);
  return handleOf(tf, loaded.model, loaded.backend, tfjsVersion);
}

/** A new mlctl MLP with weights drawn from mlctl's seeded generator (see build-model.ts). */
export async function createMlp(spec: MlpSpec, seed: number, backend: BackendChoice = 'auto'): Promise<ModelHandle> {
  const loaded = await loadTf(backend);
  return handleOf(loaded.tf, buildMlp(loaded.tf, spec, seed), loaded.backend, loaded.tfjsVersion);
}

/**
 * One stock TF.js model averaging mlctl MLPs (see build-ensemble.ts): its prediction is the mean
 * of the members' predictions. Members' weights come from `readWeights()` of their handles.
 */
export async function createEnsemble(members: readonly EnsembleMember[], backend: BackendChoice = 'auto'): Promise<ModelHandle> {
  const loaded = await loadTf(backend);
  const { buildEnsemble } = await import('./build-ensemble.js');
  return handleOf(loaded.tf, buildEnsemble(loaded.tf, members), loaded.backend, loaded.tfjsVersion);
}

function handleOf(tf: Tf, model: LayersModel, backend: string, tfjsVersion: string): ModelHandle {
  let plan: MlpPlan | null;
  try {
    plan = describeMlp(model);
  } catch {
    plan = null;
  }
  // a model with several inputs/outputs or variable sizes can still be opened (verify, import);
  // it cannot predict, which says so when asked
  const dims = attempt(() => rowShape(model), [null]);
  const rowSize = dims.every((d): d is number => typeof d === 'number') ? dims.reduce((a, b) => a * b, 1) : NaN;
  const outputSize = attempt(() => outputSizeOf(model), NaN);
  const names = (): string[] => model.weights.map((w) => w.originalName);
  let disposed = false;
  const live = (): void => {
    if (disposed) throw new MlctlError('INTERNAL', 'The model handle was used after dispose() (this is a bug).');
  };
  return {
    backend,
    tfjsVersion,
    inputShapes: model.inputs.map((t) => [...t.shape]),
    outputShapes: model.outputs.map((t) => [...t.shape]),
    rowSize,
    outputSize,
    parameters: model.countParams(),
    isMlp: plan !== null,
    task: plan?.task ?? null,
    predict(x, n) {
      live();
      if (!Number.isFinite(rowSize) || !Number.isFinite(outputSize)) {
        throw new MlctlError(
          'INVALID_MODEL',
          'mlctl predicts with models of one input and one output of fixed shapes; this model has other inputs or outputs.',
        );
      }
      return predictBatch(tf, model, x, n, rowSize);
    },
    integratedGradients(x, n, options) {
      live();
      return integratedGradients(tf, model, x, n, options);
    },
    readWeights() {
      live();
      const weightNames = names();
      return model.getWeights().map((t, i) => ({
        name: weightNames[i],
        shape: [...t.shape],
        values: Float32Array.from(t.dataSync()),
      }));
    },
    writeWeights(weights) {
      live();
      const byName = new Map(weights.map((w) => [w.name, w]));
      const weightNames = names();
      const unknown = [...byName.keys()].filter((n) => !weightNames.includes(n));
      if (unknown.length > 0) {
        throw new MlctlError('INVALID_DATA', `The model has no weight named ${unknown.map((n) => `"${n}"`).join(', ')}.`, {
          hint: `Its weights are ${weightNames.join(', ')}.`,
        });
      }
      const current = model.getWeights();
      const next = current.map((t, i) => {
        const w = byName.get(weightNames[i]);
        if (!w) return t;
        const size = t.shape.reduce((a, b) => a * b, 1);
        if (w.values.length !== size || w.shape.join('x') !== t.shape.join('x')) {
          throw new MlctlError(
            'INVALID_DATA',
            `Weight "${w.name}" has shape [${w.shape}] (${w.values.length} values); the model's is [${t.shape}].`,
          );
        }
        return tf.tensor(w.values, t.shape, t.dtype);
      });
      try {
        model.setWeights(next);
      } finally {
        tf.dispose(next.filter((t, i) => t !== current[i]));
      }
    },
    async fit(data, options) {
      live();
      if (plan) {
        const { trainModel } = await import('./training/train-loop.js');
        return trainModel(tf, model, data, options, names());
      }
      const task = options.task ?? (outputActivation(model) === 'softmax' ? 'classification' : 'regression');
      const { fitGeneric } = await import('./training/generic-fit.js');
      return fitGeneric(tf, model, data, { ...options, task }, names());
    },
    async save(dir) {
      live();
      await saveLayersModelToDir(model, dir);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}

function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function outputActivation(model: LayersModel): string | undefined {
  const last = model.layers[model.layers.length - 1];
  return (last?.getConfig() as { activation?: string }).activation;
}
