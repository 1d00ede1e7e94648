/**
 * The directory of connected mailboxes, internal domains and settings, kept in storage with
 * its ETag so that the send handler's fast path needs no request. It is refreshed with
 * `If-None-Match` when older than `DIRECTORY_MAX_AGE_MS`, never on every send.
 */
import type { Directory } from '../../core/api-types.js';
import type { BackendClient, Clock, RequestBudget } from '../shared/backend-client.js';
import { BackendError } from '../shared/backend-client.js';
import type { KeyValueStorage } from '../shared/storage.js';
import { STORAGE_KEYS } from '../shared/storage.js';

/** Age after which a cached directory is refreshed, in milliseconds. */
export const DIRECTORY_MAX_AGE_MS = 5 * 60 * 1000;

export interface CachedDirectory {
  directory: Directory;
  etag: string | null;
  /** When the server last confirmed this directory, in milliseconds since the epoch. */
  fetchedAt: number;
}

export interface DirectoryCache {
  /** Returns the stored directory, or `null` when none is stored or the stored one is unreadable. */
  read(): Promise<CachedDirectory | null>;
  /** Fetches the directory (conditionally when `current` has an ETag), stores it and returns it. */
  refresh(current: CachedDirectory | null, budget: RequestBudget): Promise<CachedDirectory>;
  isStale(entry: CachedDirectory): boolean;
}

function parseCachedDirectory(raw: string | null): CachedDirectory | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<CachedDirectory> | null;
    if (!value || typeof value !== 'object' || !value.directory || typeof value.fetchedAt !== 'number') return null;
    const directory = value.directory;
    if (
      !Array.isArray(directory.mailboxes) ||
      !directory.settings ||
      !Array.isArray(directory.settings.internalDomains)
    ) {
      return null;
    }
    return { directory, etag: typeof value.etag === 'string' ? value.etag : null, fetchedAt: value.fetchedAt };
  } catch {
    return null;
  }
}

export function createDirectoryCache(options: {
  storage: KeyValueStorage;
  client: BackendClient;
  clock: Clock;
}): DirectoryCache {
  const { storage, client, clock } = options;

  async function store(entry: CachedDirectory): Promise<CachedDirectory> {
    await storage.setItem(STORAGE_KEYS.directory, JSON.stringify(entry));
    return entry;
  }

  return {
    async read() {
      return parseCachedDirectory(await storage.getItem(STORAGE_KEYS.directory));
    },

    async refresh(current, budget) {
      const result = await client.getDirectory(current ? current.etag : null, budget);
      if (result.status === 'not-modified' && current) {
        return store({ directory: current.directory, etag: current.etag, fetchedAt: clock.now() });
      }
      if (result.status === 'not-modified') {
        throw new BackendError(
          'WORKLINK_BACKEND_INVALID_RESPONSE',
          'GET /api/v1/directory returned 304 to a request without If-None-Match; the server must send the directory.',
          304,
        );
      }
      return store({ directory: result.directory, etag: result.etag, fetchedAt: clock.now() });
    },

    isStale(entry) {
      const age = clock.now() - entry.fetchedAt;
      return age < 0 || age > DIRECTORY_MAX_AGE_MS;
    },
  };
}
