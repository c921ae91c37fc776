/**
 * A pruned child version made without `mlctl prune` (which lands with issue 9): the parent's
 * weights through the model handle, the smallest-magnitude `fraction` of each kernel set to 0,
 * test metrics re-scored on the inherited test split, published through the real registry with
 * `childRecord(parent, 'prune', …)`. What the report must show about it is computed independently
 * by the tests from the weights on disk.
 */
import { prepareEvaluationData } from '../../src/dataset/prepare.js';
import { openVersion } from '../../src/lifecycle/open-version.js';
import { scoreSplit } from '../../src/lifecycle/fit-mlp.js';
import { summarizeMetrics } from '../../src/lifecycle/metrics.js';
import { childRecord } from '../../src/lifecycle/records.js';
import { readStoredTestSplit } from '../../src/lifecycle/test-split.js';
import type { Registry } from '../../src/registry/registry.js';
import type { VersionRecord } from '../../src/registry/version-record.js';

export async function pruneByHand(registry: Registry, model: string, parentVersion: number, fraction: number): Promise<VersionRecord> {
  const started = Date.now();
  const parent = await openVersion({ registry, model, selector: { version: parentVersion } });
  try {
    const weights = parent.handle.readWeights().map((w) => {
      if (!w.name.endsWith('/kernel')) return w;
      const sorted = Array.from(w.values, Math.abs).sort((a, b) => a - b);
      const cut = sorted[Math.floor(sorted.length * fraction)];
      return { ...w, values: w.values.map((x) => (Math.abs(x) < cut ? 0 : x)) };
    });
    parent.handle.writeWeights(weights);
    const signature = parent.signature!;
    const test = await readStoredTestSplit(parent.record);
    const prepared = prepareEvaluationData(signature, test.table, { indices: test.indices });
    const metrics = scoreSplit(parent.handle, signature, { x: prepared.x, y: prepared.y, n: prepared.rows.length });
    const published = await registry.publishVersion(model, {
      writeFiles: (dir) => parent.handle.save(dir),
      buildRecord: (version, files) =>
        childRecord(
          parent.record,
          'prune',
          { model, version, files, tfjsVersion: parent.handle.tfjsVersion, backend: parent.backend, startedAt: started },
          { metrics: summarizeMetrics(metrics) },
        ),
    });
    return published.record;
  } finally {
    parent.dispose();
  }
}
