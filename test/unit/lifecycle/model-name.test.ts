import { describe, expect, it } from 'vitest';
import { modelNameFrom, transliterate } from '../../../src/lifecycle/model-name.js';
import { errorOf } from '../../helpers/error-of.js';

describe('modelNameFrom', () => {
  it('transliterates accents and turns runs of other characters into one dash', () => {
    expect(modelNameFrom('data/données_été.csv')).toBe('donnees-ete');
    expect(modelNameFrom('My Data_v2.csv')).toBe('my-data-v2');
    expect(modelNameFrom('/x/Straße Øst (2024).tsv')).toBe('strasse-ost-2024');
    expect(modelNameFrom('churn.v3.csv')).toBe('churn.v3');
    expect(transliterate('Ångström Łódź')).toBe('angstrom lodz');
  });

  it('refuses a name with nothing usable left', () => {
    expect(errorOf(() => modelNameFrom('数据.csv')).message).toBe('Cannot derive a model name from "数据.csv".');
  });
});
