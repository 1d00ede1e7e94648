/**
 * Results of Graph recipient lookups, kept in storage under `worklink.graphLookups` so that
 * the next send to the same address needs no Graph request. A hit is kept longer than a miss,
 * because a new alias or list member should be found within the hour.
 */
import type { Clock } from '../../shared/backend-client.js';
import type { KeyValueStorage } from '../../shared/storage.js';

export const GRAPH_LOOKUPS_KEY = 'worklink.graphLookups';

/** How long a lookup that found a connected mailbox is kept, in milliseconds. */
export const HIT_TTL_MS = 24 * 60 * 60 * 1000;

/** How long a lookup that found none is kept, in milliseconds. */
export const MISS_TTL_MS = 60 * 60 * 1000;

/** Entries kept at most; the ones that expire first are dropped beyond it. */
export const MAX_CACHED_LOOKUPS = 500;

/**
 * Result of one address's lookup: the connected mailbox it is (`proxy-address`, an alias of
 * the mailbox) or contains (`group-member`, a distribution list or group with the mailbox
 * among its transitive members), or `null` for neither.
 */
export interface LookupResult {
  mailbox: string | null;
  via?: 'proxy-address' | 'group-member';
}

interface CachedLookup extends LookupResult {
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

type LookupTable = { [address: string]: CachedLookup };

export interface LookupCache {
  /** Returns the unexpired results among `addresses`. */
  read(addresses: readonly string[]): Promise<{ [address: string]: LookupResult }>;
  /** Stores new results with their time to live. */
  write(results: { [address: string]: LookupResult }): Promise<void>;
}

function parseTable(raw: string | null): LookupTable {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as LookupTable) : {};
  } catch {
    return {};
  }
}

function isEntry(value: unknown): value is CachedLookup {
  if (!value || typeof value !== 'object') return false;
  const entry = value as Partial<CachedLookup>;
  return typeof entry.expiresAt === 'number' && (entry.mailbox === null || typeof entry.mailbox === 'string');
}

export function createLookupCache(options: { storage: KeyValueStorage; clock: Clock }): LookupCache {
  const { storage, clock } = options;

  return {
    async read(addresses) {
      const table = parseTable(await storage.getItem(GRAPH_LOOKUPS_KEY));
      const now = clock.now();
      const found: { [address: string]: LookupResult } = {};
      for (const address of addresses) {
        const entry = Object.prototype.hasOwnProperty.call(table, address) ? table[address] : undefined;
        if (!isEntry(entry) || entry.expiresAt <= now) continue;
        const result: LookupResult = { mailbox: entry.mailbox };
        if (entry.via) result.via = entry.via;
        found[address] = result;
      }
      return found;
    },

    async write(results) {
      const table = parseTable(await storage.getItem(GRAPH_LOOKUPS_KEY));
      const now = clock.now();
      for (const address of Object.keys(results)) {
        const result = results[address] as LookupResult;
        table[address] = { ...result, expiresAt: now + (result.mailbox ? HIT_TTL_MS : MISS_TTL_MS) };
      }

      const kept = Object.keys(table)
        .filter((address) => isEntry(table[address]) && (table[address] as CachedLookup).expiresAt > now)
        .sort((a, b) => (table[b] as CachedLookup).expiresAt - (table[a] as CachedLookup).expiresAt)
        .slice(0, MAX_CACHED_LOOKUPS);
      const pruned: LookupTable = {};
      for (const address of kept) pruned[address] = table[address] as CachedLookup;
      await storage.setItem(GRAPH_LOOKUPS_KEY, JSON.stringify(pruned));
    },
  };
}
