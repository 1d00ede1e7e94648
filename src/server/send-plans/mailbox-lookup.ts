import type { Executor } from '../repositories/executor.js';

/** A connected mailbox as the send plan needs it. */
export interface ConnectedMailbox {
  id: number;
  /** Primary address, lower-case. */
  address: string;
  displayName: string | null;
  teamId: number;
  teamName: string;
  defaultType: 'ticket' | 'case';
}

function selectMailboxes(db: Executor) {
  return db
    .selectFrom('mailboxes')
    .innerJoin('teams', 'teams.id', 'mailboxes.team_id')
    .select([
      'mailboxes.id as id',
      'mailboxes.address as address',
      'mailboxes.display_name as displayName',
      'mailboxes.team_id as teamId',
      'teams.name as teamName',
      'mailboxes.default_type as defaultType',
    ]);
}

/**
 * Finds the connected mailboxes whose primary address or alias is one of
 * `addresses` (lower-case, without a plus tag). Returns a map from each
 * matched address to its mailbox. Both lookups use the unique address
 * indexes, so the cost grows with the recipients, not with the mailboxes.
 */
export async function findMailboxesByAddress(
  db: Executor,
  addresses: string[],
): Promise<Map<string, ConnectedMailbox>> {
  const found = new Map<string, ConnectedMailbox>();
  const unique = [...new Set(addresses)];
  if (unique.length === 0) {
    return found;
  }

  const primaries = await selectMailboxes(db).where('mailboxes.address', 'in', unique).execute();
  for (const mailbox of primaries) {
    found.set(mailbox.address, mailbox);
  }

  const aliases = await selectMailboxes(db)
    .innerJoin('mailbox_aliases', 'mailbox_aliases.mailbox_id', 'mailboxes.id')
    .select('mailbox_aliases.address as alias')
    .where('mailbox_aliases.address', 'in', unique)
    .execute();
  for (const { alias, ...mailbox } of aliases) {
    found.set(alias, mailbox);
  }
  return found;
}

/** Lower-cases and trims a display name and folds its inner white space, for comparison. */
export function foldDisplayName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Finds the connected mailboxes whose display name equals one of `names`
 * after `foldDisplayName`. Returns a map from each folded name to its
 * mailbox. A name shared by two mailboxes matches neither, because the
 * recipient is ambiguous.
 */
export async function findMailboxesByDisplayName(
  db: Executor,
  names: string[],
): Promise<Map<string, ConnectedMailbox>> {
  const wanted = new Set(names.map(foldDisplayName).filter((name) => name !== ''));
  const found = new Map<string, ConnectedMailbox>();
  if (wanted.size === 0) {
    return found;
  }

  // Display names are compared in JavaScript because SQLite's lower() folds
  // ASCII only, and Polish names such as "Łódź" must match case-insensitively.
  const rows = await selectMailboxes(db).where('mailboxes.display_name', 'is not', null).execute();
  const ambiguous = new Set<string>();
  for (const mailbox of rows) {
    const folded = foldDisplayName(mailbox.displayName ?? '');
    if (!wanted.has(folded)) {
      continue;
    }
    if (found.has(folded)) {
      ambiguous.add(folded);
    }
    found.set(folded, mailbox);
  }
  for (const name of ambiguous) {
    found.delete(name);
  }
  return found;
}
