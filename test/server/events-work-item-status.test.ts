import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WorkItemStatus } from '../../src/core/api-types.js';
import { buildApp } from '../../src/server/app.js';
import { ingestMessage } from '../../src/server/mail/ingest.js';
import { EventBus } from '../../src/server/notifications/bus.js';
import { startPgFanout } from '../../src/server/notifications/pg-fanout.js';
import type { PgFanout } from '../../src/server/notifications/pg-fanout.js';
import { createAgent } from '../../src/server/repositories/agents.js';
import { createTeam } from '../../src/server/repositories/teams.js';
import { openStreamCount } from '../../src/server/routes/events/index.js';
import { createTestApp, testConfig } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { availableDialects } from '../support/databases.js';
import { openStream, parseEvents } from '../support/event-stream-client.js';
import type { OpenStream } from '../support/event-stream-client.js';
import { seededItem } from '../support/seeded-items.js';
import type { SeededItem } from '../support/seeded-items.js';

/** Sets a status in the database directly, which publishes no event. */
async function putStatus(testApp: TestApp, item: SeededItem, status: WorkItemStatus): Promise<void> {
  await testApp.database.db.updateTable('work_items').set({ status }).where('id', '=', item.id).execute();
}

async function tokenOf(app: FastifyInstance, email: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/dev/tokens', payload: { email } });
  expect(response.statusCode).toBe(200);
  return (response.json() as { accessToken: string }).accessToken;
}

