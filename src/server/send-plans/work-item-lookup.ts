import type { Executor } from '../repositories/executor.js';
import { toWorkItemRecord } from '../repositories/work-items.js';
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
  const row = await db
    .selectFrom('work_items')
    .innerJoin('conversations', 'conversations.work_item_id', 'work_items.id')
    .selectAll('work_items')
    .where('conversations.conversation_id', '=', conversationId)
    .where('work_items.team_id', 'in', teamIds)
    .orderBy('conversations.created_at', 'desc')
    .orderBy('work_items.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toWorkItemRecord(row);
}
