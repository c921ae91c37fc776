/** The MlctlError a synchronous call throws (fails the test when it does not throw one). */
import { expect } from 'vitest';
import { MlctlError } from '../../src/errors.js';

export function errorOf(f: () => unknown): MlctlError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MlctlError);
    return e as MlctlError;
  }
  throw new Error('expected an error');
}
