import { findReferencesInSubject } from '../../core/reference.js';
import { ReusableQuery } from '../db/reusable-query.js';
import { splitPlusAddress } from '../../core/plus-address.js';
import type { MailboxEntry } from '../repositories/mailboxes.js';
import { findMailboxByAddress } from '../repositories/mailboxes.js';
import { findWorkItemByReference, normalizeReference } from '../repositories/work-items.js';
import type { WorkItemRecord } from '../repositories/work-items.js';
import type { Executor } from '../repositories/executor.js';
import { parseJson } from '../repositories/executor.js';

/** The inbound rule that chose a work item, as stored in `message_routes.rule`. */
export type RouteRule = 'plus' | 'plan' | 'thread' | 'subject' | 'new' | 'manual';

/** The columns of a work item that routing needs to file a message. */
export type WorkItemRow = Pick<WorkItemRecord, 'id' | 'reference' | 'teamId'>;

/** A work item that an earlier message of the same thread was routed to. */
export interface ThreadMatch extends WorkItemRow {
  /** Lower is better: 0 for In-Reply-To, then References from the newest, then thread root, then conversation. */
  rank: number;
  /** True when found through the Outlook or Graph conversation id rather than a Message-ID. */
  byConversation: boolean;
}

/**
 * Maximum number of References ids looked up, newest first. A malformed or
 * hostile header can list thousands, and the thread root still covers the
 * older part of the thread.
 */
const maxThreadIds = 100;

/** Finds the work item that a plus tag or subject reference names, or null when the text names none. */
async function findReferencedItem(db: Executor, text: string): Promise<WorkItemRow | null> {
  const reference = normalizeReference(text);
  if (reference === undefined) {
    return null;
  }
  const item = await findWorkItemByReference(db, reference);
  return item === undefined ? null : { id: item.id, reference: item.reference, teamId: item.teamId };
}

export async function matchPlusTag(db: Executor, mailbox: MailboxEntry, tags: string[]): Promise<WorkItemRow | null> {
  for (const tag of tags) {
    const item = await findReferencedItem(db, tag);
    if (item !== null && item.teamId === mailbox.teamId) {
      return item;
    }
  }
  return null;
}

interface CommittedPlanResult {
  recipients?: { emailAddress?: unknown }[];
}

/**
 * Finds, for rule 2, the work item that the committed send plan named in
 * `X-Worklink-Plan` wrote into this mailbox's plus address. Reads the
 * recipients stored in `send_plans.commit_result`, so it still works when a
 * host or a forwarder dropped the plus tag from the delivered copy.
 */
export async function matchSendPlan(
  db: Executor,
  mailbox: MailboxEntry,
  mailboxes: MailboxEntry[],
  planId: string | undefined,
  separator: string,
): Promise<WorkItemRow | null> {
  if (planId === undefined || planId === '') {
    return null;
  }
  const plan = await db
    .selectFrom('send_plans')
    .select(['commit_result'])
    .where('id', '=', planId)
    .where('state', '=', 'committed')
    .executeTakeFirst();
  const result = parseJson<CommittedPlanResult | null>(plan?.commit_result, null);
  if (result === null || !Array.isArray(result.recipients)) {
    return null;
  }

  for (const recipient of result.recipients) {
    if (typeof recipient?.emailAddress !== 'string') {
      continue;
    }
    const { base, tag } = splitPlusAddress(recipient.emailAddress, separator);
    if (tag === null || findMailboxByAddress(mailboxes, base, separator)?.id !== mailbox.id) {
      continue;
    }
    const item = await findReferencedItem(db, tag);
    if (item !== null && item.teamId === mailbox.teamId) {
      return item;
    }
  }
  return null;
}

/** Work items of the other messages with thread root `threadRoot`, newest route first. */
const selectThreadRootRoutes = new ReusableQuery(2, (db, messageRowId: number, threadRoot: string) =>
  db
    .selectFrom('messages')
    .innerJoin('message_routes', 'message_routes.message_id', 'messages.id')
    .innerJoin('work_items', 'work_items.id', 'message_routes.work_item_id')
    .select(['work_items.id', 'work_items.reference', 'work_items.team_id'])
    .where('messages.id', '!=', messageRowId)
    .where('messages.thread_root', '=', threadRoot)
    .orderBy('message_routes.created_at', 'desc'),
);

/**
 * Lists the work items, of any team, that earlier messages of this thread were routed
 * to, best match first. Rule 3 filters them by team; creation links to the
 * ones of other teams.
 */
