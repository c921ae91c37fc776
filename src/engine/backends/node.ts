/**
 * The tfjs-node adapter: native TensorFlow through @tensorflow/tfjs-node, an optional dependency
 * (its install downloads libtensorflow, so it is often absent). Kept as thin as possible: it only
 * tries to load the package, which registers the 'tensorflow' backend on import.
 */
export const NODE_BACKEND = 'tensorflow';

export async function registerNodeBackend(): Promise<boolean> {
  try {
    // A variable specifier keeps TypeScript from requiring the optional package's types.
    const specifier = '@tensorflow/tfjs-node';
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}
