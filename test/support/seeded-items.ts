import type { Executor } from '../../src/server/repositories/executor.js';

/** A work item of the demo seed, as tests address it. */
export interface SeededItem {
  id: number;
  reference: string;
  teamId: number;
}

/** Finds the seeded work item with `title`; throws when there is none. */
export async function seededItem(db: Executor, title: string): Promise<SeededItem> {
  const row = await db
    .selectFrom('work_items')
    .select(['id', 'reference', 'team_id'])
    .where('title', '=', title)
    .executeTakeFirstOrThrow();
  return { id: row.id, reference: row.reference, teamId: row.team_id };
}
