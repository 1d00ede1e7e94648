import type { LocalizedText } from '../../core/language.js';

/**
 * Wording of the string patterns of the request schemas. A schema with a `pattern` sets its
 * `description` to the English text, and a validation error states that the field "must be
 * <English>", or in Polish "musi być <Polish>", so the Polish text is in the instrumental.
 * Ajv's strict mode rejects unknown keywords, so the Polish text stays here and
 * `polishPatternDescription` finds it by the English one. A test checks that every pattern
 * description of the routes has its Polish text here.
 */
export const patternDescriptions = {
  domain: {
    en: 'a domain name such as contoso.example: two or more labels of letters, digits and inner hyphens, separated by dots',
    pl: 'nazwą domeny, taką jak contoso.example, złożoną z co najmniej dwóch etykiet z liter, cyfr i łączników (nie na początku ani na końcu etykiety), rozdzielonych kropkami',
  },
  nonBlank: {
    en: 'text with at least one character other than a space',
    pl: 'tekstem z co najmniej jednym znakiem innym niż spacja',
  },
  formFieldName: {
    en: 'a name that starts with a letter and has only letters, digits and underscores',
    pl: 'nazwą, która zaczyna się od litery i zawiera tylko litery, cyfry i znaki podkreślenia',
  },
} as const satisfies Record<string, LocalizedText>;

const polishByEnglish = new Map<string, string>(
  Object.values(patternDescriptions).map((description) => [description.en, description.pl]),
);

/** Returns the Polish text of a pattern's English `description`, or undefined when there is none. */
export function polishPatternDescription(english: string): string | undefined {
  return polishByEnglish.get(english);
}
