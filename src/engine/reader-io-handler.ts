/**
 * A load-only TF.js IOHandler over a reader of a version's files, for models that are not in a
 * folder: the PostgreSQL registry hands a reader whose `read(path)` fetches the stored bytes
 * from the database, so a served or evaluated model is loaded straight from it. Same checks as
 * the filesystem handler (`fs-io-handler.ts`): model.json validated, every shard named by the
 * manifest present and exactly as long as its weights need, before any tensor is built.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { MlctlError } from '../errors.js';
import { toModelArtifacts } from './fs-io-handler.js';
import { MODEL_JSON_FILE, validateModelJson, weightSpecBytes } from './model-files.js';

/** Where a model's files come from when they are not in a folder. */
export interface ModelFileReader {
  /** printable place of the model, e.g. `postgres://user@host/db#iris/3` */
  label: string;
  /** the bytes of one file, by its path relative to the model (POSIX) */
  read(relPath: string): Promise<Uint8Array>;
}

export function readerIOHandler(reader: ModelFileReader): tfTypes.io.IOHandler {
  return { load: () => loadFromReader(reader) };
}

export async function loadFromReader(reader: ModelFileReader): Promise<tfTypes.io.ModelArtifacts> {
  const source = `${reader.label}/${MODEL_JSON_FILE}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(await reader.read(MODEL_JSON_FILE)).toString('utf8'));
  } catch (e) {
    if (e instanceof MlctlError) throw e;
    throw new MlctlError('INVALID_MODEL', `${source} is not valid JSON (${(e as Error).message}).`, {
      hint: 'The stored model is damaged; remove the version and publish it again.',
    });
  }
  const modelJson = validateModelJson(parsed, source);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const group of modelJson.weightsManifest) {
    let needed = 0;
    for (const spec of group.weights) needed += weightSpecBytes(spec, source);
    let found = 0;
    for (const p of group.paths) {
      const bytes = await reader.read(p);
      parts.push(bytes);
      found += bytes.byteLength;
    }
    if (found !== needed) {
      throw new MlctlError(
        'INVALID_MODEL',
        `Weight files ${group.paths.join(' + ')} of ${reader.label} are ${found} bytes but model.json's manifest needs ${needed}.`,
        {
          hint: 'The stored model is damaged; remove the version and publish it again.',
        },
      );
    }
    total += found;
  }
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    weightData.set(part, offset);
    offset += part.byteLength;
  }
  return toModelArtifacts(modelJson, weightData.buffer);
}
