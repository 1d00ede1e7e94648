import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Directory } from '../../src/core/api-types.js';
import { createSendHandler, PLAN_HEADER } from '../../src/addin/launchevent/send-handler.js';
import type { ComposeItem } from '../../src/addin/shared/office-async.js';
import { SESSION_PLAN_KEY, parseSessionPlan } from '../../src/addin/shared/session-plan.js';
import { STORAGE_KEYS, createMemoryStorage } from '../../src/addin/shared/storage.js';
import { resolveLanguage, t } from '../../src/addin/shared/strings.js';
import type { CompletedOptions } from '../../src/addin/launchevent/smart-alerts.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';
import type { MockRecipient, OutlookMockOptions } from '../support/office-outlook-mock.js';
import { FAKE_ORIGIN, createFakeBackend, demoDirectory } from '../support/office-backend-fake.js';
import type { FakeBackendOptions } from '../support/office-backend-fake.js';

const TOKEN = 'dev-token-uk-agent';

const billing: MockRecipient = { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' };
const plSupport: MockRecipient = { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' };
const ukSupport: MockRecipient = { emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' };
const legal: MockRecipient = { emailAddress: 'legal@contoso.example', displayName: 'Legal' };
const ukAgent: MockRecipient = { emailAddress: 'uk.agent@contoso.example', displayName: 'UK Agent' };

/** A reply on work item 101203-T of Team A that pulls in Team B, a non-connected address and a Bcc. */
const replyToBothTeams: OutlookMockOptions = {
  to: [billing, plSupport],
  cc: [legal, ukSupport],
  bcc: [ukAgent],
  subject: 'RE: Invoice 4471 [101203-T]',
};

interface SetupOptions {
  outlook?: OutlookMockOptions;
  backend?: Partial<FakeBackendOptions>;
  directory?: Directory;
  /** Whether the directory is cached in storage before the send; true unless set. */
  cached?: boolean;
  /** Milliseconds since the cached directory was fetched. */
  cacheAgeMs?: number;
  token?: string | null;
  budgetMs?: number;
}

function setup(options: SetupOptions = {}) {
  const directory = options.directory ?? demoDirectory();
  const outlook = createOutlookMock(options.outlook ?? replyToBothTeams);
  const backend = createFakeBackend({
    directory,
    ownTeamId: 1,
    currentReference: '101203-T',
    linkedReferences: { 2: ['10040-C'] },
    ...options.backend,
  });

  const initial: Record<string, string> = {};
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) initial[STORAGE_KEYS.accessToken] = token;
  if (options.cached !== false) {
    initial[STORAGE_KEYS.directory] = JSON.stringify({
      directory,
      etag: '"directory-v1"',
      fetchedAt: Date.now() - (options.cacheAgeMs ?? 1000),
    });
  }
  const storage = createMemoryStorage(initial);
  const fetch = vi.fn(backend.fetch);
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const office = outlook.office as unknown as {
    context: { displayLanguage: string; requirements: { isSetSupported(name: string, version: string): boolean } };
  };

  const handler = createSendHandler({
    getItem: () => outlook.item as unknown as ComposeItem,
    storage,
    fetch,
    apiOrigin: FAKE_ORIGIN,
    clock: { now: () => Date.now() },
    language: () => resolveLanguage(office.context.displayLanguage),
    markdownSupported: () => office.context.requirements.isSetSupported('Mailbox', '1.15'),
    log,
    ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
  });

  /** Runs the handler once and returns the options of its only `event.completed` call. */
  async function send(): Promise<CompletedOptions> {
    const event = outlook.createEvent();
    await handler(event);
    // Late callbacks would show up after a few more turns of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(event.completed).toHaveBeenCalledTimes(1);
    return event.completed.mock.calls[0]?.[0] as CompletedOptions;
  }

  const setCalls = () => outlook.calls.filter((call) => call.operation.endsWith('.setAsync'));
  const recipientSets = () => setCalls().filter((call) => /^(to|cc|bcc)\./.test(call.operation));

  return { outlook, backend, storage, fetch, log, handler, send, setCalls, recipientSets };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('send handler fast path', () => {
  it('allows external-only mail without a request', async () => {
    const { send, fetch, recipientSets } = setup({ outlook: { to: [billing], cc: [], bcc: [] } });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(fetch).not.toHaveBeenCalled();
    expect(recipientSets()).toEqual([]);
  });

  it('allows internal mail without a request when mode is off', async () => {
    const directory = demoDirectory({ plusAddressing: { mode: 'off', separator: '+' } });
    const { send, fetch, recipientSets } = setup({ directory });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(fetch).not.toHaveBeenCalled();
    expect(recipientSets()).toEqual([]);
  });

  it('fetches a missing directory once, then allows', async () => {
    const { send, backend, storage } = setup({ cached: false, outlook: { to: [billing] } });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/v1/directory']);
    expect(backend.requests[0]?.url).toBe(`${FAKE_ORIGIN}/api/v1/directory`);
    const stored = JSON.parse((await storage.getItem(STORAGE_KEYS.directory)) as string);
    expect(stored.etag).toBe('"directory-v1"');
    expect(stored.directory.settings.internalDomains).toEqual(['contoso.example']);
  });

  it('treats a subdomain of an internal domain as internal', async () => {
    const { send, backend } = setup({
      outlook: { to: [{ emailAddress: 'finance@eu.contoso.example', displayName: 'Finance EU' }] },
    });

    await send();

    expect(backend.requests.map((request) => request.path)).toEqual(['/api/v1/send-plans']);
  });

  it('sends a plan for a connected display name', async () => {
    const directory = demoDirectory();
    (directory.mailboxes[1] as { displayName?: string }).displayName = 'Wsparcie PL';
    const { send, backend } = setup({
      directory,
      outlook: { to: [{ emailAddress: 'Wsparcie PL', displayName: 'Wsparcie PL', recipientType: 'other' }] },
    });

    await send();

    expect(backend.requests.map((request) => request.path)).toEqual(['/api/v1/send-plans']);
    expect((backend.requests[0]?.body as { recipients: unknown[] }).recipients).toEqual([
      { field: 'to', emailAddress: 'Wsparcie PL', displayName: 'Wsparcie PL', recipientType: 'other' },
    ]);
  });

  it('keeps at most 3 Office calls in flight', async () => {
    const { send, outlook } = setup();

    await send();

    expect(outlook.maxInFlight()).toBe(3);
  });
});

describe('send handler sign-in', () => {
  it('stops with a sign-in alert when no token is stored', async () => {
    const { send, fetch } = setup({ token: null });

    const options = await send();

    expect(options.allowEvent).toBe(false);
    expect(options.commandId).toBe('WorklinkComposePaneButton');
    expect(options.errorMessage).toBe(t('sendAlert.signInNeeded', 'en'));
    expect(options.cancelLabel).toBe(t('sendAlert.signInButton', 'en'));
    expect(fetch).not.toHaveBeenCalled();
  });

  it('stops with a sign-in alert on 401', async () => {
    const { send, storage } = setup();
    await storage.setItem(STORAGE_KEYS.accessToken, 'expired-token');

    const options = await send();

    expect(options.allowEvent).toBe(false);
    expect(options.commandId).toBe('WorklinkComposePaneButton');
    expect(options.errorMessage).toBe(t('sendAlert.signInNeeded', 'en'));
  });
});

describe('send handler decision pending', () => {
  it('stops with a Smart Alert naming the team', async () => {
    const { send, backend, recipientSets, outlook } = setup({
      backend: { linkedReferences: { 2: ['10040-C', '10041-C'] } },
    });

    const options = await send();

    expect(options.allowEvent).toBe(false);
    expect(options.commandId).toBe('WorklinkComposePaneButton');
    expect(JSON.parse(options.contextData as string)).toEqual({ planId: 'plan-1' });
    expect(options.cancelLabel).toBe('Link work items');
    expect(options.errorMessage).toContain('Team B (PL)');
    expect(options.errorMessageMarkdown).toContain('**Team B \\(PL\\)**');
    expect((options.errorMessage as string).length).toBeLessThanOrEqual(500);
    expect((options.errorMessageMarkdown as string).length).toBeLessThanOrEqual(500);
    expect((options.cancelLabel as string).length).toBeLessThanOrEqual(20);
    expect(backend.requests.map((request) => request.path)).toEqual(['/api/v1/send-plans']);
    expect(recipientSets()).toEqual([]);
    expect(outlook.recipients.to).toEqual([billing, plSupport]);
  });

  it('sends the plan request with subject and conversation', async () => {
    const { send, backend } = setup({ backend: { linkedReferences: {} } });

    await send();

    const body = backend.requests[0]?.body as Record<string, unknown>;
    expect(body.subject).toBe('RE: Invoice 4471 [101203-T]');
    expect(body.conversationId).toBe('AAQkADAwATM0MDAAMS1hNGM2LTAwAi0wMAoAEABuC');
    expect(body.recipients).toEqual([
      { field: 'to', ...billing },
      { field: 'to', ...plSupport },
      { field: 'cc', ...legal },
      { field: 'cc', ...ukSupport },
      { field: 'bcc', ...ukAgent },
    ]);
    expect(backend.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('omits Markdown before Mailbox 1.15', async () => {
    const { send } = setup({
      outlook: { ...replyToBothTeams, mailboxVersion: '1.14' },
      backend: { linkedReferences: {} },
    });

    const options = await send();

    expect(options.allowEvent).toBe(false);
    expect(options.errorMessage).toContain('Team B (PL)');
    expect(options).not.toHaveProperty('errorMessageMarkdown');
  });

  it('speaks Polish to a Polish Outlook', async () => {
    const { send } = setup({
      outlook: { ...replyToBothTeams, displayLanguage: 'pl-PL' },
      backend: { linkedReferences: {} },
    });

    const options = await send();

    expect(options.cancelLabel).toBe('Powiąż zgłoszenia');
    expect(options.errorMessage).toContain('ta wiadomość trafia do zespołów: Team B (PL)');
  });
});

describe('send handler commit path', () => {
  it('commits, rewrites, sets the header and allows', async () => {
    const { send, backend, outlook } = setup();

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/v1/send-plans',
      'POST /api/v1/send-plans/plan-1/commit',
    ]);
    expect(backend.requests[1]?.body).toEqual({
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: '10040-C' }],
    });
    expect(outlook.recipients.to).toEqual([
      billing,
      { emailAddress: 'pl.support+10040-C@contoso.example', displayName: 'Wsparcie PL' },
    ]);
    expect(outlook.recipients.cc).toEqual([
      legal,
      { emailAddress: 'uk.support+101203-T@contoso.example', displayName: 'UK Support' },
    ]);
    expect(outlook.recipients.bcc).toEqual([ukAgent]);
    expect(outlook.internetHeaders).toEqual({ [PLAN_HEADER]: 'plan-1' });
    expect(outlook.calls.some((call) => call.operation === 'saveAsync')).toBe(false);
  });

  it('rewrites only the fields that change', async () => {
    const { send, recipientSets } = setup();

    await send();

    expect(recipientSets().map((call) => call.operation)).toEqual(['to.setAsync', 'cc.setAsync']);
  });

  it('records the applied plan in sessionData', async () => {
    const { send, outlook } = setup();

    await send();

    const record = parseSessionPlan(outlook.sessionData[SESSION_PLAN_KEY]);
    expect(record?.planId).toBe('plan-1');
    expect(record?.choices).toEqual([{ mailbox: 'pl.support@contoso.example', action: 'share', reference: '10040-C' }]);
    expect(record?.recipients?.map((recipient) => recipient.emailAddress)).toEqual([
      'billing@fabrikam.example',
      'pl.support+10040-C@contoso.example',
      'legal@contoso.example',
      'uk.support+101203-T@contoso.example',
      'uk.agent@contoso.example',
    ]);
  });

  it('allows a plan that rewrites nobody without committing', async () => {
    const { send, backend, recipientSets } = setup({ outlook: { to: [billing, legal] } });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => request.path)).toEqual(['/api/v1/send-plans']);
    expect(recipientSets()).toEqual([]);
  });

  it('uses the choice made in the pane', async () => {
    const { send, backend, outlook } = setup({
      outlook: {
        ...replyToBothTeams,
        sessionData: {
          [SESSION_PLAN_KEY]: JSON.stringify({
            planId: 'plan-from-pane',
            choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: '10041-C' }],
          }),
        },
      },
      backend: { linkedReferences: { 2: ['10040-C', '10041-C'] } },
    });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests).toHaveLength(2);
    expect(backend.requests.map((request) => request.path)).toEqual([
      '/api/v1/send-plans',
      '/api/v1/send-plans/plan-1/commit',
    ]);
    expect(backend.requests[1]?.body).toEqual({
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: '10041-C' }],
    });
    expect(outlook.recipients.to[1]).toEqual({
      emailAddress: 'pl.support+10041-C@contoso.example',
      displayName: 'Wsparcie PL',
    });
  });

  it('records a created work item as shared', async () => {
    const { send, outlook, backend } = setup({
      outlook: {
        ...replyToBothTeams,
        sessionData: {
          [SESSION_PLAN_KEY]: JSON.stringify({
            planId: 'plan-from-pane',
            choices: [{ mailbox: 'pl.support@contoso.example', action: 'create' }],
          }),
        },
      },
      backend: { linkedReferences: {} },
    });

    await send();

    expect(backend.createdReferences).toEqual(['20001-T']);
    const record = parseSessionPlan(outlook.sessionData[SESSION_PLAN_KEY]);
    expect(record?.choices).toEqual([{ mailbox: 'pl.support@contoso.example', action: 'share', reference: '20001-T' }]);
  });

  it('stops when the commit would drop a recipient', async () => {
    const { send, outlook, recipientSets } = setup({
      backend: {
        tamperCommit: (response) => ({ ...response, recipients: response.recipients.slice(1) }),
      },
    });

    const options = await send();

    expect(options.allowEvent).toBe(false);
    expect(options.errorMessage).toBe(t('sendAlert.planInvalid', 'en'));
    expect(recipientSets()).toEqual([]);
    expect(outlook.recipients.to).toEqual([billing, plSupport]);
  });
});

