import type { Kysely } from 'kysely';

// Migrations take `Kysely<any>` because they run before the typed schema exists.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Records which work items of a conversation each agent opened or answered, and
 * when. Two agents of a team can work on two requests that Outlook files in one
 * conversation; each agent's reply then goes to the item that agent was working on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conversation_views')
    .addColumn('conversation_id', 'text', (column) => column.notNull())
    .addColumn('agent_id', 'integer', (column) => column.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('work_item_id', 'integer', (column) => column.notNull().references('work_items.id').onDelete('cascade'))
    .addColumn('seen_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('conversation_views_pk', ['conversation_id', 'agent_id', 'work_item_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('conversation_views').execute();
}
