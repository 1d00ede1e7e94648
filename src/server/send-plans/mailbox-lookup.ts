import type { DirectorySnapshot } from '../repositories/directory-cache.js';
import type { MailboxEntry } from '../repositories/mailboxes.js';

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

function connected(entry: MailboxEntry): ConnectedMailbox {
  return {
    id: entry.id,
    address: entry.address,
    displayName: entry.displayName,
    teamId: entry.teamId,
    teamName: entry.teamName,
    defaultType: entry.defaultType,
  };
}

/**
 * Finds the connected mailboxes whose primary address or alias is one of
 * `addresses` (lower-case, without a plus tag). Returns a map from each
 * matched address to its mailbox. The lookup runs on the cached directory,
 * so a plan costs no query for it.
 */
export function findMailboxesByAddress(
  directory: DirectorySnapshot,
  addresses: string[],
): Map<string, ConnectedMailbox> {
  const found = new Map<string, ConnectedMailbox>();
  for (const address of new Set(addresses)) {
    const entry = directory.byAddress.get(address);
    if (entry !== undefined) {
      found.set(address, connected(entry));
    }
  }
  return found;
}

/** Lower-cases and trims a display name and folds its inner white space, for comparison. */
export function foldDisplayName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

// Folded display name to its mailbox, or null when two mailboxes share the name. Built once per directory version.
const nameIndexes = new WeakMap<DirectorySnapshot, Map<string, MailboxEntry | null>>();

function nameIndexOf(directory: DirectorySnapshot): Map<string, MailboxEntry | null> {
  let index = nameIndexes.get(directory);
  if (index === undefined) {
    index = new Map();
    for (const entry of directory.mailboxes) {
      if (entry.displayName === null) {
        continue;
      }
      // Folded in JavaScript, not SQL, so that Polish names such as "Łódź" match case-insensitively.
      const folded = foldDisplayName(entry.displayName);
      index.set(folded, index.has(folded) ? null : entry);
    }
    nameIndexes.set(directory, index);
  }
  return index;
}

/**
 * Finds the connected mailboxes whose display name equals one of `names`
 * after `foldDisplayName`. Returns a map from each folded name to its
 * mailbox. A name shared by two mailboxes matches neither, because the
 * recipient is ambiguous.
 */
export function findMailboxesByDisplayName(
  directory: DirectorySnapshot,
  names: string[],
): Map<string, ConnectedMailbox> {
  const index = nameIndexOf(directory);
  const found = new Map<string, ConnectedMailbox>();
  for (const name of names) {
    const folded = foldDisplayName(name);
    const entry = folded === '' ? undefined : index.get(folded);
    if (entry !== undefined && entry !== null) {
      found.set(folded, connected(entry));
    }
  }
  return found;
}
