import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendPlanResponse } from '../../src/core/api-types.js';
import { planRetentionPlugin } from '../../src/server/plugins/plan-retention.js';
import { deletePendingPlans } from '../../src/server/send-plans/plan-record.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { availableDialects } from '../support/databases.js';

const dayMs = 24 * 60 * 60 * 1000;

describe.each(await availableDialects())('send plan retention on %s', (dialect) => {
  let testApp: TestApp;
  let token: string;
  let delivery: string;

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    token = await testApp.tokenFor('uk.agent@contoso.example');
    const item = await testApp.database.db
      .selectFrom('work_items')
      .select('reference')
      .where('title', 'like', 'Delivery%')
      .executeTakeFirstOrThrow();
    delivery = item.reference;
  });

  afterAll(async () => {
    await testApp.close();
  });

  function post(url: string, payload: object) {
    return testApp.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
  }

  async function plan(): Promise<string> {
    const response = await post('/api/v1/send-plans', {
      subject: 'RE: Delivery of order 4471 is late',
      currentReference: delivery,
      recipients: [{ field: 'to', emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' }],
    });
    expect(response.statusCode).toBe(201);
    return (response.json() as SendPlanResponse).id;
  }

  async function backdate(planId: string, days: number): Promise<void> {
    const createdAt = new Date(Date.now() - days * dayMs).toISOString();
    await testApp.database.db
      .updateTable('send_plans')
      .set({ created_at: createdAt })
      .where('id', '=', planId)
      .execute();
  }

  async function planIds(): Promise<string[]> {
    const rows = await testApp.database.db.selectFrom('send_plans').select('id').execute();
    return rows.map((row) => row.id);
  }

  it('deletes only old uncommitted plans', async () => {
    const abandoned = await plan();
    const committed = await plan();
    const recent = await plan();
    const commit = () =>
      post(`/api/v1/send-plans/${committed}/commit`, {
        choices: [{ mailbox: 'pl.support@contoso.example', action: 'plain' }],
      });
    const answer = await commit();
    expect(answer.statusCode).toBe(200);
    await backdate(abandoned, 10);
    await backdate(committed, 10);

    const deleted = await deletePendingPlans(testApp.database.db, new Date(Date.now() - 7 * dayMs).toISOString());

    expect(deleted).toBe(1);
    const left = await planIds();
    expect(left).not.toContain(abandoned);
    expect(left).toEqual(expect.arrayContaining([committed, recent]));
    // The committed plan still returns its response to a repeated commit, and the deleted one is gone.
    expect((await commit()).json()).toEqual(answer.json());
    const late = await post(`/api/v1/send-plans/${abandoned}/commit`, { choices: [] });
    expect(late.statusCode).toBe(404);
    expect(late.json()).toMatchObject({ code: 'WORKLINK_SEND_PLAN_NOT_FOUND' });
  });

  it('sweeps on a timer until closed', async () => {
    const old = await plan();
    const young = await plan();
    await backdate(old, 3);
    await backdate(young, 1);

    const app = Fastify({ logger: false });
    app.decorate('config', { ...testApp.config, pendingPlanRetentionDays: 2 });
    app.decorate('database', testApp.database);
    await app.register(planRetentionPlugin, { firstSweepMs: 1, sweepIntervalMs: 20 });
    await app.ready();
    try {
      await expect.poll(planIds, { timeout: 5000, interval: 20 }).not.toContain(old);
      expect(await planIds()).toContain(young);
    } finally {
      await app.close();
    }

    const afterClose = await plan();
    await backdate(afterClose, 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await planIds()).toContain(afterClose);
  });
});
