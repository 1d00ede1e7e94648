import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.js';
import { ReusableQuery } from '../db/reusable-query.js';
import type { Executor } from '../repositories/executor.js';
import { now } from '../repositories/executor.js';
import { detectAutomaticMessage } from './automatic-message.js';
import { contentHashOf, parseMessage, stripNul } from './parse-message.js';
import type { ParsedMessage } from './parse-message.js';
import { getDirectory } from '../repositories/directory-cache.js';
import { recordConversation } from '../repositories/messages.js';
import type { DirectorySnapshot } from '../repositories/directory-cache.js';
import { GroupCommitter } from './group-commit.js';
import { findStoredCopy } from './stored-copy.js';
import { routeMessage } from './router.js';
import type { CreatedItem, NewRoute, RoutingResult } from './router.js';
import type { EventBus } from '../notifications/bus.js';

export interface IngestInput {
  /** The message exactly as received. */
  raw: Buffer;
  /** `RCPT TO` addresses of the SMTP transaction, or the synced mailbox for Graph. */
  envelopeRecipients: string[];
  source: 'smtp' | 'graph';
  /** Outlook conversation id, known for messages that came through Graph sync. */
  conversationId?: string;
  /** `MAIL FROM` of the SMTP transaction. The empty string is the null return path `<>` of bounces. */
  envelopeSender?: string | null;
}

/** The part of the server's event bus that ingestion publishes to. */
export type MailEventSink = Pick<EventBus, 'emit'>;

export interface IngestResult {
  messageRowId: number;
  contentHash: string;
  messageId: string | null;
  /** True when these exact bytes were stored before, so only missing routes were added. */
  duplicate: boolean;
  newRoutes: NewRoute[];
  createdItems: CreatedItem[];
  createdLinks: RoutingResult['createdLinks'];
  statusChanges: RoutingResult['statusChanges'];
  unroutedReason: string | null;
}

// The queries that every new message runs have SQL that never varies, so Kysely builds and compiles each once.
const insertMimeBlob = new ReusableQuery(
  4,
  (db, contentHash: string, size: number, content: Buffer, createdAt: string) =>
    db
      .insertInto('mime_blobs')
      .values({ content_hash: contentHash, size, content, created_at: createdAt })
      .onConflict((conflict) => conflict.column('content_hash').doNothing()),
);

/** Values of one `messages` row, in the order of the columns that `insertMessageRow` writes. */
type MessageRowValues = [
  contentHash: string,
  messageId: string | null,
  inReplyTo: string | null,
  references: string,
  threadRoot: string | null,
  conversationId: string | null,
  subject: string,
  fromAddress: string | null,
  fromName: string | null,
  toList: string,
  ccList: string,
  sentAt: string | null,
  textBody: string | null,
  htmlBody: string | null,
  headers: string,
  isAutomatic: number,
  receivedAt: string,
];

const insertMessageRow = new ReusableQuery<MessageRowValues, { id: number }>(
  17,
  (
    db,
    contentHash,
    messageId,
    inReplyTo,
    references,
    threadRoot,
    conversationId,
    subject,
    fromAddress,
    fromName,
    toList,
    ccList,
    sentAt,
    textBody,
    htmlBody,
    headers,
    isAutomatic,
    receivedAt,
  ) =>
    db
      .insertInto('messages')
      .values({
        content_hash: contentHash,
        message_id: messageId,
        in_reply_to: inReplyTo,
        references,
        thread_root: threadRoot,
        conversation_id: conversationId,
        subject,
        from_address: fromAddress,
        from_name: fromName,
        to_list: toList,
        cc_list: ccList,
        sent_at: sentAt,
        text_body: textBody,
        html_body: htmlBody,
        headers,
        is_automatic: isAutomatic,
        received_at: receivedAt,
      })
      .onConflict((conflict) => conflict.column('content_hash').doNothing())
      .returning('id'),
);

const selectMessageIdByHash = new ReusableQuery(1, (db, contentHash: string) =>
  db.selectFrom('messages').select('id').where('content_hash', '=', contentHash),
);

async function storeMessage(
  trx: Executor,
  contentHash: string,
  message: ParsedMessage,
  input: IngestInput,
  automaticReason: string | null,
): Promise<{ rowId: number; duplicate: boolean }> {
  // Inserting first saves a lookup for every new message. A row with the same content hash, committed or
  // inserted by a concurrent delivery, makes the insert return nothing (PostgreSQL waits for that delivery's
  // transaction first), and the stored row is then read.
  const inserted = await insertMessageRow.firstRow(
    trx,
    contentHash,
    message.messageId,
    message.inReplyTo,
    JSON.stringify(message.references),
    message.threadRoot,
    input.conversationId === undefined ? null : stripNul(input.conversationId),
    message.subject,
    message.from?.address ?? null,
    message.from?.name || null,
    JSON.stringify(message.to),
    JSON.stringify(message.cc),
    message.sentAt,
    message.textBody,
    message.htmlBody,
    JSON.stringify(message.headers),
    automaticReason === null ? 0 : 1,
    now(),
  );
  if (inserted === undefined) {
    const stored = await selectMessageIdByHash.firstRow(trx, contentHash);
    if (stored === undefined) {
      throw new Error(`Message with content hash ${contentHash} was neither inserted nor found.`);
    }
    return { rowId: stored.id, duplicate: true };
  }

  if (message.attachments.length > 0) {
    await trx
      .insertInto('attachments')
      .values(
        message.attachments.map((attachment) => ({
          message_id: inserted.id,
          filename: attachment.filename,
          content_type: attachment.contentType,
          size: attachment.size,
          content_hash: attachment.contentHash,
        })),
      )
      .execute();
  }
  return { rowId: inserted.id, duplicate: false };
}

