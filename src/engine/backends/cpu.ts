/** The plain JavaScript backend; always present in @tensorflow/tfjs. */
export const CPU_BACKEND = 'cpu';

export async function registerCpuBackend(): Promise<boolean> {
  return true;
}
