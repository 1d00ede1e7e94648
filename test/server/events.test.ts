import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_INTERVAL_MS, openStreamCount, redactAccessToken } from '../../src/server/routes/events/index.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

/** A server-sent-events response read as text as it arrives. */
interface OpenStream {
  status: number;
  contentType: string | undefined;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the server has ended the response. */
  ended: Promise<void>;
  destroy(): void;
}

function openStream(origin: string, path: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${origin}${path}`, { headers: { accept: 'text/event-stream', ...headers } });
    request.on('error', reject);
    request.on('response', (response) => {
      let received = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        received += chunk;
      });
      const ended = new Promise<void>((done) => {
        response.on('end', () => done());
        response.on('close', () => done());
      });
      resolve({
        status: response.statusCode ?? 0,
        contentType: response.headers['content-type'],
        text: () => received,
        ended,
        destroy: () => request.destroy(),
      });
    });
  });
}

/** Parses `event:` and `data:` blocks; comments and `retry:` lines are skipped. */
function parseEvents(text: string): Array<{ event: string; data: unknown }> {
  const events: Array<{ event: string; data: unknown }> = [];
  for (const block of text.split('\n\n')) {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
  }
  return events;
}

async function workItemId(testApp: TestApp, title: string): Promise<{ id: number; reference: string; teamId: number }> {
  const row = await testApp.database.db
    .selectFrom('work_items')
    .select(['id', 'reference', 'team_id'])
    .where('title', '=', title)
    .executeTakeFirstOrThrow();
  return { id: row.id, reference: row.reference, teamId: row.team_id };
}

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
    const delivery = await workItemId(testApp, 'Delivery of order 4471 is late');
    const invoice = await workItemId(testApp, 'Invoice correction for order 4471');

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
    const delivery = await workItemId(testApp, 'Delivery of order 4471 is late');

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
