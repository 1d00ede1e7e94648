/**
 * An admin's change to an agent's access reaches the agent's open event streams: they end, and
 * the client's reconnection gets the current teams, or 403 once the agent is removed.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { availableDialects } from '../support/databases.js';
import { openStream, parseEvents } from '../support/event-stream-client.js';
import type { OpenStream } from '../support/event-stream-client.js';
import { seededItem } from '../support/seeded-items.js';

/** Resolves with true when `stream` ends within `ms`, else with false. */
async function endsWithin(stream: OpenStream, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([stream.ended.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(await availableDialects())('event streams after access changes on %s', (dialect) => {
  let testApp: TestApp;
  let origin: string;
  let adminToken: string;
  let teamA: number;
  let teamB: number;
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    await testApp.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
    adminToken = await testApp.tokenFor('admin@contoso.example');
    const teams = (await admin('GET', '/api/v1/admin/teams')).json() as { id: number; name: string }[];
    teamA = teams.find((team) => team.name === 'Team A (UK)')!.id;
    teamB = teams.find((team) => team.name === 'Team B (PL)')!.id;
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.destroy();
  });

  afterAll(async () => {
    await testApp.close();
  });

  function admin(method: 'GET' | 'PATCH' | 'DELETE', url: string, payload?: object) {
    return testApp.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${adminToken}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  async function open(token: string): Promise<OpenStream> {
    const stream = await openStream(origin, '/api/v1/events', { authorization: `Bearer ${token}` });
    streams.push(stream);
    return stream;
  }

  async function agentId(email: string): Promise<number> {
    const agents = (await admin('GET', '/api/v1/admin/agents')).json() as { id: number; email: string }[];
    return agents.find((agent) => agent.email === email)!.id;
  }

  it('ends the stream on a team change', async () => {
    const token = await testApp.tokenFor('pl.agent@contoso.example');
    const id = await agentId('pl.agent@contoso.example');
    const before = await open(token);

    const renamed = await admin('PATCH', `/api/v1/admin/agents/${id}`, { displayName: 'Piotr Lis' });
    expect(renamed.statusCode).toBe(200);
    expect(await endsWithin(before, 200)).toBe(false);

    const moved = await admin('PATCH', `/api/v1/admin/agents/${id}`, { teamIds: [teamA, teamB] });
    expect(moved.statusCode).toBe(200);
    expect(await endsWithin(before, 2000)).toBe(true);

    const after = await open(token);
    expect(after.status).toBe(200);
    const delivery = await seededItem(testApp.database.db, 'Delivery of order 4471 is late');
    testApp.events.emit('work-item', {
      workItemId: delivery.id,
      reference: delivery.reference,
      teamId: teamA,
      type: 'ticket',
      origin: 'manual',
    });
    await expect.poll(() => parseEvents(after.text()).map((event) => event.event)).toEqual(['work-item']);
  });

  it('ends the stream of a removed agent', async () => {
    const token = await testApp.tokenFor('uk.agent@contoso.example');
    const stream = await open(token);

    const removed = await admin('DELETE', `/api/v1/admin/agents/${await agentId('uk.agent@contoso.example')}`);
    expect(removed.statusCode).toBe(200);
    expect(await endsWithin(stream, 2000)).toBe(true);

    const again = await open(token);
    await again.ended;
    expect(again.status).toBe(403);
    expect(JSON.parse(again.text())).toMatchObject({ code: 'WORKLINK_AGENT_REMOVED' });
  });
});
