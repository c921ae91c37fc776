/**
 * The files of a version: listing them, describing each as a FileEntry (size, gzip size, sha256)
 * and making them durable (fsync) before a version is published.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { MlctlError } from '../errors.js';
import type { FileEntry } from './version-record.js';

/**
 * zlib level used for `gzipBytes`: 6, zlib's (and gzip(1)'s, nginx's) default, i.e. roughly what
 * a web server sends a browser. Fixed so that sizes compare across versions.
 */
export const GZIP_LEVEL = 6;

/**
 * Lists every regular file under `dir`, recursively, as POSIX paths relative to `dir`, sorted.
 * Anything that is neither a file nor a directory (symlink, socket, …) is handed to `onOther`, or
 * without it refused (INVALID_MODEL): a version must be plain files that can be copied anywhere.
 */
export async function listFilesRecursive(dir: string, onOther?: (relPath: string) => void): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(childRel);
      else if (entry.isFile()) out.push(childRel);
      else if (onOther) onOther(childRel);
      else {
        throw new MlctlError('INVALID_MODEL', `${path.join(dir, childRel)} is not a regular file.`, {
          hint: 'A model version may contain only plain files and directories (no symlinks).',
        });
      }
    }
  }
  await walk('');
  return out.sort();
}

/** Lists every directory under `dir` (not `dir` itself), deepest first. */
async function listDirsRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string): Promise<void> {
    const entries = await readdir(abs, { withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = path.join(abs, entry.name);
      await walk(child);
      out.push(child);
    }
  }
  await walk(dir);
  return out;
}

/**
 * Describes one file: streams it once through sha256 and gzip (level GZIP_LEVEL), counting the
 * compressed bytes without keeping them. `relPath` (POSIX) is what the entry records.
 */
export async function computeFileEntry(dir: string, relPath: string): Promise<FileEntry> {
  const hash = createHash('sha256');
  let bytes = 0;
  let gzipBytes = 0;
  const gzip = createGzip({ level: GZIP_LEVEL });
  const counter = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      gzipBytes += chunk.length;
      callback();
    },
  });
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(createReadStream(path.join(dir, ...relPath.split('/'))), tap, gzip, counter);
  return { path: relPath, bytes, gzipBytes, sha256: hash.digest('hex') };
}

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const source = createReadStream(file);
  for await (const chunk of source) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    hash.update(buf);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Lists and describes every file under `dir`, in path order. */
export async function computeFileEntries(dir: string): Promise<FileEntry[]> {
  const files = await listFilesRecursive(dir);
  const entries: FileEntry[] = [];
  for (const rel of files) entries.push(await computeFileEntry(dir, rel));
  return entries;
}

/** Flushes a file's data to disk. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a directory's entries (new names, renames) to disk. Platforms that cannot fsync a
 * directory (Windows: EPERM/EISDIR; some filesystems: EINVAL) are tolerated.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EISDIR' || code === 'EINVAL' || code === 'EBADF') return;
    throw e;
  } finally {
    await handle?.close();
  }
}

/** fsyncs every file and directory under `dir`, then `dir` itself. */
export async function fsyncTree(dir: string): Promise<void> {
  for (const rel of await listFilesRecursive(dir)) await fsyncFile(path.join(dir, ...rel.split('/')));
  for (const sub of await listDirsRecursive(dir)) await fsyncDir(sub);
  await fsyncDir(dir);
}
