/**
 * The served version's stock TF.js files, so a browser (or Node) can
 * `tf.loadLayersModel('http://host/models/NAME/model.json')` straight from the server:
 *
 *   GET /models/NAME/model.json                 the serving version (weights named by version)
 *   GET /models/NAME/versions/N/<file>          a loaded version's model.json or weight shard
 *
 * Files come from memory (read and checksummed at load), never from a path the client names, so
 * nothing outside the version can be reached. gzip when the client accepts it, strong ETags and
 * 304 on If-None-Match; a versioned URL is immutable and cached for a year.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MlctlError } from '../../errors.js';
import type { ServeContext } from '../context.js';
import { parseModelFilePath } from '../model-path.js';
import type { ServableFile } from '../servable.js';

export function registerModelFileRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/models/*', async (request, reply) => {
    const parsed = parseModelFilePath((request.params as { '*': string })['*']);
    if (!parsed) {
      throw new MlctlError('NOT_FOUND', `No such model file: ${request.url}`, {
        hint: 'Use /models/NAME/model.json or /models/NAME/versions/N/<file>.',
      });
    }
    const handle = ctx.manager.acquire(parsed.model, parsed.request);
    try {
      const s = handle.servable;
      request.mlctl = { route: 'model_files', model: s.model, version: String(s.version), rows: 0 };
      const unversioned = parsed.request.kind === 'latest';
      const file = unversioned && parsed.file === 'model.json' ? s.unversionedModelJson : s.files.get(parsed.file);
      if (!file) {
        throw new MlctlError('NOT_FOUND', `${s.model} v${s.version} has no file "${parsed.file}".`, {
          hint: `Its files: ${[...s.files.keys()].join(', ')}.`,
        });
      }
      return sendFile(request, reply, file, !unversioned);
    } finally {
      handle.release();
    }
  });
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: ServableFile, immutable: boolean): FastifyReply {
  reply.header('etag', file.etag);
  reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
  const match = request.headers['if-none-match'];
  if (match && match.split(',').some((t) => t.trim() === file.etag || t.trim() === `W/${file.etag}`)) {
    return reply.code(304).send();
  }
  reply.type(file.contentType);
  if (file.gzip && acceptsGzip(request.headers['accept-encoding'])) {
    reply.header('content-encoding', 'gzip');
    return reply.send(file.gzip);
  }
  return reply.send(file.body);
}
