import type { Kysely } from 'kysely';
import type { Database } from '../../../src/server/db/schema.js';
import { createWorkItem, linkWorkItems } from '../../../src/server/repositories/work-items.js';
import { now } from '../../../src/server/repositories/executor.js';

/** Lists the routes of the message with this Message-ID as `reference/rule`, sorted. */
export async function routesOf(db: Kysely<Database>, messageId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('message_routes')
    .innerJoin('messages', 'messages.id', 'message_routes.message_id')
    .innerJoin('work_items', 'work_items.id', 'message_routes.work_item_id')
    .select(['work_items.reference', 'message_routes.rule'])
    .where('messages.message_id', '=', messageId)
    .execute();
  return rows.map((row) => `${row.reference}/${row.rule}`).sort();
}

export async function countRows(
  db: Kysely<Database>,
  table:
    | 'work_items'
    | 'messages'
    | 'mime_blobs'
    | 'message_routes'
    | 'work_item_links'
    | 'unrouted_messages'
    | 'attachments',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function workItemsOfTeam(db: Kysely<Database>, teamId: number) {
  return db.selectFrom('work_items').selectAll().where('team_id', '=', teamId).orderBy('id').execute();
}

export async function linkedPairs(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('work_item_links')
    .innerJoin('work_items as low', 'low.id', 'work_item_links.item_low_id')
    .innerJoin('work_items as high', 'high.id', 'work_item_links.item_high_id')
    .select(['low.reference as low', 'high.reference as high'])
    .execute();
  return rows.map((row) => `${row.low}~${row.high}`).sort();
}

/**
 * Creates Team A's item (as fixture 01 would), Team B's linked item, and a
 * committed send plan that rewrote both mailboxes, directly in the database.
 */
export async function createLinkedPair(
  db: Kysely<Database>,
  harness: { teamA: number; teamB: number; agentId: number },
): Promise<{ refA: string; refB: string; planId: string; idA: number; idB: number }> {
  const a = await createWorkItem(db, {
    teamId: harness.teamA,
    type: 'ticket',
    title: 'Invoice 2024/11/0457',
    requester: 'billing@fabrikam.example',
  });
  const b = await createWorkItem(db, {
    teamId: harness.teamB,
    type: 'case',
    title: 'Invoice 2024/11/0457',
    requester: 'billing@fabrikam.example',
  });
  await linkWorkItems(db, a.id, b.id, 'test');
  const planId = '6f1c0c8e-5d0a-4c55-9a61-2f7e5b7d9a10';
  const commitResult = {
    recipients: [
      { field: 'to', emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' },
      { field: 'cc', emailAddress: `uk.support+${a.reference}@contoso.example`, displayName: 'UK Support' },
      { field: 'cc', emailAddress: `pl.support+${b.reference}@contoso.example`, displayName: 'Wsparcie PL' },
      { field: 'cc', emailAddress: 'legal@contoso.example', displayName: 'Legal' },
    ],
    headers: { 'X-Worklink-Plan': planId },
    notices: [],
    createdReferences: [b.reference],
  };
  await db
    .insertInto('send_plans')
    .values({
      id: planId,
      agent_id: harness.agentId,
      current_work_item_id: a.id,
      conversation_id: null,
      subject: 'RE: Invoice 2024/11/0457 - payment status (UK and PL entities)',
      request: '{}',
      plan: '{}',
      state: 'committed',
      commit_result: JSON.stringify(commitResult),
      created_at: now(),
      committed_at: now(),
    })
    .execute();
  return { refA: a.reference, refB: b.reference, planId, idA: a.id, idB: b.id };
}