export async function findThreadMatches(
  db: Executor,
  message: { rowId: number; inReplyTo: string | null; references: string[]; threadRoot: string | null },
  conversationId: string | null,
): Promise<ThreadMatch[]> {
  // In-Reply-To names the direct parent. References lists the thread oldest first, so the newest is nearer.
  const newestReferences = [...message.references].reverse().slice(0, maxThreadIds);
  const ids = [...new Set([message.inReplyTo, ...newestReferences].filter((id) => id !== null))];
  const matches = new Map<number, ThreadMatch>();
  const keep = (match: ThreadMatch): void => {
    const known = matches.get(match.id);
    if (known === undefined || match.rank < known.rank) {
      matches.set(match.id, match);
    }
  };

  if (ids.length === 0 && message.threadRoot !== null) {
    // A message that starts a thread names no other message, and this shape of the query does not vary.
    const rows = await selectThreadRootRoutes.rows(db, message.rowId, message.threadRoot);
    for (const row of rows) {
      keep({ id: row.id, reference: row.reference, teamId: row.team_id, rank: 0, byConversation: false });
    }
  } else if (ids.length > 0) {
    const rows = await db
      .selectFrom('messages')
      .innerJoin('message_routes', 'message_routes.message_id', 'messages.id')
      .innerJoin('work_items', 'work_items.id', 'message_routes.work_item_id')
      .select(['messages.message_id', 'work_items.id', 'work_items.reference', 'work_items.team_id'])
      .where('messages.id', '!=', message.rowId)
      .where((eb) => {
        const conditions = [eb('messages.message_id', 'in', ids)];
        if (message.threadRoot !== null) {
          conditions.push(eb('messages.thread_root', '=', message.threadRoot));
        }
        return eb.or(conditions);
      })
      .orderBy('message_routes.created_at', 'desc')
      .execute();
    for (const row of rows) {
      const position = row.message_id === null ? -1 : ids.indexOf(row.message_id);
      const rank = position >= 0 ? position : ids.length;
      keep({ id: row.id, reference: row.reference, teamId: row.team_id, rank, byConversation: false });
    }
  }

  if (conversationId !== null) {
    const rows = await db
      .selectFrom('conversations')
      .innerJoin('work_items', 'work_items.id', 'conversations.work_item_id')
      .select(['work_items.id', 'work_items.reference', 'work_items.team_id'])
      .where('conversations.conversation_id', '=', conversationId)
      .execute();
    for (const row of rows) {
      keep({ id: row.id, reference: row.reference, teamId: row.team_id, rank: ids.length + 1, byConversation: true });
    }
  }

  return [...matches.values()].sort((a, b) => a.rank - b.rank);
}

/**
 * Returns true when `sender` took part in the work item: its requester, or the
 * sender or a recipient of a message already routed to it.
 */
async function tookPart(db: Executor, workItemId: number, sender: string): Promise<boolean> {
  const item = await db.selectFrom('work_items').select('requester').where('id', '=', workItemId).executeTakeFirst();
  if (item?.requester === sender) {
    return true;
  }
  const messages = await db
    .selectFrom('message_routes')
    .innerJoin('messages', 'messages.id', 'message_routes.message_id')
    .select(['messages.from_address', 'messages.to_list', 'messages.cc_list'])
    .where('message_routes.work_item_id', '=', workItemId)
    .execute();
  return messages.some((row) => {
    if (row.from_address === sender) {
      return true;
    }
    const recipients = [
      ...parseJson<{ address?: string }[]>(row.to_list, []),
      ...parseJson<{ address?: string }[]>(row.cc_list, []),
    ];
    // Recipients are stored as written, and `sender` is lower-case.
    return recipients.some((recipient) => recipient.address?.toLowerCase() === sender);
  });
}

/**
 * Finds, for rule 4, a reference in the subject to a work item of the mailbox's team.
 * Anyone can type a reference, so it counts only when the sender is internal
 * or already took part in that work item.
 */
export async function matchSubjectReference(
  db: Executor,
  mailbox: MailboxEntry,
  subject: string,
  sender: string | null,
  senderIsInternal: boolean,
): Promise<WorkItemRow | null> {
  if (sender === null) {
    return null;
  }
  for (const reference of findReferencesInSubject(subject)) {
    const item = await findReferencedItem(db, reference);
    if (item === null || item.teamId !== mailbox.teamId) {
      continue;
    }
    if (senderIsInternal || (await tookPart(db, item.id, sender))) {
      return item;
    }
  }
  return null;
}
