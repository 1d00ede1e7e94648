import { WorklinkError } from '../errors.js';
import { bumpDirectoryVersion } from './directory-version.js';
import { isUniqueViolation, now } from './executor.js';
import type { Executor } from './executor.js';
import { addressTakenMeanwhile, assertAddressesFree, assertDistinctAddresses } from './mailboxes.js';
import type { MailboxDefaultType } from './mailboxes.js';

/*
 * Admin changes to mailboxes after they were connected. Disconnecting keeps the
 * row and only sets `disconnected_at`: `message_routes.mailbox_id` records which
 * mailbox each message arrived through, and work items, messages and routes stay
 * as they are. Connecting the address again reuses the row (see `createMailbox`).
 */

/** A mailbox as admins see it, connected or disconnected. */
export interface MailboxRecord {
  id: number;
  /** Primary address, lower-case. */
  address: string;
  /** Lower-case and sorted; always empty for a disconnected mailbox. */
  aliases: string[];
  /** Null only for a disconnected mailbox whose team was deleted. */
  teamId: number | null;
  teamName: string | null;
  defaultType: MailboxDefaultType;
  displayName: string | null;
  /** ISO 8601 time of the disconnect, or null while the mailbox is connected. */
  disconnectedAt: string | null;
}

/** Changes of `updateMailbox`; a field left out keeps its value. */
export interface MailboxChanges {
  /** Null removes the display name. */
  displayName?: string | null;
  defaultType?: MailboxDefaultType;
  teamId?: number;
  /** Replaces the whole list; normalised addresses. */
  aliases?: string[];
}

/** Lists mailboxes by id, connected ones only unless `includeDisconnected`, or only mailbox `id` when given. */
export async function listMailboxRecords(
  db: Executor,
  options: { includeDisconnected: boolean; id?: number },
): Promise<MailboxRecord[]> {
  let query = db
    .selectFrom('mailboxes')
    .leftJoin('teams', 'teams.id', 'mailboxes.team_id')
    .select([
      'mailboxes.id',
      'mailboxes.address',
      'mailboxes.display_name',
      'mailboxes.team_id',
      'mailboxes.default_type',
      'mailboxes.disconnected_at',
      'teams.name as team_name',
    ])
    .orderBy('mailboxes.id');
  if (!options.includeDisconnected) {
    query = query.where('mailboxes.disconnected_at', 'is', null);
  }
  if (options.id !== undefined) {
    query = query.where('mailboxes.id', '=', options.id);
  }
  const rows = await query.execute();
  if (rows.length === 0) {
    return [];
  }

  let aliasQuery = db.selectFrom('mailbox_aliases').selectAll().orderBy('address');
  if (options.id !== undefined) {
    aliasQuery = aliasQuery.where('mailbox_id', '=', options.id);
  }
  const aliasesOf = new Map<number, string[]>();
  for (const alias of await aliasQuery.execute()) {
    aliasesOf.set(alias.mailbox_id, [...(aliasesOf.get(alias.mailbox_id) ?? []), alias.address]);
  }

  return rows.map((row) => ({
    id: row.id,
    address: row.address,
    aliases: row.disconnected_at === null ? (aliasesOf.get(row.id) ?? []) : [],
    teamId: row.team_id,
    teamName: row.team_name,
    defaultType: row.default_type,
    displayName: row.display_name,
    disconnectedAt: row.disconnected_at,
  }));
}

/** Builds the `WORKLINK_MAILBOX_NOT_FOUND` error for mailbox `id`, with a message for a missing or a disconnected mailbox. */
function mailboxNotFound(id: number, record: MailboxRecord | undefined): WorklinkError {
  if (record === undefined) {
    return new WorklinkError('WORKLINK_MAILBOX_NOT_FOUND', {
      en: `Mailbox ${id} does not exist: list mailboxes with GET /api/v1/admin/mailboxes.`,
      pl: `Skrzynka ${id} nie istnieje: sprawdź listę skrzynek przez GET /api/v1/admin/mailboxes.`,
    });
  }
  return new WorklinkError('WORKLINK_MAILBOX_NOT_FOUND', {
    en: `Mailbox ${id} (${record.address}) was disconnected at ${record.disconnectedAt}: connect it again with POST /api/v1/admin/mailboxes and its address.`,
    pl: `Skrzynka ${id} (${record.address}) została odłączona ${record.disconnectedAt}: połącz ją ponownie przez POST /api/v1/admin/mailboxes z jej adresem.`,
  });
}

/** Returns connected mailbox `id`; throws `WORKLINK_MAILBOX_NOT_FOUND` when it does not exist or is disconnected. */
export async function requireConnectedMailbox(db: Executor, id: number): Promise<MailboxRecord> {
  const [record] = await listMailboxRecords(db, { includeDisconnected: true, id });
  if (record === undefined || record.disconnectedAt !== null) {
    throw mailboxNotFound(id, record);
  }
  return record;
}

