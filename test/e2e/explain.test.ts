/**
 * `mlctl explain` end to end (the built binary in a temp registry): importance as a ranked table
 * with bars and as one JSON document, stored beside the record so `version verify` and the report
 * see it; attributions of --row rows and of --input on stdin with the completeness check; usage
 * mistakes exit 2 with one JSON error document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { startServe } from '../helpers/serve-process.js';
import { syntheticCsv, SIGNAL } from '../helpers/synthetic-table.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';

let work: string;
const cli = (args: string[], input?: string) =>
  runCli([...args, '--registry', 'reg', '--backend', 'wasm'], { cwd: work, input, timeoutMs: 120_000 });

beforeAll(async () => {
  work = await makeTmpDir('mlctl-explain-e2e-');
  await writeFile(path.join(work, 'synth.csv'), syntheticCsv(600, 11));
  const trained = await cli(['train', 'synth.csv', '--target', 'label', '--epochs', '60', '--hidden', '16', '--seed', '1', '--json']);
  expect(trained.code, trained.stderr).toBe(0);
}, 180_000);
afterAll(() => removeTmpDir(work));

describe('mlctl explain', () => {
  it('prints the ranked importance table with bars, stores it, and verify and the report accept it', async () => {
    const human = await cli(['explain', 'synth', '--repeats', '5']);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.split('\n');
    const ranked = lines.filter((l) => /^\d+\s+\S+\s+[+-]\d/.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(ranked).toHaveLength(10);
    expect(new Set(ranked.slice(0, 3))).toEqual(new Set(SIGNAL));
    expect(lines.find((l) => l.startsWith('1 '))).toMatch(/█/);
    expect(human.stdout).toContain('Stored in ');
    expect(existsSync(path.join(work, 'reg/synth/1/explanation.json'))).toBe(true);

    const verify = await cli(['version', 'verify', 'synth', '--json']);
    expect(verify.code, verify.stdout).toBe(0);
    const report = await cli(['report', 'synth', '--out', 'r.html', '--json']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.json().sections).toContain('importance');
  });

  it('--json: one document with the importance section; the same seed gives the same numbers', async () => {
    const a = await cli(['explain', 'synth', '--repeats', '3', '--seed', '9', '--no-save', '--json']);
    const b = await cli(['explain', 'synth', '--repeats', '3', '--seed', '9', '--no-save', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const doc = a.json();
    expect(doc).toMatchObject({ kind: 'importance', model: 'synth', version: 1, stored: null });
    expect(doc.importance).toMatchObject({ method: 'permutation', metric: 'accuracy', repeats: 3, seed: 9 });
    expect(doc.importance.features).toHaveLength(10);
    expect(b.json().importance.features).toEqual(doc.importance.features);
  });

  it('--row explains test rows and prints the completeness check; --input - reads rows from stdin', async () => {
    const rows = await cli(['explain', 'synth', '--row', '1,2']);
    expect(rows.code, rows.stderr).toBe(0);
    const checks = rows.stdout.split('\n').filter((l) => l.includes('completeness:'));
    expect(checks).toHaveLength(2);
    for (const c of checks)
      expect(c).toMatch(
        /^✔ completeness: Σ attributions [+-][\d.]+ vs prediction − baseline [+-][\d.]+ \(error [\d.]+% ≤ 1%, \d+ steps\)$/,
      );

    const input = JSON.stringify([
      {
        income: 2,
        debt: -1,
        age: 33,
        region: 'north',
        height: 170,
        score: 0.5,
        colour: 'red',
        visits: 2,
        member: 'no',
        signup: '2022-06-01',
      },
    ]);
    const json = await cli(['explain', 'synth', '--input', '-', '--json'], input);
    expect(json.code, json.stderr).toBe(0);
    const doc = json.json();
    expect(doc).toMatchObject({ kind: 'attributions', data: { source: 'input', path: 'stdin' }, baseline: 'training-means' });
    expect(doc.rows).toHaveLength(1);
    expect(doc.rows[0].explained).toBe('yes');
    expect(doc.rows[0].error).toBeLessThanOrEqual(0.01);
    expect(Object.keys(doc.rows[0].attributions)).toHaveLength(10);
  });

  it('mlctl serve answers POST …:explain with predictions and attributions, limited by --explain-max-rows', async () => {
    const server = await startServe(['synth', '--registry', 'reg', '--backend', 'wasm', '--explain-max-rows', '2', '--log-level', 'warn'], {
      cwd: work,
    });
    try {
      const row = {
        income: 2,
        debt: -1,
        age: 33,
        region: 'north',
        height: 170,
        score: 0.5,
        colour: 'red',
        visits: 2,
        member: 'no',
        signup: '2022-06-01',
      };
      const call = (instances: unknown[]) =>
        fetch(`${server.url}/v1/models/synth:explain`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ instances }),
          signal: AbortSignal.timeout(30_000),
        });
      const ok = await call([row]);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as {
        predictions: number[][];
        explanations: { attributions: Record<string, number>; completeness_error: number }[];
      };
      expect(body.predictions).toHaveLength(1);
      expect(Object.keys(body.explanations[0].attributions)).toHaveLength(10);
      expect(body.explanations[0].completeness_error).toBeLessThanOrEqual(0.01);
      const tooMany = await call([row, row, row]);
      expect(tooMany.status).toBe(400);
      expect(((await tooMany.json()) as { error: string }).error).toContain('(--explain-max-rows)');
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });

  it('usage mistakes exit 2 with one JSON error document', async () => {
    const both = await cli(['explain', 'synth', '--row', '1', '--input', 'x.json', '--json']);
    expect(both.code).toBe(2);
    expect(both.json().error.code).toBe('USAGE');
    const outside = await cli(['explain', 'synth', '--row', '999', '--json']);
    expect(outside.code).toBe(2);
    expect(outside.json().error.message).toMatch(/^--row 999 is outside /);
    const metric = await cli(['explain', 'synth', '--metric', 'rmse', '--json']);
    expect(metric.code).toBe(2);
    expect(metric.json().error.message).toBe('--metric rmse does not fit a classification model ("label").');
  });
});
