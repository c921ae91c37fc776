/** The Reporter: one JSON document under --json, live progress only on a real, sized terminal. */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Reporter } from '../../src/cli/output.js';
import { MlctlError } from '../../src/errors.js';

function stream(tty: boolean, columns?: number) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number; text(): string };
  s.isTTY = tty;
  s.columns = columns;
  let out = '';
  s.on('data', (d) => (out += d));
  s.text = () => out;
  return s;
}

describe('Reporter', () => {
  it('redraws progress only on a terminal that reports its width', () => {
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      expect(new Reporter({ json: false, verbose: false, color: false, stderr: stream(true, 80) }).live).toBe(true);
      // a pseudo-terminal with 0 columns made ora's line accounting run away
      expect(new Reporter({ json: false, verbose: false, color: false, stderr: stream(true, 0) }).live).toBe(false);
      expect(new Reporter({ json: false, verbose: false, color: false, stderr: stream(false, 80) }).live).toBe(false);
      expect(new Reporter({ json: true, verbose: false, color: false, stderr: stream(true, 80) }).live).toBe(false);
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });

  it('a failure after the result keeps stdout one JSON document', () => {
    const stdout = stream(false);
    const r = new Reporter({ json: true, verbose: false, color: false, stdout, stderr: stream(false) });
    r.result({ passed: false }, () => 'x');
    r.error(new MlctlError('GATE_FAILED', 'accuracy too low'));
    expect(JSON.parse(stdout.text())).toEqual({ passed: false });
  });

  it('an error alone under --json is {"error": {code, message, hint}}', () => {
    const stdout = stream(false);
    new Reporter({ json: true, verbose: false, color: false, stdout, stderr: stream(false) }).error(
      new MlctlError('NOT_FOUND', 'no such model', { hint: 'list them' }),
    );
    expect(JSON.parse(stdout.text())).toEqual({ error: { code: 'NOT_FOUND', message: 'no such model', hint: 'list them' } });
  });
});
