import { describe, expect, it } from 'vitest';
import { didYouMean, suggestSimilar } from '../../src/suggest.js';

const TEMPLATES = ['breast-cancer', 'diabetes', 'iris', 'wine'];

describe('suggestSimilar', () => {
  it.each([
    ['irsi', ['iris']],
    ['irs', ['iris']],
    ['wien', ['wine']],
    ['diabets', ['diabetes']],
    ['breast', ['breast-cancer']],
    ['Iris', []], // the same name in another case is not a typo to suggest
  ])('%s → %j', (word, expected) => {
    expect(suggestSimilar(word, TEMPLATES)).toEqual(expected);
  });

  it('offers nothing for a word that resembles no candidate', () => {
    expect(suggestSimilar('churn', TEMPLATES)).toEqual([]);
    expect(suggestSimilar('', TEMPLATES)).toEqual([]);
    expect(suggestSimilar('x', ['ab', 'cd'])).toEqual([]);
  });

  it('orders close candidates best first and keeps at most three', () => {
    expect(suggestSimilar('epoch', ['epochs', 'epic', 'seed'])).toEqual(['epochs', 'epic']);
    expect(suggestSimilar('ab', ['aa', 'ac', 'ad', 'ae'])).toHaveLength(3);
  });
});

describe('didYouMean', () => {
  it('phrases one or several suggestions, or nothing', () => {
    expect(didYouMean('irsi', TEMPLATES)).toBe(' Did you mean "iris"?');
    expect(didYouMean('ab', ['aa', 'ac'])).toBe(' Did you mean one of "aa", "ac"?');
    expect(didYouMean('zzzz', TEMPLATES)).toBe('');
  });
});
