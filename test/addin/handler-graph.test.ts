import { describe, expect, it, vi } from 'vitest';
import type { Directory, Recipient, SendPlanRequest } from '../../src/core/api-types.js';
import { createSendHandler } from '../../src/addin/launchevent/send-handler.js';
import type { CompletedOptions } from '../../src/addin/launchevent/smart-alerts.js';
import type { TokenProvider } from '../../src/addin/launchevent/auth/token-provider.js';
import type { GraphFetch } from '../../src/addin/launchevent/graph/graph-batch.js';
import { MAX_BATCH_REQUESTS } from '../../src/addin/launchevent/graph/graph-batch.js';
import {
  GRAPH_LOOKUPS_KEY,
  HIT_TTL_MS,
  MISS_TTL_MS,
  createLookupCache,
} from '../../src/addin/launchevent/graph/lookup-cache.js';
import { lookupTargets } from '../../src/addin/launchevent/graph/lookup-targets.js';
import { createRecipientResolver } from '../../src/addin/launchevent/graph/recipient-resolver.js';
import type { ComposeItem } from '../../src/addin/shared/office-async.js';
import { SESSION_PLAN_KEY } from '../../src/addin/shared/session-plan.js';
import { STORAGE_KEYS, createMemoryStorage } from '../../src/addin/shared/storage.js';
import type { KeyValueStorage } from '../../src/addin/shared/storage.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';
import type { MockRecipient, OutlookMockOptions } from '../support/office-outlook-mock.js';
import { FAKE_ORIGIN, createFakeBackend, demoDirectory } from '../support/office-backend-fake.js';

const API_TOKEN = 'dev-token-uk-agent';
const GRAPH_TOKEN = 'graph-token-uk-agent';
const BATCH_URL = 'https://graph.microsoft.com/v1.0/$batch';

interface GraphUser {
  mail: string;
  proxyAddresses: string[];
}

interface GraphGroup extends GraphUser {
  id: string;
  members: GraphUser[];
}

interface BatchStep {
  id: string;
  method: string;
  url: string;
}

interface RecordedBatch {
  url: string;
  authorization: string | undefined;
  requests: BatchStep[];
}

/** Team B's mailbox as Graph lists it, with an alias that Worklink's directory does not know. */
const plSupportUser: GraphUser = {
  mail: 'pl.support@contoso.example',
  proxyAddresses: ['SMTP:pl.support@contoso.example', 'smtp:support.poland@contoso.example'],
};
const janUser: GraphUser = {
  mail: 'jan.kowalski@contoso.example',
  proxyAddresses: ['SMTP:jan.kowalski@contoso.example'],
};
const allPoland: GraphGroup = {
  id: '0c6f2ad4-7d3c-4f1c-9d0e-2b1f1c6f0a01',
  mail: 'all.poland@contoso.example',
  proxyAddresses: ['SMTP:all.poland@contoso.example'],
  members: [janUser, plSupportUser],
};

/**
 * A fake Graph `$batch` endpoint behind a `fetch` function; it opens no socket. It returns
 * results for `proxyAddresses` filters on users and groups and the transitive members of a group.
 */
