/**
 * Errors on the wire. Status codes come from the one table in errors.ts; a client mistake is
 * always 4xx. TF Serving and Open Inference Protocol routes answer `{"error": "<message>"}`;
 * mlctl's own routes answer `{"error": {"code", "message", "hint"?}}`.
 */
import { MlctlError, toMlctlError } from '../errors.js';

/** Fastify's own errors (body parsing, limits) turned into MlctlErrors with exact messages. */
export function fromFastifyError(e: unknown, bodyLimit: number, contentType?: string): MlctlError | null {
  const err = e as { code?: string; statusCode?: number; message?: string; name?: string } | null;
  if (!err || typeof err !== 'object') return null;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new MlctlError('PAYLOAD_TOO_LARGE', `Request body is larger than the ${bodyLimit}-byte limit (--body-limit).`, {
        hint: 'Send fewer rows per request.',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new MlctlError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type must be application/json, ${contentType ? `got "${contentType.split(';')[0].trim()}"` : 'got none'}.`,
        {
          hint: 'Send the body as JSON with "Content-Type: application/json".',
        },
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new MlctlError('INVALID_DATA', 'Request body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new MlctlError('INVALID_DATA', 'Request body length does not match its Content-Length header.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new MlctlError('INVALID_DATA', `Request body is not valid JSON: ${stripPeriod(err.message ?? '')}.`);
    default:
      break;
  }
  if (err.name === 'SyntaxError' && err.statusCode === 400) {
    return new MlctlError('INVALID_DATA', `Request body is not valid JSON: ${stripPeriod(err.message ?? '')}.`, {
      hint: 'Check the JSON (no trailing commas, double-quoted keys, no NaN).',
    });
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new MlctlError('INVALID_DATA', stripPeriod(err.message ?? 'Bad request') + '.');
  }
  return null;
}

function stripPeriod(s: string): string {
  return s.replace(/\.$/, '');
}

export type ErrorStyle = 'mlctl' | 'tf';

/** The style a URL's error bodies use. */
export function errorStyleOf(url: string): ErrorStyle {
  return url.startsWith('/v1/') || url.startsWith('/v2/') || url === '/v2' ? 'tf' : 'mlctl';
}

export function errorBody(error: MlctlError, style: ErrorStyle): unknown {
  if (style === 'tf') return { error: error.message };
  return { error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
}

/** Status and body for anything thrown while handling a request. */
export function renderError(
  e: unknown,
  url: string,
  bodyLimit: number,
  contentType?: string,
): { status: number; body: unknown; error: MlctlError; internal: boolean } {
  const error = e instanceof MlctlError ? e : (fromFastifyError(e, bodyLimit, contentType) ?? toMlctlError(e));
  const internal = error.code === 'INTERNAL' || error.code === 'IO' || error.code === 'CONFIG';
  return { status: error.httpStatus, body: errorBody(error, errorStyleOf(url)), error, internal };
}
