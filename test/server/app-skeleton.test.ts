import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

describe.each(await availableDialects())('app on %s', (dialect) => {
  let test: TestApp;

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
  });

  afterAll(async () => {
    await test.close();
  });

  it('returns healthz', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: dialect });
  });

  it('issues a dev token for a seeded agent', async () => {
    const token = await test.tokenFor('uk.agent@contoso.example');
    expect(token.split('.')).toHaveLength(3);
  });

  it('rejects an unknown field with a coded error', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      payload: { email: 'uk.agent@contoso.example', password: 'x' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_UNKNOWN_FIELD', details: [{ field: 'password' }] });
  });

  it('rejects malformed JSON with a coded error', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_MALFORMED_JSON' });
  });
});
