/**
 * The gRPC side of `mlctl infer`'s client: grpc-js over the packaged .proto, plaintext, the token as
 * `authorization` metadata, --timeout as each call's deadline. Tensors go out in
 * InferTensorContents (fp32_contents, bytes_contents); answers are read from contents or
 * raw_output_contents.
 */
import type { Client, ServiceError } from '@grpc/grpc-js';
import { MlctlError, type ErrorCode } from '../../errors.js';
import type { ClientOptions, InferenceClient, InferTarget, RemoteResult } from '../client/remote.js';
import type { OipModelMetadata } from '../routes/oip.js';
import { SERVICE_NAME, protoPath } from './definition.js';
import { CONTENTS_FIELD, outputValues, type ModelInferResponse, type PlainTensor } from './tensors.js';

const STATUS_CODES: Record<string, ErrorCode> = {
  INVALID_ARGUMENT: 'INVALID_DATA',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  RESOURCE_EXHAUSTED: 'PAYLOAD_TOO_LARGE',
  FAILED_PRECONDITION: 'INVALID_MODEL',
};

export async function connectGrpc(address: string, options: ClientOptions): Promise<InferenceClient> {
  const grpc = await import('@grpc/grpc-js');
  const protoLoader = await import('@grpc/proto-loader');
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: Number, defaults: true });
  const Service = grpc.loadPackageDefinition(definition)[SERVICE_NAME.split('.')[0]] as any;
  const client: Client & Record<string, any> = new Service.GRPCInferenceService(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (options.token) metadata.set('authorization', `Bearer ${options.token}`);
  const names = Object.fromEntries(Object.entries(grpc.status).map(([k, v]) => [v, k]));
  const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) =>
      client[method](request, metadata, { deadline: Date.now() + options.timeoutMs }, (e: ServiceError | null, r: T) => {
        if (!e) return resolve(r);
        const name = names[e.code] as string;
        if (name === 'UNAVAILABLE' && /No connection established|ECONNREFUSED|connect/i.test(e.details)) {
          return reject(
            new MlctlError('UNAVAILABLE', `Cannot reach grpc://${address} (${/\bE[A-Z]{3,}\b/.exec(e.details)?.[0] ?? e.details}).`, {
              hint: 'Check the URL and that the server runs with --grpc-port.',
            }),
          );
        }
        if (name === 'DEADLINE_EXCEEDED') {
          return reject(
            new MlctlError('UNAVAILABLE', `No answer from grpc://${address} within ${options.timeoutMs} ms.`, {
              hint: 'Raise --timeout, or check the server.',
            }),
          );
        }
        reject(new MlctlError(STATUS_CODES[name] ?? 'UNAVAILABLE', `The server answered ${name}: ${e.details}`));
      }),
    );
  const request = (t: InferTarget) => ({ name: t.model, version: t.version === null ? '' : String(t.version) });
  return {
    protocol: 'grpc',
    metadata: (t) => call<OipModelMetadata>('ModelMetadata', request(t)),
    async infer(t, inputs: PlainTensor[]): Promise<RemoteResult> {
      const response = await call<ModelInferResponse>('ModelInfer', {
        model_name: t.model,
        model_version: request(t).version,
        inputs: inputs.map((x) => {
          const field = CONTENTS_FIELD[x.datatype];
          const values = x.datatype === 'BYTES' ? x.data.map((v) => Buffer.from(String(v), 'utf8')) : x.data;
          return { name: x.name, datatype: x.datatype, shape: x.shape, contents: { [field]: values } };
        }),
      });
      return {
        model_name: response.model_name,
        model_version: response.model_version,
        outputs: response.outputs.map((o, i) => ({ name: o.name, datatype: o.datatype, shape: o.shape, data: outputValues(response, i) })),
      };
    },
    close: () => client.close(),
  };
}
