import type { Executor } from './repositories/executor.js';
import { selectLinksWithTeams } from './repositories/work-items.js';

export type WorkItemView = 'full' | 'header';

/** The part of the caller that permissions depend on. */
export interface ViewingAgent {
  teamIds: readonly number[];
}

/**
 * Decides how much of a work item `agent` may see: `full` for members of the
 * owning team, `header` when one of the agent's teams owns a work item linked
 * to it, and null otherwise, which routes turn into 404 so that the item's
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

/**
 * Batch form of `workItemView`: the view `agent` has of each of `workItemIds`.
 * Items the agent may not see are absent from the map.
 */
export async function workItemViews(
  db: Executor,
  agent: ViewingAgent,
  workItemIds: readonly number[],
): Promise<Map<number, WorkItemView>> {
  const views = new Map<number, WorkItemView>();
  if (agent.teamIds.length === 0 || workItemIds.length === 0) {
    return views;
  }
  const ids = [...new Set(workItemIds)];
  const teamIds = [...agent.teamIds];

  const owned = await db
    .selectFrom('work_items')
    .select('id')
    .where('id', 'in', ids)
    .where('team_id', 'in', teamIds)
    .execute();
  for (const row of owned) {
    views.set(row.id, 'full');
  }

  const rest = ids.filter((id) => !views.has(id));
  if (rest.length === 0) {
    return views;
  }
  const links = await selectLinksWithTeams(db)
    .where((eb) =>
      eb.or([
        eb.and([eb('work_item_links.item_low_id', 'in', rest), eb('high.team_id', 'in', teamIds)]),
        eb.and([eb('work_item_links.item_high_id', 'in', rest), eb('low.team_id', 'in', teamIds)]),
      ]),
    )
    .execute();
  for (const link of links) {
    if (rest.includes(link.item_low_id) && teamIds.includes(link.high_team)) {
      views.set(link.item_low_id, 'header');
    }
    if (rest.includes(link.item_high_id) && teamIds.includes(link.low_team)) {
      views.set(link.item_high_id, 'header');
    }
  }
  return views;
}

/**
 * Ids of the work items `agent` may see, newest first, at most `limit`: those
 * of the agent's teams and those linked to them. With `teamId`, only that
 * team's items.
 */
export async function listVisibleWorkItemIds(
  db: Executor,
  agent: ViewingAgent,
  options: { teamId?: number; limit: number },
): Promise<number[]> {
  if (agent.teamIds.length === 0) {
    return [];
  }
  const teamIds = [...agent.teamIds];

  let owned = db.selectFrom('work_items').select('id').where('team_id', 'in', teamIds);
  if (options.teamId !== undefined) {
    owned = owned.where('team_id', '=', options.teamId);
  }
  const ownedRows = await owned.orderBy('id', 'desc').limit(options.limit).execute();

  // Items of other teams that share a link with an item of the agent's teams.
  let linked = db
    .selectFrom('work_items as other')
    .innerJoin('work_item_links', (join) =>
      join.on((eb) =>
        eb.or([
          eb('work_item_links.item_low_id', '=', eb.ref('other.id')),
          eb('work_item_links.item_high_id', '=', eb.ref('other.id')),
        ]),
      ),
    )
    .innerJoin('work_items as own', (join) =>
      join.on((eb) =>
        eb.and([
          eb('own.id', '<>', eb.ref('other.id')),
          eb.or([
            eb('work_item_links.item_low_id', '=', eb.ref('own.id')),
            eb('work_item_links.item_high_id', '=', eb.ref('own.id')),
          ]),
        ]),
      ),
    )
    .select('other.id')
    .distinct()
    .where('own.team_id', 'in', teamIds)
    .where('other.team_id', 'not in', teamIds);
  if (options.teamId !== undefined) {
    linked = linked.where('other.team_id', '=', options.teamId);
  }
  const linkedRows = await linked.orderBy('other.id', 'desc').limit(options.limit).execute();

  return [...new Set([...ownedRows, ...linkedRows].map((row) => row.id))].sort((a, b) => b - a).slice(0, options.limit);
}
