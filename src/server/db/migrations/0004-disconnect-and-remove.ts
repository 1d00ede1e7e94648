import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

// Migrations take `Kysely<any>` because they run before the typed schema exists.
/* eslint-disable @typescript-eslint/no-explicit-any */

/*
 * Lets admins disconnect mailboxes and remove agents without deleting their rows.
 *
 * A disconnected mailbox keeps its row, because `message_routes.mailbox_id` records
 * which mailbox each message arrived through, and a removed agent keeps its row,
 * because `audit_log` and `send_plans` name agents by id. Deleting either would
 * break those references or lose that history. Connecting the address again, or
 * adding the agent again, reuses the same row, so the history stays under one id.
 *
 * `mailboxes.team_id` becomes nullable, so that a team without connected mailboxes
 * can be deleted while its disconnected mailboxes keep their history without a team.
 */

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Rebuilds the SQLite table `mailboxes`, because SQLite cannot change a column's
 * NOT NULL constraint in place. These are the steps of "Making Other Kinds Of
 * Table Schema Changes" in the SQLite ALTER TABLE documentation. Foreign keys
 * are off meanwhile, so dropping the old table does not cascade to
 * `mailbox_aliases` or `mailbox_sync`. Kysely runs SQLite migrations outside a
 * transaction, which the pragma needs.
 */
async function rebuildSqliteMailboxes(db: Kysely<any>, target: { teamIdNullable: boolean }): Promise<void> {
  const teamId = target.teamIdNullable
    ? sql`team_id integer references teams (id)`
    : sql`team_id integer not null references teams (id)`;
  const disconnectedAt = target.teamIdNullable ? sql`, disconnected_at text` : sql``;

  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      const sequence = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'mailboxes'`.execute(
        trx,
      );
      await sql`create table mailboxes_rebuilt (
        id integer primary key autoincrement,
        address text not null unique,
        display_name text,
        ${teamId},
        default_type text not null,
        created_at text not null${disconnectedAt}
      )`.execute(trx);
      await sql`insert into mailboxes_rebuilt (id, address, display_name, team_id, default_type, created_at)
        select id, address, display_name, team_id, default_type, created_at from mailboxes`.execute(trx);
      await sql`drop table mailboxes`.execute(trx);
      await sql`alter table mailboxes_rebuilt rename to mailboxes`.execute(trx);

      // Keeps ids of mailboxes created later above every id ever used, as AUTOINCREMENT promises.
      const seq = sequence.rows[0]?.seq;
      if (seq !== undefined) {
        await sql`update sqlite_sequence set seq = max(seq, ${seq}) where name = 'mailboxes'`.execute(trx);
      }

      const broken = await sql`pragma foreign_key_check`.execute(trx);
      if (broken.rows.length > 0) {
        throw new Error(
          `Rebuilding table mailboxes left ${broken.rows.length} broken foreign keys: ${JSON.stringify(broken.rows)}`,
        );
      }
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await db.schema
      .alterTable('mailboxes')
      .alterColumn('team_id', (column) => column.dropNotNull())
      .execute();
    await db.schema.alterTable('mailboxes').addColumn('disconnected_at', 'text').execute();
  } else {
    await rebuildSqliteMailboxes(db, { teamIdNullable: true });
  }
  await db.schema.alterTable('agents').addColumn('removed_at', 'text').execute();
}

/**
 * Drops the new columns. It fails while a disconnected mailbox has no team,
 * because the column then cannot be NOT NULL again; disconnected mailboxes
 * with a team count as connected afterwards.
 */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agents').dropColumn('removed_at').execute();
  if (isPostgres(db)) {
    await db.schema.alterTable('mailboxes').dropColumn('disconnected_at').execute();
    await db.schema
      .alterTable('mailboxes')
      .alterColumn('team_id', (column) => column.setNotNull())
      .execute();
  } else {
    await rebuildSqliteMailboxes(db, { teamIdNullable: false });
  }
}
