import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listTemplates, resolveTrainSource } from '../../../src/lifecycle/templates.js';
import { mergeSettings, templateSettings, DEFAULT_TRAIN_SETTINGS } from '../../../src/lifecycle/train-settings.js';
import { makeTmpDir, removeTmpDir } from '../../helpers/tmp-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTmpDir();
  await writeFile(path.join(dir, 'data.csv'), 'x,y\n1,a\n');
  await mkdir(path.join(dir, 'tpl'));
  await writeFile(path.join(dir, 'tpl', 'mine.json'), JSON.stringify({ data: '../data.csv', target: 'y', training: { epochs: 7 } }));
  await writeFile(path.join(dir, 'tpl', 'iris.json'), JSON.stringify({ name: 'iris', data: '../data.csv', target: 'y' }));
  await writeFile(path.join(dir, 'typo.json'), JSON.stringify({ data: 'data.csv', target: 'y', trainng: {} }));
  await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ data: 'data.csv', target: 'y', training: { epochs: -1 } }));
});
afterAll(async () => removeTmpDir(dir));

describe('resolveTrainSource', () => {
  it('finds every built-in template with its shipped CSV', async () => {
    expect(await listTemplates()).toEqual(['breast-cancer', 'diabetes', 'iris', 'wine']);
    for (const name of ['iris', 'wine', 'breast-cancer', 'diabetes']) {
      const s = await resolveTrainSource(name);
      expect(s.kind).toBe('template');
      if (s.kind === 'template') expect(s.builtin).toBe(true);
    }
  });

  it('a CSV path is data, resolved against cwd', async () => {
    expect(await resolveTrainSource('data.csv', { cwd: dir })).toEqual({ kind: 'csv', dataPath: path.join(dir, 'data.csv') });
  });

  it("the config's templates folder is searched first and may shadow a built-in", async () => {
    const s = await resolveTrainSource('iris', { templatesDir: path.join(dir, 'tpl') });
    expect(s.kind === 'template' && s.builtin).toBe(false);
    const mine = await resolveTrainSource('mine', { templatesDir: path.join(dir, 'tpl') });
    expect(mine.kind === 'template' && mine.dataPath).toBe(path.join(dir, 'data.csv'));
  });

  it('a template file with an unknown key is refused naming the key', async () => {
    await expect(resolveTrainSource('typo.json', { cwd: dir })).rejects.toThrow(/unknown key "trainng"/);
  });

  it('a template file with an invalid value is refused naming the key', async () => {
    await expect(resolveTrainSource('bad.json', { cwd: dir })).rejects.toThrow(/"training.epochs" is invalid/);
  });
});

describe('mergeSettings', () => {
  it('later layers win and undefined never overrides (flags > config > template > defaults)', () => {
    const s = mergeSettings({ epochs: 10, hidden: [8] }, { epochs: 20 }, { epochs: undefined, seed: 9 });
    expect(s.epochs).toBe(20);
    expect(s.hidden).toEqual([8]);
    expect(s.seed).toBe(9);
    expect(s.optimizer).toBe(DEFAULT_TRAIN_SETTINGS.optimizer);
  });

  it('template model and training sections both become settings', () => {
    expect(templateSettings({ name: 't', data: 'd', target: 'y', model: { hidden: [3] }, training: { epochs: 4 } })).toEqual({
      hidden: [3],
      epochs: 4,
    });
  });

  it('refuses splits that leave nothing to train on', () => {
    expect(() => mergeSettings({ testSplit: 0.5, validationSplit: 0.5 })).toThrow(/nothing would be left to train on/);
  });
});
