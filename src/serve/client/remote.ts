/**
 * A small client of the Open Inference Protocol v2 for `mlctl infer`: the same two calls (model
 * metadata, inference) over REST (`http://` / `https://`: GET /v2/models/NAME[/versions/N],
 * POST …/infer) or gRPC (`grpc://host:port`: ModelMetadata, ModelInfer). Server errors come back
 * as MlctlErrors with the server's message and the code its status means, so a pipeline's exit
 * code says what went wrong.
 */
import { MlctlError, type ErrorCode } from '../../errors.js';
import type { OipModelMetadata, OipOutput } from '../routes/oip.js';
import type { PlainTensor } from '../grpc/tensors.js';

export interface InferTarget {
  model: string;
  /** null = the version the server serves */
  version: number | null;
}

export interface RemoteResult {
  model_name: string;
  model_version: string;
  outputs: OipOutput[];
}

export interface InferenceClient {
  protocol: 'rest' | 'grpc';
  metadata(target: InferTarget): Promise<OipModelMetadata>;
  infer(target: InferTarget, inputs: PlainTensor[]): Promise<RemoteResult>;
  close(): void;
}

export interface ClientOptions {
  token: string | null;
  timeoutMs: number;
}

/** The client for a URL: grpc://host:port, or http(s)://host:port[/prefix]. */
export async function connectInference(url: string, options: ClientOptions): Promise<InferenceClient> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MlctlError('USAGE', `"${url}" is not a URL.`, { hint: 'Give http://host:port (REST) or grpc://host:port (gRPC).' });
  }
  if (parsed.protocol === 'grpc:') {
    if (!parsed.host) throw new MlctlError('USAGE', `"${url}" names no host.`, { hint: 'For example grpc://127.0.0.1:9001.' });
    const { connectGrpc } = await import('../grpc/client.js');
    return connectGrpc(parsed.host, options);
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return restClient(parsed, options);
  throw new MlctlError('USAGE', `Unsupported scheme "${parsed.protocol}" in ${url}.`, {
    hint: 'Give http://host:port (REST) or grpc://host:port (gRPC).',
  });
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'INVALID_DATA',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'INVALID_MODEL',
  503: 'UNAVAILABLE',
};

function restClient(base: URL, options: ClientOptions): InferenceClient {
  const root = base.href.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const pathOf = (t: InferTarget): string =>
    `${root}/v2/models/${encodeURIComponent(t.model)}${t.version !== null ? `/versions/${t.version}` : ''}`;
  const call = async (url: string, body?: unknown): Promise<any> => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (e) {
      throw unreachable(root, e, options.timeoutMs);
    }
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: reported below
    }
    if (!res.ok) {
      const message = typeof json?.error === 'string' ? json.error : (json?.error?.message ?? text.slice(0, 200));
      throw new MlctlError(STATUS_CODES[res.status] ?? 'UNAVAILABLE', `The server answered ${res.status}: ${message}`);
    }
    if (json === null)
      throw new MlctlError('UNAVAILABLE', `The server at ${root} did not answer JSON (is it an Open Inference Protocol server?).`);
    return json;
  };
  return {
    protocol: 'rest',
    metadata: (t) => call(pathOf(t)),
    infer: (t, inputs) => call(`${pathOf(t)}/infer`, { inputs }),
    close: () => {},
  };
}

/** Connection failures: one line that names the address. */
export function unreachable(where: string, e: unknown, timeoutMs: number): MlctlError {
  const err = e as { name?: string; cause?: { code?: string }; code?: string; message?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new MlctlError('UNAVAILABLE', `No answer from ${where} within ${timeoutMs} ms.`, {
      hint: 'Raise --timeout, or check the server.',
    });
  }
  const code = err?.cause?.code ?? err?.code;
  return new MlctlError('UNAVAILABLE', `Cannot reach ${where}${code ? ` (${code})` : `: ${err?.message ?? String(e)}`}.`, {
    hint: 'Check the URL and that the server is running.',
  });
}
