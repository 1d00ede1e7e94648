import type { WorkItemType } from '../../core/api-types.js';
import { splitPlusAddress } from '../../core/plus-address.js';
import { WorklinkError } from '../errors.js';
import { bumpDirectoryVersion } from './directory-version.js';
import { isUniqueViolation, now } from './executor.js';
import type { Executor } from './executor.js';

export type MailboxDefaultType = Exclude<WorkItemType, 'action'>;

/** A connected mailbox with its aliases and owning team, as routing and send plans use it. */
export interface MailboxEntry {
  id: number;
  /** Primary address, lower-case. */
  address: string;
  /** Lower-case. */
  aliases: string[];
  teamId: number;
  teamName: string;
  defaultType: MailboxDefaultType;
  displayName: string | null;
}

export async function loadMailboxes(db: Executor): Promise<MailboxEntry[]> {
  const rows = await db
    .selectFrom('mailboxes')
    .innerJoin('teams', 'teams.id', 'mailboxes.team_id')
    .select([
      'mailboxes.id',
      'mailboxes.address',
      'mailboxes.display_name',
      'mailboxes.team_id',
      'mailboxes.default_type',
      'teams.name as team_name',
    ])
    .orderBy('mailboxes.id')
    .execute();
  const aliases = await db.selectFrom('mailbox_aliases').selectAll().orderBy('address').execute();
  // Grouped in one pass: filtering all aliases per mailbox grew with mailboxes times aliases.
  const aliasesOf = new Map<number, string[]>();
  for (const alias of aliases) {
    const list = aliasesOf.get(alias.mailbox_id);
    if (list === undefined) {
      aliasesOf.set(alias.mailbox_id, [alias.address]);
    } else {
      list.push(alias.address);
    }
  }
  return rows.map((row) => ({
    id: row.id,
    address: row.address,
    aliases: aliasesOf.get(row.id) ?? [],
    teamId: row.team_id,
    teamName: row.team_name,
    defaultType: row.default_type,
    displayName: row.display_name,
  }));
}

/**
 * Finds the mailbox that `address` belongs to, by primary address or alias,
 * case-insensitively and with any `+tag` removed.
 */
export function findMailboxByAddress(
  entries: readonly MailboxEntry[],
  address: string,
  separator = '+',
): MailboxEntry | undefined {
  const bare = splitPlusAddress(address, separator).base;
  return entries.find((entry) => entry.address === bare || entry.aliases.includes(bare));
}

/**
 * Inserts a connected mailbox and its aliases inside `db`, which should be a
 * transaction so that a conflict leaves nothing behind. Addresses must already
 * be normalised. Throws `WORKLINK_VALIDATION_FAILED` when the request lists
 * an address twice, and `WORKLINK_MAILBOX_ADDRESS_TAKEN` naming the address
 * when it is the address or an alias of another mailbox.
 */
export async function createMailbox(
  db: Executor,
  mailbox: {
    address: string;
    aliases: string[];
    teamId: number;
    defaultType: MailboxDefaultType;
    displayName?: string;
  },
): Promise<MailboxEntry & { createdAt: string }> {
  const all = [mailbox.address, ...mailbox.aliases];
  const seen = new Set<string>();
  for (const address of all) {
    if (seen.has(address)) {
      throw new WorklinkError(
        'WORKLINK_VALIDATION_FAILED',
        `"${address}" is listed twice in the mailbox: give each address once.`,
      );
    }
    seen.add(address);
  }

  // The unique constraints cover address-vs-address and alias-vs-alias, but
  // not an alias that equals another mailbox's primary address, so check both.
  const primaryClash = await db
    .selectFrom('mailboxes')
    .select('address')
    .where('address', 'in', all)
    .executeTakeFirst();
  const aliasClash = await db
    .selectFrom('mailbox_aliases')
    .select('address')
    .where('address', 'in', all)
    .executeTakeFirst();
  const clash = primaryClash?.address ?? aliasClash?.address;
  if (clash !== undefined) {
    throw new WorklinkError(
      'WORKLINK_MAILBOX_ADDRESS_TAKEN',
      `"${clash}" already belongs to a connected mailbox: remove it from this request or from the other mailbox.`,
      { details: [{ address: clash }] },
    );
  }

  const createdAt = now();
  try {
    const row = await db
      .insertInto('mailboxes')
      .values({
        address: mailbox.address,
        display_name: mailbox.displayName ?? null,
        team_id: mailbox.teamId,
        default_type: mailbox.defaultType,
        created_at: createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (mailbox.aliases.length > 0) {
      await db
        .insertInto('mailbox_aliases')
        .values(mailbox.aliases.map((address) => ({ address, mailbox_id: row.id })))
        .execute();
    }
    await bumpDirectoryVersion(db);
    const team = await db.selectFrom('teams').select('name').where('id', '=', mailbox.teamId).executeTakeFirstOrThrow();
    return {
      id: row.id,
      address: mailbox.address,
      aliases: [...mailbox.aliases].sort(),
      teamId: mailbox.teamId,
      teamName: team.name,
      defaultType: mailbox.defaultType,
      displayName: mailbox.displayName ?? null,
      createdAt,
    };
  } catch (error) {
    // A concurrent request took the address between the check and the insert.
    if (isUniqueViolation(error)) {
      throw new WorklinkError(
        'WORKLINK_MAILBOX_ADDRESS_TAKEN',
        `An address of mailbox "${mailbox.address}" was just taken by another mailbox: list mailboxes and retry.`,
        { cause: error },
      );
    }
    throw error;
  }
}
