import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  STORAGE_KEYS,
  StorageUnavailableError,
  createMemoryStorage,
  createStorage,
} from '../../src/addin/shared/storage.js';
import { parseSessionPlan, serializeSessionPlan } from '../../src/addin/shared/session-plan.js';
import { BackendError, createBackendClient, createRequestBudget } from '../../src/addin/shared/backend-client.js';
import type { FetchLike } from '../../src/addin/shared/backend-client.js';
import { DIRECTORY_MAX_AGE_MS, createDirectoryCache } from '../../src/addin/launchevent/directory-cache.js';
import { FAKE_ORIGIN, createFakeBackend, demoDirectory } from '../support/office-backend-fake.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

function webStorage(): Storage {
  const values = new Map<string, string>();
  return {
    get length() {
      return values.size;
    },
    clear: () => values.clear(),
    key: (index: number) => [...values.keys()][index] ?? null,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

describe('createStorage', () => {
  it('prefers OfficeRuntime.storage', async () => {
    const values: Record<string, string> = {};
    vi.stubGlobal('OfficeRuntime', {
      storage: {
        getItem: async (key: string) => values[key],
        setItem: async (key: string, value: string) => {
          values[key] = value;
        },
        removeItem: async (key: string) => {
          delete values[key];
        },
      },
    });
    vi.stubGlobal('localStorage', webStorage());
    const storage = createStorage();

    await storage.setItem(STORAGE_KEYS.accessToken, 'token-1');

    expect(values[STORAGE_KEYS.accessToken]).toBe('token-1');
    expect(localStorage.getItem(STORAGE_KEYS.accessToken)).toBeNull();
    await expect(storage.getItem('worklink.missing')).resolves.toBeNull();
  });

  it('falls back to localStorage', async () => {
    vi.stubGlobal('OfficeRuntime', undefined);
    vi.stubGlobal('localStorage', webStorage());
    const storage = createStorage();

    await storage.setItem(STORAGE_KEYS.directory, '{}');

    expect(localStorage.getItem(STORAGE_KEYS.directory)).toBe('{}');
    await storage.removeItem(STORAGE_KEYS.directory);
    await expect(storage.getItem(STORAGE_KEYS.directory)).resolves.toBeNull();
  });

  it('rejects with a coded error without any storage', async () => {
    vi.stubGlobal('OfficeRuntime', undefined);
    vi.stubGlobal('localStorage', undefined);
    const storage = createStorage();

    const error = await storage.getItem(STORAGE_KEYS.accessToken).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as StorageUnavailableError).code).toBe('WORKLINK_STORAGE_UNAVAILABLE');
  });
});

describe('parseSessionPlan', () => {
  const record = {
    planId: 'plan-1',
    choices: [{ mailbox: 'pl.support@contoso.example', action: 'share' as const, reference: '10040-C' }],
    planRecipients: [{ field: 'to' as const, emailAddress: 'pl.support@contoso.example', displayName: 'PL' }],
    recipients: [{ field: 'to' as const, emailAddress: 'pl.support+10040-C@contoso.example', displayName: 'PL' }],
    headers: { 'X-Worklink-Plan': 'plan-1' },
  };

  it('reads back what it wrote', () => {
    expect(parseSessionPlan(serializeSessionPlan(record))).toEqual(record);
  });

  it('reads nothing from missing or damaged values', () => {
    expect(parseSessionPlan(null)).toBeNull();
    expect(parseSessionPlan('')).toBeNull();
    expect(parseSessionPlan('{"planId":')).toBeNull();
    expect(parseSessionPlan('"plan-1"')).toBeNull();
    expect(parseSessionPlan(JSON.stringify({ ...record, planId: '' }))).toBeNull();
    expect(parseSessionPlan(JSON.stringify({ ...record, choices: [{ mailbox: 'x', action: 'merge' }] }))).toBeNull();
    expect(parseSessionPlan(JSON.stringify({ ...record, recipients: [{ field: 'from' }] }))).toBeNull();
    expect(parseSessionPlan(JSON.stringify({ ...record, planRecipients: 'pl.support@contoso.example' }))).toBeNull();
  });
});

describe('directory cache', () => {
  function cacheWith(fetch: FetchLike, now: () => number, initial: Record<string, string> = {}) {
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: 'dev-token-uk-agent', ...initial });
    const client = createBackendClient({ fetch, apiOrigin: FAKE_ORIGIN, storage });
    return { storage, cache: createDirectoryCache({ storage, client, clock: { now } }) };
  }

  it('reads an unreadable entry as missing', async () => {
    const { cache } = cacheWith(vi.fn<FetchLike>(), () => 0, { [STORAGE_KEYS.directory]: '{"directory":' });

    await expect(cache.read()).resolves.toBeNull();
  });

  it('stores the directory with its ETag', async () => {
    const backend = createFakeBackend({ directory: demoDirectory(), ownTeamId: 1, etag: '"v2"' });
    const { cache } = cacheWith(backend.fetch, () => 5000);

    await cache.refresh(null, createRequestBudget({ now: () => 0 }, 4000));

    const entry = await cache.read();
    expect(entry?.etag).toBe('"v2"');
    expect(entry?.fetchedAt).toBe(5000);
    expect(entry?.directory.mailboxes).toHaveLength(2);
  });

  it('keeps the directory on 304 and renews its age', async () => {
    const backend = createFakeBackend({ directory: demoDirectory(), ownTeamId: 1, etag: '"v2"' });
    let now = 0;
    const { cache } = cacheWith(backend.fetch, () => now);
    const first = await cache.refresh(null, createRequestBudget({ now: () => now }, 4000));

    now = DIRECTORY_MAX_AGE_MS + 1;
    expect(cache.isStale(first)).toBe(true);
    const second = await cache.refresh(first, createRequestBudget({ now: () => now }, 4000));

    expect(backend.requests[1]?.headers['if-none-match']).toBe('"v2"');
    expect(second.directory).toEqual(first.directory);
    expect(second.fetchedAt).toBe(now);
    expect(cache.isStale(second)).toBe(false);
  });

  it('rejects 304 to an unconditional request', async () => {
    const fetch: FetchLike = async () => ({
      status: 304,
      ok: false,
      headers: { get: () => null },
      text: async () => '',
    });
    const { cache } = cacheWith(fetch, () => 0);

    const error = await cache
      .refresh(null, createRequestBudget({ now: () => 0 }, 4000))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).code).toBe('WORKLINK_BACKEND_INVALID_RESPONSE');
  });

  it('treats a clock that went back as stale', async () => {
    const { cache } = cacheWith(vi.fn<FetchLike>(), () => 1000);

    expect(cache.isStale({ directory: demoDirectory(), etag: null, fetchedAt: 2000 })).toBe(true);
    expect(cache.isStale({ directory: demoDirectory(), etag: null, fetchedAt: 1000 })).toBe(false);
  });
});
