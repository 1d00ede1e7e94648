import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseHandle } from '../../db/database.js';
import { WorklinkError } from '../../errors.js';
import type { MailboxEntry } from '../../repositories/mailboxes.js';
import { ingestMessage } from '../ingest.js';
import type { MailEventSink } from '../ingest.js';
import { extractMessageIds } from '../parse-message.js';
import { GraphResponseError } from './graph-client.js';
import type { GraphClient } from './graph-client.js';
import type { MailboxLease } from './mailbox-lease.js';

export interface MailboxSyncContext {
  database: DatabaseHandle;
  graph: GraphClient;
  lease: MailboxLease;
  events?: MailEventSink;
  /** Logger that already names the mailbox (masked). */
  log: FastifyBaseLogger;
  signal: AbortSignal;
}

export interface MailboxSyncResult {
  /** Messages passed to `ingestMessage` in this run. */
  ingested: number;
  /** Delta entries for messages that left the inbox, which are not ingested. */
  removed: number;
  /** Messages not downloaded because their Message-ID is already attached to a work item of the mailbox's team. */
  skipped: number;
  pages: number;
}

/**
 * Runs one delta round of a mailbox's inbox, while the caller holds its lease.
 * It starts from the saved link (or the initial delta URL) and follows
 * `@odata.nextLink` until `@odata.deltaLink`. Each page's messages are
 * ingested before the next link is saved, so a stop or crash at any point
 * resumes at the first page not fully ingested and loses no message. A page
 * may then be read twice, which stores nothing twice because ingestion is
 * idempotent per MIME content and routed Message-IDs are skipped.
 */
export async function syncMailbox(context: MailboxSyncContext, mailbox: MailboxEntry): Promise<MailboxSyncResult> {
  const { graph, lease, log, signal } = context;
  const result: MailboxSyncResult = { ingested: 0, removed: 0, skipped: 0, pages: 0 };

  const saved = await lease.readDeltaLink();
  let link = saved ?? graph.initialDeltaUrl(mailbox.address);
  let restarted = false;

  for (;;) {
    signal.throwIfAborted();
    let page;
    try {
      page = await graph.getDeltaPage(link);
    } catch (error) {
      // 410 Gone means Graph dropped the sync state behind the link, and a rejected saved link was made under
      // another WORKLINK_GRAPH_BASE_URL. A new round from the start re-reads the inbox, and ingestion adds no
      // route for messages stored before.
      const expired = error instanceof GraphResponseError && error.status === 410;
      const foreign = error instanceof WorklinkError && error.code === 'WORKLINK_GRAPH_LINK_REJECTED' && link === saved;
      if ((expired || foreign) && !restarted) {
        log.warn(
          { reason: expired ? 'expired' : 'foreign link' },
          'graph sync state unusable, restarting the delta round',
        );
        await lease.saveDeltaLink(null);
        link = graph.initialDeltaUrl(mailbox.address);
        restarted = true;
        continue;
      }
      throw error;
    }
    result.pages += 1;

    for (const entry of page.value) {
      if (entry['@removed'] !== undefined) {
        result.removed += 1;
        continue;
      }
      signal.throwIfAborted();
      // One conditional update per message: cheap next to the MIME download, and it stops this instance
      // before it ingests anything once another instance has taken over an expired lease.
      await lease.renew();
      if (await isRoutedToTeam(context.database, entry.internetMessageId, mailbox.teamId)) {
        result.skipped += 1;
        continue;
      }
      const raw = await graph.getMime(mailbox.address, entry.id);
      await ingestMessage(
        context.database,
        {
          raw,
          envelopeRecipients: [mailbox.address],
          source: 'graph',
          ...(typeof entry.conversationId === 'string' ? { conversationId: entry.conversationId } : {}),
        },
        context.events,
      );
      result.ingested += 1;
    }

    const next = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
    if (next === undefined) {
      throw new WorklinkError('WORKLINK_GRAPH_REQUEST_FAILED', {
        en: 'Graph returned a delta page with neither @odata.nextLink nor @odata.deltaLink: check WORKLINK_GRAPH_BASE_URL.',
        pl: 'Graph zwrócił stronę delta bez @odata.nextLink i bez @odata.deltaLink: sprawdź WORKLINK_GRAPH_BASE_URL.',
      });
    }
    await lease.saveDeltaLink(next);
    if (page['@odata.nextLink'] === undefined) {
      return result;
    }
    link = next;
  }
}

/**
 * Checks whether a message with this Message-ID is attached to a work item of
 * `teamId`. Delta rounds report a message again when it is read or flagged,
 * and each mailbox that received a message has its own copy, whose MIME may
 * differ in transport headers and so in content hash. Skipping those keeps
 * one message row and one download. A new message that reuses a routed
 * Message-ID is skipped as well.
 */
async function isRoutedToTeam(
  database: DatabaseHandle,
  internetMessageId: string | undefined,
  teamId: number,
): Promise<boolean> {
  const messageId = internetMessageId === undefined ? undefined : extractMessageIds(internetMessageId)[0];
  if (messageId === undefined) {
    return false;
  }
  const row = await database.db
    .selectFrom('messages')
    .innerJoin('message_routes', 'message_routes.message_id', 'messages.id')
    .innerJoin('work_items', 'work_items.id', 'message_routes.work_item_id')
    .select('messages.id')
    .where('messages.message_id', '=', messageId)
    .where('work_items.team_id', '=', teamId)
    .executeTakeFirst();
  return row !== undefined;
}
