/**
 * Returns the number of octets of `text` in UTF-8. RFC 5321 limits are in octets,
 * and TextEncoder is missing from the JavaScript-only runtime of classic Outlook.
 * A lone surrogate counts as 3 octets, the size of the U+FFFD that replaces it.
 */
export function utf8Length(text: string): number {
  let octets = 0;

  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);

    if (unit < 0x80) {
      octets += 1;
    } else if (unit < 0x800) {
      octets += 2;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      octets += 4;
      i++;
    } else {
      octets += 3;
    }
  }

  return octets;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
