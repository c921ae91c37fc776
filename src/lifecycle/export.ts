/**
 * `mlctl export`: a version as a stock TF.js model folder (model.json + its weight shards,
 * byte for byte), plus `signature.json` (inputs, preprocessing, labels: enough to encode raw rows
 * without mlctl) and `model-card.md` (the key facts). Everything is written into a temporary
 * sibling of DIR and renamed into place, so an interrupted export leaves no half-written DIR; a
 * non-empty DIR is replaced only with `force`.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlctlError, toMlctlError } from '../errors.js';
import { MODEL_JSON_FILE } from '../engine/model-files.js';
import type { RegistryStore, VersionSelector } from '../registry/store.js';
import type { VersionRecord } from '../registry/version-record.js';
import { exportedSignature, type ExportedSignature } from './export-signature.js';
import { modelCard } from './model-card.js';

export const SIGNATURE_FILE = 'signature.json';
export const MODEL_CARD_FILE = 'model-card.md';

export interface ExportOptions {
  registry: RegistryStore;
  model: string;
  selector?: VersionSelector;
  /** the folder to create (or replace, with force) */
  out: string;
  force?: boolean;
}

export interface ExportResult {
  model: string;
  version: number;
  out: string;
  files: { path: string; bytes: number }[];
  /** true when DIR existed and was replaced */
  replaced: boolean;
  signature: ExportedSignature;
}

export async function exportVersion(options: ExportOptions): Promise<ExportResult> {
  const { registry } = options;
  const { openSourceVersion } = await import('./version-weights.js');
  const source = await openSourceVersion(registry, options.model, options.selector ?? {});
  const out = path.resolve(options.out);
  if (registry.localRoot !== null) assertOutsideRegistry(out, registry.localRoot);
  const existing = await describeTarget(out);
  if (existing === 'file') {
    throw new MlctlError('USAGE', `${out} is a file; --out needs a directory.`, { hint: 'Choose another --out path.' });
  }
  if (existing === 'non-empty' && !options.force) {
    throw new MlctlError('ALREADY_EXISTS', `${out} is not empty; pass --force to replace it.`, {
      hint: 'Or choose an empty or new directory with --out.',
    });
  }

  const lineage = await ancestors(registry, source.record);
  const signature = exportedSignature(source.record);
  const card = modelCard({ record: source.record, lineage, shardFiles: source.shards.map((s) => s.path) });
  const parent = path.dirname(out);
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = path.join(parent, `.${path.basename(out)}.export-${id}`);
  const old = path.join(parent, `.${path.basename(out)}.replaced-${id}`);
  const files: { path: string; bytes: number }[] = [];
  try {
    await mkdir(parent, { recursive: true });
    await mkdir(temp);
    for (const entry of source.record.files) {
      const target = path.join(temp, ...entry.path.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(path.join(source.dir, ...entry.path.split('/')), target);
      files.push({ path: entry.path, bytes: entry.bytes });
    }
    const sigText = `${JSON.stringify(signature, null, 2)}\n`;
    await writeFile(path.join(temp, SIGNATURE_FILE), sigText);
    await writeFile(path.join(temp, MODEL_CARD_FILE), card);
    files.push({ path: SIGNATURE_FILE, bytes: Buffer.byteLength(sigText) }, { path: MODEL_CARD_FILE, bytes: Buffer.byteLength(card) });
    await syncTree(
      temp,
      files.map((f) => f.path),
    );
    if (existing !== 'absent') await rename(out, old);
    await rename(temp, out);
    await syncDir(parent);
  } catch (e) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    // put a replaced DIR back if the final rename failed
    if (existing !== 'absent' && (await describeTarget(out)) === 'absent') await rename(old, out).catch(() => undefined);
    throw e instanceof MlctlError ? e : toMlctlError(e);
  }
  if (existing !== 'absent') await rm(old, { recursive: true, force: true }).catch(() => undefined);
  files.sort((a, b) => (a.path === MODEL_JSON_FILE ? -1 : b.path === MODEL_JSON_FILE ? 1 : a.path.localeCompare(b.path)));
  return { model: source.model, version: source.version, out, files, replaced: existing !== 'absent', signature };
}

async function describeTarget(dir: string): Promise<'absent' | 'file' | 'empty' | 'non-empty'> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) return 'file';
    return (await readdir(dir)).length === 0 ? 'empty' : 'non-empty';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw toMlctlError(e);
  }
}

/** --out must not be the registry, inside it, or hold it: --force would replace registry files. */
function assertOutsideRegistry(out: string, registryRoot: string): void {
  const inside = (child: string, parent: string) => {
    const rel = path.relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  if (inside(out, registryRoot) || inside(registryRoot, out)) {
    throw new MlctlError('USAGE', `--out ${out} overlaps the registry ${registryRoot}; export outside it.`, {
      hint: 'For example: --out ./exported/iris.',
    });
  }
}

/** The parent chain (parent first), as far as the records exist. */
async function ancestors(registry: RegistryStore, record: VersionRecord): Promise<VersionRecord[]> {
  const out: VersionRecord[] = [];
  const seen = new Set([record.version]);
  let parent = record.parent;
  while (parent !== null && !seen.has(parent) && out.length < 100) {
    seen.add(parent);
    try {
      const r = await registry.readRecord(record.model, parent);
      out.push(r);
      parent = r.parent;
    } catch {
      break; // a removed ancestor ends the known lineage
    }
  }
  return out;
}

async function syncTree(dir: string, files: string[]): Promise<void> {
  for (const f of files) {
    const handle = await open(path.join(dir, ...f.split('/')), 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not every platform can fsync a directory
  }
}
