/**
 * Model paths of the TF Serving and Open Inference Protocol routes, parsed in one place (as TF
 * Serving's `ParseModelInfo`). Fastify's router (find-my-way) reads `:` as a parameter marker and
 * `::` as an escaped colon, so routes are registered as wildcards and the `:predict` verb is
 * parsed here.
 */
import { isAliasName, isModelName, isVersionDirName } from '../registry/layout.js';
import type { ServableRequest } from './servable-manager.js';

export interface ModelPath {
  model: string;
  request: ServableRequest;
}

export type TfServingAction = 'status' | 'metadata' | 'predict' | 'explain' | 'classify' | 'regress';
export type OipAction = 'metadata' | 'ready' | 'infer';

function decode(rest: string): string | null {
  try {
    return decodeURIComponent(rest.split('?')[0]);
  } catch {
    return null;
  }
}

function modelPath(segments: string[], allowLabels: boolean): ModelPath | null {
  const [model, kind, value] = segments;
  if (!isModelName(model)) return null;
  if (segments.length === 1) return { model, request: { kind: 'latest' } };
  if (segments.length !== 3) return null;
  if (kind === 'versions' && isVersionDirName(value)) return { model, request: { kind: 'version', version: Number(value) } };
  if (allowLabels && kind === 'labels' && isAliasName(value)) return { model, request: { kind: 'label', label: value } };
  return null;
}

/** `NAME[/versions/N | /labels/L][:predict | :explain | :classify | :regress | /metadata]` (the part after `/v1/models/`). */
export function parseTfServingPath(rest: string): (ModelPath & { action: TfServingAction }) | null {
  let path = decode(rest);
  if (path === null) return null;
  let action: TfServingAction = 'status';
  const colon = path.lastIndexOf(':');
  if (colon !== -1) {
    const verb = path.slice(colon + 1);
    if (verb !== 'predict' && verb !== 'explain' && verb !== 'classify' && verb !== 'regress') return null;
    action = verb;
    path = path.slice(0, colon);
  } else if (path.endsWith('/metadata')) {
    action = 'metadata';
    path = path.slice(0, -'/metadata'.length);
  }
  const parsed = modelPath(path.split('/'), true);
  return parsed ? { ...parsed, action } : null;
}

/** `NAME[/versions/N][/ready | /infer]` (the part after `/v2/models/`). */
export function parseOipPath(rest: string): (ModelPath & { action: OipAction }) | null {
  const path = decode(rest);
  if (path === null) return null;
  const segments = path.split('/');
  let action: OipAction = 'metadata';
  const last = segments[segments.length - 1];
  if (segments.length > 1 && (last === 'ready' || last === 'infer')) {
    action = last;
    segments.pop();
  }
  const parsed = modelPath(segments, false);
  return parsed ? { ...parsed, action } : null;
}

/** `NAME[/versions/N]/FILE` (the part after `/models/`): which version's file. */
export function parseModelFilePath(rest: string): (ModelPath & { file: string }) | null {
  const path = decode(rest);
  if (path === null) return null;
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  if (segments.length >= 4 && segments[1] === 'versions') {
    const parsed = modelPath(segments.slice(0, 3), false);
    return parsed ? { ...parsed, file: segments.slice(3).join('/') } : null;
  }
  if (segments.length < 2) return null;
  const parsed = modelPath(segments.slice(0, 1), false);
  return parsed ? { ...parsed, file: segments.slice(1).join('/') } : null;
}