describe('send handler backend failure', () => {
  it('allows unchanged when down and policy is allow', async () => {
    const { send, backend, outlook, recipientSets } = setup({ backend: { mode: 'down' } });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests).toHaveLength(1);
    expect(recipientSets()).toEqual([]);
    expect(outlook.recipients.to).toEqual([billing, plSupport]);
    expect(outlook.recipients.cc).toEqual([legal, ukSupport]);
  });

  it('prompts with Send Anyway when down and policy is prompt', async () => {
    const { send, recipientSets } = setup({
      directory: demoDirectory({ failurePolicy: 'prompt' }),
      backend: { mode: 'down' },
    });

    const options = await send();

    expect(options).toEqual({
      allowEvent: false,
      errorMessage: t('sendAlert.backendUnavailable', 'en'),
      sendModeOverride: 'promptUser',
    });
    expect(recipientSets()).toEqual([]);
  });

  it('gives up on a slow backend within the budget', async () => {
    const { send, backend } = setup({
      directory: demoDirectory({ failurePolicy: 'prompt' }),
      backend: { mode: 'hang' },
      budgetMs: 50,
    });

    const started = Date.now();
    const options = await send();

    expect(Date.now() - started).toBeLessThan(1000);
    expect(options.allowEvent).toBe(false);
    expect(options.sendModeOverride).toBe('promptUser');
    expect(backend.requests).toHaveLength(1);
  });

  it('completes at 4 s by default, not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { outlook, handler } = setup({ backend: { mode: 'hang' } });
    const event = outlook.createEvent();

    const running = handler(event);
    await vi.advanceTimersByTimeAsync(3999);
    expect(event.completed).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await running;

    expect(event.completed).toHaveBeenCalledTimes(1);
    expect(event.completed).toHaveBeenCalledWith({ allowEvent: true });
  });

  it('allows when the directory cannot be fetched', async () => {
    const { send, backend } = setup({ cached: false, backend: { mode: 'down' } });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => request.path)).toEqual(['/api/v1/directory']);
  });
});

