import type { FormField, Settings } from '../../core/api-types.js';
import { normalizeAddress } from '../../core/address.js';
import { allowedSeparators, splitPlusAddress } from '../../core/plus-address.js';
import { parseReference } from '../../core/reference.js';
import { readDirectoryVersion } from './directory-version.js';
import type { Executor } from './executor.js';
import { loadMailboxes } from './mailboxes.js';
import type { MailboxEntry } from './mailboxes.js';
import { getSettings } from './settings.js';
import { listTeamForms } from './team-forms.js';

/**
 * The mailboxes with their aliases and teams, the settings and the teams'
 * creation forms, as of one directory version. Shared between requests:
 * callers must not change it.
 */
export interface DirectorySnapshot {
  readonly version: string | null;
  readonly mailboxes: MailboxEntry[];
  readonly settings: Readonly<Settings>;
  /** Primary addresses and aliases, lower-case, to their mailbox. */
  readonly byAddress: ReadonlyMap<string, MailboxEntry>;
  /** Creation forms by team id, without the teams that have none. */
  readonly forms: ReadonlyMap<number, FormField[]>;
}

interface CacheState {
  snapshot?: DirectorySnapshot;
  /** `performance.now()` before the version read that last confirmed `snapshot`. */
  confirmedAt?: number;
  loading?: { version: string | null; promise: Promise<DirectorySnapshot> };
}

// Keyed by the Kysely instance, so each database handle (and each test database) has its own cache.
const caches = new WeakMap<Executor, CacheState>();

async function loadSnapshot(db: Executor, version: string | null): Promise<DirectorySnapshot> {
  const [mailboxes, settings, forms] = await Promise.all([loadMailboxes(db), getSettings(db), listTeamForms(db)]);
  const byAddress = new Map<string, MailboxEntry>();
  for (const mailbox of mailboxes) {
    byAddress.set(mailbox.address, mailbox);
    for (const alias of mailbox.aliases) {
      byAddress.set(alias, mailbox);
    }
  }
  return { version, mailboxes, settings, byAddress, forms };
}

/**
 * Returns the directory, reloading it only when its version row changed.
 * That costs one primary-key read per call, so an admin change made through
 * another server instance is seen on the next call. Inside a transaction the
 * directory is read from the transaction itself and not cached.
 */
export async function getDirectory(db: Executor): Promise<DirectorySnapshot> {
  const checkedAt = performance.now();
  // The version is read before the rows, so a snapshot is never older than its version.
  const version = await readDirectoryVersion(db);
  if (db.isTransaction) {
    return loadSnapshot(db, version);
  }
  let state = caches.get(db);
  if (state === undefined) {
    state = {};
    caches.set(db, state);
  }
  if (state.snapshot !== undefined && state.snapshot.version === version) {
    state.confirmedAt = checkedAt;
    return state.snapshot;
  }
  if (state.loading !== undefined && state.loading.version === version) {
    return state.loading.promise;
  }

  const loading = { version, promise: loadSnapshot(db, version) };
  state.loading = loading;
  try {
    const snapshot = await loading.promise;
    if (state.loading === loading) {
      state.snapshot = snapshot;
      state.confirmedAt = checkedAt;
      state.loading = undefined;
    }
    return snapshot;
  } catch (error) {
    if (state.loading === loading) {
      state.loading = undefined;
    }
    throw error;
  }
}

/**
 * Returns the cached directory if a `getDirectory` call confirmed it as
 * current within the last `maxAgeMs` milliseconds, without a query, and
 * undefined otherwise. It may miss an admin change made since, so use it only
 * where a stale result is safe.
 */
export function recentDirectory(db: Executor, maxAgeMs: number): DirectorySnapshot | undefined {
  const state = caches.get(db);
  if (state?.snapshot === undefined || state.confirmedAt === undefined) {
    return undefined;
  }
  return performance.now() - state.confirmedAt <= maxAgeMs ? state.snapshot : undefined;
}

/** A connected mailbox that an address reaches, with the plus tag the address carries. */
export interface DirectoryMatch {
  mailbox: MailboxEntry;
  /** The tag as written, without the separator, or null for the mailbox's own address or alias. */
  tag: string | null;
}

/**
 * Finds the mailbox that `address` reaches, case-insensitively: its primary
 * address or an alias, with or without a plus tag after the configured
 * separator. Failing that, an address that contains the separator may be a
 * mailbox's own, and last comes a work item reference after another allowed
 * separator, so that replies to plus addresses written before an admin
 * changed the separator still arrive.
 */
export function matchDirectoryAddress(directory: DirectorySnapshot, address: string): DirectoryMatch | undefined {
  const configured = directory.settings.plusAddressing.separator;
  const split = splitPlusAddress(address, configured);
  const mailbox = directory.byAddress.get(split.base);
  if (mailbox !== undefined) {
    return { mailbox, tag: split.tag };
  }
  if (split.tag === null) {
    return undefined;
  }
  const whole = normalizeAddress(address);
  const own = whole.ok ? directory.byAddress.get(whole.value) : undefined;
  if (own !== undefined) {
    return { mailbox: own, tag: null };
  }
  for (const separator of allowedSeparators) {
    if (separator === configured) {
      continue;
    }
    // Only a work item reference counts here, so that `pl-team@` does not reach the mailbox `pl@`.
    const other = splitPlusAddress(address, separator);
    const isReference = other.tag !== null && parseReference(other.tag).ok;
    const tagged = isReference ? directory.byAddress.get(other.base) : undefined;
    if (tagged !== undefined) {
      return { mailbox: tagged, tag: other.tag };
    }
  }
  return undefined;
}

/** Finds a mailbox by primary address or alias, case-insensitively and with any plus tag removed. */
export function findDirectoryMailbox(directory: DirectorySnapshot, address: string): MailboxEntry | undefined {
  return matchDirectoryAddress(directory, address)?.mailbox;
}
