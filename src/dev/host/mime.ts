/**
 * Builds the RFC 5322 message that the simulated Outlook sends: From, To, Cc, Subject, the
 * threading headers of the message replied to, and the internet headers the add-in set. Bcc
 * recipients go into the SMTP envelope only, as a mail client sends them.
 */
import type { OfficeRecipientJson } from '../bridge.js';

export interface OutgoingMessage {
  from: { emailAddress: string; displayName: string };
  to: OfficeRecipientJson[];
  cc: OfficeRecipientJson[];
  bcc: OfficeRecipientJson[];
  subject: string;
  body: string;
  messageId: string;
  date: Date;
  inReplyTo?: string;
  references?: string[];
  internetHeaders: Record<string, string>;
}

/** Header names that the add-in may not set, because the client writes them itself. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Encodes a header text as an RFC 2047 encoded word when it is not plain printable ASCII. */
export function encodeHeaderText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${base64Utf8(text)}?=`;
}

function formatMailbox(emailAddress: string, displayName: string): string {
  if (!displayName || displayName === emailAddress) return emailAddress;
  if (/^[\x20-\x7e]*$/.test(displayName)) return `"${displayName.replace(/(["\\])/g, '\\$1')}" <${emailAddress}>`;
  return `${encodeHeaderText(displayName)} <${emailAddress}>`;
}

function formatList(recipients: readonly OfficeRecipientJson[]): string {
  return recipients.map((recipient) => formatMailbox(recipient.emailAddress, recipient.displayName)).join(',\r\n ');
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (let index = 0; index < text.length; index += width) lines.push(text.slice(index, index + width));
  return lines.join('\r\n');
}

/** Returns the message as CRLF text and the envelope recipients (To, Cc and Bcc). */
export function buildMime(message: OutgoingMessage): { raw: string; envelopeTo: string[] } {
  const headers: string[] = [`From: ${formatMailbox(message.from.emailAddress, message.from.displayName)}`];
  if (message.to.length > 0) headers.push(`To: ${formatList(message.to)}`);
  if (message.cc.length > 0) headers.push(`Cc: ${formatList(message.cc)}`);
  headers.push(`Subject: ${encodeHeaderText(message.subject)}`);
  headers.push(`Date: ${message.date.toUTCString().replace('GMT', '+0000')}`);
  headers.push(`Message-ID: ${message.messageId}`);
  if (message.inReplyTo) headers.push(`In-Reply-To: ${message.inReplyTo}`);
  if (message.references && message.references.length > 0) {
    headers.push(`References: ${message.references.join('\r\n ')}`);
  }
  for (const [name, value] of Object.entries(message.internetHeaders)) {
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) continue;
    headers.push(`${name}: ${encodeHeaderText(value.replace(/[\r\n]+/g, ' '))}`);
  }
  headers.push('MIME-Version: 1.0');
  headers.push('Content-Type: text/plain; charset="utf-8"');
  headers.push('Content-Transfer-Encoding: base64');

  const body = wrap(base64Utf8(message.body.replace(/\r?\n/g, '\r\n')), 76);
  const envelopeTo = [...message.to, ...message.cc, ...message.bcc].map((recipient) => recipient.emailAddress);
  return { raw: `${headers.join('\r\n')}\r\n\r\n${body}\r\n`, envelopeTo };
}

/** Generates a new Message-ID in the sender's domain. */
export function newMessageId(senderAddress: string): string {
  const domain = senderAddress.slice(senderAddress.lastIndexOf('@') + 1) || 'simulator.invalid';
  const random = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
  return `<sim.${Date.now().toString(36)}.${random}@${domain}>`;
}
