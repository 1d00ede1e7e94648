import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

describe.each(await availableDialects())('dev authentication on %s', (dialect) => {
  let test: TestApp;

  const listWith = (authorization?: string) =>
    test.app.inject({
      method: 'GET',
      url: '/api/v1/work-items',
      ...(authorization === undefined ? {} : { headers: { authorization } }),
    });

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
  });

  afterAll(async () => {
    await test.close();
  });

  it('accepts a token issued for a seeded agent', async () => {
    const token = await test.tokenFor('UK.Agent@contoso.example');
    const response = await listWith(`Bearer ${token}`);
    expect(response.statusCode).toBe(200);
  });

  it('issues a token for an admin address', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      payload: { email: 'admin@contoso.example' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accessToken: expect.any(String) });
  });

  it('rejects a token request for an unknown address', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      payload: { email: 'stranger@fabrikam.example' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('WORKLINK_DEV_TOKEN_REJECTED');
    expect(response.json().message).toContain('stranger@fabrikam.example');
  });

  it('rejects a token request for a malformed address', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      payload: { email: 'not-an-email' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_INVALID_ADDRESS');
    expect(response.json().message).toContain('not-an-email');
  });

  it('returns 401 without an Authorization header', async () => {
    const response = await listWith();
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('WORKLINK_AUTH_MISSING');
  });

  it.each([
    ['a non-bearer scheme', 'Basic dWs6YWdlbnQ='],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 for %s', async (_name, header) => {
    const response = await listWith(header);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('WORKLINK_AUTH_MISSING');
  });

  it('returns 401 for a token that is not a JWT', async () => {
    const response = await listWith('Bearer not-a-token');
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('WORKLINK_AUTH_INVALID');
  });

  it('returns 401 for a token with a changed payload', async () => {
    const token = await test.tokenFor('uk.agent@contoso.example');
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'admin@contoso.example', iss: 'worklink-dev', aud: 'worklink-api', exp: 4_102_444_800 }),
    ).toString('base64url');
    const response = await listWith(`Bearer ${header}.${payload}.${signature}`);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('WORKLINK_AUTH_INVALID');
  });

  it('returns 403 for an unregistered user', async () => {
    const token = await test.app.devTokens!.issue('former.agent@contoso.example');
    const response = await listWith(`Bearer ${token}`);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('WORKLINK_AGENT_NOT_REGISTERED');
  });

  it('keeps the dev signing secret in the data directory across restarts', async () => {
    const token = await test.tokenFor('pl.agent@contoso.example');
    const second = await createTestApp(dialect, { seed: 'demo', config: { dataDir: test.config.dataDir } });
    try {
      const response = await second.app.inject({
        method: 'GET',
        url: '/api/v1/work-items',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await second.app.close();
      await second.database.destroy();
    }
  });
});

describe.each(await availableDialects())('rate limit on %s', (dialect) => {
  let test: TestApp;

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo', config: { rateLimitMax: 3, rateLimitWindowMs: 60_000 } });
  });

  afterAll(async () => {
    await test.close();
  });

  it('returns 429 per agent after the configured maximum', async () => {
    const uk = await test.tokenFor('uk.agent@contoso.example');
    const pl = await test.tokenFor('pl.agent@contoso.example');
    const list = (token: string) =>
      test.app.inject({ method: 'GET', url: '/api/v1/work-items', headers: { authorization: `Bearer ${token}` } });

    const statuses = [];
    for (let index = 0; index < 4; index += 1) {
      statuses.push((await list(uk)).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);

    const limited = await list(uk);
    expect(limited.json().code).toBe('WORKLINK_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();

    expect((await list(pl)).statusCode).toBe(200);
  });

  it('does not limit the health check', async () => {
    for (let index = 0; index < 5; index += 1) {
      expect((await test.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    }
  });
});

describe('dev authentication guard', () => {
  it('refuses to build the app on a non-loopback host', async () => {
    await expect(createTestApp('sqlite', { config: { host: '0.0.0.0' } })).rejects.toMatchObject({
      code: 'WORKLINK_DEV_AUTH_NOT_LOOPBACK',
    });
  });
});
