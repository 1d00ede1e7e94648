import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createSendHandler } from '../../src/addin/launchevent/send-handler.js';
import type { CompletedOptions } from '../../src/addin/launchevent/smart-alerts.js';
import type { TokenProvider } from '../../src/addin/launchevent/auth/token-provider.js';
import type { GraphFetch } from '../../src/addin/launchevent/graph/graph-batch.js';
import { createLookupCache } from '../../src/addin/launchevent/graph/lookup-cache.js';
import { createRecipientResolver } from '../../src/addin/launchevent/graph/recipient-resolver.js';
import type { FetchLike } from '../../src/addin/shared/backend-client.js';
import type { ComposeItem } from '../../src/addin/shared/office-async.js';
import { SESSION_PLAN_KEY } from '../../src/addin/shared/session-plan.js';
import { STORAGE_KEYS, createMemoryStorage } from '../../src/addin/shared/storage.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';
import type { OutlookMockOptions } from '../support/office-outlook-mock.js';

// The handler with Graph lookups against the real API through Fastify's `inject`, and a fake
// Graph behind a `fetch` function: no socket is opened.
const ORIGIN = 'https://localhost:3000';

/** Adapts `app.inject` to the handler's `fetch`, recording each request line. */
function injectFetch(app: FastifyInstance, calls: string[]): FetchLike {
  return async (url, init) => {
    const { pathname, search } = new URL(url);
    const response = await app.inject({
      method: init.method,
      url: pathname + search,
      headers: init.headers,
      ...(init.body === undefined ? {} : { payload: init.body }),
    });
    calls.push(`${init.method} ${pathname} ${response.statusCode}`);
    return {
      status: response.statusCode,
      ok: response.statusCode >= 200 && response.statusCode < 300,
      headers: {
        get: (name: string) => {
          const value = response.headers[name.toLowerCase()];
          return value === undefined ? null : String(value);
        },
      },
      text: async () => response.body,
    };
  };
}

const plSupport = { mail: 'pl.support@contoso.example', proxyAddresses: ['SMTP:pl.support@contoso.example'] };

/**
 * Graph's view of the demo tenant: Team B's mailbox with an alias the server does not list,
 * and a distribution list that contains it. `down` makes every batch fail.
 */
function fakeGraph(down = false) {
  const alias = { ...plSupport, proxyAddresses: [...plSupport.proxyAddresses, 'smtp:support.poland@contoso.example'] };
  const batches: number[] = [];
  const fetch = vi.fn<GraphFetch>(async (_url, init) => {
    const { requests } = JSON.parse(String(init.body)) as { requests: { id: string; url: string }[] };
    batches.push(requests.length);
    if (down) return new Response('{}', { status: 503, headers: { 'Content-Type': 'application/json' } });
    const responses = requests.map(({ id, url }) => {
      const filter = decodeURIComponent(/\$filter=([^&]*)/.exec(url)?.[1] ?? '');
      let value: unknown[] = [];
      if (url.startsWith('/users?') && filter.includes("'smtp:support.poland@contoso.example'")) value = [alias];
      if (url.startsWith('/groups?') && filter.includes("'smtp:all.poland@contoso.example'")) {
        value = [{ id: 'group-all-poland', mail: 'all.poland@contoso.example', proxyAddresses: [] }];
      }
      if (url.startsWith('/groups/group-all-poland/transitiveMembers/')) value = [plSupport];
      return { id, status: 200, body: { value } };
    });
    return new Response(JSON.stringify({ responses }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  return { fetch, batches };
}

const message: OutlookMockOptions = {
  to: [
    { emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' },
    { emailAddress: 'support.poland@contoso.example', displayName: 'Support Poland', recipientType: 'other' },
  ],
  cc: [{ emailAddress: 'all.poland@contoso.example', displayName: 'All Poland', recipientType: 'distributionList' }],
  subject: 'Order 4471: delivery and invoice',
};

describe.each(await availableDialects())('Graph-resolved recipients against the API on %s', (dialect) => {
  let testApp: TestApp;
  let token: string;

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    token = await testApp.tokenFor('uk.agent@contoso.example');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  function setup(graph: ReturnType<typeof fakeGraph>) {
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: token });
    const outlook = createOutlookMock(message);
    const calls: string[] = [];
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const clock = { now: () => Date.now() };
    const tokens: TokenProvider = {
      apiToken: async () => token,
      graphToken: async () => 'graph-token',
      forget: async () => undefined,
    };
    const handler = createSendHandler({
      getItem: () => outlook.item as unknown as ComposeItem,
      storage,
      fetch: injectFetch(testApp.app, calls),
      apiOrigin: ORIGIN,
      clock,
      language: () => 'en',
      markdownSupported: () => true,
      log,
      tokens,
      recipientResolver: createRecipientResolver({
        fetch: graph.fetch,
        tokens,
        cache: createLookupCache({ storage, clock }),
        clock,
        log,
      }),
    });

    async function send(): Promise<CompletedOptions> {
      const event = outlook.createEvent();
      await handler(event);
      expect(event.completed).toHaveBeenCalledTimes(1);
      return event.completed.mock.calls[0]?.[0] as CompletedOptions;
    }

    return { outlook, calls, send };
  }

  it('links through an alias and keeps the list', async () => {
    const graph = fakeGraph();
    const { send, outlook, calls } = setup(graph);

    const stopped = await send();

    expect(stopped.allowEvent).toBe(false);
    expect(stopped.errorMessage).toContain('Team B (PL)');
    const planId = JSON.parse(stopped.contextData as string).planId as string;
    outlook.sessionData[SESSION_PLAN_KEY] = JSON.stringify({
      planId,
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso Polska' } }],
    });
    calls.length = 0;

    expect(await send()).toEqual({ allowEvent: true });

    expect(calls).toEqual([
      'POST /api/v1/send-plans 201',
      expect.stringMatching(/^POST \/api\/v1\/send-plans\/[0-9a-f-]{36}\/commit 200$/),
    ]);
    // The alias is written as the mailbox's primary plus address, with its display name kept.
    expect(outlook.recipients.to[1]?.displayName).toBe('Support Poland');
    expect(outlook.recipients.to[1]?.emailAddress).toMatch(/^pl\.support\+\d+-C@contoso\.example$/i);
    // The list is not a mailbox, so it is never rewritten and its other members still get the message.
    expect(outlook.recipients.cc).toEqual(message.cc);
    // The alias among users and the list among groups, then the list's members; the second send reads the cache.
    expect(graph.batches).toEqual([2, 1]);
  });

  it('sends unresolved recipients as internal when Graph is down', async () => {
    const graph = fakeGraph(true);
    const { send, outlook, calls } = setup(graph);

    expect(await send()).toEqual({ allowEvent: true });

    expect(calls.filter((call) => call.startsWith('POST'))).toEqual(['POST /api/v1/send-plans 201']);
    expect(outlook.recipients.to[1]?.emailAddress).toBe('support.poland@contoso.example');
    expect(outlook.recipients.cc).toHaveLength(1);
  });
});
