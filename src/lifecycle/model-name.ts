/**
 * Turning a file or folder name into a valid model name: accents transliterated, runs of
 * anything else (spaces, underscores, punctuation) one dash ("Données_été.csv" → "donnees-ete",
 * "My Data_v2.csv" → "my-data-v2").
 */
import path from 'node:path';
import { MlctlError } from '../errors.js';
import { isModelName } from '../registry/layout.js';

/** Letters that do not decompose into a base letter plus accents. */
const SPECIAL: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
};

/** "Ångström" → "angstrom": lower case, accents removed (NFD, combining marks dropped). */
export function transliterate(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[ßæœøđðþłı]/g, (c) => SPECIAL[c]);
}

export function modelNameFrom(fileOrDir: string): string {
  const base = transliterate(path.basename(fileOrDir).replace(/\.(csv|tsv|txt|json)$/i, ''))
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[-.]+$/, '');
  if (!isModelName(base)) {
    throw new MlctlError('USAGE', `Cannot derive a model name from "${path.basename(fileOrDir)}".`, {
      hint: 'Pass --name <model> (lowercase letters, digits, ".", "_" and "-").',
    });
  }
  return base;
}
