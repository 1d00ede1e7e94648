import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, createBackendClient, createRequestBudget } from '../../src/addin/shared/backend-client.js';
import type { FetchInit, FetchLike, FetchResponseLike } from '../../src/addin/shared/backend-client.js';
import { STORAGE_KEYS, createMemoryStorage } from '../../src/addin/shared/storage.js';
import { FAKE_ORIGIN, createFakeBackend, demoDirectory } from '../support/office-backend-fake.js';

const TOKEN = 'dev-token-uk-agent';
const budget = () => createRequestBudget({ now: () => Date.now() }, 4000);

function response(status: number, body: string, headers: Record<string, string> = {}): FetchResponseLike {
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name) => headers[name.toLowerCase()] ?? null },
    text: async () => body,
  };
}

function clientWith(fetch: FetchLike, token: string | null = TOKEN) {
  const storage = createMemoryStorage(token === null ? {} : { [STORAGE_KEYS.accessToken]: token });
  return createBackendClient({ fetch, apiOrigin: FAKE_ORIGIN, storage });
}

async function rejection(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('backend client requests', () => {
  it('sends absolute URLs with the bearer token', async () => {
    const backend = createFakeBackend({ directory: demoDirectory(), ownTeamId: 1 });

    const result = await clientWith(backend.fetch).getDirectory(null, budget());

    expect(result.status).toBe('modified');
    expect(backend.requests[0]?.url).toBe('https://worklink.test/api/v1/directory');
    expect(backend.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(backend.requests[0]?.headers).not.toHaveProperty('if-none-match');
  });

  it('sends If-None-Match and reads 304', async () => {
    const backend = createFakeBackend({ directory: demoDirectory(), ownTeamId: 1, etag: '"v7"' });

    const result = await clientWith(backend.fetch).getDirectory('"v7"', budget());

    expect(result).toEqual({ status: 'not-modified' });
    expect(backend.requests[0]?.headers['if-none-match']).toBe('"v7"');
  });

  it('sends JSON bodies to send-plans', async () => {
    const backend = createFakeBackend({ directory: demoDirectory(), ownTeamId: 1 });

    const plan = await clientWith(backend.fetch).createSendPlan(
      { subject: 'Hello', recipients: [{ field: 'to', emailAddress: 'ops@northwind.example', displayName: 'Ops' }] },
      budget(),
    );

    expect(plan.id).toBe('plan-1');
    expect(plan.recipients[0]?.class).toBe('external');
    expect(backend.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('encodes the plan id in the commit path', async () => {
    const fetch = vi.fn<FetchLike>(async () =>
      response(200, JSON.stringify({ recipients: [], headers: {}, notices: [], createdReferences: [] })),
    );

    await clientWith(fetch).commitSendPlan('plan/1 x', { choices: [] }, budget());

    expect(fetch.mock.calls[0]?.[0]).toBe(`${FAKE_ORIGIN}/api/v1/send-plans/plan%2F1%20x/commit`);
  });
});

describe('backend client errors', () => {
  it('sends nothing without a token', async () => {
    const fetch = vi.fn<FetchLike>();

    const error = await rejection(clientWith(fetch, null).getDirectory(null, budget()));

    expect(error.code).toBe('WORKLINK_NOT_SIGNED_IN');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('reports 401 as unauthorized', async () => {
    const backend = createFakeBackend({ directory: demoDirectory(), ownTeamId: 1 });

    const error = await rejection(clientWith(backend.fetch, 'stale').getDirectory(null, budget()));

    expect(error.code).toBe('WORKLINK_BACKEND_UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.apiCode).toBe('WORKLINK_UNAUTHORIZED');
    expect(error.message).not.toContain('stale');
  });

  it('keeps the server error code and message', async () => {
    const fetch: FetchLike = async () =>
      response(422, JSON.stringify({ code: 'WORKLINK_RECIPIENTS_INVALID', message: 'Recipient 2 has no address.' }));

    const error = await rejection(clientWith(fetch).createSendPlan({ subject: '', recipients: [] }, budget()));

    expect(error.code).toBe('WORKLINK_BACKEND_ERROR');
    expect(error.status).toBe(422);
    expect(error.apiCode).toBe('WORKLINK_RECIPIENTS_INVALID');
    expect(error.message).toContain('Recipient 2 has no address.');
  });

  it('rejects a body that is not JSON', async () => {
    const fetch: FetchLike = async () => response(200, '<html>proxy login</html>');

    const error = await rejection(clientWith(fetch).getDirectory(null, budget()));

    expect(error.code).toBe('WORKLINK_BACKEND_INVALID_RESPONSE');
  });

  it('rejects a plan without an id', async () => {
    const fetch: FetchLike = async () => response(201, JSON.stringify({ recipients: [], decisionNeeded: false }));

    const error = await rejection(clientWith(fetch).createSendPlan({ subject: '', recipients: [] }, budget()));

    expect(error.code).toBe('WORKLINK_BACKEND_INVALID_RESPONSE');
  });

  it('reports a network failure as unreachable', async () => {
    const backend = createFakeBackend({ directory: demoDirectory(), ownTeamId: 1, mode: 'down' });

    const error = await rejection(clientWith(backend.fetch).getDirectory(null, budget()));

    expect(error.code).toBe('WORKLINK_BACKEND_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('rejects a relative API origin', () => {
    const create = () =>
      createBackendClient({ fetch: vi.fn<FetchLike>(), apiOrigin: '/api', storage: createMemoryStorage() });

    expect(create).toThrow(BackendError);
    expect(create).toThrow('WORKLINK_API_ORIGIN_INVALID');
    expect(create).toThrow('WORKLINK_PUBLIC_ORIGIN');
  });

  it('rejects an origin with a path', () => {
    expect(() =>
      createBackendClient({
        fetch: vi.fn<FetchLike>(),
        apiOrigin: 'https://worklink.test/api',
        storage: createMemoryStorage(),
      }),
    ).toThrow('WORKLINK_API_ORIGIN_INVALID');
  });
});

describe('backend client time budget', () => {
  it('aborts a slow request when the budget runs out', async () => {
    let signal: AbortSignal | undefined;
    const fetch: FetchLike = (_url, init: FetchInit) => {
      signal = init.signal;
      return new Promise(() => undefined);
    };

    const started = Date.now();
    const error = await rejection(
      clientWith(fetch).getDirectory(null, createRequestBudget({ now: () => Date.now() }, 30)),
    );

    expect(error.code).toBe('WORKLINK_BACKEND_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(signal?.aborted).toBe(true);
  });

  it('races the timeout without AbortController', async () => {
    vi.stubGlobal('AbortController', undefined);
    let init: FetchInit | undefined;
    const fetch: FetchLike = (_url, requestInit) => {
      init = requestInit;
      return new Promise(() => undefined);
    };

    const error = await rejection(
      clientWith(fetch).getDirectory(null, createRequestBudget({ now: () => Date.now() }, 30)),
    );

    expect(error.code).toBe('WORKLINK_BACKEND_TIMEOUT');
    expect(init).toBeDefined();
    expect(init).not.toHaveProperty('signal');
  });

  it('sends nothing once the budget is used up', async () => {
    const fetch = vi.fn<FetchLike>();
    let now = 1_000_000;
    const spent = createRequestBudget({ now: () => now }, 4000);
    now += 4000;

    const error = await rejection(clientWith(fetch).getDirectory(null, spent));

    expect(error.code).toBe('WORKLINK_BACKEND_TIMEOUT');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('shares one budget between requests', () => {
    let now = 0;
    const shared = createRequestBudget({ now: () => now }, 4000);

    now = 2500;

    expect(shared.remainingMs()).toBe(1500);
  });
});
