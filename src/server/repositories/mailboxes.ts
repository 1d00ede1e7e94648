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

/**
 * Loads the connected mailboxes. Disconnected ones are left out, so the directory, the SMTP
 * listener, inbound routing and the Graph sync, which all read this list, no longer know them.
 */
export async function loadMailboxes(db: Executor): Promise<MailboxEntry[]> {
  const rows = await db
    .selectFrom('mailboxes')
    .innerJoin('teams', 'teams.id', 'mailboxes.team_id')
    .select([
      'mailboxes.id',
      'mailboxes.address',
      'mailboxes.display_name',
      'teams.id as team_id',
      'mailboxes.default_type',
      'teams.name as team_name',
    ])
    .where('mailboxes.disconnected_at', 'is', null)
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
 * Throws `WORKLINK_VALIDATION_FAILED` when `addresses`, a mailbox's primary
 * address followed by its aliases, lists one address twice.
 */
export function assertDistinctAddresses(addresses: readonly string[]): void {
  const seen = new Set<string>();
  for (const address of addresses) {
    if (seen.has(address)) {
      throw new WorklinkError('WORKLINK_VALIDATION_FAILED', {
        en: `"${address}" is listed twice in the mailbox: give each address once.`,
        pl: `Adres "${address}" występuje w skrzynce dwa razy: podaj każdy adres tylko raz.`,
      });
    }
    seen.add(address);
  }
}

/**
 * Builds the error for an address or alias of mailbox `address` that a concurrent request took
 * between the check and the write, with the unique violation as `cause`.
 */
export function addressTakenMeanwhile(address: string, cause: unknown): WorklinkError {
  return new WorklinkError(
    'WORKLINK_MAILBOX_ADDRESS_TAKEN',
    {
      en: `An address or alias of mailbox "${address}" was just taken by another mailbox: list mailboxes and retry.`,
      pl: `Adres lub alias skrzynki "${address}" właśnie zajęła inna skrzynka: sprawdź listę skrzynek i spróbuj ponownie.`,
    },
    { cause },
  );
}

/**
 * Throws `WORKLINK_MAILBOX_ADDRESS_TAKEN` naming the first of `addresses` that
 * is the primary address or an alias of a connected mailbox other than
 * `ownMailboxId`. A disconnected mailbox takes no address, so its former
 * address may become another mailbox's alias.
 */
export async function assertAddressesFree(
  db: Executor,
  addresses: readonly string[],
  ownMailboxId?: number,
): Promise<void> {
  if (addresses.length === 0) {
    return;
  }
  // The unique constraints cover address-vs-address and alias-vs-alias, but
  // not an alias that equals another mailbox's primary address, so check both.
  let primaries = db
    .selectFrom('mailboxes')
    .select('address')
    .where('address', 'in', addresses)
    .where('disconnected_at', 'is', null);
  let aliases = db
    .selectFrom('mailbox_aliases')
    .innerJoin('mailboxes', 'mailboxes.id', 'mailbox_aliases.mailbox_id')
    .select('mailbox_aliases.address')
    .where('mailbox_aliases.address', 'in', addresses)
    .where('mailboxes.disconnected_at', 'is', null);
  if (ownMailboxId !== undefined) {
    primaries = primaries.where('id', '!=', ownMailboxId);
    aliases = aliases.where('mailbox_aliases.mailbox_id', '!=', ownMailboxId);
  }
  const clash = (await primaries.executeTakeFirst())?.address ?? (await aliases.executeTakeFirst())?.address;
  if (clash !== undefined) {
    throw new WorklinkError(
      'WORKLINK_MAILBOX_ADDRESS_TAKEN',
      {
        en: `"${clash}" already belongs to a connected mailbox: remove it from this request or from the other mailbox.`,
        pl: `Adres "${clash}" należy już do połączonej skrzynki: usuń go z tego żądania albo z tamtej skrzynki.`,
      },
      { details: [{ address: clash }] },
    );
  }
}

/**
 * Connects a mailbox with its aliases inside `db`, which should be a
 * transaction so that a conflict leaves nothing behind. Addresses must already
 * be normalised. When the address belongs to a disconnected mailbox, that row
 * is connected again with the new team, type, name and aliases, so its message
 * history stays under one id, and `reconnected` is true. Throws
 * `WORKLINK_VALIDATION_FAILED` when the request lists an address twice, and
 * `WORKLINK_MAILBOX_ADDRESS_TAKEN` naming the address when it is the address
 * or an alias of another connected mailbox.
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
): Promise<MailboxEntry & { createdAt: string; reconnected: boolean }> {
  const all = [mailbox.address, ...mailbox.aliases];
  assertDistinctAddresses(all);
  await assertAddressesFree(db, all);

  try {
    const disconnected = await db
      .selectFrom('mailboxes')
      .select(['id', 'created_at'])
      .where('address', '=', mailbox.address)
      .where('disconnected_at', 'is not', null)
      .executeTakeFirst();
    let id: number;
    let createdAt: string;
    if (disconnected === undefined) {
      createdAt = now();
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
      id = row.id;
    } else {
      // The condition on `disconnected_at` makes a concurrent reconnect of the same address update nothing here.
      const result = await db
        .updateTable('mailboxes')
        .set({
          display_name: mailbox.displayName ?? null,
          team_id: mailbox.teamId,
          default_type: mailbox.defaultType,
          disconnected_at: null,
        })
        .where('id', '=', disconnected.id)
        .where('disconnected_at', 'is not', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new WorklinkError(
          'WORKLINK_MAILBOX_ADDRESS_TAKEN',
          {
            en: `"${mailbox.address}" was just connected by another request: list mailboxes and retry.`,
            pl: `Skrzynkę "${mailbox.address}" właśnie połączyło inne żądanie: sprawdź listę skrzynek i spróbuj ponownie.`,
          },
          { details: [{ address: mailbox.address }] },
        );
      }
      // Disconnecting deleted the aliases; deleting again keeps the insert below from failing on any added since.
      await db.deleteFrom('mailbox_aliases').where('mailbox_id', '=', disconnected.id).execute();
      id = disconnected.id;
      createdAt = disconnected.created_at;
    }

    if (mailbox.aliases.length > 0) {
      await db
        .insertInto('mailbox_aliases')
        .values(mailbox.aliases.map((address) => ({ address, mailbox_id: id })))
        .execute();
    }
    await bumpDirectoryVersion(db);
    const team = await db.selectFrom('teams').select('name').where('id', '=', mailbox.teamId).executeTakeFirstOrThrow();
    return {
      id,
      address: mailbox.address,
      aliases: [...mailbox.aliases].sort(),
      teamId: mailbox.teamId,
      teamName: team.name,
      defaultType: mailbox.defaultType,
      displayName: mailbox.displayName ?? null,
      createdAt,
      reconnected: disconnected !== undefined,
    };
  } catch (error) {
    throw isUniqueViolation(error) ? addressTakenMeanwhile(mailbox.address, error) : error;
  }
}
