/**
 * Load and save a TF.js layers model from/to a model directory (`model.json` + weight shards)
 * through mlctl's filesystem IOHandler, on the backend `loadTf` picks.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { MlctlError, isMlctlError, toMlctlError } from '../errors.js';
import { fileSystemIOHandler } from './fs-io-handler.js';
import { readerIOHandler, type ModelFileReader } from './reader-io-handler.js';
import { loadTf, type BackendChoice } from './tf.js';

export interface LoadedLayersModel {
  model: tfTypes.LayersModel;
  /** the active TF.js backend: 'tensorflow' | 'wasm' | 'cpu' */
  backend: string;
}

/**
 * Load the layers model in `dir`. Broken files fail with the MlctlError of the file checks (before
 * any tensor is built); a topology or weight set TF.js cannot deserialise (an unknown layer
 * class, weights that do not match the layers) fails with INVALID_MODEL naming `dir`.
 */
export async function loadLayersModelFromDir(dir: string | ModelFileReader, backend: BackendChoice = 'auto'): Promise<LoadedLayersModel> {
  const { tf, backend: active } = await loadTf(backend);
  try {
    const model = await tf.loadLayersModel(typeof dir === 'string' ? fileSystemIOHandler(dir) : readerIOHandler(dir));
    return { model, backend: active };
  } catch (e) {
    if (isMlctlError(e)) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new MlctlError(
      'INVALID_MODEL',
      `TF.js could not load the layers model in ${typeof dir === 'string' ? dir : dir.label}: ${oneLine(reason)}.`,
      {
        hint: 'The model uses layers or settings this TF.js version does not support, or its weights do not match its layers; re-export it as a TF.js layers model.',
        cause: e,
      },
    );
  }
}

/** Save `model` to `dir` (created if needed) as `model.json` + `weights.bin`. */
export async function saveLayersModelToDir(model: tfTypes.LayersModel, dir: string): Promise<tfTypes.io.SaveResult> {
  try {
    return await model.save(fileSystemIOHandler(dir));
  } catch (e) {
    throw toMlctlError(e);
  }
}

/** TF.js messages can run over several lines (e.g. "Unknown layer: X. This may be due to …"). */
function oneLine(text: string): string {
  const first = text.split('\n')[0].trim();
  return first.replace(/\s*This may be due to.*$/, '').replace(/\.$/, '');
}