describe('send handler host quirks', () => {
  it('clears and re-sets a field whose tag-only change was ignored', async () => {
    const { send, outlook, recipientSets } = setup({
      outlook: { ...replyToBothTeams, quirk: 'ignore-tag-only-change-once' },
    });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(recipientSets().map((call) => [call.operation, (call.value as MockRecipient[]).length])).toEqual([
      ['to.setAsync', 2],
      ['to.setAsync', 0],
      ['to.setAsync', 2],
      ['cc.setAsync', 2],
    ]);
    expect(outlook.recipients.to).toEqual([
      billing,
      { emailAddress: 'pl.support+10040-C@contoso.example', displayName: 'Wsparcie PL' },
    ]);
  });

  it('stops when a field is still wrong after the retry', async () => {
    const { send, outlook } = setup({
      outlook: { ...replyToBothTeams, quirk: 'strip-tags', displayLanguage: 'pl-PL' },
    });

    const options = await send();

    expect(options).toEqual({ allowEvent: false, errorMessage: t('sendAlert.rewriteFailed', 'pl', { field: 'Do' }) });
    expect(outlook.internetHeaders).toEqual({});
    expect(outlook.recipients.cc).toEqual([legal, ukSupport]);
  });

  it('commits the same plan again after a failed rewrite', async () => {
    const { send, outlook, backend } = setup({
      outlook: {
        ...replyToBothTeams,
        quirk: 'strip-tags',
        sessionData: {
          [SESSION_PLAN_KEY]: JSON.stringify({
            planId: 'plan-from-pane',
            choices: [{ mailbox: 'pl.support@contoso.example', action: 'create' }],
          }),
        },
      },
      backend: { linkedReferences: {} },
    });
    await send();
    outlook.setQuirk('none');

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => request.path)).toEqual([
      '/api/v1/send-plans',
      '/api/v1/send-plans/plan-1/commit',
      '/api/v1/send-plans/plan-1/commit',
    ]);
    expect(backend.createdReferences).toEqual(['20001-T']);
    expect(outlook.recipients.to[1]).toEqual({
      emailAddress: 'pl.support+20001-T@contoso.example',
      displayName: 'Wsparcie PL',
    });
    expect(outlook.internetHeaders).toEqual({ [PLAN_HEADER]: 'plan-1' });
  });
});

