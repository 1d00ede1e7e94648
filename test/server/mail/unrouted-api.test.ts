import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import nodemailer from 'nodemailer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { availableDialects } from '../../support/databases.js';
import { createTestDatabase } from '../../support/databases.js';
import type { TestDatabase } from '../../support/databases.js';
import { testConfig } from '../../support/app.js';
import { buildApp } from '../../../src/server/app.js';
import { seedDemo } from '../../../src/server/seed/demo.js';
import { EventBus } from '../../../src/server/notifications/bus.js';
import { startSmtpListener } from '../../../src/server/mail/smtp-listener.js';
import type { SmtpListener } from '../../../src/server/mail/smtp-listener.js';
import { readFixture } from './mail-harness.js';
import { routesOf } from './mail-queries.js';

const autoReplyId = 'ooo.20241203180001@mail.fabrikam.example';
const bounceId = 'bounce.20241206030000@mx.fabrikam.example';

describe.each(await availableDialects())('unrouted admin API on %s', (dialect) => {
  let testApp: {
    app: FastifyInstance;
    database: TestDatabase;
    events: EventBus;
    tokenFor(email: string): Promise<string>;
  };
  let listener: SmtpListener;
  let adminToken: string;
  let dataDir: string;

  async function deliver(raw: Buffer, to: string[]): Promise<void> {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, ignoreTLS: true });
    try {
      await transport.sendMail({ envelope: { from: 'billing@fabrikam.example', to }, raw });
    } finally {
      transport.close();
    }
  }

  function post(url: string, token: string, payload?: object) {
    return testApp.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  function postInPolish(url: string, token: string, payload?: object) {
    return testApp.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}`, 'accept-language': 'pl' },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  beforeEach(async () => {
    // Built here rather than with createTestApp so that the test keeps the event bus the routes publish to.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-unrouted-'));
    const database = await createTestDatabase(dialect);
    await seedDemo(database.db);
    const config = testConfig(dataDir, { databaseUrl: database.url, seed: 'demo' });
    const events = new EventBus();
    const app = await buildApp({ config, database, events });
    testApp = {
      app,
      database,
      events,
      async tokenFor(email) {
        const response = await app.inject({ method: 'POST', url: '/api/v1/dev/tokens', payload: { email } });
        return (response.json() as { accessToken: string }).accessToken;
      },
    };
    listener = await startSmtpListener({
      config,
      database,
      log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
      events,
      listenPort: 0,
    });
    adminToken = await testApp.tokenFor('admin@contoso.example');
    await deliver(readFixture('05-auto-reply.eml'), ['pl.support@contoso.example']);
    await deliver(readFixture('08-bounce.eml'), ['uk.support@contoso.example']);
  });

  afterEach(async () => {
    await listener.close();
    await testApp.app.close();
    await testApp.database.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists auto-reply and bounce with reasons', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/v1/admin/unrouted',
      headers: { authorization: `Bearer ${adminToken}` },
    });

    expect(response.statusCode).toBe(200);
    const listed = response.json() as {
      id: number;
      messageId: string;
      subject: string;
      from: string;
      reason: string;
    }[];
    expect(listed.map((entry) => entry.messageId).sort()).toEqual([autoReplyId, bounceId].sort());
    const stored = await testApp.database.db.selectFrom('messages').select(['id', 'message_id']).execute();
    for (const entry of listed) {
      expect(stored).toContainEqual({ id: entry.id, message_id: entry.messageId });
    }
    const autoReply = listed.find((entry) => entry.messageId === autoReplyId);
    expect(autoReply?.subject).toBe('Automatic reply: Invoice 2024/11/0457');
    expect(autoReply?.from).toBe('billing@fabrikam.example');
    expect(autoReply?.reason).toMatch(/^automatic message/);
  });

  it('routes a message by hand', async () => {
    const created = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/work-items',
      headers: { authorization: `Bearer ${await testApp.tokenFor('pl.agent@contoso.example')}` },
      payload: {
        teamId: await teamIdOf('Team B (PL)'),
        type: 'case',
        title: 'Invoice 2024/11/0457',
        fields: { entity: 'Contoso Polska' },
      },
    });
    expect(created.statusCode).toBe(201);
    const { reference } = created.json() as { reference: string };
    const notified: unknown[] = [];
    testApp.events.on('message', (payload) => notified.push(payload));

    const response = await post(`/api/v1/admin/unrouted/${encodeURIComponent(`<${autoReplyId}>`)}/route`, adminToken, {
      reference: reference.toLowerCase(),
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ messageId: autoReplyId, state: 'routed', reference });
    expect(await routesOf(testApp.database.db, autoReplyId)).toEqual([`${reference}/manual`]);
    expect(notified).toEqual([expect.objectContaining({ reference })]);
    const list = await testApp.app.inject({
      method: 'GET',
      url: '/api/v1/admin/unrouted',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect((list.json() as { messageId: string }[]).map((entry) => entry.messageId)).toEqual([bounceId]);
  });

  it('dismisses a message by the id the list gives', async () => {
    const list = await testApp.app.inject({
      method: 'GET',
      url: '/api/v1/admin/unrouted',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const row = (list.json() as { id: number; messageId: string }[]).find((entry) => entry.messageId === bounceId);
    if (row === undefined) {
      throw new Error('the bounce is not listed');
    }

    const response = await post(`/api/v1/admin/unrouted/${row.id}/dismiss`, adminToken);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: row.id, state: 'dismissed' });
    const again = await post(`/api/v1/admin/unrouted/${row.id}/dismiss`, adminToken);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'WORKLINK_UNROUTED_NOT_OPEN' });
  });

  it('rejects bad references and unknown messages', async () => {
    const invalid = await post(`/api/v1/admin/unrouted/${encodeURIComponent(autoReplyId)}/route`, adminToken, {
      reference: 'not-a-reference',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'WORKLINK_INVALID_REFERENCE' });

    const missingItem = await post(`/api/v1/admin/unrouted/${encodeURIComponent(autoReplyId)}/route`, adminToken, {
      reference: '99999-C',
    });
    expect(missingItem.statusCode).toBe(404);
    expect(missingItem.json()).toMatchObject({ code: 'WORKLINK_WORK_ITEM_NOT_FOUND' });

    const unknown = await post('/api/v1/admin/unrouted/unknown%40example/dismiss', adminToken);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'WORKLINK_UNROUTED_NOT_FOUND' });
    expect(await routesOf(testApp.database.db, autoReplyId)).toEqual([]);
  });

  it('explains an unknown message in Polish', async () => {
    const english = await post('/api/v1/admin/unrouted/unknown%40example/dismiss', adminToken);
    const polish = await postInPolish('/api/v1/admin/unrouted/unknown%40example/dismiss', adminToken);

    expect(english.statusCode).toBe(404);
    expect(english.json()).toEqual({
      code: 'WORKLINK_UNROUTED_NOT_FOUND',
      message:
        'No unrouted message "unknown@example" exists: use the id or messageId that GET /api/v1/admin/unrouted lists.',
    });
    expect(polish.statusCode).toBe(404);
    expect(polish.headers['content-language']).toBe('pl');
    expect(polish.json()).toEqual({
      code: 'WORKLINK_UNROUTED_NOT_FOUND',
      message:
        'Na liście poczty bez dopasowania nie ma wiadomości "unknown@example": użyj wartości id albo messageId, które podaje GET /api/v1/admin/unrouted.',
    });
  });

  it('explains a closed message in Polish', async () => {
    const url = `/api/v1/admin/unrouted/${encodeURIComponent(bounceId)}/dismiss`;
    expect((await post(url, adminToken)).statusCode).toBe(200);

    const english = await post(url, adminToken);
    const polish = await postInPolish(url, adminToken);

    expect(english.statusCode).toBe(409);
    expect(english.json().message).toBe(
      `Unrouted message "${bounceId}" was already dismissed: reload the list of unrouted messages.`,
    );
    expect(polish.statusCode).toBe(409);
    expect(polish.json()).toEqual({
      code: 'WORKLINK_UNROUTED_NOT_OPEN',
      message: `Wiadomość "${bounceId}" z listy poczty bez dopasowania została już odrzucona: wczytaj ponownie listę poczty bez dopasowania.`,
    });
  });

  it('explains bad references in Polish', async () => {
    const url = `/api/v1/admin/unrouted/${encodeURIComponent(autoReplyId)}/route`;

    const invalid = await postInPolish(url, adminToken, { reference: 'not-a-reference' });
    const missingItem = await postInPolish(url, adminToken, { reference: '99999-C' });

    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({
      code: 'WORKLINK_INVALID_REFERENCE',
      message: '"not-a-reference" nie jest numerem zgłoszenia: wpisz go w postaci 101203-T, 10040-C albo 10040-C-A1.',
    });
    expect(missingItem.statusCode).toBe(404);
    expect(missingItem.json()).toEqual({
      code: 'WORKLINK_WORK_ITEM_NOT_FOUND',
      message: 'Zgłoszenie 99999-C nie istnieje: sprawdź numer albo najpierw utwórz to zgłoszenie.',
    });
    expect(await routesOf(testApp.database.db, autoReplyId)).toEqual([]);
  });

  it('is for admins only', async () => {
    const agentToken = await testApp.tokenFor('uk.agent@contoso.example');

    const asAgent = await post(`/api/v1/admin/unrouted/${encodeURIComponent(bounceId)}/dismiss`, agentToken);
    const anonymous = await testApp.app.inject({
      method: 'POST',
      url: `/api/v1/admin/unrouted/${encodeURIComponent(bounceId)}/dismiss`,
    });

    expect(asAgent.statusCode).toBe(403);
    expect(anonymous.statusCode).toBe(401);
    const state = await testApp.database.db
      .selectFrom('unrouted_messages')
      .innerJoin('messages', 'messages.id', 'unrouted_messages.message_id')
      .select('unrouted_messages.state')
      .where('messages.message_id', '=', bounceId)
      .executeTakeFirstOrThrow();
    expect(state.state).toBe('open');
  });

  async function teamIdOf(name: string): Promise<number> {
    const team = await testApp.database.db
      .selectFrom('teams')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return team.id;
  }
});
