/**
 * Reading, classifying and rewriting the compose item's recipients. Hosts have been seen to
 * ignore a change that differs only in the `+tag` (Outlook on the web), so every write is read
 * back, and a mismatch is retried once by clearing the field and setting it again.
 */
import type { Directory, Recipient, RecipientField } from '../../core/api-types.js';
import { splitPlusAddress } from '../../core/plus-address.js';
import { sameRecipients } from '../../core/rewrite.js';
import type { OfficeItemApi, OfficeRecipient } from './office-async.js';

export const RECIPIENT_FIELDS: readonly RecipientField[] = ['to', 'cc', 'bcc'];

const OFFICE_RECIPIENT_TYPES = ['user', 'distributionList', 'externalUser', 'other'];

function toRecipient(field: RecipientField, details: OfficeRecipient): Recipient {
  const recipient: Recipient = {
    field,
    emailAddress: details.emailAddress,
    displayName: typeof details.displayName === 'string' ? details.displayName : '',
  };
  if (details.recipientType && OFFICE_RECIPIENT_TYPES.indexOf(details.recipientType) >= 0) {
    recipient.recipientType = details.recipientType as Recipient['recipientType'];
  }
  return recipient;
}

/** Reads To, Cc and Bcc (three calls, which the item API's limiter keeps within its bound) in that order. */
export async function readRecipients(api: OfficeItemApi): Promise<Recipient[]> {
  const fields = await Promise.all(RECIPIENT_FIELDS.map((field) => api.getRecipients(field)));
  const recipients: Recipient[] = [];
  fields.forEach((list, index) => {
    const field = RECIPIENT_FIELDS[index] as RecipientField;
    for (const details of list || []) recipients.push(toRecipient(field, details));
  });
  return recipients;
}

export function recipientsOfField(recipients: readonly Recipient[], field: RecipientField): Recipient[] {
  return recipients.filter((recipient) => recipient.field === field);
}

/** Returns the lower-case domain of an address that has already been through `splitPlusAddress`. */
function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  return at > 0 && at < address.length - 1 ? address.slice(at + 1) : null;
}

/**
 * Tells whether the send needs a plan from the backend. It does when some recipient is in an
 * internal domain or one of its subdomains, or is a connected mailbox or alias. It also does
 * when a recipient has a connected mailbox's display name, because Outlook may leave such a
 * recipient unresolved.
 */
export function needsSendPlan(recipients: readonly Recipient[], directory: Directory): boolean {
  const separator = directory.settings.plusAddressing.separator || '+';
  const domains = directory.settings.internalDomains.map((domain) => domain.trim().toLowerCase());
  const known: { [address: string]: true } = {};
  const knownNames: { [displayName: string]: true } = {};
  for (const mailbox of directory.mailboxes) {
    known[mailbox.address.trim().toLowerCase()] = true;
    for (const alias of mailbox.aliases || []) known[alias.trim().toLowerCase()] = true;
    if (mailbox.displayName && mailbox.displayName.trim() !== '')
      knownNames[mailbox.displayName.trim().toLowerCase()] = true;
  }

  return recipients.some((recipient) => {
    if (knownNames[recipient.displayName.trim().toLowerCase()]) return true;

    // The exact address first: a mailbox name may itself contain the separator, as in `pl-support`.
    const base = splitPlusAddress(recipient.emailAddress, separator).base;
    if (known[recipient.emailAddress.trim().toLowerCase()] || known[base]) return true;
    const domain = domainOf(base);
    if (!domain) return false;
    return domains.some((internal) => domain === internal || endsWith(domain, `.${internal}`));
  });
}

function endsWith(text: string, suffix: string): boolean {
  return text.length >= suffix.length && text.slice(text.length - suffix.length) === suffix;
}

/** Compares two recipient lists field by field with `sameRecipients`: addresses in order, tags included. */
export function sameRecipientsByField(expected: Recipient[], actual: Recipient[]): boolean {
  return RECIPIENT_FIELDS.every((field) =>
    sameRecipients(recipientsOfField(expected, field), recipientsOfField(actual, field)),
  );
}

/**
 * Tells whether `next` keeps every recipient of `current`: the same number in each field.
 * The commit may replace an address by its plus address, but never add or remove one.
 */
export function keepsEveryRecipient(current: readonly Recipient[], next: readonly Recipient[]): boolean {
  return RECIPIENT_FIELDS.every(
    (field) => recipientsOfField(current, field).length === recipientsOfField(next, field).length,
  );
}

export type RewriteOutcome = 'unchanged' | 'verified' | 'verified-after-retry' | 'mismatch';

/**
 * Sets one field to `expected`, keeping order and display names, and reads it back. On a
 * mismatch it clears the field and sets it again once. `mismatch` means the field still contains
 * other addresses, and the caller must stop the send.
 */
export async function rewriteField(
  api: OfficeItemApi,
  field: RecipientField,
  current: Recipient[],
  expected: Recipient[],
): Promise<RewriteOutcome> {
  if (sameRecipients(expected, current)) return 'unchanged';

  const values = expected.map((recipient) => ({
    emailAddress: recipient.emailAddress,
    displayName: recipient.displayName,
  }));
  await api.setRecipients(field, values);
  if (sameRecipients(expected, await api.getRecipients(field))) return 'verified';

  await api.setRecipients(field, []);
  await api.setRecipients(field, values);
  if (sameRecipients(expected, await api.getRecipients(field))) return 'verified-after-retry';

  return 'mismatch';
}
