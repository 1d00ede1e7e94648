import type { Kysely } from 'kysely';

// Migrations take `Kysely<any>` because they run before the typed schema exists.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Adds when a conversation was last seen for a work item. When one Outlook
 * conversation belongs to several work items of a team, a reply belongs to
 * the one the agent last opened or answered, not to the one recorded first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('last_seen_at', 'text', (column) => column.notNull().defaultTo(''))
    .execute();
  await db
    .updateTable('conversations')
    .set((eb) => ({ last_seen_at: eb.ref('created_at') }))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('last_seen_at').execute();
}
