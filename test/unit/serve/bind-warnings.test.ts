/** The operator is warned when the server listens on every interface without a token, and only then. */
import { describe, expect, it } from 'vitest';
import { bindWarnings } from '../../../src/serve/start-server.js';

describe('bindWarnings', () => {
  it('warns for all interfaces without a token', () => {
    expect(bindWarnings('0.0.0.0', null, 8080)).toEqual([
      'Listening on all interfaces (0.0.0.0) without a token: anyone who can reach port 8080 can use the models. Set --token or MLCTL_TOKEN.',
    ]);
    expect(bindWarnings('::', null, 9000)).toHaveLength(1);
  });
  it('is quiet on loopback, or with a token', () => {
    expect(bindWarnings('127.0.0.1', null, 8080)).toEqual([]);
    expect(bindWarnings('0.0.0.0', 's3cret', 8080)).toEqual([]);
  });
});
