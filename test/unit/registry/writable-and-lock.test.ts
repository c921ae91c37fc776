/** Registry.checkWritable and the lock's owner file and wait hook. */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/registry/registry.js';
import { describeLockHolder, LOCK_OWNER_FILE, withModelLock, type LockWait } from '../../../src/registry/model-lock.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let work: string;
beforeAll(async () => {
  work = await makeTmpDir();
});
afterAll(async () => removeTmpDir(work));

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('Registry.checkWritable', () => {
  it('accepts an existing folder and one that can be created', async () => {
    await expect(new Registry(work).checkWritable()).resolves.toBeUndefined();
    await expect(new Registry(path.join(work, 'new/deeper')).checkWritable()).resolves.toBeUndefined();
    await expect(stat(path.join(work, 'new'))).rejects.toThrow(); // it checks, it does not create
  });

  it('refuses a file, and a path under a file, as usage errors', async () => {
    const file = path.join(work, 'file');
    await writeFile(file, 'x');
    expect(await rejection(new Registry(file).checkWritable())).toMatchObject({
      code: 'USAGE',
      message: `The registry ${file} is not a directory.`,
    });
    expect((await rejection(new Registry(path.join(file, 'r')).checkWritable())).message).toBe(
      `The registry ${path.join(file, 'r')} cannot be created: ${file} is not a directory.`,
    );
  });
});

describe('withModelLock', () => {
  it('records its holder while held and removes the record on release', async () => {
    const dir = path.join(work, 'm1');
    await mkdir(dir);
    const seen = await withModelLock(dir, 'm1', async () => JSON.parse(await readFile(path.join(dir, LOCK_OWNER_FILE), 'utf8')), {
      command: 'mlctl train m1',
    });
    expect(seen).toMatchObject({ pid: process.pid, command: 'mlctl train m1' });
    await expect(stat(path.join(dir, LOCK_OWNER_FILE))).rejects.toThrow();
  });

  it('tells a waiting writer whose lock it is, once, then takes it when released', async () => {
    const dir = path.join(work, 'm2');
    await mkdir(path.join(dir, '.lock'), { recursive: true });
    const since = new Date(Date.now() - 5000).toISOString();
    await writeFile(path.join(dir, LOCK_OWNER_FILE), JSON.stringify({ pid: 7, host: 'h', command: null, since }));
    const waits: LockWait[] = [];
    const run = withModelLock(dir, 'm2', async () => 'done', {
      onWait: (w) => {
        waits.push(w);
        void import('node:fs/promises').then((fs) => fs.rm(path.join(dir, '.lock'), { recursive: true }));
      },
    });
    expect(await run).toBe('done');
    expect(waits).toHaveLength(1);
    expect(waits[0].owner).toMatchObject({ pid: 7, host: 'h' });
    expect(describeLockHolder(waits[0])).toMatch(/^pid 7 on h, for [5-9] s$/);
    expect(describeLockHolder({ owner: null, heldForMs: null })).toBe('another mlctl process');
  });
});
