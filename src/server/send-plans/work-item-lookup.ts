import { ReusableQuery } from '../db/reusable-query.js';
import type { Executor } from '../repositories/executor.js';
import { findWorkItemsByIds } from '../repositories/work-items.js';
import type { WorkItemRecord } from '../repositories/work-items.js';

// Send plans read work items through `repositories/work-items.ts`. The two queries
// here are the ones that only send plans need, so the repository does not offer them.

/** Tells whether two work items are linked, in either direction. */
export async function areLinked(db: Executor, aId: number, bId: number): Promise<boolean> {
  const row = await db
    .selectFrom('work_item_links')
    .select('origin')
    .where('item_low_id', '=', Math.min(aId, bId))
    .where('item_high_id', '=', Math.max(aId, bId))
    .executeTakeFirst();
  return row !== undefined;
}

// Run for every send plan with a conversation id, so it skips Kysely's query building.
const selectConversationRecords = new ReusableQuery(1, (db, conversationId: string) =>
  db.selectFrom('conversations').select(['work_item_id', 'last_seen_at']).where('conversation_id', '=', conversationId),
);

/**
 * Finds the work item of one of `teamIds` that an Outlook `conversationId`
 * belongs to, or undefined. One conversation can hold several work items of a
 * team, for example two requests with the same subject. Then the item whose
 * reference `subjectReferences` names wins, else the item the conversation
 * was last seen for (opened in the pane, answered, or synced), else the newer item.
 */
export async function findWorkItemByConversation(
  db: Executor,
  conversationId: string,
  teamIds: number[],
  subjectReferences: readonly string[] = [],
): Promise<WorkItemRecord | undefined> {
  if (teamIds.length === 0) {
    return undefined;
  }
  // Two primary-key lookups, because on SQLite the join with its ORDER BY cost several times
  // as much, even for an unknown conversation, which is the common case.
  const records = await selectConversationRecords.rows(db, conversationId);
  if (records.length === 0) {
    return undefined;
  }

  const items = await findWorkItemsByIds(
    db,
    records.map((record) => record.work_item_id),
  );
  let found: { item: WorkItemRecord; seenAt: string } | undefined;
  for (const record of records) {
    const item = items.get(record.work_item_id);
    if (item === undefined || !teamIds.includes(item.teamId)) {
      continue;
    }
    if (subjectReferences.includes(item.reference)) {
      return item;
    }
    if (
      found === undefined ||
      record.last_seen_at > found.seenAt ||
      (record.last_seen_at === found.seenAt && item.id > found.item.id)
    ) {
      found = { item, seenAt: record.last_seen_at };
    }
  }
  return found?.item;
}
