import type { WorkItemStatus, WorkItemType } from '../../core/api-types.js';
import type { Executor } from '../repositories/executor.js';

/** The columns of a work item that send plans read. */
export interface WorkItemRow {
  id: number;
  reference: string;
  type: WorkItemType;
  teamId: number;
  title: string;
  status: WorkItemStatus;
  requester: string | null;
}

function selectWorkItems(db: Executor) {
  return db
    .selectFrom('work_items')
    .select([
      'work_items.id as id',
      'work_items.reference as reference',
      'work_items.type as type',
      'work_items.team_id as teamId',
      'work_items.title as title',
      'work_items.status as status',
      'work_items.requester as requester',
    ]);
}

/** Finds work items by upper-case reference; returns a map keyed by reference. */
export async function findWorkItemsByReference(db: Executor, references: string[]): Promise<Map<string, WorkItemRow>> {
  const unique = [...new Set(references)];
  const found = new Map<string, WorkItemRow>();
  if (unique.length === 0) {
    return found;
  }
  const rows = await selectWorkItems(db).where('work_items.reference', 'in', unique).execute();
  for (const row of rows) {
    found.set(row.reference, row);
  }
  return found;
}

export async function findWorkItemById(db: Executor, id: number): Promise<WorkItemRow | undefined> {
  return selectWorkItems(db).where('work_items.id', '=', id).executeTakeFirst();
}

/**
 * Lists the work items linked to `workItemId`, oldest link first. Links are
 * stored once as (low, high), so both columns are searched.
 */
export async function findLinkedWorkItems(db: Executor, workItemId: number): Promise<WorkItemRow[]> {
  const low = await selectWorkItems(db)
    .innerJoin('work_item_links', 'work_item_links.item_high_id', 'work_items.id')
    .select('work_item_links.created_at as linkedAt')
    .where('work_item_links.item_low_id', '=', workItemId)
    .execute();
  const high = await selectWorkItems(db)
    .innerJoin('work_item_links', 'work_item_links.item_low_id', 'work_items.id')
    .select('work_item_links.created_at as linkedAt')
    .where('work_item_links.item_high_id', '=', workItemId)
    .execute();

  const all = [...low, ...high];
  all.sort((a, b) => {
    if (a.linkedAt !== b.linkedAt) {
      return a.linkedAt < b.linkedAt ? -1 : 1;
    }
    return a.id - b.id;
  });
  return all.map(({ linkedAt: _linkedAt, ...item }) => item);
}

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
): Promise<WorkItemRow | undefined> {
  if (teamIds.length === 0) {
    return undefined;
  }
  return selectWorkItems(db)
    .innerJoin('conversations', 'conversations.work_item_id', 'work_items.id')
    .where('conversations.conversation_id', '=', conversationId)
    .where('work_items.team_id', 'in', teamIds)
    .orderBy('conversations.created_at', 'desc')
    .orderBy('work_items.id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
