/** `mlctl infer`'s settings: where the server is and how to reach it. Flags and MLCTL_* only (a deployment's address is no project default). */
import { durationKind } from './serve.js';
import { integerKind, option, textKind, type OptionValues } from './spec.js';

export const INFER_OPTIONS = {
  token: option('--token <secret>', 'send "Authorization: Bearer <secret>" (gRPC: authorization metadata)', textKind, {
    env: true,
    config: false,
  }),
  modelVersion: option('--model-version <n>', 'ask for this version (default: the one the server serves)', integerKind({ min: 1 }), {
    config: false,
  }),
  timeout: option('--timeout <duration>', 'give up after (the gRPC deadline, or the HTTP request timeout)', durationKind, {
    default: 10_000,
    config: false,
  }),
} as const;

export type InferOptionValues = OptionValues<typeof INFER_OPTIONS>;
