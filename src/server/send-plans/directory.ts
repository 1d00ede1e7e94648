import { createHash } from 'node:crypto';
import type { Directory, DirectoryMailbox } from '../../core/api-types.js';
import { getDirectory } from '../repositories/directory-cache.js';
import type { DirectorySnapshot } from '../repositories/directory-cache.js';
import type { Executor } from '../repositories/executor.js';

// Built once per directory version. The route only serialises the result, so sharing it is safe.
const built = new WeakMap<DirectorySnapshot, Directory>();
const etags = new WeakMap<Directory, string>();

/**
 * Loads the directory that the add-in caches for its fast path. Mailboxes are
 * sorted by address and aliases alphabetically, so equal content always gives
 * equal JSON and therefore an equal ETag.
 */
export async function loadDirectory(db: Executor): Promise<Directory> {
  const snapshot = await getDirectory(db);
  let directory = built.get(snapshot);
  if (directory === undefined) {
    directory = buildDirectory(snapshot);
    built.set(snapshot, directory);
    etags.set(directory, hashDirectory(directory));
  }
  return directory;
}

function buildDirectory({ mailboxes: entries, settings }: DirectorySnapshot): Directory {
  const mailboxes: DirectoryMailbox[] = entries
    .map((entry) => {
      const mailbox: DirectoryMailbox = {
        address: entry.address,
        aliases: [...entry.aliases].sort(),
        teamId: entry.teamId,
        teamName: entry.teamName,
      };
      if (entry.displayName) {
        mailbox.displayName = entry.displayName;
      }
      return mailbox;
    })
    .sort((a, b) => compareText(a.address, b.address));

  return {
    mailboxes,
    settings: {
      plusAddressing: { mode: settings.plusAddressing.mode, separator: settings.plusAddressing.separator },
      internalDomains: [...settings.internalDomains],
      failurePolicy: settings.failurePolicy,
    },
  };
}

function compareText(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

/** Computes a strong ETag from the directory's JSON: equal bytes, equal tag. */
export function directoryEtag(directory: Directory): string {
  return etags.get(directory) ?? hashDirectory(directory);
}

function hashDirectory(directory: Directory): string {
  const digest = createHash('sha256').update(JSON.stringify(directory)).digest('base64url');
  return `"${digest}"`;
}

/**
 * Tells whether an `If-None-Match` header matches `etag`. RFC 9110 compares
 * If-None-Match weakly, so a `W/` prefix is ignored, and `*` matches any tag.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) {
    return false;
  }
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag.replace(/^W\//, '') === etag);
}
