import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import webpack from 'webpack';
import type { Configuration, Stats } from 'webpack';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import createConfigs from '../../webpack.config.js';
import { STORAGE_KEYS } from '../../src/addin/shared/storage.js';
import type { FetchInit, FetchLike } from '../../src/addin/shared/backend-client.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';
import { FAKE_ORIGIN, createFakeBackend, demoDirectory } from '../support/office-backend-fake.js';

// Builds the launch-event script for Entra ID and runs it in a bare JavaScript context, as
// classic Outlook on Windows does: no window and no crypto, so MSAL cannot run and the
// handler must get its token from OfficeRuntime.auth.getAccessToken.
const ENTRA_ENV = {
  WORKLINK_AUTH: 'entra',
  WORKLINK_ENTRA_CLIENT_ID: '66666666-7777-4888-8999-aaaaaaaaaaaa',
  WORKLINK_ENTRA_TENANT_ID: '11111111-2222-4333-8444-555555555555',
};

let scratchDir: string;
let script: string;

function runWebpack(config: Configuration): Promise<Stats> {
  return new Promise((resolve, reject) => {
    webpack(config, (error, stats) => {
      if (error || !stats) reject(error ?? new Error('webpack returned no stats'));
      else resolve(stats);
    });
  });
}

beforeAll(async () => {
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(ENTRA_ENV)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  let configs: Configuration[];
  try {
    configs = createConfigs({}, { mode: 'production' }) as Configuration[];
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }

  scratchDir = mkdtempSync(path.join(tmpdir(), 'worklink-launchevent-entra-'));
  const launchEvent = configs.find((config) => config.name === 'launchevent') as Configuration;
  const stats = await runWebpack({ ...launchEvent, output: { ...launchEvent.output, path: scratchDir } });
  expect(stats.hasErrors(), stats.toString('errors-only')).toBe(false);
  script = readFileSync(path.join(scratchDir, 'launchevent.js'), 'utf8');
}, 240_000);

afterAll(() => {
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
});

function jwt(expiresAt: number): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none' })}.${encode({ sub: 'uk.agent@contoso.example', exp: Math.floor(expiresAt / 1000) })}.s`;
}

function load(ssoToken: string | null, browserGlobals: Record<string, unknown> = {}) {
  const directory = demoDirectory();
  const token = jwt(Date.now() + 60 * 60 * 1000);
  const outlook = createOutlookMock({
    to: [
      { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' },
      { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' },
    ],
    cc: [{ emailAddress: 'legal@contoso.example', displayName: 'Legal' }],
    subject: 'RE: Invoice 4471 [101203-T]',
  });
  // This host reports NestedAppAuth 1.1, but the bare runtime cannot run MSAL.
  const requirements = (outlook.office.context as unknown as { requirements: Record<string, unknown> }).requirements;
  requirements.isSetSupported = (name: string, version?: string) =>
    name === 'NestedAppAuth' || (name === 'Mailbox' && Number(version ?? '1.1') <= 1.15);
  const backend = createFakeBackend({
    directory,
    token,
    ownTeamId: 1,
    currentReference: '101203-T',
    linkedReferences: { 2: ['10040-C'] },
  });

  const values: Record<string, string> = {
    [STORAGE_KEYS.directory]: JSON.stringify({ directory, etag: '"directory-v1"', fetchedAt: Date.now() }),
  };
  const storage = {
    getItem: async (key: string) => (key in values ? values[key] : null),
    setItem: async (key: string, value: string) => {
      values[key] = value;
    },
    removeItem: async (key: string) => {
      delete values[key];
    },
  };
  const getAccessToken = vi.fn(async (_options: unknown) => {
    if (ssoToken === null) throw Object.assign(new Error('The user has not consented.'), { code: 13001 });
    return ssoToken === 'valid' ? token : ssoToken;
  });

  // Every request goes to the fake backend; a Graph request would fail the origin check there.
  const requestedUrls: string[] = [];
  const fetch = vi.fn((url: string, init: FetchInit) => {
    requestedUrls.push(url);
    const parsed = new URL(url);
    if (parsed.hostname !== 'localhost') return Promise.reject(new TypeError(`unexpected fetch to ${url}`));
    return backend.fetch(`${FAKE_ORIGIN}${parsed.pathname}${parsed.search}`, init);
  }) satisfies FetchLike;

  const console = { log: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() };
  const context = vm.createContext({
    Office: outlook.office,
    OfficeRuntime: { storage, auth: { getAccessToken } },
    fetch,
    console,
    ...browserGlobals,
  });
  vm.runInContext(script, context, { filename: 'launchevent.js' });

  async function send() {
    const handler = outlook.associated.onMessageSendHandler as (event: unknown) => void;
    const event = outlook.createEvent();
    handler(event);
    await vi.waitFor(() => expect(event.completed).toHaveBeenCalled(), { timeout: 5000, interval: 5 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(event.completed).toHaveBeenCalledTimes(1);
    return event.completed.mock.calls[0]?.[0] as { allowEvent: boolean; errorMessage?: string };
  }

  return { context, outlook, backend, getAccessToken, requestedUrls, values, token, console, send };
}

describe('Entra launchevent.js in a bare runtime', () => {
  it('gets its token from Office SSO', async () => {
    const { send, getAccessToken, backend, requestedUrls, values, token, console, context } = load('valid');
    expect(vm.runInContext("Office.context.requirements.isSetSupported('NestedAppAuth', '1.1')", context)).toBe(true);

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(getAccessToken).toHaveBeenCalledTimes(1);
    expect(getAccessToken).toHaveBeenCalledWith({ allowSignInPrompt: false, allowConsentPrompt: false });
    expect(backend.requests.map((request) => request.path)).toEqual([
      '/api/v1/send-plans',
      '/api/v1/send-plans/plan-1/commit',
    ]);
    expect(backend.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
    for (const url of requestedUrls) expect(url).toMatch(/^https:\/\/localhost:3000\/api\/v1\//);
    expect(values[STORAGE_KEYS.accessToken]).toBe(token);
    expect(console.error).not.toHaveBeenCalled();
  });

  it('makes no token call on the second send', async () => {
    const { send, getAccessToken, outlook } = load('valid');
    await send();
    outlook.recipients.to = [
      { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' },
      { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' },
    ];
    delete outlook.sessionData['worklink.plan'];

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(getAccessToken).toHaveBeenCalledTimes(1);
  });

  it('falls back when the host has no NAA bridge', async () => {
    // With window and crypto MSAL runs, finds no nested app bridge and reaches the stub of its
    // standard controller. Every fetch still goes to the fake backend only.
    const { send, getAccessToken, console, context } = load('valid', { window: {}, crypto: globalThis.crypto });
    expect(vm.runInContext('typeof window', context)).toBe('object');

    const first = await send();

    expect(first).toEqual({ allowEvent: true });
    expect(getAccessToken).toHaveBeenCalledTimes(1);
    expect(console.warn).toHaveBeenCalledWith(
      'worklink: createNestablePublicClientApplication failed; using the Office SSO fallback from now on',
      expect.stringContaining('WORKLINK_MSAL_STANDARD_UNAVAILABLE'),
    );
  });

  it('stops with the sign-in alert without a token', async () => {
    const { send, backend } = load(null);

    const options = await send();

    expect(options.allowEvent).toBe(false);
    expect(options.errorMessage).toMatch(/sign in/);
    expect(backend.requests).toHaveLength(0);
  });
});
