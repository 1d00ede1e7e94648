import type { Executor } from './repositories/executor.js';

export type WorkItemView = 'full' | 'header';

/** The part of the caller that permissions depend on. */
export interface ViewingAgent {
  teamIds: readonly number[];
}

/**
 * Decides how much of a work item `agent` may see: `full` for members of the
 * owning team, `header` when one of the agent's teams owns a work item linked
 * to it, and null otherwise, which routes answer with 404 so that the item's
 * existence stays hidden. Admin rights do not widen this.
 */
export async function workItemView(
  db: Executor,
  agent: ViewingAgent,
  workItemId: number,
): Promise<WorkItemView | null> {
  if (agent.teamIds.length === 0) {
    return null;
  }
  const item = await db.selectFrom('work_items').select('team_id').where('id', '=', workItemId).executeTakeFirst();
  if (item === undefined) {
    return null;
  }
  if (agent.teamIds.includes(item.team_id)) {
    return 'full';
  }

  // A link is stored once as (low, high), so the other item may be on either side.
  const linkedOwnItem = await db
    .selectFrom('work_item_links')
    .innerJoin('work_items as other', (join) =>
      join.on((eb) =>
        eb.or([
          eb.and([
            eb('work_item_links.item_low_id', '=', workItemId),
            eb('other.id', '=', eb.ref('work_item_links.item_high_id')),
          ]),
          eb.and([
            eb('work_item_links.item_high_id', '=', workItemId),
            eb('other.id', '=', eb.ref('work_item_links.item_low_id')),
          ]),
        ]),
      ),
    )
    .where('other.team_id', 'in', [...agent.teamIds])
    .select('other.id')
    .limit(1)
    .executeTakeFirst();
  return linkedOwnItem === undefined ? null : 'header';
}
