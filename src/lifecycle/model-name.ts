/** Turning a file or folder name into a valid model name ("My Data_v2.csv" → "my-data_v2"). */
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { isModelName } from '../registry/layout.js';

export function modelNameFrom(fileOrDir: string): string {
  const base = path
    .basename(fileOrDir)
    .replace(/\.(csv|tsv|txt|json)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[-.]+$/, '');
  if (!isModelName(base)) {
    throw new MlctlError('USAGE', `Cannot derive a model name from "${path.basename(fileOrDir)}".`, { hint: 'Pass --name <model>.' });
  }
  return base;
}
