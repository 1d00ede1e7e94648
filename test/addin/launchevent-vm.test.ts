import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { SESSION_PLAN_KEY } from '../../src/addin/shared/session-plan.js';
import { STORAGE_KEYS } from '../../src/addin/shared/storage.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';
import type { OutlookMockOptions } from '../support/office-outlook-mock.js';
import { FAKE_ORIGIN, createFakeBackend, demoDirectory } from '../support/office-backend-fake.js';
import type { FetchInit, FetchLike } from '../../src/addin/shared/backend-client.js';

// Runs the built launch-event script the way classic Outlook on Windows does: in a bare
// JavaScript context with only `Office`, `OfficeRuntime`, `fetch` and `console`, and no
// window, document, localStorage, setTimeout or AbortController. The script is the built
// dist/addin/launchevent.js, which the vitest global setup builds when it is missing or stale.
const scriptPath = path.resolve(import.meta.dirname, '../../dist/addin/launchevent.js');

/** Storage with the `OfficeRuntime.storage` interface, over a plain object. */
function officeRuntimeStorage(initial: Record<string, string>) {
  const values: Record<string, string> = { ...initial };
  return {
    values,
    storage: {
      getItem: async (key: string) => (key in values ? values[key] : null),
      setItem: async (key: string, value: string) => {
        values[key] = value;
      },
      removeItem: async (key: string) => {
        delete values[key];
      },
    },
  };
}

function loadScript(outlookOptions: OutlookMockOptions) {
  const directory = demoDirectory();
  const outlook = createOutlookMock(outlookOptions);
  const backend = createFakeBackend({
    directory,
    ownTeamId: 1,
    currentReference: '101203-T',
    linkedReferences: { 2: ['10040-C'] },
  });
  const { storage, values } = officeRuntimeStorage({
    [STORAGE_KEYS.accessToken]: 'dev-token-uk-agent',
    [STORAGE_KEYS.directory]: JSON.stringify({ directory, etag: '"directory-v1"', fetchedAt: Date.now() }),
  });

  // The bundle contains the origin it was built with, so each request is mapped onto the fake's origin.
  const requestedUrls: string[] = [];
  const fetch = vi.fn((url: string, init: FetchInit) => {
    requestedUrls.push(url);
    const parsed = new URL(url);
    return backend.fetch(`${FAKE_ORIGIN}${parsed.pathname}${parsed.search}`, init);
  }) satisfies FetchLike;

  const console = { log: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
  const context = vm.createContext({ Office: outlook.office, OfficeRuntime: { storage }, fetch, console });
  vm.runInContext(readFileSync(scriptPath, 'utf8'), context, { filename: 'launchevent.js' });

  async function send() {
    const handler = outlook.associated.onMessageSendHandler;
    expect(handler).toBeTypeOf('function');
    const event = outlook.createEvent();
    (handler as (event: unknown) => void)(event);
    await vi.waitFor(() => expect(event.completed).toHaveBeenCalled(), { timeout: 5000, interval: 5 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(event.completed).toHaveBeenCalledTimes(1);
    return event.completed.mock.calls[0]?.[0];
  }

  return { context, outlook, backend, fetch, requestedUrls, values, console, send };
}

describe('launchevent.js in a bare runtime', () => {
  it('exposes no browser globals', () => {
    const { context } = loadScript({});

    for (const name of ['window', 'document', 'localStorage', 'setTimeout', 'AbortController']) {
      expect(vm.runInContext(`typeof ${name}`, context), name).toBe('undefined');
    }
  });

  it('allows external mail with no request', async () => {
    const { send, fetch, console } = loadScript({
      to: [{ emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' }],
    });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(fetch).not.toHaveBeenCalled();
    expect(console.error).not.toHaveBeenCalled();
  });

  it('commits, rewrites and allows', async () => {
    const { send, backend, requestedUrls, outlook, values, console } = loadScript({
      to: [
        { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' },
        { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' },
      ],
      cc: [{ emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' }],
      subject: 'RE: Invoice 4471 [101203-T]',
    });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/v1/send-plans',
      'POST /api/v1/send-plans/plan-1/commit',
    ]);
    for (const url of requestedUrls) expect(url).toMatch(/^https:\/\/[^/]+\/api\/v1\//);
    expect(outlook.recipients.to).toEqual([
      { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' },
      { emailAddress: 'pl.support+10040-C@contoso.example', displayName: 'Wsparcie PL' },
    ]);
    expect(outlook.recipients.cc).toEqual([
      { emailAddress: 'uk.support+101203-T@contoso.example', displayName: 'UK Support' },
    ]);
    expect(outlook.internetHeaders).toEqual({ 'X-Worklink-Plan': 'plan-1' });
    expect(JSON.parse(outlook.sessionData[SESSION_PLAN_KEY] as string).planId).toBe('plan-1');
    expect(values[STORAGE_KEYS.accessToken]).toBe('dev-token-uk-agent');
    expect(console.error).not.toHaveBeenCalled();
  });
});
