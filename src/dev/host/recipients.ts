/** Recipients as the simulated Outlook keeps them, and the text form of the To/Cc/Bcc boxes. */
import type { OfficeRecipientJson } from '../bridge.js';

export type Field = 'to' | 'cc' | 'bcc';
export const FIELDS: readonly Field[] = ['to', 'cc', 'bcc'];

/** Domain whose addresses the simulated global address list resolves, as the demo seed names it. */
export const ORGANISATION_DOMAIN = 'contoso.example';

/**
 * Guesses the `recipientType` that Outlook would report. Addresses of the organisation resolve
 * to `user`, but Outlook does not resolve plus addresses, so those are `other`. Any other
 * address is `externalUser`.
 */
export function recipientTypeOf(emailAddress: string): string {
  const [local = '', domain = ''] = splitAddress(emailAddress);
  if (domain !== ORGANISATION_DOMAIN) return 'externalUser';
  return local.includes('+') ? 'other' : 'user';
}

function splitAddress(emailAddress: string): [string, string] {
  const at = emailAddress.lastIndexOf('@');
  if (at < 0) return [emailAddress, ''];
  return [emailAddress.slice(0, at), emailAddress.slice(at + 1).toLowerCase()];
}

export function makeRecipient(emailAddress: string, displayName?: string): OfficeRecipientJson {
  const address = emailAddress.trim();
  const name = displayName && displayName.trim() !== '' ? displayName.trim() : address;
  return { emailAddress: address, displayName: name, recipientType: recipientTypeOf(address) };
}

/** Splits the text of a recipient box at `;` or `,` outside quotes and angle brackets. */
function splitEntries(text: string): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const character of text) {
    if (character === '"') quoted = !quoted;
    if (!quoted && character === '<') angle = true;
    if (!quoted && character === '>') angle = false;
    if (!quoted && !angle && (character === ';' || character === ',')) {
      entries.push(current);
      current = '';
      continue;
    }
    current += character;
  }
  entries.push(current);
  return entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** Parses `Name <address>; address` into recipients. Entries without an `@` are skipped and returned apart. */
export function parseRecipients(text: string): { recipients: OfficeRecipientJson[]; invalid: string[] } {
  const recipients: OfficeRecipientJson[] = [];
  const invalid: string[] = [];
  for (const entry of splitEntries(text)) {
    const angle = /^(.*)<([^<>]+)>$/.exec(entry);
    const address = (angle ? angle[2] : entry)?.trim() ?? '';
    const name = angle ? (angle[1] ?? '').trim().replace(/^"(.*)"$/, '$1') : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) {
      invalid.push(entry);
      continue;
    }
    recipients.push(makeRecipient(address, name));
  }
  return { recipients, invalid };
}

/** Formats recipients for a recipient box; a name equal to the address is left out. */
export function formatRecipients(recipients: readonly OfficeRecipientJson[]): string {
  return recipients
    .map((recipient) =>
      recipient.displayName && recipient.displayName !== recipient.emailAddress
        ? `${recipient.displayName} <${recipient.emailAddress}>`
        : recipient.emailAddress,
    )
    .join('; ');
}

/** Returns the address without its `+tag`, lower-cased, which is the address Exchange delivers to. */
export function baseAddress(emailAddress: string): string {
  const [local, domain] = splitAddress(emailAddress.trim().toLowerCase());
  const plus = local.indexOf('+');
  return `${plus < 0 ? local : local.slice(0, plus)}@${domain}`;
}