describe('send handler idempotency', () => {
  it('changes and creates nothing on a second send event', async () => {
    const { send, backend, outlook, recipientSets } = setup({
      backend: { linkedReferences: {} },
      outlook: {
        ...replyToBothTeams,
        sessionData: {
          [SESSION_PLAN_KEY]: JSON.stringify({
            planId: 'plan-from-pane',
            choices: [{ mailbox: 'pl.support@contoso.example', action: 'create' }],
          }),
        },
      },
    });

    await send();
    const requestsAfterFirst = backend.requests.length;
    const setsAfterFirst = recipientSets().length;
    const recipientsAfterFirst = structuredClone(outlook.recipients);

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests).toHaveLength(requestsAfterFirst);
    expect(backend.createdReferences).toEqual(['20001-T']);
    expect(recipientSets()).toHaveLength(setsAfterFirst);
    expect(outlook.recipients).toEqual(recipientsAfterFirst);
  });

  it('asks for a new plan after the agent edits recipients', async () => {
    const { send, backend, outlook, recipientSets } = setup();
    const northwind = { emailAddress: 'ops@northwind.example', displayName: 'Northwind Ops' };

    await send();
    const setsAfterFirst = recipientSets().length;
    outlook.recipients.to.push(northwind);
    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => request.path)).toEqual([
      '/api/v1/send-plans',
      '/api/v1/send-plans/plan-1/commit',
      '/api/v1/send-plans',
      '/api/v1/send-plans/plan-2/commit',
    ]);
    expect(backend.createdReferences).toEqual([]);
    expect(recipientSets()).toHaveLength(setsAfterFirst);
    expect(outlook.recipients.to).toEqual([
      billing,
      { emailAddress: 'pl.support+10040-C@contoso.example', displayName: 'Wsparcie PL' },
      northwind,
    ]);
    expect(outlook.internetHeaders).toEqual({ [PLAN_HEADER]: 'plan-2' });
  });
});

