import { describe, expect, it, vi } from 'vitest';
import type { AuthenticationResult } from '@azure/msal-browser';
import { createSendHandler } from '../../src/addin/launchevent/send-handler.js';
import type { CompletedOptions } from '../../src/addin/launchevent/smart-alerts.js';
import type { AuthHost } from '../../src/addin/launchevent/auth/token-provider.js';
import { createTokenProvider } from '../../src/addin/launchevent/auth/token-provider.js';
import { TOKEN_EXPIRY_MARGIN_MS, createTokenCache } from '../../src/addin/launchevent/auth/token-cache.js';
import { tokenExpiryMs } from '../../src/addin/launchevent/auth/token-expiry.js';
import type { CreateNestableClient, NestableClient } from '../../src/addin/launchevent/auth/nested-app-auth.js';
import type { AuthConfig } from '../../src/addin/shared/auth-config.js';
import { AuthConfigError, GRAPH_SCOPES, parseAuthConfig } from '../../src/addin/shared/auth-config.js';
import type { ComposeItem } from '../../src/addin/shared/office-async.js';
import { STORAGE_KEYS, createMemoryStorage } from '../../src/addin/shared/storage.js';
import type { KeyValueStorage } from '../../src/addin/shared/storage.js';
import { t } from '../../src/addin/shared/strings.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';
import type { OutlookMockOptions } from '../support/office-outlook-mock.js';
import { FAKE_ORIGIN, createFakeBackend, demoDirectory } from '../support/office-backend-fake.js';

const CLIENT_ID = '66666666-7777-4888-8999-aaaaaaaaaaaa';
const TENANT_ID = '11111111-2222-4333-8444-555555555555';
const API_SCOPE = `api://${CLIENT_ID}/access_as_user`;
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

const entra = parseAuthConfig({ mode: 'entra', clientId: CLIENT_ID, tenantId: TENANT_ID });