function originOf(app: FastifyInstance): string {
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

function statusEvents(stream: OpenStream): unknown[] {
  return parseEvents(stream.text())
    .filter((event) => event.event === 'work-item-status')
    .map((event) => event.data);
}

function externalReply(messageId: string, to: string, from = 'orders@fabrikam.example'): Buffer {
  return Buffer.from(
    [`From: ${from}`, `To: ${to}`, 'Subject: Order 4471', `Message-ID: <${messageId}>`, '', 'Any news?', ''].join(
      '\r\n',
    ),
  );
}

describe.each(await availableDialects())('work-item-status events on %s', (dialect) => {
  let testApp: TestApp;
  let origin: string;
  let delivery: SeededItem;
  let invoice: SeededItem;
  let passwordReset: SeededItem;
  let teamC: number;
  const tokens: Record<string, string> = {};
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    await testApp.app.listen({ host: '127.0.0.1', port: 0 });
    origin = originOf(testApp.app);
    delivery = await seededItem(testApp.database.db, 'Delivery of order 4471 is late');
    invoice = await seededItem(testApp.database.db, 'Invoice correction for order 4471');
    passwordReset = await seededItem(testApp.database.db, 'Password reset for the supplier portal');

    teamC = (await createTeam(testApp.database.db, 'Team C (Legal)')).id;
    const db = testApp.database.db;
    await createAgent(db, {
      email: 'uk.second@contoso.example',
      displayName: 'UK Second',
      teamIds: [delivery.teamId],
      isAdmin: false,
    });
    await createAgent(db, {
      email: 'both.teams@contoso.example',
      displayName: 'Both Teams',
      teamIds: [delivery.teamId, invoice.teamId],
      isAdmin: false,
    });
    await createAgent(db, {
      email: 'legal.agent@contoso.example',
      displayName: 'Legal Agent',
      teamIds: [teamC],
      isAdmin: false,
    });
    for (const [name, email] of Object.entries({
      uk: 'uk.agent@contoso.example',
      ukSecond: 'uk.second@contoso.example',
      both: 'both.teams@contoso.example',
      pl: 'pl.agent@contoso.example',
      legal: 'legal.agent@contoso.example',
    })) {
      tokens[name] = await testApp.tokenFor(email);
    }
  });

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.destroy();
    await vi.waitFor(() => expect(openStreamCount(testApp.events)).toBe(0));
  });

  afterAll(async () => {
    await testApp.close();
  });

  /** Opens one stream per agent name, in order, and waits until the server has registered them all. */
  async function openStreams(...names: string[]): Promise<OpenStream[]> {
    const opened: OpenStream[] = [];
    for (const name of names) {
      const stream = await openStream(origin, `/api/v1/events?access_token=${encodeURIComponent(tokens[name]!)}`);
      streams.push(stream);
      opened.push(stream);
    }
    await vi.waitFor(() => expect(openStreamCount(testApp.events)).toBe(names.length));
    return opened;
  }

  /**
   * Publishes a `work-item` event to each team and waits until every stream has one. The stream
   * writes events in the order they were published, so whatever a stream was going to get
   * before this call has arrived once this returns.
   */
  async function drain(all: OpenStream[]): Promise<void> {
    for (const teamId of [delivery.teamId, invoice.teamId, teamC]) {
      testApp.events.emit('work-item', { workItemId: 0, reference: 'DRAIN', teamId, type: 'ticket', origin: 'test' });
    }
    for (const stream of all) {
      await vi.waitFor(() =>
        expect(parseEvents(stream.text()).some((event) => event.event === 'work-item')).toBe(true),
      );
    }
  }

  function patchStatus(reference: string, token: string, status: WorkItemStatus) {
    return testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/work-items/${reference}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { status },
    });
  }

  it('reaches owning and linked teams once', async () => {
    await putStatus(testApp, delivery, 'todo');
    const [uk, ukSecond, both, pl, legal] = await openStreams('uk', 'ukSecond', 'both', 'pl', 'legal');

    const response = await patchStatus(delivery.reference, tokens.uk!, 'waiting');
    expect(response.statusCode).toBe(200);
    await drain([uk!, ukSecond!, both!, pl!, legal!]);

    const expected = {
      reference: delivery.reference,
      teamId: delivery.teamId,
      status: 'waiting',
      previousStatus: 'todo',
      origin: 'manual',
    };
    expect(statusEvents(uk!)).toEqual([expected]);
    expect(statusEvents(ukSecond!)).toEqual([expected]);
    expect(statusEvents(both!)).toEqual([expected]);
    expect(statusEvents(pl!)).toEqual([expected]);
    expect(statusEvents(legal!)).toEqual([]);
  });

  it('reaches the owner of a linked item', async () => {
    await putStatus(testApp, invoice, 'todo');
    const [uk, pl, legal] = await openStreams('uk', 'pl', 'legal');

    const response = await patchStatus(invoice.reference, tokens.pl!, 'done');
    expect(response.statusCode).toBe(200);
    await drain([uk!, pl!, legal!]);

    const expected = {
      reference: invoice.reference,
      teamId: invoice.teamId,
      status: 'done',
      previousStatus: 'todo',
      origin: 'manual',
    };
    expect(statusEvents(uk!)).toEqual([expected]);
    expect(statusEvents(pl!)).toEqual([expected]);
    expect(statusEvents(legal!)).toEqual([]);
  });

  it('keeps an unlinked item within its team', async () => {
    await putStatus(testApp, passwordReset, 'todo');
    const [uk, pl] = await openStreams('uk', 'pl');

    const response = await patchStatus(passwordReset.reference, tokens.uk!, 'in_progress');
    expect(response.statusCode).toBe(200);
    await drain([uk!, pl!]);

    expect(statusEvents(uk!)).toHaveLength(1);
    expect(statusEvents(pl!)).toEqual([]);
  });

  it('leaves an unchanged status alone: no event, no audit entry, the same updatedAt', async () => {
    await putStatus(testApp, delivery, 'in_progress');
    const [uk, pl] = await openStreams('uk', 'pl');
    const auditCount = async () =>
      (
        await testApp.database.db
          .selectFrom('audit_log')
          .select('id')
          .where('action', '=', 'work-item.status')
          .where('subject_id', '=', delivery.reference)
          .execute()
      ).length;
    const auditBefore = await auditCount();
    const { updated_at: updatedBefore } = await testApp.database.db
      .selectFrom('work_items')
      .select('updated_at')
      .where('id', '=', delivery.id)
      .executeTakeFirstOrThrow();

    const response = await patchStatus(delivery.reference, tokens.uk!, 'in_progress');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ reference: delivery.reference, status: 'in_progress', updatedAt: updatedBefore });
    await drain([uk!, pl!]);

    expect(statusEvents(uk!)).toEqual([]);
    expect(statusEvents(pl!)).toEqual([]);
    expect(await auditCount()).toBe(auditBefore);
  });

  it('skips a rejected change', async () => {
    await putStatus(testApp, delivery, 'todo');
    const [uk, pl] = await openStreams('uk', 'pl');

    const response = await patchStatus(delivery.reference, tokens.pl!, 'done');
    expect(response.statusCode).toBe(403);
    await drain([uk!, pl!]);

    expect(statusEvents(uk!)).toEqual([]);
    expect(statusEvents(pl!)).toEqual([]);
  });

  it('audits the replaced status', async () => {
    await putStatus(testApp, delivery, 'waiting');

    const response = await patchStatus(delivery.reference, tokens.uk!, 'done');
    expect(response.statusCode).toBe(200);

    const audit = await testApp.database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'work-item.status')
      .where('subject_id', '=', delivery.reference)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.detail)).toEqual({ from: 'waiting', to: 'done' });
  });

  it('publishes the inbound move to todo', async () => {
    await putStatus(testApp, delivery, 'waiting');
    const [uk, pl, legal] = await openStreams('uk', 'pl', 'legal');
    const to = `uk.support+${delivery.reference}@contoso.example`;

    const result = await ingestMessage(
      testApp.database,
      { raw: externalReply(`answer-${dialect}@fabrikam.example`, to), envelopeRecipients: [to], source: 'smtp' },
      testApp.events,
    );
    await drain([uk!, pl!, legal!]);

    expect(result.statusChanges).toEqual([
      {
        workItemId: delivery.id,
        reference: delivery.reference,
        teamId: delivery.teamId,
        previousStatus: 'waiting',
        status: 'todo',
        linkedTeamIds: [invoice.teamId],
      },
    ]);
    const expected = {
      reference: delivery.reference,
      teamId: delivery.teamId,
      status: 'todo',
      previousStatus: 'waiting',
      origin: `message:${result.messageRowId}`,
    };
    expect(statusEvents(uk!)).toEqual([expected]);
    expect(statusEvents(pl!)).toEqual([expected]);
    expect(statusEvents(legal!)).toEqual([]);
  });

  it('publishes no move for an internal reply', async () => {
    await putStatus(testApp, delivery, 'waiting');
    const [uk] = await openStreams('uk');
    const to = `uk.support+${delivery.reference}@contoso.example`;

    const result = await ingestMessage(
      testApp.database,
      {
        raw: externalReply(`question-${dialect}@contoso.example`, to, 'uk.agent@contoso.example'),
        envelopeRecipients: [to],
        source: 'smtp',
      },
      testApp.events,
    );
    await drain([uk!]);

    expect(result.newRoutes).toHaveLength(1);
    expect(result.statusChanges).toEqual([]);
    expect(statusEvents(uk!)).toEqual([]);
  });
});