describe('send handler directory refresh', () => {
  it('refreshes a stale directory with If-None-Match', async () => {
    const { send, backend, storage } = setup({ cacheAgeMs: 10 * 60 * 1000 });
    const before = Date.now();

    await send();

    const directoryRequest = backend.requests.find((request) => request.path === '/api/v1/directory');
    expect(directoryRequest?.headers['if-none-match']).toBe('"directory-v1"');
    const stored = JSON.parse((await storage.getItem(STORAGE_KEYS.directory)) as string);
    expect(stored.fetchedAt).toBeGreaterThanOrEqual(before);
  });

  it('does not refresh a stale directory on the fast path', async () => {
    const { send, fetch } = setup({ cacheAgeMs: 10 * 60 * 1000, outlook: { to: [billing] } });

    await send();

    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('send handler unexpected failures', () => {
  it('completes once when Office calls fail', async () => {
    const { outlook, handler, log } = setup({ directory: demoDirectory({ failurePolicy: 'prompt' }) });
    const to = (outlook.item as { to: { getAsync: unknown } }).to;
    to.getAsync = (callback: (result: unknown) => void) =>
      callback({ status: 'failed', value: undefined, error: { name: 'GenericResponseError', message: 'boom' } });
    const event = outlook.createEvent();

    await handler(event);

    expect(event.completed).toHaveBeenCalledTimes(1);
    expect(event.completed).toHaveBeenCalledWith({
      allowEvent: false,
      errorMessage: t('sendAlert.checkFailed', 'en'),
      sendModeOverride: 'promptUser',
    });
    expect(log.error).toHaveBeenCalledWith('worklink: send check failed', expect.stringContaining('to.getAsync'));
  });
});

describe('send handler completion', () => {
  it('retries with basic options when completed throws', async () => {
    const { outlook, handler, log } = setup({ token: null });
    const event = outlook.createEvent();
    event.completed.mockImplementationOnce(() => {
      throw new TypeError('Unknown option: commandId');
    });

    await handler(event);

    expect(event.completed).toHaveBeenCalledTimes(2);
    expect(event.completed).toHaveBeenLastCalledWith({
      allowEvent: false,
      errorMessage: t('sendAlert.signInNeeded', 'en'),
    });
    expect(log.error).toHaveBeenCalledTimes(1);
  });
});
