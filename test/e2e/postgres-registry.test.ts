/**
 * The built CLI on a PostgreSQL registry (the run's real server, one database per scenario):
 * every command gives the same output as on a folder registry; 8 concurrent publishers get
 * versions 1..8; a publisher SIGKILLed inside its transaction leaves nothing; two processes
 * racing to move one alias: one wins, the other gets a clear CONFLICT; the password never
 * appears in any output; `registry migrate`, `registry copy` and `version alias --history`.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type CliResult } from '../helpers/run-cli.js';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp-dir.js';
import { createTinyModelDir } from '../helpers/tiny-model.js';
import { createTestDatabase, pgServer, query } from '../helpers/pg.js';

let tmp: string;
let modelDir: string;
let password: string;

beforeAll(async () => {
  password = pgServer().password;
  tmp = await makeTmpDir('mlctl-pg-e2e-');
  modelDir = path.join(tmp, 'tiny');
  await createTinyModelDir(modelDir);
});
afterAll(async () => removeTmpDir(tmp));

/** Every output of every run, to check the password never shows. */
const outputs: string[] = [];
async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const r = await runCli(args, { cwd: tmp, env: { PGPASSWORD: undefined, ...env } });
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** Replaces a registry location (and version folders under it) so outputs of both stores compare. */
function normalise(text: string, location: string): string {
  return text.split(location).join('<registry>');
}

