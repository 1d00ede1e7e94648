import { PostgresAdapter, sql } from 'kysely';
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';

// Migrations take `Kysely<any>` because they run before the typed schema exists.
/* eslint-disable @typescript-eslint/no-explicit-any */

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Adds an auto-incrementing integer primary key `id` on either database. */
function withId<T extends string>(db: Kysely<any>, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  if (isPostgres(db)) {
    return table.addColumn('id', 'integer', (column) => column.primaryKey().generatedByDefaultAsIdentity());
  }
  return table.addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement());
}

const notNull = (column: ColumnDefinitionBuilder) => column.notNull();

export async function up(db: Kysely<any>): Promise<void> {
  const blob = isPostgres(db) ? 'bytea' : 'blob';

  await withId(db, db.schema.createTable('teams'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', notNull)
    .execute();

  await withId(db, db.schema.createTable('mailboxes'))
    .addColumn('address', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text')
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
    .addColumn('default_type', 'text', notNull)
    .addColumn('created_at', 'text', notNull)
    .execute();

  await db.schema
    .createTable('mailbox_aliases')
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('mailbox_id', 'integer', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
    .execute();

  await withId(db, db.schema.createTable('agents'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', notNull)
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', notNull)
    .execute();

  await db.schema
    .createTable('agent_teams')
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('agent_teams_pk', ['agent_id', 'team_id'])
    .execute();

  await withId(db, db.schema.createTable('work_items'))
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', notNull)
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
    .addColumn('title', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('requester', 'text')
    .addColumn('parent_id', 'integer', (c) => c.references('work_items.id'))
    .addColumn('action_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', notNull)
    .addColumn('updated_at', 'text', notNull)
    .execute();
  await db.schema.createIndex('work_items_team_created').on('work_items').columns(['team_id', 'id']).execute();

  await db.schema
    .createTable('reference_counters')
    .addColumn('series', 'text', (c) => c.primaryKey())
    .addColumn('next_value', 'integer', notNull)
    .execute();
  // Ticket and case numbers start where the reference examples of the product start.
  await db
    .insertInto('reference_counters')
    .values([
      { series: 'ticket', next_value: 101200 },
      { series: 'case', next_value: 10040 },
    ])
    .execute();

  await db.schema
    .createTable('work_item_links')
    .addColumn('item_low_id', 'integer', (c) => c.notNull().references('work_items.id').onDelete('cascade'))
    .addColumn('item_high_id', 'integer', (c) => c.notNull().references('work_items.id').onDelete('cascade'))
    .addColumn('origin', 'text', notNull)
    .addColumn('created_at', 'text', notNull)
    .addPrimaryKeyConstraint('work_item_links_pk', ['item_low_id', 'item_high_id'])
    .addCheckConstraint('work_item_links_ordered', sql`item_low_id < item_high_id`)
    .execute();
  await db.schema.createIndex('work_item_links_high').on('work_item_links').column('item_high_id').execute();

  await db.schema
    .createTable('conversations')
    .addColumn('conversation_id', 'text', notNull)
    .addColumn('work_item_id', 'integer', (c) => c.notNull().references('work_items.id').onDelete('cascade'))
    .addColumn('source', 'text', notNull)
    .addColumn('created_at', 'text', notNull)
    .addPrimaryKeyConstraint('conversations_pk', ['conversation_id', 'work_item_id'])
    .execute();

  await db.schema
    .createTable('mime_blobs')
    .addColumn('content_hash', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', notNull)
    .addColumn('content', blob, notNull)
    .addColumn('created_at', 'text', notNull)
    .execute();

  await withId(db, db.schema.createTable('messages'))
    .addColumn('content_hash', 'text', (c) => c.notNull().unique().references('mime_blobs.content_hash'))
    .addColumn('message_id', 'text')
    .addColumn('in_reply_to', 'text')
    .addColumn('references', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('thread_root', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('subject', 'text', notNull)
    .addColumn('from_address', 'text')
    .addColumn('from_name', 'text')
    .addColumn('to_list', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('cc_list', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('sent_at', 'text')
    .addColumn('text_body', 'text')
    .addColumn('html_body', 'text')
    .addColumn('headers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('is_automatic', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_at', 'text', notNull)
    .execute();
  await db.schema.createIndex('messages_message_id').on('messages').column('message_id').execute();
  await db.schema.createIndex('messages_thread_root').on('messages').column('thread_root').execute();
  await db.schema.createIndex('messages_conversation').on('messages').column('conversation_id').execute();

  await db.schema
    .createTable('message_routes')
    .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('work_item_id', 'integer', (c) => c.notNull().references('work_items.id').onDelete('cascade'))
    .addColumn('mailbox_id', 'integer', (c) => c.references('mailboxes.id'))
    .addColumn('rule', 'text', notNull)
    .addColumn('created_at', 'text', notNull)
    .addPrimaryKeyConstraint('message_routes_pk', ['message_id', 'work_item_id'])
    .execute();
  await db.schema.createIndex('message_routes_work_item').on('message_routes').column('work_item_id').execute();

  await withId(db, db.schema.createTable('attachments'))
    .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('filename', 'text')
    .addColumn('content_type', 'text', notNull)
    .addColumn('size', 'integer', notNull)
    .addColumn('content_hash', 'text', notNull)
    .execute();
  await db.schema.createIndex('attachments_message').on('attachments').column('message_id').execute();

  await db.schema
    .createTable('unrouted_messages')
    .addColumn('message_id', 'integer', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
    .addColumn('reason', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('created_at', 'text', notNull)
    .execute();

  await db.schema
    .createTable('send_plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id'))
    .addColumn('current_work_item_id', 'integer', (c) => c.references('work_items.id'))
    .addColumn('conversation_id', 'text')
    .addColumn('subject', 'text', notNull)
    .addColumn('request', 'text', notNull)
    .addColumn('plan', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('commit_result', 'text')
    .addColumn('created_at', 'text', notNull)
    .addColumn('committed_at', 'text')
    .execute();

  await withId(db, db.schema.createTable('team_form_fields'))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('name', 'text', notNull)
    .addColumn('label_en', 'text', notNull)
    .addColumn('label_pl', 'text', notNull)
    .addColumn('type', 'text', notNull)
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('position', 'integer', notNull)
    .addUniqueConstraint('team_form_fields_name', ['team_id', 'name'])
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', notNull)
    .execute();

  await withId(db, db.schema.createTable('audit_log'))
    .addColumn('actor_agent_id', 'integer', (c) => c.references('agents.id'))
    .addColumn('action', 'text', notNull)
    .addColumn('subject_type', 'text', notNull)
    .addColumn('subject_id', 'text', notNull)
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', notNull)
    .execute();

  await db.schema
    .createTable('mailbox_sync')
    .addColumn('mailbox_id', 'integer', (c) => c.primaryKey().references('mailboxes.id').onDelete('cascade'))
    .addColumn('delta_link', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('updated_at', 'text', notNull)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const tables = [
    'mailbox_sync',
    'audit_log',
    'settings',
    'team_form_fields',
    'send_plans',
    'unrouted_messages',
    'attachments',
    'message_routes',
    'messages',
    'mime_blobs',
    'conversations',
    'work_item_links',
    'reference_counters',
    'work_items',
    'agent_teams',
    'agents',
    'mailbox_aliases',
    'mailboxes',
    'teams',
  ];
  for (const table of tables) {
    await db.schema.dropTable(table).execute();
  }
}
