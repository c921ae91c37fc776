/**
 * Registries for the compression tests: a version trained in-process by the real `train` verb on
 * a built-in template (short training; the tests compare versions with each other, not with a
 * target accuracy), and imported models (an MLP, a convolutional network) through the real
 * `importModel` verb.
 */
import path from 'node:path';
import { Registry } from '../../src/registry/registry.js';
import { train } from '../../src/lifecycle/train.js';
import { importModel } from '../../src/lifecycle/import-model.js';
import type { VersionRecord } from '../../src/registry/version-record.js';

export async function trainedVersion(root: string, template = 'iris', epochs = 40): Promise<{ registry: Registry; record: VersionRecord }> {
  const registry = new Registry(root);
  const { record } = await train({ registry, source: template, settings: { epochs, patience: 0 }, backend: 'cpu' });
  return { registry, record };
}

export async function importedVersion(
  root: string,
  modelDir: string,
  name: string,
): Promise<{ registry: Registry; record: VersionRecord }> {
  const registry = new Registry(root);
  const { record } = await importModel({ registry, source: path.join(modelDir, 'model.json'), name, backend: 'cpu' });
  return { registry, record };
}