describe('mlctl on a PostgreSQL registry', () => {
  it('every command works on both stores with the same output', async () => {
    const db = await createTestDatabase('same_output');
    const folder = path.join(tmp, 'same-output-registry');
    const train = await cli(['train', 'iris', '--epochs', '3', '--registry', folder, '--json']);
    expect(train.code, train.stderr).toBe(0);
    // the folder's version goes into the database as it is
    const copy = await cli(['registry', 'copy', '--from', folder, '--to', db, '--json']);
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.json().copied).toBe(1);
    const pgLocation = db.replace(`:${password}@`, '@');
    const input = path.join(tmp, 'rows.csv');
    await writeFile(input, 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n');

    const same = async (args: string[], strip: (doc: any) => any = (d) => d) => {
      const a = await cli([...args, '--registry', folder]);
      const b = await cli([...args, '--registry', db]);
      expect(a.code, `${args.join(' ')} (folder): ${a.stderr}`).toBe(0);
      expect(b.code, `${args.join(' ')} (postgres): ${b.stderr}`).toBe(0);
      if (args.includes('--json')) {
        expect(strip(JSON.parse(normalise(b.stdout, pgLocation)))).toEqual(strip(JSON.parse(normalise(a.stdout, folder))));
      } else {
        expect(normalise(b.stdout, pgLocation)).toBe(normalise(a.stdout, folder));
      }
      return [a, b];
    };
    await same(['version', 'list', '--json']);
    await same(['version', 'list']);
    await same(['version', 'show', 'iris', '1', '--json'], (d) => ({ ...d, dir: undefined }));
    await same(['version', 'verify', '--json']);
    await same(['evaluate', 'iris', '--json'], (d) => ({ ...d, durationMs: undefined, backend: undefined }));
    await same(['predict', 'iris', '--input', input]);
    await same(['version', 'alias', 'iris', 'production', '1']);
    await same(['predict', 'iris', '--alias', 'production', '--input', input, '--json']);
    // derived versions: the same numbers and lineage on both
    const pick = (d: any) => ({ model: d.model, version: d.version, parent: d.parent, operation: d.operation });
    await same(['quantize', 'iris', '--dtype', 'uint8', '--json'], pick);
    await same(['prune', 'iris', '--version', '1', '--sparsity', '0.5', '--json'], pick);
    await same(['version', 'diff', 'iris', '1', '2', '--json'], (d) => ({ ...d, a: undefined, b: undefined }));
    for (const [loc, out] of [
      [folder, 'export-folder'],
      [db, 'export-pg'],
    ]) {
      const r = await cli(['export', 'iris', '--version', '2', '--out', path.join(tmp, out), '--registry', loc, '--json']);
      expect(r.code, r.stderr).toBe(0);
    }
    const files = (await readdir(path.join(tmp, 'export-folder'))).sort();
    expect((await readdir(path.join(tmp, 'export-pg'))).sort()).toEqual(files);
    expect(await readFile(path.join(tmp, 'export-pg', 'model.json'))).toEqual(
      await readFile(path.join(tmp, 'export-folder', 'model.json')),
    );
    const report = await cli(['report', 'iris', '--out', path.join(tmp, 'pg-report.html'), '--registry', db, '--json']);
    expect(report.code, report.stderr).toBe(0);
    await same(['version', 'rm', 'iris', '3', '--json']);
    // the record in the database never holds the password
    const records = await query<{ t: string }>(db, 'SELECT record_text AS t FROM mlctl_versions');
    expect(records.length).toBe(2);
    for (const r of records) expect(r.t).not.toContain(password);
  });

  it('8 concurrent publishing processes get versions 1..8', async () => {
    const db = await createTestDatabase('concurrent');
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => cli(['import', modelDir, '--name', 'tiny', '--registry', db, '--json'])),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(runs.map((r) => r.json().version).sort((a: number, b: number) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const list = await cli(['version', 'list', 'tiny', '--registry', db, '--json']);
    expect(list.json().models[0].versions.map((v: any) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a publisher SIGKILLed inside its transaction leaves no version, no files, no used number', async () => {
    const db = await createTestDatabase('sigkill');
    expect((await cli(['import', modelDir, '--name', 'tiny', '--registry', db])).code).toBe(0);
    const child = spawnCli(['import', modelDir, '--name', 'tiny', '--registry', db], {
      cwd: tmp,
      env: { MLCTL_PG_HOLD_PUBLISH_MS: '60000', PGPASSWORD: undefined },
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('holding the publishing transaction open')) {
      if (Date.now() > deadline) throw new Error(`the publisher never reached its transaction: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    // its rows are written (uncommitted) right now
    const open = await query(db, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'");
    expect(open.length).toBe(1);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // the server notices the dead connection and rolls back
    const until = Date.now() + 10_000;
    while (
      (await query(db, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'")).length > 0
    ) {
      if (Date.now() > until) throw new Error('the killed transaction is still open');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await query(db, 'SELECT version FROM mlctl_versions ORDER BY 1')).map((r) => r.version)).toEqual([1]);
    expect((await query(db, 'SELECT count(*)::int AS n FROM mlctl_file_chunks WHERE version <> 1'))[0].n).toBe(0);
    const next = await cli(['import', modelDir, '--name', 'tiny', '--registry', db, '--json']);
    expect(next.json().version).toBe(2);
    const verify = await cli(['version', 'verify', '--registry', db, '--json']);
    expect(verify.json().ok).toBe(true);
  });

  it('two processes racing to move one alias: one wins, the other gets a clear CONFLICT', async () => {
    const db = await createTestDatabase('race');
    for (let i = 0; i < 3; i++) expect((await cli(['import', modelDir, '--name', 'tiny', '--registry', db])).code).toBe(0);
    expect((await cli(['version', 'alias', 'tiny', 'production', '1', '--registry', db])).code).toBe(0);
    const [a, b] = await Promise.all([
      cli(['version', 'alias', 'tiny', 'production', '2', '--expect', '1', '--registry', db]),
      cli(['version', 'alias', 'tiny', 'production', '3', '--expect', '1', '--registry', db]),
    ]);
    const winner = a.code === 0 ? a : b;
    const loser = a.code === 0 ? b : a;
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    const won = winner === a ? 2 : 3;
    expect(loser.stderr).toContain(
      `Alias "production" of "tiny" was moved by someone else: it points to ${won}, expected it to point to 1.`,
    );
    const list = await cli(['version', 'list', 'tiny', '--registry', db, '--json']);
    expect(list.json().models[0].aliases).toEqual({ production: won });
    const history = await cli(['version', 'alias', 'tiny', 'production', '--history', '--registry', db, '--json']);
    expect(history.code, history.stderr).toBe(0);
    expect(history.json().moves.map((m: any) => [m.from, m.to])).toEqual([
      [1, won],
      [null, 1],
    ]);
    const human = await cli(['version', 'alias', 'tiny', 'production', '--history', '--registry', db]);
    expect(human.stdout).toMatch(new RegExp(`tiny@production {2}v1 → v${won} {2}by \\S+@\\S+`));
  });

  it('registry migrate reports the schema; an unknown scheme is a usage error; the password never appears in any output', async () => {
    const db = await createTestDatabase('migrate_cli');
    const first = await cli(['registry', 'migrate', '--registry', db, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json().applied.map((m: any) => m.id)).toEqual([1, 2, 3, 4]);
    const again = await cli(['registry', 'migrate', '--registry', db]);
    expect(again.stdout).toContain('is up to date (migration 4)');
    const unknown = await cli(['version', 'list', '--registry', 'mysql://u@h/db']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown registry scheme "mysql:"');
    // PGPASSWORD instead of the URL's password: the same, and never printed either
    const bare = db.replace(`:${password}@`, '@');
    const viaEnv = await cli(['version', 'list', '--registry', bare, '--verbose'], { PGPASSWORD: password });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    // failures too: a wrong password, a missing model, a missing database, verbose errors
    await cli(['version', 'list', '--registry', db.replace(password, `${password}x`), '--verbose']);
    await cli(['version', 'show', 'nosuch', '--registry', db, '--verbose', '--json']);
    await cli(['version', 'list', '--registry', `${db}_missing`, '--verbose']);
    await cli(['version', 'list', '--registry', bare, '--verbose'], { PGPASSWORD: `${password}y` });
    expect(outputs.length).toBeGreaterThan(10);
    for (const out of outputs) expect(out).not.toContain(password);
  });
});
