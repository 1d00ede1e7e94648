/**
 * Languages of everything Worklink shows to agents and admins. The add-in follows Outlook's
 * display language; the server's API follows the request's `Accept-Language` header.
 */
export type Language = 'en' | 'pl';

/** A text in every language that Worklink shows. */
export type LocalizedText = Readonly<Record<Language, string>>;

/** A language range of `Accept-Language` with its weight, as RFC 9110 section 12.5.4 defines them. */
interface WeightedRange {
  range: string;
  weight: number;
}

function parseAcceptLanguage(header: string): WeightedRange[] {
  const ranges: WeightedRange[] = [];
  for (const part of header.split(',')) {
    const [rawRange = '', ...parameters] = part.split(';');
    const range = rawRange.trim().toLowerCase();
    if (range === '') {
      continue;
    }
    let weight = 1;
    for (const parameter of parameters) {
      const match = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(parameter);
      if (match !== null) {
        const value = Number(match[1]);
        weight = Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
      }
    }
    ranges.push({ range, weight });
  }
  return ranges;
}

/** Returns the language that a language range matches by RFC 4647 basic filtering; `*` matches English. */
function languageOfRange(range: string): Language | undefined {
  if (range === 'pl' || range.startsWith('pl-')) {
    return 'pl';
  }
  if (range === '*' || range === 'en' || range.startsWith('en-')) {
    return 'en';
  }
  return undefined;
}

/**
 * Picks the language of a response from an `Accept-Language` header: the supported language
 * with the highest weight, the one listed first when weights are equal, and English when the
 * header is missing or names no supported language.
 */
export function negotiateLanguage(acceptLanguage: string | undefined): Language {
  let chosen: Language = 'en';
  let chosenWeight = 0;
  for (const { range, weight } of parseAcceptLanguage(acceptLanguage ?? '')) {
    const language = languageOfRange(range);
    if (language !== undefined && weight > chosenWeight) {
      chosen = language;
      chosenWeight = weight;
    }
  }
  return chosen;
}
