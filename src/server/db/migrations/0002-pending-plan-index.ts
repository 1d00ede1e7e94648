import type { Kysely } from 'kysely';

// Migrations take `Kysely<any>` because they run before the typed schema exists.
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Lets the retention job find plans that were never committed by their age
 * without reading every committed plan, which stays for routing replies.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('send_plans_state_created').on('send_plans').columns(['state', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('send_plans_state_created').execute();
}
