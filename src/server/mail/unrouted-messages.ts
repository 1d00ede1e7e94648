import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { WorklinkError } from '../errors.js';
import { recordAudit } from '../repositories/audit.js';
import { now } from '../repositories/executor.js';
import type { Executor } from '../repositories/executor.js';
import { bareMessageId } from '../repositories/messages.js';
import { findWorkItemByReference, normalizeReference } from '../repositories/work-items.js';
import type { MailEventSink } from './ingest.js';

export interface UnroutedAction {
  /** `messages.id` of the message. */
  messageRowId: number;
  messageId: string | null;
  state: 'routed' | 'dismissed';
  /** The work item a routed message went to. */
  reference?: string;
}

/**
 * Polish participle of an unrouted message's state. The state read before the claim can still be
 * `open` when another request closed the message in between, and then the text states only that
 * the message was handled.
 */
function polishUnroutedState(state: string): string {
  if (state === 'routed') {
    return 'przypisana do zgłoszenia';
  }
  if (state === 'dismissed') {
    return 'odrzucona';
  }
  return 'obsłużona';
}

/**
 * Finds the open unrouted message that `key` names: `messages.id` when it is
 * all digits, else its Message-ID with or without angle brackets (the
 * newest, when several messages share one). Throws
 * `WORKLINK_UNROUTED_NOT_FOUND` when there is none.
 */
async function claimUnrouted(
  db: Executor,
  key: string,
  state: 'routed' | 'dismissed',
): Promise<{ id: number; messageId: string | null }> {
  let query = db
    .selectFrom('unrouted_messages')
    .innerJoin('messages', 'messages.id', 'unrouted_messages.message_id')
    .select(['messages.id', 'messages.message_id', 'unrouted_messages.state']);
  query = /^[0-9]{1,15}$/.test(key)
    ? query.where('messages.id', '=', Number(key))
    : query.where('messages.message_id', '=', bareMessageId(key));
  const rows = await query.orderBy('messages.id', 'desc').execute();
  const row = rows.find((candidate) => candidate.state === 'open') ?? rows[0];
  if (row === undefined) {
    throw new WorklinkError('WORKLINK_UNROUTED_NOT_FOUND', {
      en: `No unrouted message "${key}" exists: use the id or messageId that GET /api/v1/admin/unrouted lists.`,
      pl: `Na liście poczty bez dopasowania nie ma wiadomości "${key}": użyj wartości id albo messageId, które podaje GET /api/v1/admin/unrouted.`,
    });
  }

  // The conditional update claims the message, so two admins acting at once cannot both route it.
  const claimed = await db
    .updateTable('unrouted_messages')
    .set({ state })
    .where('message_id', '=', row.id)
    .where('state', '=', 'open')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) {
    throw new WorklinkError('WORKLINK_UNROUTED_NOT_OPEN', {
      en: `Unrouted message "${key}" was already ${row.state}: reload the list of unrouted messages.`,
      pl: `Wiadomość "${key}" z listy poczty bez dopasowania została już ${polishUnroutedState(row.state)}: wczytaj ponownie listę poczty bez dopasowania.`,
    });
  }
  return { id: row.id, messageId: row.message_id };
}

/**
 * Attaches an unrouted message to the work item `reference` by hand (rule
 * `manual`) and closes it in the unrouted list. Throws
 * `WORKLINK_INVALID_REFERENCE`, `WORKLINK_WORK_ITEM_NOT_FOUND`,
 * `WORKLINK_UNROUTED_NOT_FOUND` or `WORKLINK_UNROUTED_NOT_OPEN`, and then
 * changes nothing. Publishes the `message` event after the commit.
 */
export async function routeUnroutedMessage(
  db: Kysely<Database>,
  request: { key: string; reference: string; actorAgentId: number },
  events?: MailEventSink,
): Promise<UnroutedAction> {
  const reference = normalizeReference(request.reference);
  if (reference === undefined) {
    throw new WorklinkError('WORKLINK_INVALID_REFERENCE', {
      en: `"${request.reference}" is not a work item reference: write it as 101203-T, 10040-C or 10040-C-A1.`,
      pl: `"${request.reference}" nie jest numerem zgłoszenia: wpisz go w postaci 101203-T, 10040-C albo 10040-C-A1.`,
    });
  }

  const result = await db.transaction().execute(async (trx) => {
    const item = await findWorkItemByReference(trx, reference);
    if (item === undefined) {
      throw new WorklinkError('WORKLINK_WORK_ITEM_NOT_FOUND', {
        en: `No work item ${reference} exists: check the reference or create the work item first.`,
        pl: `Zgłoszenie ${reference} nie istnieje: sprawdź numer albo najpierw utwórz to zgłoszenie.`,
      });
    }
    const message = await claimUnrouted(trx, request.key, 'routed');
    const attachments = await trx
      .selectFrom('attachments')
      .select('id')
      .where('message_id', '=', message.id)
      .executeTakeFirst();

    await trx
      .insertInto('message_routes')
      .values({ message_id: message.id, work_item_id: item.id, mailbox_id: null, rule: 'manual', created_at: now() })
      .onConflict((conflict) => conflict.columns(['message_id', 'work_item_id']).doNothing())
      .execute();
    await trx.updateTable('work_items').set({ updated_at: now() }).where('id', '=', item.id).execute();
    await recordAudit(trx, {
      actorAgentId: request.actorAgentId,
      action: 'unrouted.route',
      subjectType: 'message',
      subjectId: String(message.id),
      detail: { reference, messageId: message.messageId },
    });
    return { message, item, hasAttachments: attachments !== undefined };
  });

  events?.emit('message', {
    workItemId: result.item.id,
    reference: result.item.reference,
    teamId: result.item.teamId,
    messageId: result.message.id,
    hasAttachments: result.hasAttachments,
  });
  return {
    messageRowId: result.message.id,
    messageId: result.message.messageId,
    state: 'routed',
    reference: result.item.reference,
  };
}

/** Closes an unrouted message without attaching it anywhere; throws like `routeUnroutedMessage`. */
export async function dismissUnroutedMessage(
  db: Kysely<Database>,
  request: { key: string; actorAgentId: number },
): Promise<UnroutedAction> {
  const message = await db.transaction().execute(async (trx) => {
    const claimed = await claimUnrouted(trx, request.key, 'dismissed');
    await recordAudit(trx, {
      actorAgentId: request.actorAgentId,
      action: 'unrouted.dismiss',
      subjectType: 'message',
      subjectId: String(claimed.id),
      detail: { messageId: claimed.messageId },
    });
    return claimed;
  });
  return { messageRowId: message.id, messageId: message.messageId, state: 'dismissed' };
}
