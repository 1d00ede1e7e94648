import { ReusableQuery } from '../db/reusable-query.js';
import type { Executor } from '../repositories/executor.js';
import { parseJson } from '../repositories/executor.js';
import type { MessageAddress, ParsedMessage } from './parse-message.js';

/*
 * The same message rarely arrives twice with the same bytes. Every relay adds trace headers
 * (Received, Delivered-To, Authentication-Results), a copy forwarded for each mailbox carries
 * its own, and Graph returns the MIME that Exchange rebuilds from its store. Two deliveries are
 * therefore the same message when they have the same Message-ID and the same content: the
 * headers that the author's client wrote and the text and attachments, decoded.
 */

const selectByMessageId = new ReusableQuery(1, (db, messageId: string) =>
  db
    .selectFrom('messages')
    .select([
      'id',
      'content_hash',
      'in_reply_to',
      'references',
      'subject',
      'from_address',
      'to_list',
      'cc_list',
      'sent_at',
      'text_body',
    ])
    .where('message_id', '=', messageId)
    .orderBy('id'),
);

const selectAttachmentHashes = new ReusableQuery(1, (db, messageRowId: number) =>
  db.selectFrom('attachments').select('content_hash').where('message_id', '=', messageRowId),
);

/** Addresses of a list, lower-case and in order: stored lists keep the case they were written in. */
function addressesOf(list: readonly Pick<MessageAddress, 'address'>[]): string {
  return list.map((entry) => entry.address.toLowerCase()).join(',');
}

/** Text with every run of white space as one space: relays and Exchange may wrap and re-encode lines. */
function comparableText(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function sortedHashes(hashes: readonly string[]): string {
  return [...hashes].sort().join(',');
}

/** A stored message, by its row id and the content hash of the MIME that was kept for it. */
export interface StoredCopy {
  rowId: number;
  contentHash: string;
}

/**
 * Returns the stored message with the same Message-ID and the same content as `message`, or
 * undefined when there is none. A message without a Message-ID is only ever the same as
 * identical bytes, which the content hash finds.
 */
export async function findStoredCopy(db: Executor, message: ParsedMessage): Promise<StoredCopy | undefined> {
  if (message.messageId === null) {
    return undefined;
  }
  const candidates = await selectByMessageId.rows(db, message.messageId);
  for (const row of candidates) {
    const same =
      row.in_reply_to === message.inReplyTo &&
      row.references === JSON.stringify(message.references) &&
      row.subject === message.subject &&
      row.from_address === (message.from?.address ?? null) &&
      row.sent_at === message.sentAt &&
      addressesOf(parseJson<MessageAddress[]>(row.to_list, [])) === addressesOf(message.to) &&
      addressesOf(parseJson<MessageAddress[]>(row.cc_list, [])) === addressesOf(message.cc) &&
      comparableText(row.text_body) === comparableText(message.textBody);
    if (!same) {
      continue;
    }
    const stored = await selectAttachmentHashes.rows(db, row.id);
    const storedHashes = stored.map((attachment) => attachment.content_hash);
    if (sortedHashes(storedHashes) === sortedHashes(message.attachments.map((attachment) => attachment.contentHash))) {
      return { rowId: row.id, contentHash: row.content_hash };
    }
  }
  return undefined;
}
