import { formatAddrSpec, parseAddrSpec } from './addr-spec.js';
import { parseAddressTokens } from './address-list.js';
import type { ParsedAddress } from './address-list.js';
import { tokenizeAddressList } from './address-tokens.js';
import { describeValue, fail, ok, quote } from './result.js';
import type { Result } from './result.js';

export type { ParsedAddress } from './address-list.js';
export { formatAddrSpec } from './addr-spec.js';
export { utf8Length } from './utf8.js';

/**
 * Parses an RFC 5322 address list such as a To or Cc header value. It checks syntax but
 * not the RFC 5321 length limits, so that a header with one over-long address, such as
 * a VERP return address, still yields its other mailboxes. Groups are flattened,
 * and each of their mailboxes carries the group name. Besides commas, top-level
 * semicolons separate addresses too, because Outlook users type lists that way.
 * An empty list, or one of only `undisclosed-recipients:;`, gives `[]`.
 */
export function parseAddressList(input: string): Result<ParsedAddress[]> {
  if (typeof input !== 'string') {
    return fail(
      'WORKLINK_ADDRESS_EMPTY',
      'The address list is not a string: pass the header value as text.',
      describeValue(input),
    );
  }

  const tokens = tokenizeAddressList(input);
  if (!tokens.ok) {
    return tokens;
  }

  return parseAddressTokens(tokens.value, input);
}

/**
 * Parses exactly one mailbox, with or without display name, such as
 * `"Wsparcie PL" <pl.support@contoso.example>`.
 */
export function parseAddress(input: string): Result<ParsedAddress> {
  const list = parseAddressList(input);
  if (!list.ok) {
    return list;
  }

  const only = list.value[0];
  if (only === undefined) {
    return fail('WORKLINK_ADDRESS_EMPTY', 'The address is empty: write it as local@domain.', input);
  }
  if (list.value.length > 1 || only.group !== undefined) {
    return fail(
      'WORKLINK_ADDRESS_NOT_SINGLE',
      `Input ${quote(input)} contains ${list.value.length} addresses or a group where one mailbox was expected: give a single address.`,
      input,
    );
  }

  return ok(only);
}

/**
 * Normalizes a bare address for comparison: trimmed, local part and domain lower-cased
 * (Exchange compares local parts case-insensitively), IDN domain converted to ASCII.
 * Returns an error when the input is not one valid bare address.
 */
export function normalizeAddress(address: string): Result<string> {
  if (typeof address !== 'string') {
    return fail(
      'WORKLINK_ADDRESS_EMPTY',
      'The address is not a string: pass it as local@domain.',
      describeValue(address),
    );
  }

  const spec = parseAddrSpec(address);
  if (!spec.ok) {
    return spec;
  }

  return ok(formatAddrSpec(spec.value, true));
}

/** Returns true when both are valid addresses of the same mailbox, ignoring case. Never throws. */
export function sameAddress(a: string, b: string): boolean {
  const first = normalizeAddress(a);
  const second = normalizeAddress(b);
  return first.ok && second.ok && first.value === second.value;
}

/** Returns the lower-case ASCII domain of a valid bare address, or null. */
export function domainOf(address: string): string | null {
  const spec = typeof address === 'string' ? parseAddrSpec(address) : null;
  return spec !== null && spec.ok ? spec.value.domain : null;
}
