/**
 * Which model a command means when the user did not name one: the configured default
 * (MLCTL_MODEL or the config's `model`), else the only model in the registry.
 */
import { MlctlError } from '../errors.js';
import type { RegistryStore } from '../registry/store.js';
import { noRegistryError } from '../registry/registry.js';
import { assertModelName } from '../registry/layout.js';

export async function resolveModelName(registry: RegistryStore, given: string | undefined, fallback?: string): Promise<string> {
  if (given) {
    assertModelName(given);
    return given;
  }
  if (fallback) {
    assertModelName(fallback);
    return fallback;
  }
  const models = await registry.listModels();
  if (models.length === 1) return models[0];
  if (models.length === 0) {
    if (!(await registry.exists())) throw noRegistryError(registry.location);
    throw new MlctlError('NOT_FOUND', `The registry ${registry.location} has no models.`, {
      hint: 'Train one with "mlctl train iris" or import one with "mlctl import path/to/model.json".',
    });
  }
  throw new MlctlError('USAGE', `Name a model: the registry has ${models.length} (${models.join(', ')}).`, {
    hint: 'Pass the model name, or set "model" in mlctl.config.json or MLCTL_MODEL.',
  });
}
