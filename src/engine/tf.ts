/**
 * The one door to TensorFlow.js. Everything in engine/ gets `tf` from `loadTf()`, which imports
 * @tensorflow/tfjs lazily (it costs ~0.3 s, so commands that need no tensors never call this) and
 * picks the backend: tfjs-node if it is installed and loads, else wasm, else cpu.
 */
import { MlctlError } from '../errors.js';
import { NODE_BACKEND, registerNodeBackend } from './backends/node.js';
import { WASM_BACKEND, registerWasmBackend } from './backends/wasm.js';
import { CPU_BACKEND, registerCpuBackend } from './backends/cpu.js';
import type { BackendChoice } from '../vocabulary.js';

export type Tf = typeof import('@tensorflow/tfjs');

export type { BackendChoice } from '../vocabulary.js';

interface Candidate {
  choice: Exclude<BackendChoice, 'auto'>;
  tfName: string;
  register: () => Promise<boolean>;
}

const CANDIDATES: Candidate[] = [
  { choice: 'node', tfName: NODE_BACKEND, register: registerNodeBackend },
  { choice: 'wasm', tfName: WASM_BACKEND, register: registerWasmBackend },
  { choice: 'cpu', tfName: CPU_BACKEND, register: registerCpuBackend },
];

export interface LoadedTf {
  tf: Tf;
  /** the TF.js backend name that is active: 'tensorflow' | 'wasm' | 'cpu' */
  backend: string;
  tfjsVersion: string;
}

let loaded: Promise<LoadedTf> | undefined;
let loadedChoice: BackendChoice | undefined;

/**
 * Import TF.js and activate a backend. With 'auto' the first that loads wins (node → wasm → cpu);
 * a forced backend that cannot load is an error. The result is cached per process; asking for a
 * different backend later switches to it.
 */
export async function loadTf(choice: BackendChoice = 'auto'): Promise<LoadedTf> {
  if (loaded && loadedChoice === choice) return loaded;
  loadedChoice = choice;
  loaded = activate(choice);
  try {
    return await loaded;
  } catch (e) {
    loaded = undefined;
    loadedChoice = undefined;
    throw e;
  }
}

async function activate(choice: BackendChoice): Promise<LoadedTf> {
  const tf: Tf = await import('@tensorflow/tfjs');
  silenceNodeBanner(tf);
  const candidates = choice === 'auto' ? CANDIDATES : CANDIDATES.filter((c) => c.choice === choice);
  for (const candidate of candidates) {
    if (!(await candidate.register())) continue;
    try {
      if (await tf.setBackend(candidate.tfName)) {
        await tf.ready();
        return { tf, backend: tf.getBackend(), tfjsVersion: tf.version.tfjs };
      }
    } catch {
      // fall through to the next candidate
    }
  }
  if (choice === 'node') {
    throw new MlctlError('USAGE', 'The "node" backend needs @tensorflow/tfjs-node, which is not installed or does not load here.', {
      hint: 'Install it with "npm install @tensorflow/tfjs-node", or use --backend wasm or cpu.',
    });
  }
  throw new MlctlError('INTERNAL', `The "${choice}" backend could not be initialised.`, {
    hint: 'Try --backend cpu.',
  });
}

/** tfjs prints a "install tfjs-node" banner in Node; mlctl already tells users which backend runs. */
function silenceNodeBanner(tf: Tf): void {
  try {
    // backend_util.warn() is silent in PROD mode; PROD only turns off debug-mode checks.
    tf.env().set('PROD', true);
  } catch {
    // flags differ across tfjs versions; the banner is cosmetic
  }
}
