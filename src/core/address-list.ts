import { buildAddrSpec, formatAddrSpec } from './addr-spec.js';
import type { AddrSpec } from './addr-spec.js';
import type { AddressToken } from './address-tokens.js';
import { fail, ok, quote } from './result.js';
import type { CoreError, Result } from './result.js';

/** One mailbox of an address list. */
export interface ParsedAddress {
  /** Display name without quotes, or `''`. RFC 2047 encoded words are left as they are. */
  name: string;
  /** `local@domain`: the local part as written, the domain in lower-case ASCII. */
  address: string;
  /** Name of the group the mailbox was listed in, as in `Team: a@x, b@y;`. */
  group?: string;
}

interface Parsed<T> {
  value: T;
  next: number;
}

type Failure = { ok: false; error: CoreError };
type Step<T> = { ok: true; value: Parsed<T> } | Failure;

/** Parses the tokens of an address list; `input` is the original text, for error messages. */
export function parseAddressTokens(list: AddressToken[], input: string): Result<ParsedAddress[]> {
  const addresses: ParsedAddress[] = [];
  let i = 0;

  while (i < list.length) {
    const token = list[i];
    if (token === undefined) {
      break;
    }
    if (token.kind === 'space' || isSpecial(token, ',') || isSpecial(token, ';')) {
      i++;
      continue;
    }

    const entry = parseEntry(list, i, null, input);
    if (!entry.ok) {
      return entry;
    }
    for (const address of entry.value.value) {
      addresses.push(address);
    }

    i = skipSpaces(list, entry.value.next);
    const after = list[i];
    if (after !== undefined && !isSpecial(after, ',') && !isSpecial(after, ';')) {
      return unexpected(input, after);
    }
  }

  return ok(addresses);
}

/** Parses one list entry at `start`: a mailbox, or a group when `group` is null. */
function parseEntry(tokens: AddressToken[], start: number, group: string | null, input: string): Step<ParsedAddress[]> {
  let i = start;
  while (i < tokens.length && isWord(tokens[i])) {
    i++;
  }
  const phrase = tokens.slice(start, i);
  const next = tokens[i];

  if (next !== undefined && isSpecial(next, '<')) {
    return parseAngleAddr(tokens, i + 1, phraseText(phrase), group, input);
  }

  if (next !== undefined && isSpecial(next, '@')) {
    const domain = skipSpaces(tokens, i + 1);
    const written = writtenText(tokens.slice(start, domain + 1));
    const spec = buildAddrSpec(phrase, tokens[domain], written);
    if (!spec.ok) {
      return spec;
    }
    return step([mailbox('', spec.value, group)], domain + 1);
  }

  if (next !== undefined && isSpecial(next, ':')) {
    const name = phraseText(phrase);
    if (group !== null) {
      return syntaxError(input, `nests group ${quote(name)} inside group ${quote(group)}: list its members directly`);
    }
    if (name === '') {
      return syntaxError(input, 'has a ":" without a group name before it: name the group or remove the ":"');
    }
    return parseGroupMembers(tokens, i + 1, name, input);
  }

  const written = writtenText(phrase).trim();
  if (written === '') {
    return next === undefined ? syntaxError(input, 'ends unexpectedly') : unexpected(input, next);
  }
  return fail(
    'WORKLINK_ADDRESS_MISSING_AT',
    `Address ${quote(written)} has no "@": write it as local@domain.`,
    written,
  );
}

