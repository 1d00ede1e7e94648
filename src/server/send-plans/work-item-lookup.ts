import { ReusableQuery } from '../db/reusable-query.js';
import type { Executor } from '../repositories/executor.js';
import { findWorkItemsByIds } from '../repositories/work-items.js';
import type { WorkItemRecord } from '../repositories/work-items.js';
import type { PlanAgent } from './plan-record.js';

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

const selectAgentViews = new ReusableQuery(2, (db, conversationId: string, agentId: number) =>
  db
    .selectFrom('conversation_views')
    .select(['work_item_id', 'seen_at'])
    .where('conversation_id', '=', conversationId)
    .where('agent_id', '=', agentId),
);

/** Picks the item with the latest time in `seenAt`; the higher id breaks a tie. Undefined when none has a time. */
function latestSeen(items: WorkItemRecord[], seenAt: Map<number, string>): WorkItemRecord | undefined {
  let found: { item: WorkItemRecord; time: string } | undefined;
  for (const item of items) {
    const time = seenAt.get(item.id);
    if (
      time !== undefined &&
      (found === undefined || time > found.time || (time === found.time && item.id > found.item.id))
    ) {
      found = { item, time };
    }
  }
  return found?.item;
}

/**
 * Finds the work item of one of the agent's teams that an Outlook `conversationId`
 * belongs to, or undefined. One conversation can hold several work items of a
 * team, for example two requests with the same subject. Then the item whose
 * reference `subjectReferences` names wins, else the item the agent itself last
 * opened or answered in the conversation, else the item the conversation was
 * last seen for by anyone (opened in the pane, answered, or synced).
 */
export async function findWorkItemByConversation(
  db: Executor,
  conversationId: string,
  agent: PlanAgent,
  subjectReferences: readonly string[] = [],
): Promise<WorkItemRecord | undefined> {
  if (agent.teamIds.length === 0) {
    return undefined;
  }
  // Primary-key lookups, because on SQLite the join with its ORDER BY cost several times
  // as much, even for an unknown conversation, which is the common case.
  const records = await selectConversationRecords.rows(db, conversationId);
  if (records.length === 0) {
    return undefined;
  }

  const items = await findWorkItemsByIds(
    db,
    records.map((record) => record.work_item_id),
  );
  const candidates = records
    .map((record) => items.get(record.work_item_id))
    .filter((item): item is WorkItemRecord => item !== undefined && agent.teamIds.includes(item.teamId));
  const named = candidates.find((item) => subjectReferences.includes(item.reference));
  if (named !== undefined || candidates.length < 2) {
    return named ?? candidates[0];
  }

  const views = await selectAgentViews.rows(db, conversationId, agent.id);
  const own = latestSeen(candidates, new Map(views.map((view) => [view.work_item_id, view.seen_at])));
  return own ?? latestSeen(candidates, new Map(records.map((record) => [record.work_item_id, record.last_seen_at])));
}
