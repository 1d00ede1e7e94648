/**
 * Reply and forward prefixes as localized mail clients, Outlook above all, write them.
 * Matched case-insensitively.
 */
export const subjectPrefixes: readonly string[] = [
  // English, and the Latin "re" that most languages keep.
  'RE',
  'FW',
  'FWD',
  // Polish: odpowiedź, przekaż dalej.
  'ODP',
  'PD',
  // German: Antwort, weitergeleitet.
  'AW',
  'WG',
  // NOTE: seen in German and Dutch subjects, but not confirmed as any Outlook's own prefix.
  'WTR',
  // French: transféré, référence.
  'TR',
  'REF',
  // Spanish: reenviado.
  'RV',
  // Italian: risposta, riferimento, inoltrato.
  'R',
  'RIF',
  'I',
  // Dutch: antwoord, doorsturen.
  'ANTW',
  'DOORST',
  // Nordic. Swedish, Norwegian and Danish: svar; Danish and Norwegian: videresendt;
  // Swedish: vidarebefordrat; Finnish: vastaus, välitetty; Icelandic: framsent.
  'SV',
  'VS',
  'VB',
  'VL',
  'FS',
  // Portuguese: resposta, encaminhado.
  'RES',
  'ENC',
  // Chinese, often followed by the full-width colon.
  '回复',
  '回覆',
  '答复',
  '转发',
  '轉寄',
];

// One prefix: the word, an optional counter such as `[2]` or `(3)`, and a colon, which
// may be the full-width `：`. French typography puts a space before the colon (`RE :`).
// The colon right after the word is what keeps `Rework: x` and `Research: x` intact.
const prefixPattern = new RegExp(
  '^(?:' + subjectPrefixes.join('|') + ')\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:\\uff1a]\\s*',
  'i',
);

/**
 * Strips all stacked reply and forward prefixes from the start of a subject, such as
 * `RE: AW: Fwd[2]: ODP： x`, and collapses runs of whitespace to one space. The result
 * is trimmed, and applying the function again changes nothing.
 */
export function normalizeSubject(subject: string): string {
  if (typeof subject !== 'string') {
    return '';
  }

  let text = subject.replace(/\s+/g, ' ').trim();
  let match = prefixPattern.exec(text);

  while (match !== null) {
    text = text.slice(match[0].length);
    match = prefixPattern.exec(text);
  }

  return text.trim();
}
