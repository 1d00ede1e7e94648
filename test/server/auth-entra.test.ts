import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

const tenant = '11111111-2222-4333-8444-555555555555';
const otherTenant = '99999999-8888-4777-8666-555555555555';
const clientId = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Starts a JWKS endpoint on 127.0.0.1 that serves the keys the test publishes and counts its requests. */
async function startKeyServer(): Promise<{
  url: string;
  publish(keys: SigningKey[]): void;
  fetches(): number;
  close(): Promise<void>;
}> {
  let published: JWK[] = [];
  let count = 0;
  const server = http.createServer((_request, response) => {
    count += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/discovery/v2.0/keys`,
    publish(keys) {
      published = keys.map((key) => key.jwk);
    },
    fetches: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Returns a loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface TokenOptions {
  key: SigningKey;
  user?: string;
  audience?: string;
  tenantId?: string;
  issuerTenant?: string;
  scope?: string | null;
  /** Seconds since the epoch. */
  expiresAt?: number;
  issuedAt?: number;
}

function accessToken(options: TokenOptions): Promise<string> {
  const claims: Record<string, unknown> = {
    tid: options.tenantId ?? tenant,
    preferred_username: options.user ?? 'uk.agent@contoso.example',
    ver: '2.0',
  };
  if (options.scope !== null) {
    claims.scp = options.scope ?? 'access_as_user';
  }
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.key.kid, typ: 'JWT' })
    .setIssuer(`https://login.microsoftonline.com/${options.issuerTenant ?? tenant}/v2.0`)
    .setAudience(options.audience ?? clientId)
    .setSubject('subject-of-uk-agent')
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(options.expiresAt ?? issuedAt + 3600)
    .sign(options.key.privateKey);
}

describe.each(await availableDialects())('Entra authentication on %s', (dialect) => {
  let keys: Awaited<ReturnType<typeof startKeyServer>>;
  let first: SigningKey;
  let test: TestApp;

  const listWith = (token: string) =>
    test.app.inject({ method: 'GET', url: '/api/v1/work-items', headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    keys = await startKeyServer();
    first = await signingKey('key-1');
    keys.publish([first]);
    test = await createTestApp(dialect, {
      seed: 'demo',
      config: {
        auth: 'entra',
        entraTenantId: tenant,
        entraClientId: clientId,
        entraAudience: clientId,
        entraJwksUrl: keys.url,
      },
    });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    await test.close();
    await keys.close();
  });

  it('accepts a valid token and caches the key set', async () => {
    const before = keys.fetches();
    for (let index = 0; index < 3; index += 1) {
      const response = await listWith(await accessToken({ key: first }));
      expect(response.statusCode).toBe(200);
    }
    expect(keys.fetches() - before).toBeLessThanOrEqual(1);
  });

  it('matches the agent by upn when preferred_username is absent', async () => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ tid: tenant, scp: 'access_as_user', upn: 'PL.Agent@contoso.example' })
      .setProtectedHeader({ alg: 'RS256', kid: first.kid })
      .setIssuer(`https://login.microsoftonline.com/${tenant}/v2.0`)
      .setAudience(clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 600)
      .sign(first.privateKey);
    const response = await listWith(token);
    expect(response.statusCode).toBe(200);
  });

  it('has no dev token endpoint', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      payload: { email: 'uk.agent@contoso.example' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_ROUTE_NOT_FOUND');
  });

  it('rejects an expired token', async () => {
    const issuedAt = Math.floor(Date.now() / 1000) - 7200;
    const response = await listWith(await accessToken({ key: first, issuedAt, expiresAt: issuedAt + 3600 }));
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      code: 'WORKLINK_AUTH_INVALID',
      message: expect.stringContaining('expired'),
    });
  });

  it('rejects a token for another audience', async () => {
    const response = await listWith(await accessToken({ key: first, audience: 'api://someone-else' }));
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toContain('"aud"');
  });

  it('rejects a token issued by another tenant', async () => {
    const response = await listWith(
      await accessToken({ key: first, issuerTenant: otherTenant, tenantId: otherTenant }),
    );
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toContain('"iss"');
  });

  it('rejects a token whose tid differs from the tenant', async () => {
    const response = await listWith(await accessToken({ key: first, tenantId: otherTenant }));
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toContain(otherTenant);
  });

  it.each([
    ['no scope', null],
    ['another scope', 'User.Read Mail.Read'],
  ])('rejects a token with %s', async (_name, scope) => {
    const response = await listWith(await accessToken({ key: first, scope }));
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toContain('access_as_user');
  });

  it('rejects a token signed by a key the tenant never published', async () => {
    const stranger = await signingKey('key-unknown');
    const response = await listWith(await accessToken({ key: stranger }));
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('WORKLINK_AUTH_INVALID');
  });

  it('rejects a token whose kid is published with another key', async () => {
    const impostor = await signingKey('key-1');
    const response = await listWith(await accessToken({ key: impostor }));
    expect(response.statusCode).toBe(401);
  });

  it('returns 403 for an unregistered user', async () => {
    const response = await listWith(await accessToken({ key: first, user: 'guest@fabrikam.example' }));
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('WORKLINK_AGENT_NOT_REGISTERED');
  });

  it('refetches the key set for an unknown kid after rotation', async () => {
    const rotated = await signingKey('key-2');
    const token = await accessToken({ key: rotated });

    // jose refetches at most once per 30 s cooldown, so move the clock past it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    const beforeRotation = await listWith(token);
    expect(beforeRotation.statusCode).toBe(401);

    keys.publish([rotated]);
    vi.setSystemTime(Date.now() + 31_000);
    const fetchesBefore = keys.fetches();
    const afterRotation = await listWith(token);
    expect(afterRotation.statusCode).toBe(200);
    expect(keys.fetches()).toBe(fetchesBefore + 1);
  });
});

describe('Entra key set unreachable', () => {
  it('returns 503 with a generic message', async () => {
    const port = await closedPort();
    const key = await signingKey('key-1');
    const test = await createTestApp('sqlite', {
      seed: 'demo',
      config: {
        auth: 'entra',
        entraTenantId: tenant,
        entraClientId: clientId,
        entraAudience: clientId,
        entraJwksUrl: `http://127.0.0.1:${port}/keys`,
      },
    });
    try {
      const response = await test.app.inject({
        method: 'GET',
        url: '/api/v1/work-items',
        headers: { authorization: `Bearer ${await accessToken({ key })}` },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().code).toBe('WORKLINK_AUTH_KEYS_UNAVAILABLE');
      expect(response.json().message).not.toContain(String(port));
    } finally {
      await test.close();
    }
  });
});