function publishEvents(events: MailEventSink | undefined, result: IngestResult, hasAttachments: boolean): void {
  if (events === undefined) {
    return;
  }
  const origin = `message:${result.messageRowId}`;
  for (const item of result.createdItems) {
    events.emit('work-item', {
      workItemId: item.id,
      reference: item.reference,
      teamId: item.teamId,
      type: item.type,
      origin,
    });
  }
  for (const link of result.createdLinks) {
    events.emit('link', link);
  }
  for (const route of result.newRoutes) {
    events.emit('message', {
      workItemId: route.workItemId,
      reference: route.reference,
      teamId: route.teamId,
      messageId: result.messageRowId,
      hasAttachments,
    });
  }
  for (const change of result.statusChanges) {
    events.emit('work-item-status', { ...change, origin });
  }
}

/** A parsed message ready for its storage transaction. */
interface StorageJob {
  input: IngestInput;
  contentHash: string;
  message: ParsedMessage;
  automaticReason: string | null;
}

/** Stores and routes one parsed message inside the open transaction `trx`, with `directory` read before it. */
async function storeAndRoute(trx: Executor, job: StorageJob, directory: DirectorySnapshot): Promise<IngestResult> {
  const { input, message, automaticReason } = job;
  // A copy with other trace headers, or rebuilt by Exchange, is the message already stored: its bytes are not kept.
  const copy = await findStoredCopy(trx, message);
  let stored: { rowId: number; duplicate: boolean };
  let contentHash = job.contentHash;
  if (copy === undefined) {
    await insertMimeBlob.execute(trx, contentHash, input.raw.length, input.raw, now());
    stored = await storeMessage(trx, contentHash, message, input, automaticReason);
  } else {
    stored = { rowId: copy.rowId, duplicate: true };
    contentHash = copy.contentHash;
  }
  const { rowId, duplicate } = stored;
  const routing = await routeMessage(trx, {
    messageRowId: rowId,
    message,
    envelopeRecipients: input.envelopeRecipients,
    conversationId: input.conversationId ?? null,
    automaticReason,
    directory,
    firstDelivery: !duplicate,
  });

  if (input.conversationId !== undefined) {
    await recordConversation(
      trx,
      stripNul(input.conversationId),
      routing.newRoutes.map((route) => route.workItemId),
      input.source,
    );
  }

  return { messageRowId: rowId, contentHash, messageId: message.messageId, duplicate, ...routing };
}

/** Hashes and parses one inbound message, outside any transaction. */
async function prepareJob(input: IngestInput): Promise<StorageJob> {
  // NOTE: parsing runs on the main thread, so a 35 MB or pathological message delays HTTP requests and other SMTP
  // sessions while it is parsed. Parsing in worker threads costs more CPU in total (each worker has its own heap
  // and JIT) and gave no throughput gain in the 8-connection ingest bench on a 2-core machine.
  const message = await parseMessage(input.raw);
  return {
    input,
    contentHash: contentHashOf(input.raw),
    message,
    automaticReason: detectAutomaticMessage(message.headers, input.envelopeSender),
  };
}

type IngestCommitter = GroupCommitter<StorageJob, IngestResult, DirectorySnapshot>;

// One committer per SQLite database handle, because all its messages share its one connection.
const committers = new WeakMap<DatabaseHandle['db'], IngestCommitter>();

function groupCommitterOf(database: DatabaseHandle): IngestCommitter {
  let committer = committers.get(database.db);
  if (committer === undefined) {
    // The directory is read once per shared transaction, just before it and outside it, where the cache applies.
    const db = database.db;
    committer = new GroupCommitter(db, storeAndRoute, () => getDirectory(db));
    committers.set(db, committer);
  }
  return committer;
}

/**
 * Stores one inbound message and routes it, in one transaction: the raw
 * MIME once per SHA-256 (a re-delivery of the same bytes reuses it), the
 * parsed message, its attachments and its routes. When the transaction
 * fails nothing is kept, so the sender can retry. Events are published on
 * `events` only after the commit: `work-item` per created work item, `link`
 * per created link, `message` per new route and `work-item-status` per work
 * item moved from `waiting` back to `todo`.
 *
 * On SQLite, messages that become ready while another message's transaction
 * runs, or while other messages are still being parsed, share the next
 * transaction (see `GroupCommitter`), each still undone alone when its own
 * storage fails. SQLite runs one write transaction at a
 * time, so sharing one costs no concurrency and saves a commit per message.
 * PostgreSQL runs concurrent transactions, and there each message keeps its own.
 */
export async function ingestMessage(
  database: DatabaseHandle,
  input: IngestInput,
  events?: MailEventSink,
): Promise<IngestResult> {
  const preparation = prepareJob(input);
  let result: IngestResult;
  if (database.dialect === 'sqlite') {
    result = await groupCommitterOf(database).submitWhenReady(preparation);
  } else {
    const job = await preparation;
    // Read outside the transaction, where the cache applies. Inside it, every message would reload all mailboxes.
    const directory = await getDirectory(database.db);
    result = await database.db.transaction().execute(async (trx) => {
      if (job.message.messageId !== null) {
        // Concurrent deliveries of one message with different bytes would each miss the other's row in findStoredCopy.
        await sql`select pg_advisory_xact_lock(hashtextextended(${job.message.messageId}, 0))`.execute(trx);
      }
      return storeAndRoute(trx, job, directory);
    });
  }

  const { message } = await preparation;
  publishEvents(events, result, message.attachments.length > 0);
  return result;
}