/** Builds an unsigned JWT whose `exp` is `expiresAt` (ms); the handler never verifies tokens. */
function jwt(subject: string, expiresAt: number): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: subject, exp: Math.floor(expiresAt / 1000) })}.sig`;
}

const NAA_TOKEN = jwt('naa:uk.agent@contoso.example', NOW + 60 * 60 * 1000);
const SSO_TOKEN = jwt('sso:uk.agent@contoso.example', NOW + 60 * 60 * 1000);

/** Recipients that need a plan: Team B's mailbox, which the fake backend shares with 10040-C at once. */
const toTeamB: OutlookMockOptions = {
  to: [
    { emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' },
    { emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' },
  ],
  subject: 'RE: Invoice 4471 [101203-T]',
};

interface FakeMsal {
  create: ReturnType<typeof vi.fn<CreateNestableClient>>;
  acquireTokenSilent: ReturnType<typeof vi.fn<(request: { scopes: string[] }) => Promise<AuthenticationResult>>>;
}

/** Creates a stand-in for `createNestablePublicClientApplication`; `fail` makes `acquireTokenSilent` reject. */
function fakeMsal(options: { token?: string; fail?: { errorCode: string } } = {}): FakeMsal {
  const acquireTokenSilent = vi.fn(async (request: { scopes: string[] }) => {
    if (options.fail) {
      throw Object.assign(new Error(`${options.fail.errorCode}: silent request failed`), options.fail);
    }
    const accessToken = options.token ?? NAA_TOKEN;
    return {
      accessToken,
      expiresOn: new Date(tokenExpiryMs(accessToken) as number),
      scopes: request.scopes,
    } as unknown as AuthenticationResult;
  });
  const client = {
    getActiveAccount: () => null,
    getAllAccounts: () => [],
    acquireTokenSilent,
  } as unknown as NestableClient;
  const create = vi.fn<CreateNestableClient>(async () => client);
  return { create, acquireTokenSilent };
}

interface AuthSetup {
  config?: AuthConfig;
  naaSupported?: boolean;
  msal?: FakeMsal;
  /** Result of `OfficeRuntime.auth.getAccessToken`; `null` rejects as without consent. */
  ssoToken?: string | null;
  storage?: KeyValueStorage;
  msalUsable?: boolean;
}

function createAuth(options: AuthSetup = {}) {
  const clock = { now: () => NOW };
  const storage = options.storage ?? createMemoryStorage();
  const msal = options.msal ?? fakeMsal();
  const getOfficeAccessToken = vi.fn(async (_options: OfficeRuntime.AuthOptions) => {
    if (options.ssoToken === null) throw Object.assign(new Error('consent missing'), { code: 13001 });
    return options.ssoToken ?? SSO_TOKEN;
  });
  const host: AuthHost = { supportsNestedAppAuth: () => options.naaSupported ?? true, getOfficeAccessToken };
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const tokens = createTokenProvider({
    config: options.config ?? entra,
    cache: createTokenCache({ storage, clock }),
    storage,
    host,
    createNestableClient: msal.create,
    msalUsable: () => options.msalUsable ?? true,
    log,
  });
  return { tokens, storage, msal, getOfficeAccessToken, clock, log };
}

/** The handler with the given token provider, against the fake backend that accepts `backendToken`. */
function createHandler(auth: ReturnType<typeof createAuth>, backendToken: string, outlookOptions = toTeamB) {
  const directory = demoDirectory();
  const outlook = createOutlookMock(outlookOptions);
  const backend = createFakeBackend({
    directory,
    token: backendToken,
    ownTeamId: 1,
    currentReference: '101203-T',
    linkedReferences: { 2: ['10040-C'] },
  });
  void auth.storage.setItem(
    STORAGE_KEYS.directory,
    JSON.stringify({ directory, etag: '"directory-v1"', fetchedAt: NOW - 1000 }),
  );
  const handler = createSendHandler({
    getItem: () => outlook.item as unknown as ComposeItem,
    storage: auth.storage,
    fetch: backend.fetch,
    apiOrigin: FAKE_ORIGIN,
    clock: auth.clock,
    language: () => 'en',
    markdownSupported: () => true,
    log: auth.log,
    tokens: auth.tokens,
  });

  /** Runs one send and returns the options of its only `event.completed` call. */
  async function send(): Promise<CompletedOptions> {
    const event = outlook.createEvent();
    await handler(event);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(event.completed).toHaveBeenCalledTimes(1);
    return event.completed.mock.calls[0]?.[0] as CompletedOptions;
  }

  return { outlook, backend, send };
}

describe('handler auth with nested app authentication', () => {
  it('sends the NAA token to the API', async () => {
    const auth = createAuth();
    const { send, backend } = createHandler(auth, NAA_TOKEN);

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(auth.msal.create).toHaveBeenCalledWith({
      auth: { clientId: CLIENT_ID, authority: `https://login.microsoftonline.com/${TENANT_ID}` },
    });
    expect(auth.msal.acquireTokenSilent).toHaveBeenCalledTimes(1);
    expect(auth.msal.acquireTokenSilent.mock.calls[0]?.[0]).toEqual({ scopes: [API_SCOPE] });
    expect(auth.getOfficeAccessToken).not.toHaveBeenCalled();
    expect(backend.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${NAA_TOKEN}`,
      `Bearer ${NAA_TOKEN}`,
    ]);
    expect(await auth.storage.getItem(STORAGE_KEYS.accessToken)).toBe(NAA_TOKEN);
  });

  it('makes no token call on the second send', async () => {
    const auth = createAuth();
    const first = createHandler(auth, NAA_TOKEN);
    await first.send();
    const second = createHandler(auth, NAA_TOKEN);

    const options = await second.send();

    expect(options).toEqual({ allowEvent: true });
    expect(auth.msal.acquireTokenSilent).toHaveBeenCalledTimes(1);
    expect(auth.getOfficeAccessToken).not.toHaveBeenCalled();
    expect(second.backend.requests).toHaveLength(2);
  });

  it('reuses a stored token after a reload', async () => {
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: NAA_TOKEN });
    const auth = createAuth({ storage });
    const { send } = createHandler(auth, NAA_TOKEN);

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(auth.msal.create).not.toHaveBeenCalled();
    expect(auth.getOfficeAccessToken).not.toHaveBeenCalled();
  });

  it('acquires again within the expiry margin', async () => {
    const nearlyExpired = jwt('old', NOW + TOKEN_EXPIRY_MARGIN_MS - 1000);
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: nearlyExpired });
    const auth = createAuth({ storage });
    const { send, backend } = createHandler(auth, NAA_TOKEN);

    await send();

    expect(auth.msal.acquireTokenSilent).toHaveBeenCalledTimes(1);
    expect(backend.requests[0]?.headers.authorization).toBe(`Bearer ${NAA_TOKEN}`);
  });

  it('makes no token call on the external-only fast path', async () => {
    const auth = createAuth();
    const { send, backend } = createHandler(auth, NAA_TOKEN, {
      to: [{ emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' }],
    });

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(backend.requests).toHaveLength(0);
    expect(auth.msal.create).not.toHaveBeenCalled();
    expect(auth.getOfficeAccessToken).not.toHaveBeenCalled();
  });
});

describe('handler auth fallback', () => {
  it('uses Office SSO without NestedAppAuth 1.1', async () => {
    const auth = createAuth({ naaSupported: false });
    const { send, backend } = createHandler(auth, SSO_TOKEN);

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(auth.msal.create).not.toHaveBeenCalled();
    expect(auth.getOfficeAccessToken).toHaveBeenCalledTimes(1);
    expect(auth.getOfficeAccessToken).toHaveBeenCalledWith({ allowSignInPrompt: false, allowConsentPrompt: false });
    expect(backend.requests[0]?.headers.authorization).toBe(`Bearer ${SSO_TOKEN}`);
  });

  it('uses Office SSO where MSAL cannot run', async () => {
    const auth = createAuth({ msalUsable: false });
    const { send } = createHandler(auth, SSO_TOKEN);

    const options = await send();

    expect(options).toEqual({ allowEvent: true });
    expect(auth.msal.create).not.toHaveBeenCalled();
    expect(auth.getOfficeAccessToken).toHaveBeenCalledTimes(1);
  });

  it.each(['storage_not_supported', 'crypto_nonexistent', 'untrusted_origin', 'no_network_connectivity'])(
    'falls back after NAA fails with %s',
    async (errorCode) => {
      const auth = createAuth({ msal: fakeMsal({ fail: { errorCode } }) });
      const { send, backend } = createHandler(auth, SSO_TOKEN);

      const options = await send();

      expect(options).toEqual({ allowEvent: true });
      expect(auth.msal.acquireTokenSilent).toHaveBeenCalledTimes(1);
      expect(auth.getOfficeAccessToken).toHaveBeenCalledTimes(1);
      expect(backend.requests[0]?.headers.authorization).toBe(`Bearer ${SSO_TOKEN}`);
    },
  );

  it('stops trying NAA after a permanent failure', async () => {
    const auth = createAuth({ msal: fakeMsal({ fail: { errorCode: 'crypto_nonexistent' } }) });

    await auth.tokens.apiToken();
    await auth.tokens.forget('api');
    await auth.tokens.apiToken();

    expect(auth.msal.acquireTokenSilent).toHaveBeenCalledTimes(1);
    expect(auth.getOfficeAccessToken).toHaveBeenCalledTimes(2);
  });

  it('tries NAA again after an intermittent failure', async () => {
    const auth = createAuth({ msal: fakeMsal({ fail: { errorCode: 'no_network_connectivity' } }) });

    await auth.tokens.apiToken();
    await auth.tokens.forget('api');
    await auth.tokens.apiToken();

    expect(auth.msal.acquireTokenSilent).toHaveBeenCalledTimes(2);
  });
});

describe('handler auth without a token', () => {
  it('stops with the sign-in alert', async () => {
    const auth = createAuth({ msal: fakeMsal({ fail: { errorCode: 'interaction_required' } }), ssoToken: null });
    const { send, backend } = createHandler(auth, NAA_TOKEN);

    const options = await send();

    expect(options.allowEvent).toBe(false);
    expect(options.commandId).toBe('WorklinkComposePaneButton');
    expect(options.errorMessage).toBe(t('sendAlert.signInNeeded', 'en'));
    expect(options.cancelLabel).toBe(t('sendAlert.signInButton', 'en'));
    expect(backend.requests).toHaveLength(0);
  });

  it('stops with the sign-in alert before fetching a missing directory', async () => {
    const auth = createAuth({ naaSupported: false, ssoToken: null });
    const { send, backend } = createHandler(auth, NAA_TOKEN);
    await auth.storage.removeItem(STORAGE_KEYS.directory);

    const options = await send();

    expect(options.errorMessage).toBe(t('sendAlert.signInNeeded', 'en'));
    expect(backend.requests).toHaveLength(0);
  });

  it('forgets a token the API rejects', async () => {
    const auth = createAuth();
    const { send } = createHandler(auth, 'some-other-token');

    const options = await send();
    await auth.tokens.apiToken();

    expect(options.errorMessage).toBe(t('sendAlert.signInNeeded', 'en'));
    expect(auth.msal.acquireTokenSilent).toHaveBeenCalledTimes(2);
  });
});

describe('token provider', () => {
  it('reads the dev token from storage only', async () => {
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: 'dev-token-uk-agent' });
    const auth = createAuth({ config: { mode: 'dev' }, storage });

    expect(await auth.tokens.apiToken()).toBe('dev-token-uk-agent');
    expect(await auth.tokens.graphToken()).toBeNull();
    await auth.tokens.forget('api');

    expect(await storage.getItem(STORAGE_KEYS.accessToken)).toBe('dev-token-uk-agent');
    expect(auth.msal.create).not.toHaveBeenCalled();
    expect(auth.getOfficeAccessToken).not.toHaveBeenCalled();
  });

  it('asks NAA for the Graph scopes', async () => {
    const graphToken = jwt('graph', NOW + 60 * 60 * 1000);
    const auth = createAuth({ msal: fakeMsal({ token: graphToken }) });

    expect(await auth.tokens.graphToken()).toBe(graphToken);

    expect(auth.msal.acquireTokenSilent.mock.calls[0]?.[0]).toEqual({ scopes: [...GRAPH_SCOPES] });
    expect(JSON.parse((await auth.storage.getItem('worklink.graphToken')) as string)).toEqual({
      token: graphToken,
      expiresAt: tokenExpiryMs(graphToken),
    });
  });

  it('gets no Graph token from Office SSO', async () => {
    const auth = createAuth({ naaSupported: false });

    expect(await auth.tokens.graphToken()).toBeNull();
    expect(auth.getOfficeAccessToken).not.toHaveBeenCalled();
  });

  it('shares one acquisition between concurrent calls', async () => {
    const auth = createAuth();

    const tokens = await Promise.all([auth.tokens.apiToken(), auth.tokens.apiToken()]);

    expect(tokens).toEqual([NAA_TOKEN, NAA_TOKEN]);
    expect(auth.msal.acquireTokenSilent).toHaveBeenCalledTimes(1);
  });

  it('keeps a token of unknown expiry in memory only', async () => {
    const auth = createAuth({ naaSupported: false, ssoToken: 'opaque-token' });

    expect(await auth.tokens.apiToken()).toBe('opaque-token');
    expect(await auth.tokens.apiToken()).toBe('opaque-token');
    const reloaded = createAuth({ naaSupported: false, ssoToken: 'opaque-token', storage: auth.storage });
    await reloaded.tokens.apiToken();

    expect(auth.getOfficeAccessToken).toHaveBeenCalledTimes(1);
    expect(reloaded.getOfficeAccessToken).toHaveBeenCalledTimes(1);
  });
});

describe('token expiry', () => {
  it('reads exp in milliseconds', () => {
    expect(tokenExpiryMs(jwt('a', NOW))).toBe(NOW);
  });

  it('reads a payload with non-ASCII claims', () => {
    const payload = Buffer.from(JSON.stringify({ name: 'Łucja Żółć', exp: 1800000000 })).toString('base64url');

    expect(tokenExpiryMs(`e30.${payload}.sig`)).toBe(1800000000 * 1000);
  });

  it.each([['opaque'], ['a.b'], ['e30.!!!.sig'], [`e30.${Buffer.from('{"exp":"soon"}').toString('base64url')}.s`]])(
    'returns null for %s',
    (token) => {
      expect(tokenExpiryMs(token)).toBeNull();
    },
  );
});

describe('auth config', () => {
  it('defaults to dev', () => {
    expect(parseAuthConfig({})).toEqual({ mode: 'dev' });
  });

  it('derives authority and scopes for entra', () => {
    expect(entra).toEqual({
      mode: 'entra',
      clientId: CLIENT_ID,
      tenantId: TENANT_ID,
      authority: `https://login.microsoftonline.com/${TENANT_ID}`,
      apiScopes: [API_SCOPE],
      graphScopes: ['User.Read.All', 'GroupMember.Read.All'],
    });
  });

  it('keeps an api:// audience as it is', () => {
    const config = parseAuthConfig({
      mode: 'entra',
      clientId: CLIENT_ID,
      tenantId: 'contoso.onmicrosoft.com',
      audience: 'api://worklink.contoso.example/',
    });

    expect(config.mode).toBe('entra');
    expect(config.mode === 'entra' ? config.apiScopes : []).toEqual(['api://worklink.contoso.example/access_as_user']);
  });

  it.each([
    [{ mode: 'saml' }, 'WORKLINK_AUTH "saml"'],
    [{ mode: 'entra', clientId: 'worklink', tenantId: TENANT_ID }, 'WORKLINK_ENTRA_CLIENT_ID "worklink"'],
    [{ mode: 'entra', clientId: CLIENT_ID, tenantId: '' }, 'WORKLINK_ENTRA_TENANT_ID ""'],
  ])('rejects %j', (raw, named) => {
    expect(() => parseAuthConfig(raw)).toThrow(AuthConfigError);
    expect(() => parseAuthConfig(raw)).toThrow(named);
  });
});
