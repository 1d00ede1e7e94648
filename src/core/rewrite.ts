import type { CommitNotice, Recipient } from './api-types.js';
import { normalizeAddress } from './address.js';
import { parseAddrSpec } from './addr-spec.js';
import { encodePlusAddress, splitPlusAddress, validateSeparator } from './plus-address.js';
import { parseReference } from './reference.js';
import { quote } from './result.js';

/** A connected mailbox whose recipients are tagged with one work item reference. */
export interface RewriteTarget {
  /** Primary address, lower-case. */
  mailbox: string;
  aliases: string[];
  /** Reference to put in the tag, such as `10040-C`. */
  reference: string;
}

export interface RewriteResult {
  recipients: Recipient[];
  notices: CommitNotice[];
}

/**
 * Computes the recipients after the send-plan rewrite. A recipient whose address, with
 * its tag stripped and case ignored, is a target's mailbox or alias becomes
 * `local+REFERENCE@domain`, keeping its own local part spelling, display name, field and
 * position. Nothing is added or dropped, and these are left unchanged:
 * - recipients of no target, and invalid addresses;
 * - recipients already tagged with a valid reference (never double-tagged);
 * - recipients whose local part would exceed 64 octets, or whose mailbox name contains
 *   the separator, or with a quoted local part, each with a notice.
 * A recipient of a target with a tag that is not a reference gets the reference in place of
 * that tag. A target whose reference is invalid rewrites nothing and gives a notice.
 */
export function rewriteRecipients(recipients: Recipient[], targets: RewriteTarget[], separator: string): RewriteResult {
  const notices: CommitNotice[] = [];
  const byAddress = indexTargets(targets);
  const validSeparator = validateSeparator(separator);

  if (!Array.isArray(recipients)) {
    return { recipients: [], notices };
  }

  const rewritten = recipients.map((recipient) => {
    if (recipient === null || typeof recipient !== 'object') {
      return recipient;
    }

    const target = findTarget(recipient.emailAddress, byAddress, separator);
    if (target === null) {
      return recipient;
    }

    const reference = parseReference(target.target.reference);
    if (!reference.ok) {
      notices.push(notice(reference.error.code, recipient, reference.error.message));
      return recipient;
    }

    if (!validSeparator.ok) {
      notices.push(notice(validSeparator.error.code, recipient, validSeparator.error.message));
      return recipient;
    }

    const address = tagAddress(recipient.emailAddress, reference.value.text, separator, target.exact);
    if (!address.ok) {
      notices.push(notice(address.code, recipient, address.message));
      return recipient;
    }

    if (address.value === recipient.emailAddress) {
      return recipient;
    }
    // Outlook names a typed address after itself. Kept, that name would show the old address beside the new one.
    const namedAfterAddress =
      typeof recipient.displayName === 'string' &&
      recipient.displayName.trim().toLowerCase() === recipient.emailAddress.toLowerCase();
    return {
      ...recipient,
      emailAddress: address.value,
      displayName: namedAfterAddress ? address.value : recipient.displayName,
    };
  });

  return { recipients: rewritten, notices };
}

/**
 * Returns true when `actual`, as read back from Outlook, has the same addresses in the same
 * order as `expected`. The tag counts; the case of local part and domain does not. Display
 * names are not compared, because hosts resolve and rewrite them.
 */
export function sameRecipients(
  expected: Recipient[],
  actual: { emailAddress: string; displayName: string }[],
): boolean {
  if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) {
    return false;
  }

  for (let i = 0; i < expected.length; i++) {
    if (comparableAddress(expected[i]?.emailAddress) !== comparableAddress(actual[i]?.emailAddress)) {
      return false;
    }
  }

  return true;
}

function comparableAddress(address: unknown): string {
  if (typeof address !== 'string') {
    return '\u0000invalid';
  }

  const normalized = normalizeAddress(address);
  return normalized.ok ? normalized.value : address.trim().toLowerCase();
}

function indexTargets(targets: RewriteTarget[]): { [address: string]: RewriteTarget } {
  const byAddress: { [address: string]: RewriteTarget } = {};

  if (!Array.isArray(targets)) {
    return byAddress;
  }

  for (const target of targets) {
    if (target === null || typeof target !== 'object') {
      continue;
    }
    const aliases = Array.isArray(target.aliases) ? target.aliases : [];
    const addresses = [target.mailbox].concat(aliases);
    for (const address of addresses) {
      const normalized = normalizeAddress(address);
      if (normalized.ok && !Object.prototype.hasOwnProperty.call(byAddress, normalized.value)) {
        byAddress[normalized.value] = target;
      }
    }
  }

  return byAddress;
}

/**
 * Finds the target of an address. An exact match comes first, because a mailbox name
 * may itself contain a separator character, such as `-` in `pl-support`.
 */
function findTarget(
  address: string,
  byAddress: { [address: string]: RewriteTarget },
  separator: string,
): { target: RewriteTarget; exact: boolean } | null {
  const normalized = normalizeAddress(address);
  if (!normalized.ok) {
    return null;
  }

  if (Object.prototype.hasOwnProperty.call(byAddress, normalized.value)) {
    return { target: byAddress[normalized.value] as RewriteTarget, exact: true };
  }

  const split = splitPlusAddress(address, separator);
  if (split.tag !== null && Object.prototype.hasOwnProperty.call(byAddress, split.base)) {
    return { target: byAddress[split.base] as RewriteTarget, exact: false };
  }

  return null;
}

type Tagging = { ok: true; value: string } | { ok: false; code: string; message: string };

function tagAddress(address: string, reference: string, separator: string, exact: boolean): Tagging {
  const spec = parseAddrSpec(address);
  if (!spec.ok) {
    return { ok: false, code: spec.error.code, message: spec.error.message };
  }

  if (exact) {
    if (spec.value.local.indexOf(separator) >= 0) {
      return {
        ok: false,
        code: 'WORKLINK_SEPARATOR_IN_LOCAL_PART',
        message: `Address ${quote(address)} contains the separator ${quote(separator)} in its mailbox name, so a tag could not be read back: choose another separator.`,
      };
    }
    return fromResult(encodePlusAddress(address, reference, separator));
  }

  const tag = splitPlusAddress(address, separator).tag ?? '';
  if (parseReference(tag).ok) {
    return { ok: true, value: address };
  }

  // The tag is not a work item reference, so it carries nothing Worklink reads back.
  const untagged = spec.value.local.slice(0, spec.value.local.indexOf(separator)) + '@' + spec.value.domain;
  return fromResult(encodePlusAddress(untagged, reference, separator));
}

function fromResult(result: ReturnType<typeof encodePlusAddress>): Tagging {
  return result.ok ? result : { ok: false, code: result.error.code, message: result.error.message };
}

function notice(code: string, recipient: Recipient, message: string): CommitNotice {
  return { code, emailAddress: recipient.emailAddress, message };
}
