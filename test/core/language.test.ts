import { describe, expect, it } from 'vitest';
import { negotiateLanguage } from '../../src/core/language.js';

describe('negotiateLanguage', () => {
  it('returns English when the header is missing', () => {
    expect(negotiateLanguage(undefined)).toBe('en');
  });

  it.each([
    ['pl', 'pl'],
    ['pl-PL', 'pl'],
    ['PL-pl', 'pl'],
    [' pl-PL ; q=0.8 , en ; q=0.2', 'pl'],
    ['de,pl;q=0.3', 'pl'],
    ['pl,en', 'pl'],
  ])('returns Polish for %j', (header, language) => {
    expect(negotiateLanguage(header)).toBe(language);
  });

  it.each([
    ['', 'en'],
    ['en', 'en'],
    ['en-GB,pl;q=0.9', 'en'],
    ['pl;q=0.5,en;q=0.8', 'en'],
    // Equal weights: the range listed first wins.
    ['en,pl', 'en'],
    ['en;q=0.5,pl;q=0.5', 'en'],
    ['*', 'en'],
    ['*;q=0.9,pl;q=0.5', 'en'],
    ['de', 'en'],
    ['de-DE,fr;q=0.8', 'en'],
    // q=0 means "not acceptable".
    ['pl;q=0', 'en'],
    ['pl;q=0.000', 'en'],
    // A language range must match whole subtags: "plx" is not Polish.
    ['plx', 'en'],
    [';;,', 'en'],
    [',,,', 'en'],
  ])('returns English for %j', (header, language) => {
    expect(negotiateLanguage(header)).toBe(language);
  });
});
