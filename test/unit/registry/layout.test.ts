import { describe, expect, it } from 'vitest';
import { MlctlError } from '../../../src/errors.js';
import { assertAliasName, assertModelName, isVersionDirName, parseVersionNumber } from '../../../src/registry/layout.js';
import { formatVersionRanges } from '../../../src/registry/version-ranges.js';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof MlctlError ? e.code : 'NOT_MLCTL_ERROR';
  }
}

describe('assertModelName', () => {
  it.each(['iris', 'a', '0', 'churn-v2', 'house_prices', 'model.v1', 'a.b', 'x'.repeat(100)])('accepts %j', (name) => {
    expect(codeOf(() => assertModelName(name))).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['parent dir', '..'],
    ['relative escape', '../x'],
    ['absolute', '/abs'],
    ['slash', 'a/b'],
    ['backslash', 'a\\b'],
    ['uppercase', 'A'],
    ['mixed case', 'Iris'],
    ['leading dot', '.hidden'],
    ['leading dash', '-x'],
    ['double dot inside', 'a..b'],
    ['space', 'a b'],
    ['too long', 'x'.repeat(101)],
    ['staging-like', '.staging-x'],
  ])('refuses %s (%j) with USAGE', (_label, name) => {
    expect(codeOf(() => assertModelName(name))).toBe('USAGE');
  });

  it('names the bad value and the rule in the message', () => {
    expect(() => assertModelName('../x')).toThrow(
      'Invalid model name "../x": use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit.',
    );
  });
});

describe('assertAliasName', () => {
  it.each(['production', 'staging', 'canary-2', 'v1', '1a'])('accepts %j', (alias) => {
    expect(codeOf(() => assertAliasName(alias))).toBeNull();
  });

  it.each([['12'], ['0'], ['latest'], [''], ['Prod'], ['a/b'], ['..']])('refuses %j with USAGE', (alias) => {
    expect(codeOf(() => assertAliasName(alias))).toBe('USAGE');
  });

  it('explains why an all-digit alias is refused', () => {
    expect(() => assertAliasName('2')).toThrow(/cannot be all digits/);
  });
});

describe('parseVersionNumber', () => {
  it.each([
    ['1', 1],
    ['3', 3],
    ['120', 120],
  ])('parses %j as %d', (text, n) => {
    expect(parseVersionNumber(text)).toBe(n);
  });

  it.each(['0', '01', '-1', '1.5', 'abc', '', ' 3', '1e3', '99999999999999999999'])('refuses %j with USAGE', (text) => {
    expect(codeOf(() => parseVersionNumber(text))).toBe('USAGE');
  });

  it('treats only canonical numbers as version directory names', () => {
    expect(isVersionDirName('7')).toBe(true);
    expect(isVersionDirName('007')).toBe(false);
    expect(isVersionDirName('.staging-1')).toBe(false);
  });
});

describe('formatVersionRanges', () => {
  it('compresses consecutive runs', () => {
    expect(formatVersionRanges([9, 1, 2, 3, 5, 8])).toBe('1-3, 5, 8-9');
  });

  it('shows a single version alone', () => {
    expect(formatVersionRanges([4])).toBe('4');
  });
});
