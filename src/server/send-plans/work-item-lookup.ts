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
  db.selectFrom('conversations').select(['work_item_id', 'created_at']).where('conversation_id', '=', conversationId),
);

/**
 * Finds the work item of one of `teamIds` that an Outlook `conversationId`
 * was last recorded for, or undefined.
 */
export async function findWorkItemByConversation(
  db: Executor,
  conversationId: string,
  teamIds: number[],
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
  let found: { item: WorkItemRecord; recordedAt: string } | undefined;
  for (const record of records) {
    const item = items.get(record.work_item_id);
    if (item === undefined || !teamIds.includes(item.teamId)) {
      continue;
    }
    // The latest record wins, and the higher work item id breaks a tie.
    if (
      found === undefined ||
      record.created_at > found.recordedAt ||
      (record.created_at === found.recordedAt && item.id > found.item.id)
    ) {
      found = { item, recordedAt: record.created_at };
    }
  }
  return found?.item;
}
