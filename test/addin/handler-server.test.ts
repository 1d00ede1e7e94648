import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { FetchLike } from '../../src/addin/shared/backend-client.js';
import { SESSION_PLAN_KEY, parseSessionPlan } from '../../src/addin/shared/session-plan.js';
import { STORAGE_KEYS, createMemoryStorage } from '../../src/addin/shared/storage.js';
import type { KeyValueStorage } from '../../src/addin/shared/storage.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';
import { createHandlerRunner } from '../support/send-handler-runner.js';
import type { OutlookMockOptions } from '../support/office-outlook-mock.js';

// The handler against the real API, through Fastify's `inject`: no socket is opened.
const ORIGIN = 'https://localhost:3000';

interface RecordedCall {
  method: string;
  path: string;
  status: number;
}

/** Adapts `app.inject` to the `fetch` the handler uses, recording each request. */
function injectFetch(app: FastifyInstance, calls: RecordedCall[]): FetchLike {
  return async (url, init) => {
    const { pathname, search } = new URL(url);
    const response = await app.inject({
      method: init.method,
      url: pathname + search,
      headers: init.headers,
      ...(init.body === undefined ? {} : { payload: init.body }),
    });
    calls.push({ method: init.method, path: pathname, status: response.statusCode });
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

describe.each(await availableDialects())('send handler against the API on %s', (dialect) => {
  let testApp: TestApp;
  let token: string;

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    token = await testApp.tokenFor('uk.agent@contoso.example');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  function setup(outlookOptions: OutlookMockOptions, storage: KeyValueStorage) {
    const outlook = createOutlookMock(outlookOptions);
    const calls: RecordedCall[] = [];
    const { send } = createHandlerRunner(outlook, {
      storage,
      fetch: injectFetch(testApp.app, calls),
      apiOrigin: ORIGIN,
    });

    return { outlook, calls, send };
  }

  it('fetches the directory, then takes the fast path', async () => {
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: token });
    const { send, calls } = setup(
      { to: [{ emailAddress: 'billing@fabrikam.example', displayName: 'Billing' }] },
      storage,
    );

    expect(await send()).toEqual({ allowEvent: true });
    expect(await send()).toEqual({ allowEvent: true });

    expect(calls).toEqual([{ method: 'GET', path: '/api/v1/directory', status: 200 }]);
    const cached = JSON.parse((await storage.getItem(STORAGE_KEYS.directory)) as string);
    expect(cached.etag).toMatch(/^"/);
    expect(cached.directory.settings.internalDomains).toEqual(['contoso.example']);
  });

  it('stops for a decision, then applies the pane choice once', async () => {
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: token });
    const { send, calls, outlook } = setup(
      {
        to: [
          { emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' },
          { emailAddress: 'wsparcie.pl@contoso.example', displayName: 'Wsparcie PL' },
        ],
        cc: [{ emailAddress: 'legal@contoso.example', displayName: 'Legal' }],
        subject: 'Order 4471: delivery and invoice',
      },
      storage,
    );

    const stopped = await send();

    expect(stopped.allowEvent).toBe(false);
    expect(stopped.commandId).toBe('WorklinkComposePaneButton');
    expect(stopped.errorMessage).toContain('Team B (PL)');
    const planId = JSON.parse(stopped.contextData as string).planId as string;
    expect(planId).toMatch(/^[0-9a-f-]{36}$/);

    // What the linking panel records when the agent chooses to create a new work item.
    outlook.sessionData[SESSION_PLAN_KEY] = JSON.stringify({
      planId,
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso Polska' } }],
    });
    calls.length = 0;

    expect(await send()).toEqual({ allowEvent: true });

    expect(calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      'POST /api/v1/send-plans 201',
      expect.stringMatching(/^POST \/api\/v1\/send-plans\/[0-9a-f-]{36}\/commit 200$/),
    ]);
    const rewritten = outlook.recipients.to[1];
    expect(rewritten?.displayName).toBe('Wsparcie PL');
    expect(rewritten?.emailAddress).toMatch(/^wsparcie\.pl\+\d+-C@contoso\.example$/i);
    expect(outlook.recipients.to[0]).toEqual({
      emailAddress: 'orders@fabrikam.example',
      displayName: 'Fabrikam Orders',
    });
    expect(outlook.recipients.cc).toEqual([{ emailAddress: 'legal@contoso.example', displayName: 'Legal' }]);
    expect(outlook.internetHeaders['X-Worklink-Plan']).toMatch(/^[0-9a-f-]{36}$/);

    const record = parseSessionPlan(outlook.sessionData[SESSION_PLAN_KEY]);
    const reference = /\+([^@]+)@/.exec(rewritten?.emailAddress ?? '')?.[1];
    expect(record?.choices).toEqual([{ mailbox: 'pl.support@contoso.example', action: 'share', reference }]);

    calls.length = 0;
    expect(await send()).toEqual({ allowEvent: true });
    expect(calls).toEqual([]);
  });

  it('stops with a sign-in alert for a rejected token', async () => {
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: 'not-a-token' });
    const { send, calls } = setup({ to: [{ emailAddress: 'legal@contoso.example', displayName: 'Legal' }] }, storage);

    const options = await send();

    expect(options.allowEvent).toBe(false);
    expect(options.commandId).toBe('WorklinkComposePaneButton');
    expect(calls).toEqual([{ method: 'GET', path: '/api/v1/directory', status: 401 }]);
  });
});
