/**
 * `--skip LAYER,...`: the layers a compression leaves as they are (users keep the first and last
 * layer in float32). Names are matched against the layers that own weights, as the weights
 * manifest names them ('dense_1' for 'dense_1/kernel'; an inner layer of a nested model by its
 * own name too); a name that matches none is a USAGE error listing the layers there are.
 */
import { MlctlError } from '../errors.js';
import { belongsToLayer, layersOf } from '../engine/compress/weight-roles.js';

/** Names of the weights belonging to the skipped layers. */
export function resolveSkippedWeights(weightNames: readonly string[], skip: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  if (!skip || skip.length === 0) return out;
  const unknown: string[] = [];
  for (const layer of skip) {
    const matched = weightNames.filter((name) => belongsToLayer(name, layer));
    if (matched.length === 0) unknown.push(layer);
    for (const name of matched) out.add(name);
  }
  if (unknown.length > 0) {
    const layers = layersOf(weightNames);
    const shown = layers.length > 30 ? `${layers.slice(0, 30).join(', ')}, … (${layers.length} in all)` : layers.join(', ');
    throw new MlctlError('USAGE', `--skip names no layer with weights: ${unknown.map((u) => `"${u}"`).join(', ')}.`, {
      hint: `Layers with weights: ${shown}.`,
    });
  }
  return out;
}
