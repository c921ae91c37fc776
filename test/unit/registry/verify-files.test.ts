import { appendFile, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METADATA_FILE } from '../../../src/registry/layout.js';
import { caught, publish, tmpRegistry } from './registry-fixtures.js';

const FILES = { 'model.json': '{"format":"layers-model"}', 'weights.bin': Buffer.alloc(64, 3) };

async function published() {
  const registry = await tmpRegistry();
  await publish(registry, 'iris');
  const { dir } = await publish(registry, 'iris', FILES);
  return { registry, dir };
}

describe('Registry.verifyFiles', () => {
  it('finds nothing wrong with an untouched version', async () => {
    const { registry } = await published();
    expect(await registry.verifyFiles('iris', 2)).toEqual([]);
  });

  it('detects a modified byte as a checksum mismatch naming the file', async () => {
    const { registry, dir } = await published();
    const file = path.join(dir, 'weights.bin');
    const bytes = await readFile(file);
    bytes[10] ^= 0xff;
    await writeFile(file, bytes);
    expect(await registry.verifyFiles('iris', 2)).toEqual([
      {
        model: 'iris',
        version: 2,
        file: 'weights.bin',
        problem: 'checksum',
        message: 'iris/2/weights.bin: sha256 mismatch (file was modified after publishing)',
      },
    ]);
  });

  it('detects a truncated file as a size mismatch', async () => {
    const { registry, dir } = await published();
    await truncate(path.join(dir, 'weights.bin'), 10);
    const issues = await registry.verifyFiles('iris', 2);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'weights.bin', problem: 'size' });
    expect(issues[0].message).toMatch(/^iris\/2\/weights\.bin: 10 bytes, expected 64/);
  });

  it('detects a missing file', async () => {
    const { registry, dir } = await published();
    await rm(path.join(dir, 'model.json'));
    expect(await registry.verifyFiles('iris', 2)).toEqual([
      { model: 'iris', version: 2, file: 'model.json', problem: 'missing', message: 'iris/2/model.json: missing' },
    ]);
  });

  it('detects an extra file', async () => {
    const { registry, dir } = await published();
    await writeFile(path.join(dir, 'notes.txt'), 'hello');
    const issues = await registry.verifyFiles('iris', 2);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'notes.txt', problem: 'extra' });
    expect(issues[0].message).toMatch(/^iris\/2\/notes\.txt: /);
  });

  it('reports a corrupt record as a record issue instead of throwing', async () => {
    const { registry, dir } = await published();
    await appendFile(path.join(dir, METADATA_FILE), 'garbage');
    const issues = await registry.verifyFiles('iris', 2);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ problem: 'record', file: METADATA_FILE });
  });

  it('gives NOT_FOUND for a version that does not exist', async () => {
    const { registry } = await published();
    expect((await caught(() => registry.verifyFiles('iris', 9))).code).toBe('NOT_FOUND');
  });
});
