import { describe, expect, it } from 'vitest';
import { childRecord, importRecord, inheritedSections } from '../../../src/lifecycle/records.js';
import { findRecordProblem } from '../../../src/registry/record-schema.js';
import { sampleTrainRecord } from '../../helpers/sample-record.js';

const basics = {
  model: 'iris',
  version: 2,
  files: [{ path: 'model.json', bytes: 10, gzipBytes: 9, sha256: 'd'.repeat(64) }],
  tfjsVersion: '4.22.0',
  backend: 'cpu',
  startedAt: Date.now() - 50,
};

describe('childRecord', () => {
  it('carries the parent’s signature, target, dataset, split and settings, and records the parent', () => {
    const parent = sampleTrainRecord();
    const child = childRecord(parent, 'quantize', basics);
    expect(child).toMatchObject({ model: 'iris', version: 2, operation: 'quantize', parent: 1, files: basics.files, backend: 'cpu' });
    for (const key of ['signature', 'target', 'dataset', 'split', 'template', 'hyperparameters', 'seed'] as const) {
      expect(child[key]).toEqual(parent[key]);
    }
    // what the parent measured is not the child's
    expect(child.metrics).toBeUndefined();
    expect(child.history).toBeUndefined();
    expect(child.crossValidation).toBeUndefined();
    expect(child.durationMs).toBeGreaterThanOrEqual(50);
    expect(findRecordProblem(JSON.parse(JSON.stringify(child)))).toBeNull();
  });

  it('lets the operation’s own sections win over inherited ones', () => {
    const parent = sampleTrainRecord();
    const metrics = { ...parent.metrics!, accuracy: 0.5 };
    const child = childRecord(parent, 'prune', basics, { metrics, warnings: ['w'] });
    expect(child.metrics).toEqual(metrics);
    expect(child.warnings).toEqual(['w']);
  });

  it('inherits only what the parent has (an imported parent has no signature)', () => {
    const imported = importRecord(
      { ...basics, version: 1 },
      {
        source: { path: '/m/model.json', sha256: 'e'.repeat(64), generatedBy: null, convertedBy: null },
        io: { inputShape: [[null, 4]], outputShape: [[null, 3]], parameters: 10 },
      },
    );
    const sections = inheritedSections(imported);
    expect(Object.keys(sections).sort()).toEqual(['io', 'source']);
    expect(childRecord(imported, 'quantize', basics)).toMatchObject({ parent: 1, io: imported.io, source: imported.source });
  });
});
