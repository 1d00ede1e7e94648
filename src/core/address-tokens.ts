import { describeValue, fail, ok, quote } from './result.js';
import type { Result } from './result.js';

/**
 * Lexical tokens of an RFC 5322 address list. Comments and folding whitespace become
 * `space` tokens, because they only separate words. Dots belong to atoms, so that
 * `john.doe` and the obsolete phrase `John Q. Public` are one and three atoms.
 */
export type AddressToken =
  | { kind: 'atom'; text: string }
  | { kind: 'quoted'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'special'; text: string }
  | { kind: 'space' };

// Specials of RFC 5322 section 3.2.3 without the dot, plus the quote and backslash.
const specials = '()<>[]:;@\\,"';

// A CRLF (or a bare LF) followed by a space or tab is folding whitespace: removing the
// line break unfolds the header value (RFC 5322 section 2.2.3).
const folding = /\r?\n(?=[ \t])/g;

// The line break that ends a header line is not part of its value.
const finalLineBreak = /\r?\n$/;

/**
 * Splits an address list into tokens. Returns an error for an unclosed quoted string,
 * comment or domain literal, a stray backslash or `]`, and for control characters
 * left after unfolding, because a line break in an address could start a new header.
 */
export function tokenizeAddressList(input: string): Result<AddressToken[]> {
  if (typeof input !== 'string') {
    const value = describeValue(input);
    return fail('WORKLINK_ADDRESS_EMPTY', `Address ${quote(value)} is not text: pass the address as a string.`, value);
  }

  const text = input.replace(finalLineBreak, '').replace(folding, '');
  const tokens: AddressToken[] = [];

  const control = findControlCharacter(text);
  if (control >= 0) {
    return fail(
      'WORKLINK_ADDRESS_CONTROL_CHARACTER',
      `Address list ${quote(input)} contains a line break or control character at position ${control}: remove it.`,
      input,
    );
  }

  let i = 0;
  while (i < text.length) {
    const char = text.charAt(i);

    if (char === ' ' || char === '\t') {
      pushSpace(tokens);
      i++;
    } else if (char === '(') {
      const end = skipComment(text, i);
      if (end < 0) {
        return syntaxError(input, 'has a comment "(" that is never closed: add the ")"');
      }
      pushSpace(tokens);
      i = end;
    } else if (char === '"') {
      const quoted = readQuoted(text, i);
      if (quoted === null) {
        return syntaxError(input, 'has a quoted string that is never closed: add the closing quote');
      }
      tokens.push({ kind: 'quoted', text: quoted.text });
      i = quoted.end;
    } else if (char === '[') {
      const close = text.indexOf(']', i);
      const literal = close < 0 ? '' : text.slice(i, close + 1);
      if (close < 0 || literal.indexOf('[', 1) >= 0 || literal.indexOf('\\') >= 0) {
        return syntaxError(input, 'has a "[" domain literal that is never closed: add the "]" or remove the "["');
      }
      tokens.push({ kind: 'literal', text: literal });
      i = close + 1;
    } else if (char === '\\' || char === ']' || char === ')') {
      return syntaxError(input, `has a stray ${quote(char)} outside a quoted string: quote the display name`);
    } else if (specials.indexOf(char) >= 0) {
      tokens.push({ kind: 'special', text: char });
      i++;
    } else {
      let end = i + 1;
      while (end < text.length && isAtomCharacter(text.charAt(end))) {
        end++;
      }
      tokens.push({ kind: 'atom', text: text.slice(i, end) });
      i = end;
    }
  }

  return ok(tokens);
}

function isAtomCharacter(char: string): boolean {
  return char !== ' ' && char !== '\t' && specials.indexOf(char) < 0;
}

function pushSpace(tokens: AddressToken[]): void {
  const last = tokens[tokens.length - 1];
  if (last === undefined || last.kind !== 'space') {
    tokens.push({ kind: 'space' });
  }
}

/** Returns the index of the first control character other than tab, or -1. */
function findControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if ((unit < 0x20 && unit !== 0x09) || unit === 0x7f) {
      return i;
    }
  }
  return -1;
}

/** Returns the index after the comment that opens at `start`, or -1 if it is not closed. Comments nest. */
function skipComment(text: string, start: number): number {
  let depth = 0;

  for (let i = start; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '\\') {
      i++;
    } else if (char === '(') {
      depth++;
    } else if (char === ')') {
      depth--;
      if (depth === 0) {
        return i + 1;
      }
    }
  }

  return -1;
}

/** Reads the quoted string that opens at `start`, resolving quoted pairs such as `\"`. */
function readQuoted(text: string, start: number): { text: string; end: number } | null {
  let value = '';

  for (let i = start + 1; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '\\') {
      if (i + 1 >= text.length) {
        return null;
      }
      value += text.charAt(i + 1);
      i++;
    } else if (char === '"') {
      return { text: value, end: i + 1 };
    } else {
      value += char;
    }
  }

  return null;
}

function syntaxError(input: string, problem: string): Result<AddressToken[]> {
  return fail('WORKLINK_ADDRESS_SYNTAX', `Address list ${quote(input)} ${problem}.`, input);
}
