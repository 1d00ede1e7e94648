/** Reply headers and conversation ids for the simulated mailbox. */
import type { OfficeRecipientJson } from '../bridge.js';
import type { ComposeState } from './compose-item.js';
import { newComposeState } from './compose-item.js';
import { makeRecipient } from './recipients.js';
import type { MailboxMessage } from './server-api.js';

/** Reply and forward prefixes that Outlook and other clients put before a subject, English and Polish. */
const PREFIX = /^\s*((re|fw|fwd|odp|pd|aw|wg)\s*:\s*)+/i;

export function stripSubjectPrefixes(subject: string): string {
  return subject.replace(PREFIX, '').trim();
}

/**
 * Derives a stable conversation id from the subject without its prefixes, which is how
 * Exchange groups messages by conversation topic. Outlook's real ids are opaque, so only
 * equality matters.
 */
export function conversationIdFor(subject: string): string {
  let hash = 0x811c9dc5;
  for (const character of stripSubjectPrefixes(subject).toLowerCase()) {
    hash ^= character.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `AAQkSIMULATOR${hash.toString(16).padStart(8, '0').toUpperCase()}`;
}

export function angleMessageId(messageId: string): string {
  const trimmed = messageId.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

function withoutAddress(recipients: OfficeRecipientJson[], exclude: string[]): OfficeRecipientJson[] {
  const seen = new Set(exclude.map((address) => address.toLowerCase()));
  const result: OfficeRecipientJson[] = [];
  for (const recipient of recipients) {
    const key = recipient.emailAddress.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(recipient);
  }
  return result;
}

/**
 * Builds the compose item of a reply as Outlook does: To is the sender (and, for reply all,
 * the other To recipients), Cc keeps the other Cc recipients, the agent is left out.
 * NOTE: References carries only the Message-ID replied to, because the API does not return
 * the References header of stored messages.
 */
export function replyState(message: MailboxMessage, all: boolean, agentEmail: string, prefix: string): ComposeState {
  const sender = makeRecipient(message.from, message.fromName ?? '');
  const originalTo = message.to.map((entry) => makeRecipient(entry.address, entry.name ?? ''));
  const originalCc = message.cc.map((entry) => makeRecipient(entry.address, entry.name ?? ''));
  const to = withoutAddress(all ? [sender, ...originalTo] : [sender], [agentEmail]);
  const cc = all ? withoutAddress(originalCc, [agentEmail, ...to.map((recipient) => recipient.emailAddress)]) : [];
  const subject = PREFIX.test(message.subject) ? message.subject : `${prefix}${message.subject}`;
  const quoted = message.textBody
    .split(/\r?\n/)
    .map((line) => `> ${line}`)
    .join('\n');
  const messageId = angleMessageId(message.messageId);

  return newComposeState({
    composeType: all ? 'replyAll' : 'reply',
    to,
    cc,
    subject,
    body: `\n\n${message.fromName ?? message.from} <${message.from}>:\n${quoted}\n`,
    conversationId: conversationIdFor(message.subject),
    inReplyTo: messageId,
    references: [messageId],
  });
}
