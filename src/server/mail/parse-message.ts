import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { AddressObject, EmailAddress, HeaderLines, ParsedMail } from 'mailparser';
import { sanitizeMessageHtml } from './sanitize-html.js';

/**
 * An address as parsed. Unlike `MessageAddress` of the HTTP API, the name is always a string,
 * empty when the header gives none.
 */
export interface MessageAddress {
  /**
   * Address as written, plus tag included, so that a reference keeps its case (`+10042-C`).
   * Only the sender's is lower-cased; compare the others lower-cased too.
   */
  address: string;
  name: string;
}

export interface ParsedAttachment {
  /** Decoded file name (RFC 2231 and RFC 2047 encodings resolved), or null when the part has none. */
  filename: string | null;
  contentType: string;
  size: number;
  /** SHA-256 of the decoded content, hex. */
  contentHash: string;
}

/** Fields that ingestion stores of one message, taken from its raw MIME. */
export interface ParsedMessage {
  /** Message-ID without angle brackets; null when the header is missing or contains no id. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** First id of References, else In-Reply-To, else the message's own id. */
  threadRoot: string | null;
  subject: string;
  /** The sender, with a lower-case address. */
  from: MessageAddress | null;
  to: MessageAddress[];
  cc: MessageAddress[];
  sentAt: string | null;
  textBody: string | null;
  /** Sanitised HTML; the raw HTML stays only in the stored MIME. */
  htmlBody: string | null;
  /** Headers that routing and the audit trail read, lower-case names. */
  headers: Record<string, string>;
  attachments: ParsedAttachment[];
}

/** Headers kept in `messages.headers`; the whole header block stays in the stored MIME. */
const keptHeaders = [
  'auto-submitted',
  'precedence',
  'x-auto-response-suppress',
  'return-path',
  'x-worklink-plan',
  'content-type',
  'list-id',
  'thread-topic',
];

/** Longest Message-ID kept; RFC 5322 lines stop at 998 characters, so a longer id is not a real one. */
const maxMessageIdLength = 998;

/**
 * Removes NUL characters, which PostgreSQL text columns reject and which
 * malformed mail sometimes carries in headers or bodies.
 */
export function stripNul(text: string): string {
  return text.includes('\u0000') ? text.split('\u0000').join('') : text;
}

function rawHeaderValues(lines: HeaderLines, name: string): string[] {
  const values: string[] = [];
  for (const entry of lines) {
    if (entry.key !== name) {
      continue;
    }
    const colon = entry.line.indexOf(':');
    values.push(entry.line.slice(colon + 1));
  }
  return values;
}

/** Extracts the ids of a Message-ID, In-Reply-To or References header, without angle brackets. */
export function extractMessageIds(value: string): string[] {
  const ids: string[] = [];
  for (const match of value.matchAll(/<([^<>\s]+)>/g)) {
    const id = match[1];
    if (id !== undefined && id.length <= maxMessageIdLength) {
      ids.push(stripNul(id));
    }
  }
  if (ids.length === 0) {
    // Some senders omit the brackets; a lone token is still their id.
    const bare = value.trim();
    if (bare !== '' && !/\s/.test(bare) && bare.length <= maxMessageIdLength) {
      ids.push(stripNul(bare));
    }
  }
  return ids;
}

function flattenAddresses(field: AddressObject | AddressObject[] | undefined, lowerCase = false): MessageAddress[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const result: MessageAddress[] = [];
  const visit = (entry: EmailAddress): void => {
    if (entry.group) {
      entry.group.forEach(visit);
      return;
    }
    const trimmed = entry.address?.trim();
    const address = lowerCase ? trimmed?.toLowerCase() : trimmed;
    if (address) {
      result.push({ address: stripNul(address), name: stripNul(entry.name ?? '') });
    }
  };
  for (const object of objects) {
    object.value.forEach(visit);
  }
  return result;
}

function keptHeaderValues(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of keptHeaders) {
    const values = rawHeaderValues(parsed.headerLines, name);
    if (values.length > 0) {
      headers[name] = stripNul(
        values
          .join(', ')
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim(),
      );
    }
  }
  return headers;
}

function sentAtOf(date: Date | undefined): string | null {
  if (date === undefined || Number.isNaN(date.getTime())) {
    return null;
  }
  return date.toISOString();
}

/**
 * Builds the fields of a message that mailparser could not read: only the
 * Message-ID is looked for, in the raw header block. The raw MIME is still
 * stored, so an admin can inspect it from the unrouted list.
 */
function unreadableMessage(raw: Buffer): ParsedMessage {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const headerBlock = raw.subarray(0, headerEnd < 0 ? Math.min(raw.length, 65536) : headerEnd).toString('latin1');
  const idLine = /^message-id:([^\r\n]*)/im.exec(headerBlock);
  const messageId = idLine?.[1] === undefined ? null : (extractMessageIds(idLine[1])[0] ?? null);
  return {
    messageId,
    inReplyTo: null,
    references: [],
    threadRoot: messageId,
    subject: '',
    from: null,
    to: [],
    cc: [],
    sentAt: null,
    textBody: null,
    htmlBody: null,
    headers: {},
    attachments: [],
  };
}

/** SHA-256 of raw bytes, hex: the key of `mime_blobs`. */
export function contentHashOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * Parses raw MIME into the fields ingestion stores. Malformed input (missing
 * headers, broken encodings, unterminated multiparts) yields whatever could
 * be read instead of an error, because the message must still be kept.
 */
export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, {
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
    });
  } catch {
    // NOTE: no test reaches this branch, because mailparser 3.14 read every malformed input tried so far.
    return unreadableMessage(raw);
  }

  const messageId = extractMessageIds(rawHeaderValues(parsed.headerLines, 'message-id').join(' '))[0] ?? null;
  const inReplyTo = extractMessageIds(rawHeaderValues(parsed.headerLines, 'in-reply-to').join(' '))[0] ?? null;
  const references = extractMessageIds(rawHeaderValues(parsed.headerLines, 'references').join(' '));
  const headers = keptHeaderValues(parsed);
  const html = typeof parsed.html === 'string' ? sanitizeMessageHtml(parsed.html) : null;

  const attachments = parsed.attachments.map((attachment) => ({
    filename: attachment.filename ? stripNul(attachment.filename) : null,
    contentType: stripNul(attachment.contentType || 'application/octet-stream'),
    size: attachment.size ?? attachment.content.length,
    contentHash: createHash('sha256').update(attachment.content).digest('hex'),
  }));

  return {
    messageId,
    inReplyTo,
    references,
    threadRoot: references[0] ?? inReplyTo ?? messageId,
    subject: stripNul(parsed.subject ?? ''),
    from: flattenAddresses(parsed.from, true)[0] ?? null,
    to: flattenAddresses(parsed.to),
    cc: flattenAddresses(parsed.cc),
    sentAt: sentAtOf(parsed.date),
    textBody: parsed.text === undefined ? null : stripNul(parsed.text),
    htmlBody: html === null ? null : stripNul(html),
    headers,
    attachments,
  };
}
