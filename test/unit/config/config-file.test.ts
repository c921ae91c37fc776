/**
 * The config file `mlctl init` writes: it is valid for mlctl's own loader as written, it lists
 * every key of the option tables, and uncommenting every line still gives a valid config (so the
 * commented defaults are real values of the right shape).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { renderConfigFile } from '../../../src/config/config-file.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { CONFIG_SECTIONS, CONFIG_SHAPE, findConfigProblem } from '../../../src/config/schema.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTmpDir();
});
afterAll(async () => removeTmpDir(dir));

/** Every key path of the config shape, e.g. "train.epochs". */
function shapeKeys(shape: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(shape).flatMap(([k, v]) =>
    typeof v === 'function' ? [`${prefix}${k}`] : shapeKeys(v as Record<string, unknown>, `${prefix}${k}.`),
  );
}

/** Uncomments every commented setting ("# epochs: 200", "# train:"); description lines stay comments. */
function uncommentAll(text: string): string {
  return text.replace(/^(\s*)# ?(\s*)([A-Za-z0-9]+:( .*)?)$/gm, '$1$2$3');
}

describe('renderConfigFile', () => {
  it('writes YAML that mlctl loads, with the chosen registry and model set', async () => {
    const file = path.join(dir, 'mlctl.config.yaml');
    await writeFile(file, renderConfigFile('yaml', { registry: './models', model: 'churn' }));
    const { config } = await loadConfig({ file });
    expect(config).toEqual({ registry: path.join(dir, 'models'), model: 'churn' }); // paths resolve against the file
  });

  it('writes an ES module config that mlctl loads', async () => {
    const file = path.join(dir, 'mlctl.config.mjs');
    await writeFile(file, renderConfigFile('js', { registry: './model-registry' }));
    const { config } = await loadConfig({ file });
    const sections = Object.fromEntries(Object.keys(CONFIG_SECTIONS).map((key) => [key, {}]));
    expect(config).toEqual({ registry: path.join(dir, 'model-registry'), ...sections });
  });

  it('mentions every key of the config, and every commented value is valid when uncommented', () => {
    const text = renderConfigFile('yaml', { registry: './model-registry' });
    for (const key of shapeKeys(CONFIG_SHAPE)) expect(text).toContain(`${key.split('.').pop()}:`);
    const all = parseYaml(uncommentAll(text)) as Record<string, Record<string, unknown>>;
    expect(all.train.epochs).toBe(200);
    expect(all.train.hidden).toEqual([64, 64]);
    expect(all.evaluate.minAccuracy).toBe(0.9);
    expect(all.model).toBe('iris');
    expect(findConfigProblem(all)).toBeNull();
  });
});
