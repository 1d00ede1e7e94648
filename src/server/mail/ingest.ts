import type { DatabaseHandle } from '../db/database.js';
import type { Executor } from '../repositories/executor.js';
import { now } from '../repositories/executor.js';
import { detectAutomaticMessage } from './automatic-message.js';
import { contentHashOf, parseMessage, stripNul } from './parse-message.js';
import type { ParsedMessage } from './parse-message.js';
import { getDirectory } from '../repositories/directory-cache.js';
import type { DirectorySnapshot } from '../repositories/directory-cache.js';
import { GroupCommitter } from './group-commit.js';
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
  unroutedReason: string | null;
}

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
  const inserted = await trx
    .insertInto('messages')
    .values({
      content_hash: contentHash,
      message_id: message.messageId,
      in_reply_to: message.inReplyTo,
      references: JSON.stringify(message.references),
      thread_root: message.threadRoot,
      conversation_id: input.conversationId === undefined ? null : stripNul(input.conversationId),
      subject: message.subject,
      from_address: message.from?.address ?? null,
      from_name: message.from?.name || null,
      to_list: JSON.stringify(message.to),
      cc_list: JSON.stringify(message.cc),
      sent_at: message.sentAt,
      text_body: message.textBody,
      html_body: message.htmlBody,
      headers: JSON.stringify(message.headers),
      is_automatic: automaticReason === null ? 0 : 1,
      received_at: now(),
    })
    .onConflict((conflict) => conflict.column('content_hash').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted === undefined) {
    const stored = await trx
      .selectFrom('messages')
      .select('id')
      .where('content_hash', '=', contentHash)
      .executeTakeFirstOrThrow();
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
}

/** A parsed message ready for its storage transaction. */
interface StorageJob {
  input: IngestInput;
  contentHash: string;
  message: ParsedMessage;
  automaticReason: string | null;
  directory: DirectorySnapshot;
}

/** Stores and routes one parsed message inside the open transaction `trx`. */
async function storeAndRoute(trx: Executor, job: StorageJob): Promise<IngestResult> {
  const { input, contentHash, message, automaticReason, directory } = job;
  await trx
    .insertInto('mime_blobs')
    .values({ content_hash: contentHash, size: input.raw.length, content: input.raw, created_at: now() })
    .onConflict((conflict) => conflict.column('content_hash').doNothing())
    .execute();

  const { rowId, duplicate } = await storeMessage(trx, contentHash, message, input, automaticReason);
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
    for (const route of routing.newRoutes) {
      await trx
        .insertInto('conversations')
        .values({
          conversation_id: stripNul(input.conversationId),
          work_item_id: route.workItemId,
          source: input.source,
          created_at: now(),
        })
        .onConflict((conflict) => conflict.columns(['conversation_id', 'work_item_id']).doNothing())
        .execute();
    }
  }

  return { messageRowId: rowId, contentHash, messageId: message.messageId, duplicate, ...routing };
}

// One committer per SQLite database handle, because all its messages share its one connection.
const committers = new WeakMap<DatabaseHandle['db'], GroupCommitter<StorageJob, IngestResult>>();

function groupCommitterOf(database: DatabaseHandle): GroupCommitter<StorageJob, IngestResult> {
  let committer = committers.get(database.db);
  if (committer === undefined) {
    committer = new GroupCommitter(database.db, storeAndRoute);
    committers.set(database.db, committer);
  }
  return committer;
}

/**
 * Stores one inbound message and routes it, in one transaction: the raw
 * MIME once per SHA-256 (a re-delivery of the same bytes reuses it), the
 * parsed message, its attachments and its routes. When the transaction
 * fails nothing is kept, so the sender can retry. Events are published on
 * `events` only after the commit: `work-item` per created work item, `link`
 * per created link and `message` per new route.
 *
 * On SQLite, messages that become ready while another message's transaction
 * runs share the next transaction (see `GroupCommitter`), each still undone
 * alone when its own storage fails. SQLite runs one write transaction at a
 * time, so sharing one costs no concurrency and saves a commit per message.
 * PostgreSQL runs concurrent transactions, and there each message keeps its own.
 */
export async function ingestMessage(
  database: DatabaseHandle,
  input: IngestInput,
  events?: MailEventSink,
): Promise<IngestResult> {
  const contentHash = contentHashOf(input.raw);
  const message = await parseMessage(input.raw);
  const automaticReason = detectAutomaticMessage(message.headers, input.envelopeSender);
  // Read outside the transaction, where the cache applies: inside it every message reloaded all mailboxes.
  const directory = await getDirectory(database.db);
  const job: StorageJob = { input, contentHash, message, automaticReason, directory };

  const result =
    database.dialect === 'sqlite'
      ? await groupCommitterOf(database).submit(job)
      : await database.db.transaction().execute((trx) => storeAndRoute(trx, job));

  publishEvents(events, result, message.attachments.length > 0);
  return result;
}
