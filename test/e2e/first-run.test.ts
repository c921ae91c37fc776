/**
 * The errors a newcomer meets first, through the built binary: no registry yet, a typo in a
 * command, a flag, a template, a model or a config key — each says what to do next.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { publishDir } from '../helpers/registry-fixture.js';
import { createTinyModelDir } from '../helpers/tiny-model.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
const cli = (args: string[], cwd = work) => runCli(args, { cwd });

beforeAll(async () => {
  work = await makeTmpDir();
  const tiny = await createTinyModelDir(path.join(work, 'tiny'));
  const reg = path.join(work, 'reg');
  await publishDir(reg, 'iris', tiny.dir);
  await publishDir(reg, 'wine', tiny.dir);
});
afterAll(async () => removeTmpDir(work));

describe('first-run help', () => {
  it('no registry yet: says so and to run "mlctl train iris"', async () => {
    const empty = path.join(work, 'empty');
    await mkdir(empty);
    for (const args of [['evaluate'], ['report'], ['evaluate', 'iris'], ['predict', 'iris', '--input', 'x.csv']]) {
      const r = await cli(args, empty);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(
        /^error: No model registry at .*model-registry yet\. Train a first model with "mlctl train iris"/,
      );
    }
  });

  it('a typo in a command suggests the command (exit 2)', async () => {
    const r = await cli(['trian', 'iris']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command');
    expect(r.stderr).toContain('Did you mean train?');
    expect((await cli(['reprot'])).stderr).toContain('Did you mean report?');
  });

  it('a typo in a flag suggests the flag (exit 2)', async () => {
    const r = await cli(['train', 'iris', '--epoch', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean --epochs?');
    expect((await cli(['init', '--gitingore'])).stderr).toContain('Did you mean --gitignore?');
  });

  it('a typo in a template name suggests the template and lists them all', async () => {
    const r = await cli(['train', 'irsi', '--json']);
    expect(r.code).toBe(1);
    const { error } = r.json();
    expect(error.message).toBe('No template or file named "irsi". Did you mean "iris"?');
    expect(error.hint).toMatch(/Templates: breast-cancer, diabetes, iris, wine/);
  });

  it('an unknown model name lists the models and suggests the closest', async () => {
    const r = await cli(['report', 'wien', '--registry', 'reg', '--json']);
    expect(r.code).toBe(1);
    const { error } = r.json();
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(/Model "wien" not found/);
    expect(error.hint).toBe('Did you mean "wine"? Known models: iris, wine.');
    const far = (await cli(['evaluate', 'churn', '--registry', 'reg', '--json'])).json().error;
    expect(far.hint).toBe('Known models: iris, wine.');
  });

  it('a typo in a config key suggests the key (exit 2)', async () => {
    const dir = path.join(work, 'cfg');
    await mkdir(dir);
    await writeFile(path.join(dir, 'mlctl.config.json'), JSON.stringify({ train: { epoch: 3 } }));
    const r = await cli(['version', 'list'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key "train.epoch". Did you mean "epochs"?');
  });
});
