import type { WorkItemStatus, WorkItemType } from '../../core/api-types.js';
import { ReusableQuery } from '../db/reusable-query.js';
import { WorklinkError } from '../errors.js';
import { now, parseJson } from './executor.js';
import type { Executor } from './executor.js';

export interface WorkItemRecord {
  id: number;
  reference: string;
  type: WorkItemType;
  teamId: number;
  title: string;
  status: WorkItemStatus;
  requester: string | null;
  parentId: number | null;
  fields: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface NewWorkItem {
  teamId: number;
  type: WorkItemType;
  title: string;
  requester?: string | null;
  /** The case an action belongs to; required for actions and ignored otherwise. */
  parentId?: number | null;
  fields?: Record<string, string>;
}

const referencePattern = /^(\d{5,}-C-A[1-9]\d*|\d{6,}-T|\d{5,}-C)$/;

/** Returns the upper-case reference, or undefined when `text` is not a reference. */
export function normalizeReference(text: string): string | undefined {
  const upper = text.trim().toUpperCase();
  return referencePattern.test(upper) ? upper : undefined;
}

type WorkItemRow = {
  id: number;
  reference: string;
  type: WorkItemType;
  team_id: number;
  title: string;
  status: WorkItemStatus;
  requester: string | null;
  parent_id: number | null;
  fields: string;
  created_at: string;
  updated_at: string;
};

/** Maps a `work_items` row to the record that callers use. */
export function toWorkItemRecord(row: WorkItemRow): WorkItemRecord {
  return {
    id: row.id,
    reference: row.reference,
    type: row.type,
    teamId: row.team_id,
    title: row.title,
    status: row.status,
    requester: row.requester,
    parentId: row.parent_id,
    fields: parseJson<Record<string, string>>(row.fields, {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Every inbound message that opens a work item runs these two queries, whose SQL never varies.
const takeNumberQuery = new ReusableQuery(1, (db, series: 'ticket' | 'case') =>
  db
    .updateTable('reference_counters')
    .set((eb) => ({ next_value: eb('next_value', '+', 1) }))
    .where('series', '=', series)
    .returning('next_value'),
);

type WorkItemRowValues = [
  reference: string,
  type: WorkItemType,
  teamId: number,
  title: string,
  requester: string | null,
  parentId: number | null,
  fields: string,
  timestamp: string,
];

const insertWorkItemRow = new ReusableQuery<WorkItemRowValues, { id: number }>(
  8,
  (db, reference, type, teamId, title, requester, parentId, fields, timestamp) =>
    db
      .insertInto('work_items')
      .values({
        reference,
        type,
        team_id: teamId,
        title,
        status: 'todo',
        requester,
        parent_id: parentId,
        action_count: 0,
        fields,
        created_at: timestamp,
        updated_at: timestamp,
      })
      .returning('id'),
);

/**
 * Takes the next number of a series. The single UPDATE ... RETURNING is
 * atomic on both databases, so concurrent callers never get the same number.
 */
async function takeNumber(db: Executor, series: 'ticket' | 'case'): Promise<number> {
  const row = await takeNumberQuery.firstRow(db, series);
  if (row === undefined) {
    throw new Error(`The reference counter "${series}" is missing: run the migrations, which create it.`);
  }
  return row.next_value - 1;
}

async function allocateReference(db: Executor, item: NewWorkItem): Promise<string> {
  if (item.type === 'ticket') {
    return `${String(await takeNumber(db, 'ticket')).padStart(6, '0')}-T`;
  }
  if (item.type === 'case') {
    return `${String(await takeNumber(db, 'case')).padStart(5, '0')}-C`;
  }

  if (item.parentId === undefined || item.parentId === null) {
    throw new WorklinkError('WORKLINK_PARENT_NOT_CASE', {
      en: 'An action needs the case it belongs to: pass `parentId`.',
      pl: 'Działanie musi należeć do sprawy: podaj `parentId`.',
    });
  }
  const parent = await db
    .updateTable('work_items')
    .set((eb) => ({ action_count: eb('action_count', '+', 1) }))
    .where('id', '=', item.parentId)
    .where('type', '=', 'case')
    .returning(['reference', 'action_count'])
    .executeTakeFirst();
  if (parent === undefined) {
    throw new WorklinkError('WORKLINK_PARENT_NOT_CASE', {
      en: `Work item ${item.parentId} is not a case, so it cannot have actions: create the action under a case.`,
      pl: `Zgłoszenie ${item.parentId} nie jest sprawą, więc nie może mieć działań: utwórz działanie w ramach sprawy.`,
    });
  }
  return `${parent.reference}-A${parent.action_count}`;
}

/**
 * Inserts a work item with a newly allocated reference: tickets `NNNNNN-T`,
 * cases `NNNNN-C`, actions `<case>-A<n>`. A failed insert leaves a gap in the
 * numbers, never a duplicate. Throws `WORKLINK_PARENT_NOT_CASE` for an action
 * without a case.
 */
export async function createWorkItem(db: Executor, item: NewWorkItem): Promise<{ id: number; reference: string }> {
  const reference = await allocateReference(db, item);
  const row = await insertWorkItemRow.firstRow(
    db,
    reference,
    item.type,
    item.teamId,
    item.title,
    item.requester?.toLowerCase() ?? null,
    item.type === 'action' ? (item.parentId ?? null) : null,
    JSON.stringify(item.fields ?? {}),
    now(),
  );
  if (row === undefined) {
    throw new Error(`Inserting work item ${reference} returned no id.`);
  }
  return { id: row.id, reference };
}

/**
 * Sets the status of work item `id` and, when the status changes, its `updated_at`. Returns the
 * status it replaced and the `updated_at` the item has now, or undefined when no such work item
 * exists. Call it inside a transaction: the first UPDATE, which changes nothing, takes the row lock
 * on PostgreSQL, so the status read back is the one this change replaces even while another
 * transaction changes the same work item.
 */
export async function setWorkItemStatus(
  db: Executor,
  id: number,
  status: WorkItemStatus,
): Promise<{ previousStatus: WorkItemStatus; updatedAt: string } | undefined> {
  const locked = await db
    .updateTable('work_items')
    .set((eb) => ({ status: eb.ref('status') }))
    .where('id', '=', id)
    .returning(['status', 'updated_at'])
    .executeTakeFirst();
  if (locked === undefined) {
    return undefined;
  }
  if (locked.status === status) {
    return { previousStatus: locked.status, updatedAt: locked.updated_at };
  }

  const updatedAt = now();
  await db.updateTable('work_items').set({ status, updated_at: updatedAt }).where('id', '=', id).execute();
  return { previousStatus: locked.status, updatedAt };
}

/** Finds a work item by reference, case-insensitively. */
export async function findWorkItemByReference(db: Executor, reference: string): Promise<WorkItemRecord | undefined> {
  const row = await db
    .selectFrom('work_items')
    .selectAll()
    .where('reference', '=', reference.trim().toUpperCase())
    .executeTakeFirst();
  return row === undefined ? undefined : toWorkItemRecord(row);
}

export async function findWorkItemById(db: Executor, id: number): Promise<WorkItemRecord | undefined> {
  const row = await db.selectFrom('work_items').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toWorkItemRecord(row);
}

/** Finds the work items with `ids`, keyed by id; ids without a work item are absent. */
export async function findWorkItemsByIds(db: Executor, ids: readonly number[]): Promise<Map<number, WorkItemRecord>> {
  if (ids.length === 0) {
    return new Map();
  }
  const rows = await db
    .selectFrom('work_items')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, toWorkItemRecord(row)]));
}

/**
 * Finds the work items with `references`, which must already be upper-case, in one
 * query. Returns them keyed by reference, and references without a work item are absent.
 */
export async function findWorkItemsByReferences(
  db: Executor,
  references: readonly string[],
): Promise<Map<string, WorkItemRecord>> {
  if (references.length === 0) {
    return new Map();
  }
  const rows = await db
    .selectFrom('work_items')
    .selectAll()
    .where('reference', 'in', [...new Set(references)])
    .execute();
  return new Map(rows.map((row) => [row.reference, toWorkItemRecord(row)]));
}

/** Lists the work items of `teamIds`, newest first. */
export async function listWorkItemsOfTeams(
  db: Executor,
  teamIds: readonly number[],
  limit = 200,
): Promise<WorkItemRecord[]> {
  if (teamIds.length === 0) {
    return [];
  }
  const rows = await db
    .selectFrom('work_items')
    .selectAll()
    .where('team_id', 'in', [...teamIds])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toWorkItemRecord);
}

/**
 * Links two work items symmetrically, stored once as (lower id, higher id).
 * Returns true when the link is new, false when it existed or `aId === bId`.
 */
export async function linkWorkItems(db: Executor, aId: number, bId: number, origin: string): Promise<boolean> {
  if (aId === bId) {
    return false;
  }
  const result = await db
    .insertInto('work_item_links')
    .values({
      item_low_id: Math.min(aId, bId),
      item_high_id: Math.max(aId, bId),
      origin,
      created_at: now(),
    })
    .onConflict((conflict) => conflict.columns(['item_low_id', 'item_high_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Returns the work items linked to `workItemId`, oldest link first. Links created in
 * the same millisecond come in the order of the linked item's id, so the order is stable.
 */
export async function listLinkedItems(db: Executor, workItemId: number): Promise<WorkItemRecord[]> {
  const links = await db
    .selectFrom('work_item_links')
    .select(['item_low_id', 'item_high_id'])
    .where((eb) => eb.or([eb('item_low_id', '=', workItemId), eb('item_high_id', '=', workItemId)]))
    .orderBy('created_at')
    .orderBy((eb) =>
      eb.case().when('item_low_id', '=', workItemId).then(eb.ref('item_high_id')).else(eb.ref('item_low_id')).end(),
    )
    .execute();
  const ids = links.map((link) => (link.item_low_id === workItemId ? link.item_high_id : link.item_low_id));
  if (ids.length === 0) {
    return [];
  }
  const rows = await db.selectFrom('work_items').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((row) => [row.id, toWorkItemRecord(row)]));
  return ids.map((id) => byId.get(id)).filter((item): item is WorkItemRecord => item !== undefined);
}

/** Selects links with the owning team of each side; callers add the condition. */
export function selectLinksWithTeams(db: Executor) {
  return db
    .selectFrom('work_item_links')
    .innerJoin('work_items as low', 'low.id', 'work_item_links.item_low_id')
    .innerJoin('work_items as high', 'high.id', 'work_item_links.item_high_id')
    .select([
      'work_item_links.item_low_id',
      'work_item_links.item_high_id',
      'low.team_id as low_team',
      'high.team_id as high_team',
    ]);
}

/**
 * Returns, for each of `workItemIds`, the teams other than its own that own a work item linked to
 * it, in ascending order. Those teams' agents get the header view of it. Ids without such links are
 * absent from the map.
 */
export async function listLinkedTeamIds(db: Executor, workItemIds: readonly number[]): Promise<Map<number, number[]>> {
  if (workItemIds.length === 0) {
    return new Map();
  }
  const ids = [...new Set(workItemIds)];
  const links = await selectLinksWithTeams(db)
    .where((eb) => eb.or([eb('work_item_links.item_low_id', 'in', ids), eb('work_item_links.item_high_id', 'in', ids)]))
    .execute();

  const teams = new Map<number, Set<number>>();
  const addTeam = (workItemId: number, teamId: number): void => {
    const teamsOfItem = teams.get(workItemId) ?? new Set<number>();
    teamsOfItem.add(teamId);
    teams.set(workItemId, teamsOfItem);
  };
  // A link is stored once as (low, high), so either side may be one of `ids`.
  for (const link of links) {
    if (link.low_team === link.high_team) {
      continue;
    }
    if (ids.includes(link.item_low_id)) {
      addTeam(link.item_low_id, link.high_team);
    }
    if (ids.includes(link.item_high_id)) {
      addTeam(link.item_high_id, link.low_team);
    }
  }
  return new Map([...teams].map(([id, teamsOfItem]) => [id, [...teamsOfItem].sort((a, b) => a - b)]));
}
