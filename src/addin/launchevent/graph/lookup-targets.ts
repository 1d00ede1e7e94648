/**
 * Picks the recipients that Microsoft Graph should look up: addresses in an internal domain
 * (or a subdomain of one) that the directory of connected mailboxes does not list. The `+tag`
 * is removed first, because Graph stores the addresses without it.
 */
import type { Directory, OfficeRecipientType, Recipient } from '../../../core/api-types.js';
import { splitPlusAddress } from '../../../core/plus-address.js';

export interface LookupTarget {
  /** Lower-case address without its tag; the key of the lookup and of its cache entry. */
  address: string;
  /** Office's `recipientType` of the first recipient with this address, which picks users or groups first. */
  recipientType?: OfficeRecipientType;
}

/** Returns the connected mailbox's primary address for each lower-case address and alias in the directory. */
export function directoryAddresses(directory: Directory): { [address: string]: string } {
  const byAddress: { [address: string]: string } = {};
  for (const mailbox of directory.mailboxes) {
    const primary = mailbox.address.trim().toLowerCase();
    byAddress[primary] = primary;
    for (const alias of mailbox.aliases || []) byAddress[alias.trim().toLowerCase()] = primary;
  }
  return byAddress;
}

function isInternal(domain: string, internalDomains: readonly string[]): boolean {
  return internalDomains.some((internal) => {
    const suffix = `.${internal}`;
    return domain === internal || (domain.length > suffix.length && domain.slice(-suffix.length) === suffix);
  });
}

/** Lists the distinct internal addresses, tag removed, that the directory does not know, in recipient order. */
export function lookupTargets(recipients: readonly Recipient[], directory: Directory): LookupTarget[] {
  const separator = directory.settings.plusAddressing.separator || '+';
  const internalDomains = directory.settings.internalDomains.map((domain) => domain.trim().toLowerCase());
  const known = directoryAddresses(directory);
  const targets: LookupTarget[] = [];
  const seen: { [address: string]: true } = {};

  for (const recipient of recipients) {
    const whole = recipient.emailAddress.trim().toLowerCase();
    const base = splitPlusAddress(recipient.emailAddress, separator).base;
    const at = base.lastIndexOf('@');
    if (at <= 0 || at === base.length - 1) continue;
    if (known[whole] || known[base] || seen[base]) continue;
    if (!isInternal(base.slice(at + 1), internalDomains)) continue;

    seen[base] = true;
    const target: LookupTarget = { address: base };
    if (recipient.recipientType) target.recipientType = recipient.recipientType;
    targets.push(target);
  }
  return targets;
}
