/**
 * The small per-step operations around the training loop's matmuls (see train-model.ts), behind
 * one interface, `StepOps`, with two implementations: plain TF.js kernels (any backend), and on
 * wasm a few mlctl kernels written in JavaScript over wasm-heap views. Why they exist (tfjs 4.22):
 * - per-kernel dispatch cost: at the batch sizes tabular data uses (~32 rows) a step is mostly
 *   kernel-dispatch overhead (~7-10 us per kernel in tfjs-core plus one tensor each), so the
 *   element-wise chains around the matmuls (softmax - y then scale; dy * step(y); the gradient's
 *   column sums, reshapes, concat and L2 term) each become ONE kernel on wasm;
 * - wasm Slice/SplitV copy their whole input: Slice reads the entire input out of the heap
 *   (BackendWasm.readSync, a fresh ArrayBuffer) once per output, so splitting the flat weight
 *   variable with SplitV would copy all the weights once per piece; the mlctl split copies each
 *   piece once;
 * - the transposed-matmul slow path (wasm matmuls with a transpose flag skip XNNPACK) is handled
 *   next to the maths, by `matMul` in mlp-math.ts, not here.
 * The JavaScript loops cost ~1-5 ns per element, so above JS_LOOP_MAX_ELEMENTS the standard
 * (SIMD) kernels run instead.
 */
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';

/** `engine.runKernel` without the op layer: one kernel, one dispatch, no shape helpers. */
export type Kernel = (name: string, inputs: Record<string, Tensor> | Tensor[], attrs?: Record<string, unknown>) => Tensor;

/** A gradient piece for assembleGradient: copied as is, or (sumRows) its column sums. */
export interface GradientPart {
  tensor: Tensor;
  sumRows: boolean;
}

/**
 * The small per-step operations around the matmuls. Two implementations: plain TF.js kernels
 * (any backend), and on wasm a few mlctl kernels written in JavaScript over wasm-heap views.
 * At batch 32 a step is mostly kernel-dispatch overhead (~7-10 us per kernel in tfjs-core plus
 * one tensor each), so merging these element-wise chains into single kernels saves 9 of 44
 * kernels per step (+25-30% samples/s at batch 32); the loops cost ~1-5 ns per element, so
 * above JS_LOOP_MAX_ELEMENTS the SIMD kernels run instead.
 */
export interface StepOps {
  /** per-layer kernels [1, in, out] and biases [out] holding the flat variable's values */
  splitWeights(flat: Tensor): { kernels: Tensor[]; biases: Tensor[] };
  /** (softmax(z) - y) * scale for classification, (z - y) * scale for regression */
  outputGradient(z: Tensor, y: Tensor, softmax: boolean, scale: number, scaleTensor: Scalar): Tensor;
  /** dy where y > 0, else 0 */
  reluGradient(dy: Tensor, y: Tensor): Tensor;
  /** the flat gradient [size]: the parts in order (+ flat * mask, the L2 term, when given) */
  assembleGradient(parts: GradientPart[], size: number, l2: { flat: Tensor; mask: Tensor } | null): Tensor;
}

export function standardStepOps(kernel: Kernel, pieceSizes: number[], kernelShapes3d: number[][]): StepOps {
  return {
    splitWeights(flat) {
      const pieces = kernel('SplitV', { x: flat }, { numOrSizeSplits: pieceSizes, axis: 0 }) as unknown as Tensor[];
      const kernels: Tensor[] = [];
      const biases: Tensor[] = [];
      for (let l = 0; l < kernelShapes3d.length; l++) {
        kernels.push(kernel('Reshape', { x: pieces[2 * l] }, { shape: kernelShapes3d[l] }));
        biases.push(pieces[2 * l + 1]);
      }
      return { kernels, biases };
    },
    outputGradient(z, y, softmax, _scale, scaleTensor) {
      const diff = kernel('Sub', { a: softmax ? kernel('Softmax', { logits: z }, { dim: z.rank - 1 }) : z, b: y });
      return kernel('Multiply', { a: diff, b: scaleTensor });
    },
    reluGradient(dy, y) {
      return kernel('Multiply', { a: dy, b: kernel('Step', { x: y }, { alpha: 0 }) });
    },
    assembleGradient(parts, _size, l2) {
      const flatParts = parts.map(({ tensor, sumRows }) =>
        sumRows
          ? kernel('Sum', { x: tensor }, { axis: [0, 1], keepDims: false })
          : kernel('Reshape', { x: tensor }, { shape: [tensor.size] }),
      );
      const g = kernel('Concat', flatParts, { axis: 0 });
      return l2 ? kernel('Add', { a: g, b: kernel('Multiply', { a: l2.flat, b: l2.mask }) }) : g;
    },
  };
}

