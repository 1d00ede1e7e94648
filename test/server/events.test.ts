import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_INTERVAL_MS, openStreamCount, redactAccessToken } from '../../src/server/routes/events/index.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { openStream, parseEvents } from '../support/event-stream-client.js';
import type { OpenStream } from '../support/event-stream-client.js';
import { seededItem } from '../support/seeded-items.js';

describe('redactAccessToken', () => {
  it('hides the token and keeps other parameters', () => {
    expect(redactAccessToken('/api/v1/events?access_token=abc.def&x=1')).toBe(
      '/api/v1/events?access_token=[redacted]&x=1',
    );
    expect(redactAccessToken('/api/v1/events?x=1&ACCESS_TOKEN=abc')).toBe('/api/v1/events?x=1&ACCESS_TOKEN=[redacted]');
    expect(redactAccessToken('/api/v1/events')).toBe('/api/v1/events');
  });
});

describe.each(await availableDialects())('GET /api/v1/events on %s', (dialect) => {
  let testApp: TestApp;
  let origin: string;
  let ukToken: string;
  let plToken: string;
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    await testApp.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
    ukToken = await testApp.tokenFor('uk.agent@contoso.example');
    plToken = await testApp.tokenFor('pl.agent@contoso.example');
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.destroy();
    vi.useRealTimers();
  });

  afterAll(async () => {
    await testApp.close();
  });

  async function open(path: string, headers: Record<string, string> = {}): Promise<OpenStream> {
    const stream = await openStream(origin, path, headers);
    streams.push(stream);
    return stream;
  }

  it('rejects a request without a token', async () => {
    const stream = await open('/api/v1/events');
    await stream.ended;

    expect(stream.status).toBe(401);
    expect(JSON.parse(stream.text())).toMatchObject({ code: 'WORKLINK_AUTH_MISSING' });
  });

  it('rejects an invalid query token', async () => {
    const stream = await open('/api/v1/events?access_token=not-a-token');
    await stream.ended;

    expect(stream.status).toBe(401);
    expect(JSON.parse(stream.text())).toMatchObject({ code: 'WORKLINK_AUTH_INVALID' });
  });

  it('streams with the Authorization header', async () => {
    const stream = await open('/api/v1/events', { authorization: `Bearer ${ukToken}` });
    await vi.waitFor(() => expect(stream.text()).toContain('retry: 5000'));

    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe('text/event-stream; charset=utf-8');
  });

  it("sends the events of the agent's teams only", async () => {
    const uk = await open(`/api/v1/events?access_token=${encodeURIComponent(ukToken)}`);
    const pl = await open(`/api/v1/events?access_token=${encodeURIComponent(plToken)}`);
    await vi.waitFor(() => expect(openStreamCount(testApp.events)).toBe(2));
    const delivery = await seededItem(testApp.database.db, 'Delivery of order 4471 is late');
    const invoice = await seededItem(testApp.database.db, 'Invoice correction for order 4471');

    testApp.events.emit('message', {
      workItemId: delivery.id,
      reference: delivery.reference,
      teamId: delivery.teamId,
      messageId: 7,
      hasAttachments: true,
    });
    testApp.events.emit('work-item', {
      workItemId: invoice.id,
      reference: invoice.reference,
      teamId: invoice.teamId,
      type: 'case',
      origin: 'mail',
    });
    testApp.events.emit('link', { lowId: delivery.id, highId: invoice.id, origin: 'plan' });

    const linkData = {
      workItems: [
        { reference: delivery.reference, teamId: delivery.teamId },
        { reference: invoice.reference, teamId: invoice.teamId },
      ],
      origin: 'plan',
    };
    await vi.waitFor(() => expect(parseEvents(uk.text())).toHaveLength(2));
    await vi.waitFor(() => expect(parseEvents(pl.text())).toHaveLength(2));
    expect(parseEvents(uk.text())).toEqual([
      {
        event: 'message',
        data: { reference: delivery.reference, teamId: delivery.teamId, hasAttachments: true },
      },
      { event: 'link', data: linkData },
    ]);
    expect(parseEvents(pl.text())).toEqual([
      {
        event: 'work-item',
        data: { reference: invoice.reference, teamId: invoice.teamId, type: 'case', origin: 'mail' },
      },
      { event: 'link', data: linkData },
    ]);
  });

  it('numbers the events of one stream', async () => {
    const stream = await open(`/api/v1/events?access_token=${encodeURIComponent(ukToken)}`);
    await vi.waitFor(() => expect(stream.text()).toContain('retry:'));
    const delivery = await seededItem(testApp.database.db, 'Delivery of order 4471 is late');

    for (let i = 0; i < 2; i++) {
      testApp.events.emit('work-item', {
        workItemId: delivery.id,
        reference: delivery.reference,
        teamId: delivery.teamId,
        type: 'ticket',
        origin: 'manual',
      });
    }

    await vi.waitFor(() => expect(stream.text().match(/^id: \d+$/gm)).toEqual(['id: 1', 'id: 2']));
  });

  it('sends a heartbeat comment', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const stream = await open('/api/v1/events', { authorization: `Bearer ${ukToken}` });
    await vi.waitFor(() => expect(stream.text()).toContain('retry:'));

    expect(stream.text()).not.toContain(': heartbeat');
    vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS);

    await vi.waitFor(() => expect(stream.text()).toContain(': heartbeat\n\n'));
  });

  it('unsubscribes when the client disconnects', async () => {
    const stream = await open('/api/v1/events', { authorization: `Bearer ${ukToken}` });
    await vi.waitFor(() => expect(openStreamCount(testApp.events)).toBe(1));

    stream.destroy();

    await vi.waitFor(() => expect(openStreamCount(testApp.events)).toBe(0));
  });
});

describe.each(await availableDialects())('event streams at shutdown on %s', (dialect) => {
  it('ends open streams when the server closes', async () => {
    const testApp = await createTestApp(dialect, { seed: 'demo' });
    let stream: OpenStream | undefined;
    try {
      await testApp.app.listen({ host: '127.0.0.1', port: 0 });
      const origin = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
      const token = await testApp.tokenFor('uk.agent@contoso.example');
      stream = await openStream(origin, '/api/v1/events', { authorization: `Bearer ${token}` });
      await vi.waitFor(() => expect(openStreamCount(testApp.events)).toBe(1));
    } finally {
      await testApp.close();
    }

    await stream.ended;
    expect(openStreamCount(testApp.events)).toBe(0);
  });
});