const hasPostgres = (await availableDialects()).includes('postgres');

describe.runIf(hasPostgres)('work-item-status across instances on postgres', () => {
  const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
  let testApp: TestApp;
  let second: FastifyInstance;
  let secondDataDir: string;
  const fanouts: PgFanout[] = [];
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    testApp = await createTestApp('postgres', { seed: 'demo' });
    secondDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-test-'));
    const secondEvents = new EventBus();
    second = await buildApp({
      config: testConfig(secondDataDir, { databaseUrl: testApp.database.url, seed: 'demo' }),
      database: testApp.database,
      events: secondEvents,
    });
    for (const [bus, instanceId] of [
      [testApp.events, 'instance-a'],
      [secondEvents, 'instance-b'],
    ] as const) {
      fanouts.push(
        await startPgFanout({
          bus,
          database: testApp.database,
          connectionString: testApp.database.url,
          log,
          instanceId,
        }),
      );
    }
    await testApp.app.listen({ host: '127.0.0.1', port: 0 });
    await second.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    for (const stream of streams) stream.destroy();
    await Promise.all(fanouts.map((fanout) => fanout.close()));
    await second?.close();
    await testApp?.close();
    fs.rmSync(secondDataDir, { recursive: true, force: true });
  });

  it('reaches agents on the other instance once', async () => {
    const delivery = await seededItem(testApp.database.db, 'Delivery of order 4471 is late');
    const ukToken = await tokenOf(testApp.app, 'uk.agent@contoso.example');
    const ukOnSecond = await openStream(
      originOf(second),
      `/api/v1/events?access_token=${encodeURIComponent(await tokenOf(second, 'uk.agent@contoso.example'))}`,
    );
    const plOnSecond = await openStream(
      originOf(second),
      `/api/v1/events?access_token=${encodeURIComponent(await tokenOf(second, 'pl.agent@contoso.example'))}`,
    );
    const ukOnFirst = await openStream(
      originOf(testApp.app),
      `/api/v1/events?access_token=${encodeURIComponent(ukToken)}`,
    );
    streams.push(ukOnSecond, plOnSecond, ukOnFirst);
    await vi.waitFor(() => expect(openStreamCount(second.events)).toBe(2));
    await vi.waitFor(() => expect(openStreamCount(testApp.events)).toBe(1));

    const response = await testApp.app.inject({
      method: 'PATCH',
      url: `/api/v1/work-items/${delivery.reference}`,
      headers: { authorization: `Bearer ${ukToken}` },
      payload: { status: 'waiting' },
    });
    expect(response.statusCode).toBe(200);

    const expected = {
      reference: delivery.reference,
      teamId: delivery.teamId,
      status: 'waiting',
      previousStatus: 'todo',
      origin: 'manual',
    };
    for (const stream of [ukOnSecond, plOnSecond, ukOnFirst]) {
      await vi.waitFor(() => expect(statusEvents(stream)).toHaveLength(1), { timeout: 5_000 });
    }
    // A repeated notification would arrive within this pause.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statusEvents(ukOnSecond)).toEqual([expected]);
    expect(statusEvents(plOnSecond)).toEqual([expected]);
    expect(statusEvents(ukOnFirst)).toEqual([expected]);
  });
});
