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

/** The MlctlError a promise rejects with (fails the test when it resolves or rejects with something else). */
export async function rejectionOf(p: Promise<unknown>): Promise<MlctlError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MlctlError);
    return e as MlctlError;
  }
  throw new Error('expected a rejection');
}
