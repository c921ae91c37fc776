/**
 * The layering rules of eslint.config.js fire on a planted wrong-direction import (and stay quiet
 * on the allowed direction). Each case lints a snippet as if it were a file in that folder.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/run-cli.js';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: REPO_ROOT });
});

async function messages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return result.messages.filter((m) => m.ruleId?.startsWith('no-restricted')).map((m) => m.message);
}

describe('architecture lint', () => {
  const planted: [string, string, RegExp][] = [
    [
      'src/registry/planted.ts',
      "import { loadTf } from '../engine/tf.js';\nexport { loadTf };",
      /registry\/ and dataset\/ never import engine\//,
    ],
    ['src/dataset/planted.ts', "export { openModel } from '../engine/model-handle.js';", /never import engine\//],
    [
      'src/lifecycle/planted.ts',
      "import type { LayersModel } from '@tensorflow/tfjs';\nexport type M = LayersModel;",
      /Only src\/engine\/ imports TensorFlow\.js/,
    ],
    ['src/registry/planted.ts', "import * as tf from '@tensorflow/tfjs';\nexport { tf };", /Only src\/engine\/ imports TensorFlow\.js/],
    ['src/lifecycle/planted.ts', "import { createProgram } from '../cli/program.js';\nexport { createProgram };", /Nothing imports cli\//],
    ['src/engine/planted.ts', "export { Reporter } from '../cli/output.js';", /Nothing imports cli\//],
    ['src/lifecycle/planted.ts', 'export function stop(): void {\n  process.exitCode = 3;\n}', /Only cli\/ touches process\.exitCode/],
    ['src/registry/planted.ts', "export const dir = process.env.MLCTL_REGISTRY ?? '';", /Only cli\/ touches process\.env/],
    ['src/engine/planted.ts', "export function say(): void {\n  process.stdout.write('x');\n}", /Only cli\/ touches process\.stdout/],
    ['src/lifecycle/planted.ts', "import { isatty } from 'node:tty';\nexport const t = isatty(1);", /Only cli\/ talks to the terminal/],
  ];
  for (const [file, code, expected] of planted) {
    it(`flags ${code.split('\n')[0]} in ${path.dirname(file)}`, async () => {
      const found = await messages(file, code);
      expect(
        found.some((m) => expected.test(m)),
        found.join('\n') || 'no layering error reported',
      ).toBe(true);
    });
  }

  const allowed: [string, string][] = [
    ['src/lifecycle/planted.ts', "export { openModel } from '../engine/model-handle.js';"],
    ['src/engine/planted.ts', "import type { LayersModel } from '@tensorflow/tfjs';\nexport type M = LayersModel;"],
    ['src/cli/planted.ts', "export { train } from '../lifecycle/train.js';\nexport const code = () => (process.exitCode = 1);"],
    ['src/registry/planted.ts', "export { MlctlError } from '../errors.js';"],
  ];
  for (const [file, code] of allowed) {
    it(`allows ${code.split('\n')[0]} in ${path.dirname(file)}`, async () => {
      expect(await messages(file, code)).toEqual([]);
    });
  }
});