interface HeapTensor {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** The two public BackendWasm methods the mlctl kernels use. */
interface WasmBackendView {
  makeOutput(shape: number[], dtype: 'float32'): HeapTensor;
  typedArrayFromHeap(info: HeapTensor): Float32Array;
}

const WASM_KERNELS = {
  split: 'MlctlV1SplitToShapes',
  outputGradient: 'MlctlV1OutputGradient',
  reluGradient: 'MlctlV1ReluGradient',
  assembleGradient: 'MlctlV1AssembleGradient',
} as const;

/**
 * Up to this many elements a JavaScript loop over heap views beats dispatching 2-3 wasm kernels
 * (a loop costs ~1-5 ns per element here, a dispatch ~7-10 us); above it, the SIMD kernels win.
 */
const JS_LOOP_MAX_ELEMENTS = 4096;

/**
 * The wasm StepOps, or null when the active backend is not wasm or lacks the two backend methods
 * used (then the standard kernels run). Each mlctl kernel allocates its outputs first and only
 * then takes heap views: a malloc may grow the heap and detach earlier views.
 */
export function wasmStepOps(tf: Tf, kernel: Kernel, pieceShapes: number[][], standard: StepOps): StepOps | null {
  if (tf.getBackend() !== 'wasm') return null;
  const probe = tf.backend() as unknown as Partial<WasmBackendView>;
  if (typeof probe.makeOutput !== 'function' || typeof probe.typedArrayFromHeap !== 'function') return null;
  registerWasmKernels(tf);
  const small = (t: Tensor): boolean => t.size <= JS_LOOP_MAX_ELEMENTS;
  return {
    splitWeights(flat) {
      // SplitV would read the WHOLE flat variable out of the heap once per output (Slice uses
      // BackendWasm.readSync, a fresh ArrayBuffer each time); this copies each piece once
      const pieces = kernel(WASM_KERNELS.split, { x: flat }, { shapes: pieceShapes }) as unknown as Tensor[];
      const kernels: Tensor[] = [];
      const biases: Tensor[] = [];
      for (let l = 0; l < pieces.length / 2; l++) {
        kernels.push(pieces[2 * l]);
        biases.push(pieces[2 * l + 1]);
      }
      return { kernels, biases };
    },
    outputGradient: (z, y, softmax, scale, scaleTensor) =>
      small(z)
        ? kernel(WASM_KERNELS.outputGradient, { z, y }, { softmax, scale })
        : standard.outputGradient(z, y, softmax, scale, scaleTensor),
    reluGradient: (dy, y) => (small(dy) ? kernel(WASM_KERNELS.reluGradient, { dy, y }) : standard.reluGradient(dy, y)),
    assembleGradient(parts, size, l2) {
      // large column sums run as Sum kernels; the kernel then only copies their results
      const ready = parts.map((p) =>
        p.sumRows && !small(p.tensor) ? { tensor: kernel('Sum', { x: p.tensor }, { axis: [0, 1], keepDims: false }), sumRows: false } : p,
      );
      // the L2 term (flat * mask) is a loop over every weight: in the kernel only for small models
      const l2InKernel = l2 != null && size <= 4 * JS_LOOP_MAX_ELEMENTS;
      const inputs = [...ready.map((p) => p.tensor), ...(l2InKernel ? [l2.flat, l2.mask] : [])];
      const g = kernel(WASM_KERNELS.assembleGradient, inputs, { sumRows: ready.map((p) => p.sumRows), size, l2: l2InKernel });
      return l2 && !l2InKernel ? kernel('Add', { a: g, b: kernel('Multiply', { a: l2.flat, b: l2.mask }) }) : g;
    },
  };
}

function registerWasmKernels(tf: Tf): void {
  const view = (backend: unknown): WasmBackendView => backend as WasmBackendView;
  const heap = (t: unknown): HeapTensor => t as HeapTensor;
  const register = (
    kernelName: string,
    kernelFunc: (args: { inputs: Record<string, unknown>; backend: unknown; attrs: Record<string, unknown> }) => unknown,
  ): void => {
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as never });
  };

  register(WASM_KERNELS.split, ({ inputs, backend, attrs }) => {
    const b = view(backend);
    const outs = (attrs.shapes as number[][]).map((shape) => b.makeOutput(shape, 'float32'));
    const src = b.typedArrayFromHeap(heap(inputs.x));
    let offset = 0;
    for (const out of outs) {
      const dst = b.typedArrayFromHeap(out);
      dst.set(src.subarray(offset, offset + dst.length));
      offset += dst.length;
    }
    return outs;
  });

  register(WASM_KERNELS.outputGradient, ({ inputs, backend, attrs }) => {
    const b = view(backend);
    const z = heap(inputs.z);
    const out = b.makeOutput(z.shape, 'float32');
    const zv = b.typedArrayFromHeap(z);
    const yv = b.typedArrayFromHeap(heap(inputs.y));
    const ov = b.typedArrayFromHeap(out);
    const scale = attrs.scale as number;
    if (!attrs.softmax) {
      for (let i = 0; i < zv.length; i++) ov[i] = (zv[i] - yv[i]) * scale;
      return out;
    }
    const C = z.shape[z.shape.length - 1];
    for (let r = 0; r < zv.length; r += C) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (zv[r + c] > max) max = zv[r + c];
      let sum = 0;
      for (let c = 0; c < C; c++) sum += ov[r + c] = Math.exp(zv[r + c] - max);
      for (let c = 0; c < C; c++) ov[r + c] = (ov[r + c] / sum - yv[r + c]) * scale;
    }
    return out;
  });

  register(WASM_KERNELS.reluGradient, ({ inputs, backend }) => {
    const b = view(backend);
    const dy = heap(inputs.dy);
    const out = b.makeOutput(dy.shape, 'float32');
    const dv = b.typedArrayFromHeap(dy);
    const yv = b.typedArrayFromHeap(heap(inputs.y));
    const ov = b.typedArrayFromHeap(out);
    for (let i = 0; i < dv.length; i++) ov[i] = yv[i] > 0 ? dv[i] : 0;
    return out;
  });

  register(WASM_KERNELS.assembleGradient, ({ inputs, backend, attrs }) => {
    const b = view(backend);
    const sumRows = attrs.sumRows as boolean[];
    const tensors = Object.values(inputs).map(heap);
    const out = b.makeOutput([attrs.size as number], 'float32');
    const ov = b.typedArrayFromHeap(out);
    let offset = 0;
    sumRows.forEach((sum, i) => {
      const t = tensors[i];
      const v = b.typedArrayFromHeap(t);
      if (!sum) {
        ov.set(v, offset);
        offset += v.length;
        return;
      }
      const cols = t.shape[t.shape.length - 1];
      ov.fill(0, offset, offset + cols);
      for (let r = 0; r < v.length; r += cols) for (let c = 0; c < cols; c++) ov[offset + c] += v[r + c];
      offset += cols;
    });
    if (attrs.l2) {
      const w = b.typedArrayFromHeap(tensors[sumRows.length]);
      const m = b.typedArrayFromHeap(tensors[sumRows.length + 1]);
      for (let i = 0; i < ov.length; i++) ov[i] += w[i] * m[i];
    }
    return out;
  });
}
