/**
 * The WebAssembly backend. Its .wasm binaries ship inside @tensorflow/tfjs-backend-wasm, and in
 * Node the package finds them next to its own files. The threaded build does not start under
 * Node 20, so only the plain (single-threaded, SIMD when available) build is used.
 */
export const WASM_BACKEND = 'wasm';

export async function registerWasmBackend(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return true;
  } catch {
    return false;
  }
}
