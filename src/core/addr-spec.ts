import { tokenizeAddressList } from './address-tokens.js';
import type { AddressToken } from './address-tokens.js';
import { normalizeDomain } from './domain.js';
import { fail, ok, quote } from './result.js';
import type { Result } from './result.js';
import { utf8Length } from './utf8.js';

/** RFC 5321 section 4.5.3.1.1: at most 64 octets in the local part. */
export const maxLocalPartOctets = 64;

/** RFC 5321 limits a path to 256 octets including the angle brackets, so 254 for the address. */
export const maxAddressOctets = 254;

/** An address split into its local part, as written, and its normalized domain. */
export interface AddrSpec {
  /** Local part as written; quoted only when a dot-atom cannot express it. */
  local: string;
  /** True when the local part needs quotes, as in `"john doe"`. */
  quoted: boolean;
  /** Lower-case ASCII domain (IDN converted), or a domain literal in brackets. */
  domain: string;
}

// atext of RFC 5322 section 3.2.3, plus any non-ASCII character (RFC 6532).
const dotAtom = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\uffff]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\uffff]+)*$/;

/**
 * An ASCII dot-atom, `@` and an ASCII host name, and nothing else, as in `anna.nowak@contoso.example`.
 * Most recipients look like this. The tokenizer would find one atom on each side of the `@`,
 * so `parseAddrSpec` reads such an address without it.
 */
const plainAddress =
  /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)$/;

/** Returns true when `text` is a valid dot-atom, which may stand unquoted as a local part. */
export function isDotAtom(text: string): boolean {
  return dotAtom.test(text);
}

/**
 * Builds an address from the tokens of its local part and its domain, as found by the
 * list parser, and validates their syntax. Lengths are not checked here, because
 * addresses read from headers may exceed RFC 5321 limits, as VERP return addresses
 * often do. `written` is the address as the input spelled it, for error messages.
 */
export function buildAddrSpec(
  localTokens: AddressToken[],
  domainToken: AddressToken | undefined,
  written: string,
): Result<AddrSpec> {
  const words = localTokens.filter((token) => token.kind !== 'space');
  const first = words[0];

  if (first === undefined) {
    return fail(
      'WORKLINK_LOCAL_PART_INVALID',
      `Address ${quote(written)} has no local part before "@": write it as local@domain.`,
      written,
    );
  }

  if (words.length > 1 || (first.kind !== 'atom' && first.kind !== 'quoted')) {
    return fail(
      'WORKLINK_LOCAL_PART_INVALID',
      `Address ${quote(written)} has spaces or mixed quoting in its local part: quote the whole local part, as in "john doe"@example.com.`,
      written,
    );
  }

  let local: string;
  let quoted: boolean;
  if (first.kind === 'atom') {
    if (!isDotAtom(first.text)) {
      return fail(
        'WORKLINK_LOCAL_PART_INVALID',
        `Address ${quote(written)} has a local part that starts or ends with a dot, or has two dots in a row: remove the extra dot.`,
        written,
      );
    }
    local = first.text;
    quoted = false;
  } else if (first.text === '') {
    return fail(
      'WORKLINK_LOCAL_PART_INVALID',
      `Address ${quote(written)} has an empty quoted local part: write the mailbox name.`,
      written,
    );
  } else if (isDotAtom(first.text)) {
    // `"john"@x` is the same mailbox as `john@x`, so the quotes are dropped.
    local = first.text;
    quoted = false;
  } else {
    local = '"' + first.text.replace(/(["\\])/g, '\\$1') + '"';
    quoted = true;
  }

  if (domainToken === undefined || (domainToken.kind !== 'atom' && domainToken.kind !== 'literal')) {
    return fail(
      'WORKLINK_DOMAIN_INVALID',
      `Address ${quote(written)} has no domain after "@": write it as local@domain.`,
      written,
    );
  }

  const domain = normalizeDomain(domainToken.text, written);
  if (!domain.ok) {
    return domain;
  }

  return ok({ local, quoted, domain: domain.value });
}

/**
 * Parses a bare address such as `John.Doe@Example.com`, with optional surrounding
 * whitespace and nothing else: no display name, angle brackets or list. Unlike the list
 * parser, it also enforces the RFC 5321 length limits.
 */
export function parseAddrSpec(input: string): Result<AddrSpec> {
  const plain = typeof input === 'string' ? plainAddress.exec(input) : null;
  if (plain !== null) {
    const domain = normalizeDomain(plain[2] as string, input);
    return domain.ok ? checkLengths({ local: plain[1] as string, quoted: false, domain: domain.value }, input) : domain;
  }

  const tokens = tokenizeAddressList(input);
  if (!tokens.ok) {
    return tokens;
  }

  const words = tokens.value.filter((token) => token.kind !== 'space');
  if (words.length === 0) {
    return fail('WORKLINK_ADDRESS_EMPTY', 'The address is empty: write it as local@domain.', input);
  }

  const at = indexOfSpecial(words, '@');
  if (at < 0) {
    return fail('WORKLINK_ADDRESS_MISSING_AT', `Address ${quote(input)} has no "@": write it as local@domain.`, input);
  }

  if (words.length > at + 2 || hasSpecial(words, at)) {
    return fail(
      'WORKLINK_ADDRESS_NOT_SINGLE',
      `Address ${quote(input)} is not a single bare address: write only local@domain, without display name, brackets or commas.`,
      input,
    );
  }

  const spec = buildAddrSpec(words.slice(0, at), words[at + 1], input.trim());
  return spec.ok ? checkLengths(spec.value, input.trim()) : spec;
}

/** Returns an error when an address exceeds the RFC 5321 limits on local part and path. */
export function checkLengths(spec: AddrSpec, written: string): Result<AddrSpec> {
  const localOctets = utf8Length(spec.local);
  if (localOctets > maxLocalPartOctets) {
    return fail(
      'WORKLINK_LOCAL_PART_TOO_LONG',
      `Address ${quote(written)} has a local part of ${localOctets} octets, above the limit of ${maxLocalPartOctets}: use a shorter mailbox name.`,
      written,
    );
  }

  const length = localOctets + 1 + spec.domain.length;
  if (length > maxAddressOctets) {
    return fail(
      'WORKLINK_ADDRESS_TOO_LONG',
      `Address ${quote(written)} is ${length} octets long, above the limit of ${maxAddressOctets}: use a shorter address.`,
      written,
    );
  }

  return ok(spec);
}

function indexOfSpecial(tokens: AddressToken[], special: string): number {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token !== undefined && token.kind === 'special' && token.text === special) {
      return i;
    }
  }
  return -1;
}

/** Returns true when a special other than the `@` at `at` appears. */
function hasSpecial(tokens: AddressToken[], at: number): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (i !== at && token !== undefined && token.kind === 'special') {
      return true;
    }
  }
  return false;
}

/** Writes `local@domain`, with the local part lower-cased when `lowerLocal` is set. */
export function formatAddrSpec(spec: AddrSpec, lowerLocal: boolean): string {
  const local = lowerLocal ? spec.local.toLowerCase() : spec.local;
  return local + '@' + spec.domain;
}