function createFakeGraph(options: { users?: GraphUser[]; groups?: GraphGroup[] } = {}) {
  const users = options.users ?? [plSupportUser, janUser];
  const groups = options.groups ?? [allPoland];
  const batches: RecordedBatch[] = [];
  let failure: { status: number } | 'network' | null = null;

  function byProxy<T extends GraphUser>(list: T[], url: string): T[] {
    const filter = /\$filter=([^&]*)/.exec(url);
    const match = filter
      ? /^proxyAddresses\/any\(p:p eq 'smtp:(.+)'\)$/.exec(decodeURIComponent(filter[1] as string))
      : null;
    if (!match) throw new Error(`fake Graph: unexpected filter in ${url}`);
    const expected = `smtp:${(match[1] as string).replace(/''/g, "'").toLowerCase()}`;
    return list.filter((entry) => entry.proxyAddresses.some((proxy) => proxy.toLowerCase() === expected));
  }

  function answer(step: BatchStep): { id: string; status: number; body: unknown } {
    const members = /^\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user\?/.exec(step.url);
    if (members) {
      const group = groups.find((entry) => entry.id === decodeURIComponent(members[1] as string));
      if (!group) return { id: step.id, status: 404, body: { error: { code: 'Request_ResourceNotFound' } } };
      return { id: step.id, status: 200, body: { value: group.members.map((member) => ({ ...member })) } };
    }
    if (step.url.startsWith('/users?')) {
      const found = byProxy(users, step.url).map((user) => ({ mail: user.mail, proxyAddresses: user.proxyAddresses }));
      return { id: step.id, status: 200, body: { value: found } };
    }
    if (step.url.startsWith('/groups?')) {
      const found = byProxy(groups, step.url).map((group) => ({
        id: group.id,
        mail: group.mail,
        proxyAddresses: group.proxyAddresses,
      }));
      return { id: step.id, status: 200, body: { value: found } };
    }
    throw new Error(`fake Graph: unexpected request ${step.url}`);
  }

  const fetch = vi.fn<GraphFetch>(async (url, init) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    const body = JSON.parse(String(init.body)) as { requests: BatchStep[] };
    batches.push({ url, authorization: headers.Authorization, requests: body.requests });
    if (failure === 'network') throw new TypeError('fetch failed: getaddrinfo ENOTFOUND');
    if (failure) {
      return new Response(JSON.stringify({ error: { code: 'serviceNotAvailable', message: 'Try again later.' } }), {
        status: failure.status,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    if (url !== BATCH_URL || init.method !== 'POST') return new Response('', { status: 404 });
    if (body.requests.length > MAX_BATCH_REQUESTS) return new Response('', { status: 400 });
    return new Response(JSON.stringify({ responses: body.requests.map(answer) }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
  });

  return {
    fetch,
    batches,
    fail(next: { status: number } | 'network' | null) {
      failure = next;
    },
  };
}

const billing: MockRecipient = { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' };
const ukSupport: MockRecipient = { emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' };
const plSupport: MockRecipient = { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' };
const alias: MockRecipient = {
  emailAddress: 'support.poland+10040-C@contoso.example',
  displayName: 'Support Poland',
  recipientType: 'other',
};
const distributionList: MockRecipient = {
  emailAddress: 'all.poland@contoso.example',
  displayName: 'All Poland',
  recipientType: 'distributionList',
};
const jan: MockRecipient = { emailAddress: 'jan.kowalski@contoso.example', displayName: 'Jan', recipientType: 'user' };

interface GraphSetup {
  outlook: OutlookMockOptions;
  graph?: ReturnType<typeof createFakeGraph>;
  storage?: KeyValueStorage;
  clock?: { now(): number };
  graphToken?: string | null;
  directory?: Directory;
}

function setup(options: GraphSetup) {
  const directory = options.directory ?? demoDirectory();
  const clock = options.clock ?? { now: () => Date.now() };
  const storage = options.storage ?? createMemoryStorage({ [STORAGE_KEYS.accessToken]: API_TOKEN });
  void storage.setItem(
    STORAGE_KEYS.directory,
    JSON.stringify({ directory, etag: '"directory-v1"', fetchedAt: clock.now() - 1000 }),
  );
  const outlook = createOutlookMock(options.outlook);
  const backend = createFakeBackend({
    directory,
    ownTeamId: 1,
    currentReference: '101203-T',
    linkedReferences: { 2: ['10040-C'] },
  });
  const graph = options.graph ?? createFakeGraph();
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const tokens = {
    apiToken: vi.fn(async () => storage.getItem(STORAGE_KEYS.accessToken)),
    graphToken: vi.fn(async () => (options.graphToken === undefined ? GRAPH_TOKEN : options.graphToken)),
    forget: vi.fn(async () => undefined),
  } satisfies TokenProvider;
  const recipientResolver = createRecipientResolver({
    fetch: graph.fetch,
    tokens,
    cache: createLookupCache({ storage, clock }),
    clock,
    log,
  });
  const handler = createSendHandler({
    getItem: () => outlook.item as unknown as ComposeItem,
    storage,
    fetch: backend.fetch,
    apiOrigin: FAKE_ORIGIN,
    clock,
    language: () => 'en',
    markdownSupported: () => true,
    log,
    tokens,
    recipientResolver,
  });

  /** Runs one send and returns the options of its only `event.completed` call. */
  async function send(): Promise<CompletedOptions> {
    const event = outlook.createEvent();
    await handler(event);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(event.completed).toHaveBeenCalledTimes(1);
    return event.completed.mock.calls[0]?.[0] as CompletedOptions;
  }

  const planRecipients = (): Recipient[] =>
    (backend.requests.find((request) => request.path === '/api/v1/send-plans')?.body as SendPlanRequest).recipients;

  return { outlook, backend, graph, storage, tokens, log, send, planRecipients };
}

/** Decodes the address in a lookup's `proxyAddresses` filter. */
function filteredAddress(url: string): string {
  const filter = decodeURIComponent((/\$filter=([^&]*)/.exec(url) as RegExpExecArray)[1] as string);
  return (/'smtp:(.+)'/.exec(filter) as RegExpExecArray)[1] as string;
}

describe('handler Graph batch', () => {
  it('sends one $batch for unknown internal recipients', async () => {
    const colleagues = Array.from({ length: 19 }, (_, index) => ({
      emailAddress: `colleague${index + 1}@contoso.example`,
      displayName: `Colleague ${index + 1}`,
      recipientType: 'user',
    }));
    const { send, graph } = setup({
      outlook: {
        to: [billing, plSupport, { ...jan, emailAddress: 'Jan.Kowalski+invoices@contoso.example' }],
        cc: colleagues,
      },
    });

    await send();

    expect(graph.batches).toHaveLength(1);
    const batch = graph.batches[0] as RecordedBatch;
    expect(batch.url).toBe(BATCH_URL);
    expect(batch.authorization).toBe(`Bearer ${GRAPH_TOKEN}`);
    expect(batch.requests).toHaveLength(20);
    expect(batch.requests.every((request) => request.method === 'GET')).toBe(true);
    expect(batch.requests[0]?.url).toMatch(/^\/users\?\$filter=.*&\$select=mail,proxyAddresses$/);
    expect(filteredAddress(batch.requests[0]?.url as string)).toBe('jan.kowalski@contoso.example');
    expect(batch.requests.map((request) => filteredAddress(request.url))).not.toContain('pl.support@contoso.example');
    expect(new Set(batch.requests.map((request) => request.id)).size).toBe(20);
  });

  it('splits more than 20 lookups into batches', async () => {
    const colleagues = Array.from({ length: 45 }, (_, index) => ({
      emailAddress: `colleague${index + 1}@contoso.example`,
      displayName: `Colleague ${index + 1}`,
      recipientType: 'user',
    }));
    const { send, graph, planRecipients } = setup({ outlook: { to: colleagues } });

    await send();

    // The three batches go out together, so they may arrive in any order.
    expect(graph.batches.map((batch) => batch.requests.length).sort((a, b) => a - b)).toEqual([5, 20, 20]);
    expect(planRecipients()).toHaveLength(45);
  });

  it('looks up groups after a miss of unknown type', async () => {
    const { send, graph } = setup({
      outlook: { to: [{ emailAddress: 'nobody@contoso.example', displayName: 'Nobody', recipientType: 'other' }] },
    });

    await send();

    expect(graph.batches.map((batch) => batch.requests.map((request) => request.url.split('?')[0]))).toEqual([
      ['/users'],
      ['/groups'],
    ]);
  });
});

describe('handler Graph resolution', () => {
  it('sends a resolved alias in the plan request', async () => {
    const { send, planRecipients, graph } = setup({ outlook: { to: [billing, alias], cc: [ukSupport] } });

    const options = await send();

    expect(options.allowEvent).toBe(true);
    expect(graph.batches).toHaveLength(1);
    expect(filteredAddress(graph.batches[0]?.requests[0]?.url as string)).toBe('support.poland@contoso.example');
    expect(planRecipients()).toEqual([
      { field: 'to', emailAddress: billing.emailAddress, displayName: billing.displayName },
      {
        field: 'to',
        emailAddress: alias.emailAddress,
        displayName: alias.displayName,
        recipientType: 'other',
        resolvedAddress: 'pl.support@contoso.example',
        resolvedVia: 'proxy-address',
      },
      { field: 'cc', emailAddress: ukSupport.emailAddress, displayName: ukSupport.displayName },
    ]);
  });

  it('finds a connected mailbox in a distribution list', async () => {
    const { send, planRecipients, graph } = setup({ outlook: { to: [billing, distributionList] } });

    await send();

    expect(graph.batches).toHaveLength(2);
    expect(graph.batches[0]?.requests[0]?.url).toMatch(/^\/groups\?\$filter=/);
    expect(graph.batches[1]?.requests[0]?.url).toBe(
      `/groups/${allPoland.id}/transitiveMembers/microsoft.graph.user?$select=mail,proxyAddresses&$top=999`,
    );
    expect(planRecipients()[1]).toEqual({
      field: 'to',
      emailAddress: distributionList.emailAddress,
      displayName: distributionList.displayName,
      recipientType: 'distributionList',
      resolvedAddress: 'pl.support@contoso.example',
      resolvedVia: 'group-member',
    });
  });

  it('leaves a recipient with no connected mailbox as it is', async () => {
    const { send, planRecipients } = setup({ outlook: { to: [jan] } });

    await send();

    expect(planRecipients()).toEqual([{ field: 'to', ...jan }]);
  });

  it('asks Graph nothing when the directory lists every recipient', async () => {
    const { send, graph, tokens } = setup({
      outlook: { to: [billing, plSupport, { ...ukSupport, emailAddress: 'uk.support+101203-T@contoso.example' }] },
    });

    await send();

    expect(graph.batches).toHaveLength(0);
    expect(tokens.graphToken).not.toHaveBeenCalled();
  });
});

describe('handler Graph cache', () => {
  it('answers a repeated lookup from storage', async () => {
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: API_TOKEN });
    const graph = createFakeGraph();
    const first = setup({ outlook: { to: [alias, jan] }, storage, graph });
    await first.send();
    const second = setup({ outlook: { to: [alias, jan] }, storage, graph });

    await second.send();

    expect(graph.batches).toHaveLength(1);
    expect(second.planRecipients()[0]?.resolvedAddress).toBe('pl.support@contoso.example');
    expect(second.planRecipients()[1]?.resolvedAddress).toBeUndefined();
  });

  it('expires misses after an hour and hits after a day', async () => {
    let now = Date.UTC(2026, 11, 4, 9, 0, 0);
    const clock = { now: () => now };
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: API_TOKEN });
    const graph = createFakeGraph();
    await setup({ outlook: { to: [alias, jan] }, storage, graph, clock }).send();
    const stored = JSON.parse((await storage.getItem(GRAPH_LOOKUPS_KEY)) as string);
    expect(stored['support.poland@contoso.example']).toEqual({
      mailbox: 'pl.support@contoso.example',
      via: 'proxy-address',
      expiresAt: now + HIT_TTL_MS,
    });
    expect(stored['jan.kowalski@contoso.example']).toEqual({ mailbox: null, expiresAt: now + MISS_TTL_MS });

    now += MISS_TTL_MS + 1;
    await setup({ outlook: { to: [alias, jan] }, storage, graph, clock }).send();
    now += HIT_TTL_MS;
    await setup({ outlook: { to: [alias, jan] }, storage, graph, clock }).send();

    expect(graph.batches.map((batch) => batch.requests.map((request) => filteredAddress(request.url)))).toEqual([
      ['support.poland@contoso.example', 'jan.kowalski@contoso.example'],
      ['jan.kowalski@contoso.example'],
      ['support.poland@contoso.example', 'jan.kowalski@contoso.example'],
    ]);
  });
});

describe('handler Graph failure', () => {
  it.each([[{ status: 503 }], ['network' as const]])('sends the plan unresolved after %j', async (failure) => {
    const graph = createFakeGraph();
    graph.fail(failure);
    const { send, planRecipients, backend, storage, log } = setup({ outlook: { to: [billing, alias, jan] }, graph });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => request.path)).toEqual(['/api/v1/send-plans']);
    expect(planRecipients()).toEqual([
      { field: 'to', ...billing },
      { field: 'to', ...alias },
      { field: 'to', ...jan },
    ]);
    expect(await storage.getItem(GRAPH_LOOKUPS_KEY)).toBeNull();
    expect(log.warn).toHaveBeenCalledWith(
      'worklink: Graph recipient lookup failed; asking for a plan without it',
      expect.stringContaining('WORKLINK_GRAPH_LOOKUP_FAILED'),
    );
  });

  it('forgets the Graph token on 401', async () => {
    const graph = createFakeGraph();
    graph.fail({ status: 401 });
    const { send, tokens } = setup({ outlook: { to: [alias] }, graph });

    await send();

    expect(tokens.forget).toHaveBeenCalledWith('graph');
  });

  it('skips Graph without a Graph token', async () => {
    const { send, graph, planRecipients } = setup({ outlook: { to: [alias] }, graphToken: null });

    await send();

    expect(graph.batches).toHaveLength(0);
    expect(planRecipients()).toEqual([{ field: 'to', ...alias }]);
  });
});

describe('handler Graph request counts', () => {
  it('makes no request for external-only mail', async () => {
    const { send, backend, graph, tokens } = setup({ outlook: { to: [billing] } });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests).toHaveLength(0);
    expect(graph.batches).toHaveLength(0);
    expect(tokens.apiToken).not.toHaveBeenCalled();
    expect(tokens.graphToken).not.toHaveBeenCalled();
  });

  it.each([
    ['no Graph request when the directory lists them', [billing, plSupport], 0],
    ['one Graph batch for an unknown colleague', [billing, plSupport, jan], 1],
  ])('decided in the pane: 2 backend requests, %s', async (_name, to, graphBatches) => {
    const { send, backend, graph } = setup({
      outlook: {
        to,
        cc: [ukSupport],
        subject: 'RE: Invoice 4471 [101203-T]',
        sessionData: {
          [SESSION_PLAN_KEY]: JSON.stringify({
            planId: 'plan-from-pane',
            choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: '10040-C' }],
          }),
        },
      },
    });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => request.path)).toEqual([
      '/api/v1/send-plans',
      '/api/v1/send-plans/plan-1/commit',
    ]);
    expect(graph.batches).toHaveLength(graphBatches);
  });
});

describe('lookup targets', () => {
  it('picks unknown internal addresses once, tag removed', () => {
    const directory = demoDirectory({ internalDomains: ['contoso.example'] });
    const recipients: Recipient[] = [
      { field: 'to', emailAddress: 'billing@fabrikam.example', displayName: '' },
      { field: 'to', emailAddress: 'wsparcie.pl+10040-C@contoso.example', displayName: '' },
      { field: 'to', emailAddress: 'Jan.Kowalski+a@EU.Contoso.example', displayName: '', recipientType: 'user' },
      { field: 'cc', emailAddress: 'jan.kowalski@eu.contoso.example', displayName: '' },
      { field: 'cc', emailAddress: 'Legal', displayName: 'Legal', recipientType: 'other' },
      { field: 'bcc', emailAddress: 'finance@notcontoso.example', displayName: '' },
    ];

    expect(lookupTargets(recipients, directory)).toEqual([
      { address: 'jan.kowalski@eu.contoso.example', recipientType: 'user' },
    ]);
  });
});