/**
 * Locks the row of connected mailbox `id` on PostgreSQL until the transaction
 * ends, by an update that changes nothing, so that a concurrent disconnect
 * waits. SQLite runs one write transaction at a time and needs no lock.
 */
async function lockConnectedMailbox(db: Executor, id: number): Promise<void> {
  await db
    .updateTable('mailboxes')
    .set({ disconnected_at: null })
    .where('id', '=', id)
    .where('disconnected_at', 'is', null)
    .execute();
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/**
 * Applies `changes` to connected mailbox `id` inside `db`, which should be a
 * transaction so that a conflict leaves nothing behind. The caller checks that
 * a new team exists. Bumps the directory version when anything changed.
 * Returns the mailbox before and after the change, equal when nothing changed.
 * Throws `WORKLINK_MAILBOX_NOT_FOUND` as `requireConnectedMailbox` does,
 * `WORKLINK_VALIDATION_FAILED` when the aliases repeat an address, and
 * `WORKLINK_MAILBOX_ADDRESS_TAKEN` naming an alias that belongs to another
 * connected mailbox.
 */
export async function updateMailbox(
  db: Executor,
  id: number,
  changes: MailboxChanges,
): Promise<{ before: MailboxRecord; after: MailboxRecord }> {
  await lockConnectedMailbox(db, id);
  const before = await requireConnectedMailbox(db, id);

  const set: { display_name?: string | null; default_type?: MailboxDefaultType; team_id?: number } = {};
  if (changes.displayName !== undefined && changes.displayName !== before.displayName) {
    set.display_name = changes.displayName;
  }
  if (changes.defaultType !== undefined && changes.defaultType !== before.defaultType) {
    set.default_type = changes.defaultType;
  }
  if (changes.teamId !== undefined && changes.teamId !== before.teamId) {
    set.team_id = changes.teamId;
  }
  const aliases = changes.aliases === undefined ? undefined : [...changes.aliases].sort();
  if (aliases !== undefined) {
    assertDistinctAddresses([before.address, ...aliases]);
  }
  const aliasesChanged = aliases !== undefined && !sameList(aliases, before.aliases);
  if (Object.keys(set).length === 0 && !aliasesChanged) {
    return { before, after: before };
  }

  try {
    if (Object.keys(set).length > 0) {
      await db.updateTable('mailboxes').set(set).where('id', '=', id).execute();
    }
    if (aliasesChanged) {
      await assertAddressesFree(db, aliases, id);
      await db.deleteFrom('mailbox_aliases').where('mailbox_id', '=', id).execute();
      if (aliases.length > 0) {
        await db
          .insertInto('mailbox_aliases')
          .values(aliases.map((address) => ({ address, mailbox_id: id })))
          .execute();
      }
    }
  } catch (error) {
    throw isUniqueViolation(error) ? addressTakenMeanwhile(before.address, error) : error;
  }

  await bumpDirectoryVersion(db);
  return { before, after: await requireConnectedMailbox(db, id) };
}

/**
 * Disconnects mailbox `id` inside `db`, which should be a transaction: sets
 * `disconnected_at`, deletes its aliases so that other mailboxes may take them,
 * and bumps the directory version. Work items, messages, routes and the Graph
 * sync state stay. Returns the mailbox as it was before, with its aliases.
 * Throws `WORKLINK_MAILBOX_NOT_FOUND` as `requireConnectedMailbox` does.
 */
export async function disconnectMailbox(
  db: Executor,
  id: number,
): Promise<{ before: MailboxRecord; disconnectedAt: string }> {
  const disconnectedAt = now();
  const result = await db
    .updateTable('mailboxes')
    .set({ disconnected_at: disconnectedAt })
    .where('id', '=', id)
    .where('disconnected_at', 'is', null)
    .executeTakeFirst();
  // Read after the update, whose row lock keeps a concurrent change of the aliases out of this record.
  const [updated] = await listMailboxRecords(db, { includeDisconnected: true, id });
  if (result.numUpdatedRows === 0n || updated === undefined) {
    throw mailboxNotFound(id, updated);
  }
  const aliasRows = await db
    .selectFrom('mailbox_aliases')
    .select('address')
    .where('mailbox_id', '=', id)
    .orderBy('address')
    .execute();
  await db.deleteFrom('mailbox_aliases').where('mailbox_id', '=', id).execute();
  await bumpDirectoryVersion(db);

  const before = { ...updated, aliases: aliasRows.map((row) => row.address), disconnectedAt: null };
  return { before, disconnectedAt };
}
