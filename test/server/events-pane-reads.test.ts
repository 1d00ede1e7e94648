import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendPlanResponse } from '../../src/core/api-types.js';
import { apiScope } from '../../src/server/routes/auth-config/index.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

// The task pane's reads besides the work items: how to sign in, and the plan that Smart Alerts names.

describe('GET /api/v1/auth-config', () => {
  it('returns dev mode without a token', async () => {
    const testApp = await createTestApp('sqlite');
    try {
      const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/auth-config' });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ mode: 'dev' });
    } finally {
      await testApp.close();
    }
  });

  it('returns the client id, tenant and scope under Entra', async () => {
    const tenantId = '11111111-2222-3333-4444-555555555555';
    const clientId = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const testApp = await createTestApp('sqlite', {
      config: {
        auth: 'entra',
        entraTenantId: tenantId,
        entraClientId: clientId,
        entraAudience: clientId,
        // Never fetched here; a closed loopback port keeps the test offline if it were.
        entraJwksUrl: 'http://127.0.0.1:9/keys',
      },
    });
    try {
      const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/auth-config' });

      expect(response.json()).toEqual({
        mode: 'entra',
        clientId,
        tenantId,
        scopes: [`api://${clientId}/access_as_user`],
      });
    } finally {
      await testApp.close();
    }
  });

  it('keeps an application ID URI audience', () => {
    expect(apiScope('api://worklink.contoso.example/abc')).toBe('api://worklink.contoso.example/abc/access_as_user');
  });
});

describe.each(await availableDialects())('GET /api/v1/send-plans/{id} on %s', (dialect) => {
  let testApp: TestApp;
  let ukToken: string;
  let plan: SendPlanResponse;

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    ukToken = await testApp.tokenFor('uk.agent@contoso.example');
    const created = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/send-plans',
      headers: { authorization: `Bearer ${ukToken}` },
      payload: {
        subject: 'Order 4471',
        recipients: [
          { field: 'to', emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' },
          { field: 'cc', emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' },
        ],
      },
    });
    expect(created.statusCode).toBe(201);
    plan = created.json();
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('returns the plan as created', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: `/api/v1/send-plans/${plan.id}`,
      headers: { authorization: `Bearer ${ukToken}` },
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(plan);
  });

  it("hides another agent's plan", async () => {
    const plToken = await testApp.tokenFor('pl.agent@contoso.example');
    const response = await testApp.app.inject({
      method: 'GET',
      url: `/api/v1/send-plans/${plan.id}`,
      headers: { authorization: `Bearer ${plToken}` },
    });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_SEND_PLAN_NOT_FOUND' });
  });

  it('rejects an id that is not a plan id', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/v1/send-plans/not-a-plan',
      headers: { authorization: `Bearer ${ukToken}` },
    });

    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
  });
});
