import { formatAddrSpec, isDotAtom, maxAddressOctets, maxLocalPartOctets, parseAddrSpec } from './addr-spec.js';
import type { AddrSpec } from './addr-spec.js';
import { parseReference } from './reference.js';
import { describeValue, fail, ok, quote } from './result.js';
import type { Result } from './result.js';
import { utf8Length } from './utf8.js';

/**
 * Characters allowed as the subaddress separator (RFC 5233). `+` is what Exchange Online
 * uses. The dot is left out although some servers allow it: most local parts contain
 * dots (`pl.support`), so the first dot would cut the mailbox name.
 */
export const allowedSeparators: readonly string[] = ['+', '-', '_', '='];

export const defaultSeparator = '+';

/** An address split at its first separator. */
export interface SplitAddress {
  /** Lower-case `local@domain` without the tag. */
  base: string;
  /** The tag as written, without the separator, or null when there is none. */
  tag: string | null;
}

/** A decoded plus address. */
export interface DecodedPlusAddress {
  /** Lower-case `local@domain` without the tag. */
  mailbox: string;
  /** Canonical upper-case reference when the tag is one, else null. */
  reference: string | null;
}

/** Returns an error unless `separator` is one of `allowedSeparators`. */
export function validateSeparator(separator: string): Result<string> {
  if (typeof separator === 'string' && allowedSeparators.indexOf(separator) >= 0) {
    return ok(separator);
  }

  const value = describeValue(separator);
  return fail(
    'WORKLINK_SEPARATOR_INVALID',
    `Separator ${quote(value)} is not allowed: use one of ${allowedSeparators.join(' ')} ("+" for Exchange Online).`,
    value,
  );
}

/**
 * Splits an address at the first separator of its local part, because Exchange honours
 * only the first one. There is no tag when the separator is invalid or starts the local
 * part, or when the local part is quoted. An invalid address also has no tag, and comes
 * back trimmed and lower-cased as `base`.
 */
export function splitPlusAddress(address: string, separator: string = defaultSeparator): SplitAddress {
  const spec = typeof address === 'string' ? parseAddrSpec(address) : null;
  if (spec === null || !spec.ok) {
    return { base: describeValue(address).trim().toLowerCase(), tag: null };
  }

  const parts = splitLocal(spec.value, separator);
  return { base: (parts.local + '@' + spec.value.domain).toLowerCase(), tag: parts.tag };
}

/**
 * Adds `tag` to an address, as in `pl.support+10040-C@contoso.example`, keeping the local
 * part as written and normalizing the domain. Never tags twice: an address that already
 * carries the same tag (case-insensitive) comes back unchanged apart from its domain,
 * and one with another tag gives `WORKLINK_ALREADY_TAGGED`. A local part that would exceed
 * 64 octets gives `WORKLINK_LOCAL_PART_TOO_LONG`, and the caller keeps the address as it was.
 */
export function encodePlusAddress(address: string, tag: string, separator: string = defaultSeparator): Result<string> {
  const validSeparator = validateSeparator(separator);
  if (!validSeparator.ok) {
    return validSeparator;
  }

  const spec = parseAddrSpec(address);
  if (!spec.ok) {
    return spec;
  }

  if (typeof tag !== 'string' || tag === '' || !isDotAtom(tag)) {
    const value = describeValue(tag);
    return fail(
      'WORKLINK_TAG_INVALID',
      `Tag ${quote(value)} cannot be added to an address: use only characters a local part may contain, such as 10040-C.`,
      value,
    );
  }

  if (spec.value.quoted) {
    return fail(
      'WORKLINK_LOCAL_PART_QUOTED',
      `Address ${quote(address)} has a quoted local part, which cannot carry a tag: send it unchanged.`,
      address,
    );
  }

  if (spec.value.local.charAt(0) === separator) {
    // A tag added here could never be read back: a leading separator does not start a tag.
    return fail(
      'WORKLINK_SEPARATOR_IN_LOCAL_PART',
      `Address ${quote(address)} starts with the separator ${quote(separator)}, so a tag could not be read back: send it unchanged.`,
      address,
    );
  }

  const parts = splitLocal(spec.value, separator);
  if (parts.tag !== null) {
    if (parts.tag.toLowerCase() === tag.toLowerCase()) {
      return ok(formatAddrSpec(spec.value, false));
    }
    return fail(
      'WORKLINK_ALREADY_TAGGED',
      `Address ${quote(address)} already has the tag ${quote(parts.tag)}, so ${quote(tag)} is not added: keep it, or remove its tag first.`,
      address,
    );
  }

  const local = spec.value.local + separator + tag;
  const localOctets = utf8Length(local);
  if (localOctets > maxLocalPartOctets) {
    return fail(
      'WORKLINK_LOCAL_PART_TOO_LONG',
      `Address ${quote(address)} with tag ${quote(tag)} would have a local part of ${localOctets} octets, above the limit of ${maxLocalPartOctets}: send it without the tag.`,
      address,
    );
  }

  const tagged = local + '@' + spec.value.domain;
  if (utf8Length(tagged) > maxAddressOctets) {
    return fail(
      'WORKLINK_ADDRESS_TOO_LONG',
      `Address ${quote(address)} with tag ${quote(tag)} would be longer than ${maxAddressOctets} octets: send it without the tag.`,
      address,
    );
  }

  return ok(tagged);
}

/**
 * Splits a plus address into its lower-case mailbox and, when the tag is a valid work
 * item reference, that reference in upper case. A tag that is not a reference gives
 * `reference: null`, not an error.
 */
export function decodePlusAddress(address: string, separator: string = defaultSeparator): Result<DecodedPlusAddress> {
  const validSeparator = validateSeparator(separator);
  if (!validSeparator.ok) {
    return validSeparator;
  }

  const spec = parseAddrSpec(address);
  if (!spec.ok) {
    return spec;
  }

  const parts = splitLocal(spec.value, separator);
  const mailbox = (parts.local + '@' + spec.value.domain).toLowerCase();
  if (parts.tag === null) {
    return ok({ mailbox, reference: null });
  }

  const reference = parseReference(parts.tag);
  return ok({ mailbox, reference: reference.ok ? reference.value.text : null });
}

/** Splits a local part at its first separator; see `splitPlusAddress` for when there is no tag. */
function splitLocal(spec: AddrSpec, separator: string): { local: string; tag: string | null } {
  if (spec.quoted || allowedSeparators.indexOf(separator) < 0) {
    return { local: spec.local, tag: null };
  }

  const index = spec.local.indexOf(separator);
  if (index <= 0) {
    return { local: spec.local, tag: null };
  }

  return { local: spec.local.slice(0, index), tag: spec.local.slice(index + 1) };
}