function parseAngleAddr(
  tokens: AddressToken[],
  start: number,
  name: string,
  group: string | null,
  input: string,
): Step<ParsedAddress[]> {
  let i = skipSpaces(tokens, start);

  // Obsolete source route (`<@relay.example:john@x>`, RFC 5322 section 4.4): skipped.
  const first = tokens[i];
  if (first !== undefined && isSpecial(first, '@')) {
    while (i < tokens.length && !isSpecial(tokens[i], ':') && !isSpecial(tokens[i], '>')) {
      i++;
    }
    i = isSpecial(tokens[i], ':') ? i + 1 : i;
  }

  const localStart = i;
  while (i < tokens.length && !isSpecial(tokens[i], '@') && !isSpecial(tokens[i], '>')) {
    i++;
  }
  const localTokens = tokens.slice(localStart, i);

  // A second "<" before any ">" means this bracket was never closed.
  let close = i;
  while (close < tokens.length && !isSpecial(tokens[close], '>') && !isSpecial(tokens[close], '<')) {
    close++;
  }
  if (!isSpecial(tokens[close], '>')) {
    return syntaxError(input, 'has a "<" that is never closed: add the ">"');
  }

  const written = writtenText(tokens.slice(localStart, close)).trim();
  if (!isSpecial(tokens[i], '@')) {
    if (written === '') {
      return fail(
        'WORKLINK_ADDRESS_EMPTY',
        `Address list ${quote(input)} has an empty "<>": write the address inside the brackets.`,
        input,
      );
    }
    return fail(
      'WORKLINK_ADDRESS_MISSING_AT',
      `Address ${quote(written)} has no "@": write it as local@domain.`,
      written,
    );
  }

  const domainTokens = tokens.slice(i + 1, close).filter((token) => token.kind !== 'space');
  if (domainTokens.length > 1) {
    return fail(
      'WORKLINK_DOMAIN_INVALID',
      `Address ${quote(written)} has spaces or extra characters in its domain: remove them.`,
      written,
    );
  }

  const spec = buildAddrSpec(localTokens, domainTokens[0], written);
  if (!spec.ok) {
    return spec;
  }
  return step([mailbox(name, spec.value, group)], close + 1);
}

function parseGroupMembers(tokens: AddressToken[], start: number, name: string, input: string): Step<ParsedAddress[]> {
  const members: ParsedAddress[] = [];
  let i = start;

  for (;;) {
    const token = tokens[i];
    if (token === undefined) {
      return syntaxError(input, `has group ${quote(name)} without its closing ";": end the group with ";"`);
    }
    if (isSpecial(token, ';')) {
      return step(members, i + 1);
    }
    if (token.kind === 'space' || isSpecial(token, ',')) {
      i++;
      continue;
    }

    const member = parseEntry(tokens, i, name, input);
    if (!member.ok) {
      return member;
    }
    for (const address of member.value.value) {
      members.push(address);
    }

    i = skipSpaces(tokens, member.value.next);
    const after = tokens[i];
    if (after !== undefined && !isSpecial(after, ',') && !isSpecial(after, ';')) {
      return unexpected(input, after);
    }
  }
}

function mailbox(name: string, spec: AddrSpec, group: string | null): ParsedAddress {
  const parsed: ParsedAddress = { name, address: formatAddrSpec(spec, false) };
  if (group !== null) {
    parsed.group = group;
  }
  return parsed;
}

/** Joins the words of a display name; runs of whitespace and comments become one space. */
function phraseText(tokens: AddressToken[]): string {
  let text = '';
  let pendingSpace = false;

  for (const token of tokens) {
    if (token.kind === 'space') {
      pendingSpace = text !== '';
    } else if (token.kind === 'atom' || token.kind === 'quoted') {
      text += (pendingSpace ? ' ' : '') + token.text;
      pendingSpace = false;
    }
  }

  return text;
}

/** Rebuilds the input approximately from its tokens, for error messages. */
function writtenText(tokens: AddressToken[]): string {
  let text = '';
  for (const token of tokens) {
    if (token.kind === 'space') {
      text += ' ';
    } else if (token.kind === 'quoted') {
      text += '"' + token.text + '"';
    } else {
      text += token.text;
    }
  }
  return text;
}

function isWord(token: AddressToken | undefined): boolean {
  return token !== undefined && (token.kind === 'atom' || token.kind === 'quoted' || token.kind === 'space');
}

function isSpecial(token: AddressToken | undefined, text: string): boolean {
  return token !== undefined && token.kind === 'special' && token.text === text;
}

function skipSpaces(tokens: AddressToken[], start: number): number {
  let i = start;
  while (i < tokens.length && tokens[i]?.kind === 'space') {
    i++;
  }
  return i;
}

function step<T>(value: T, next: number): Step<T> {
  return { ok: true, value: { value, next } };
}

function unexpected(input: string, token: AddressToken): Failure {
  const text = token.kind === 'special' || token.kind === 'atom' || token.kind === 'literal' ? token.text : '"';
  return syntaxError(
    input,
    `has an unexpected ${quote(text)}: separate addresses with commas and quote display names that contain specials`,
  );
}

function syntaxError(input: string, problem: string): Failure {
  return {
    ok: false,
    error: { code: 'WORKLINK_ADDRESS_SYNTAX', message: `Address list ${quote(input)} ${problem}.`, value: input },
  };
}
