import nodemailer from 'nodemailer';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/api-types.js';
import { startSmtpListener } from '../../src/server/mail/smtp-listener.js';
import type { SmtpListener } from '../../src/server/mail/smtp-listener.js';
import { readDirectoryVersion } from '../../src/server/repositories/directory-version.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

interface MailboxBody {
  id: number;
  address: string;
  aliases: string[];
  teamId: number | null;
  teamName: string | null;
  defaultType: string;
  displayName: string | null;
  disconnectedAt: string | null;
}

/** An SMTP failure as nodemailer reports it. */
interface SmtpFailure extends Error {
  responseCode?: number;
}

const silentLog = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

describe.each(await availableDialects())('admin mailbox changes on %s', (dialect) => {
  let test: TestApp;
  let smtp: SmtpListener;
  let admin: string;
  let ukAgent: string;
  let teamA: number;
  let teamB: number;

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token = admin) =>
    test.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const mailboxes = async (query = ''): Promise<MailboxBody[]> =>
    (await call('GET', `/api/v1/admin/mailboxes${query}`)).json() as MailboxBody[];

  const mailboxOf = async (address: string): Promise<MailboxBody> => {
    const found = (await mailboxes('?includeDisconnected=true')).find((mailbox) => mailbox.address === address);
    if (found === undefined) {
      throw new Error(`No mailbox ${address} in the admin list.`);
    }
    return found;
  };

  const directory = () =>
    test.app.inject({ method: 'GET', url: '/api/v1/directory', headers: { authorization: `Bearer ${ukAgent}` } });

  /** Delivers one plain message over SMTP; resolves with the accepted recipients, rejects with the SMTP failure. */
  const deliver = async (to: string, messageId: string): Promise<string[]> => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
      name: 'client.test',
    });
    try {
      const raw =
        `From: Fabrikam Orders <orders@fabrikam.example>\r\nTo: ${to}\r\nSubject: Order ${messageId}\r\n` +
        `Message-ID: <${messageId}>\r\n\r\nPlease confirm the order.\r\n`;
      const info = await transport.sendMail({ envelope: { from: 'orders@fabrikam.example', to: [to] }, raw });
      return info.accepted.map(String);
    } finally {
      transport.close();
    }
  };

  const deliveryFailure = async (to: string, messageId: string): Promise<SmtpFailure> => {
    try {
      await deliver(to, messageId);
    } catch (error) {
      return error as SmtpFailure;
    }
    throw new Error(`The delivery to ${to} was expected to fail but the server accepted it.`);
  };

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
    smtp = await startSmtpListener({
      config: test.config,
      database: test.database,
      log: silentLog,
      events: test.events,
      listenPort: 0,
    });
    admin = await test.tokenFor('admin@contoso.example');
    ukAgent = await test.tokenFor('uk.agent@contoso.example');
    teamA = (await mailboxOf('uk.support@contoso.example')).teamId!;
    teamB = (await mailboxOf('pl.support@contoso.example')).teamId!;
  });

  afterAll(async () => {
    await smtp.close();
    await test.close();
  });

  it('changes every mailbox field', async () => {
    const created = await call('POST', '/api/v1/admin/mailboxes', {
      address: 'orders@contoso.example',
      aliases: ['zamowienia@contoso.example'],
      teamId: teamA,
      defaultType: 'ticket',
      displayName: 'Orders',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;

    const response = await call('PATCH', `/api/v1/admin/mailboxes/${id}`, {
      displayName: '  Orders PL ',
      defaultType: 'case',
      teamId: teamB,
      aliases: ['Orders.PL@contoso.example', 'zamowienia@contoso.example'],
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id,
      address: 'orders@contoso.example',
      aliases: ['orders.pl@contoso.example', 'zamowienia@contoso.example'],
      teamId: teamB,
      teamName: 'Team B (PL)',
      defaultType: 'case',
      displayName: 'Orders PL',
      disconnectedAt: null,
    });
    expect(await mailboxOf('orders@contoso.example')).toEqual(response.json());
  });

  it('audits old and new values', async () => {
    const orders = await mailboxOf('orders@contoso.example');
    await call('PATCH', `/api/v1/admin/mailboxes/${orders.id}`, { displayName: null });

    const audit = (await call('GET', '/api/v1/admin/audit')).json();
    expect(audit[0]).toMatchObject({
      action: 'mailbox.update',
      subjectType: 'mailbox',
      subjectId: String(orders.id),
      detail: { address: 'orders@contoso.example', changes: { displayName: { from: 'Orders PL', to: null } } },
    });
    expect((await mailboxOf('orders@contoso.example')).displayName).toBeNull();
  });

  it('bumps directory version and ETag', async () => {
    const orders = await mailboxOf('orders@contoso.example');
    const versionBefore = await readDirectoryVersion(test.database.db);
    const etagBefore = String((await directory()).headers.etag);

    await call('PATCH', `/api/v1/admin/mailboxes/${orders.id}`, { displayName: 'Zamówienia' });

    expect(await readDirectoryVersion(test.database.db)).not.toBe(versionBefore);
    const refreshed = await test.app.inject({
      method: 'GET',
      url: '/api/v1/directory',
      headers: { authorization: `Bearer ${ukAgent}`, 'if-none-match': etagBefore },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.headers.etag).not.toBe(etagBefore);
    const listed = (refreshed.json() as Directory).mailboxes.find((entry) => entry.address === orders.address);
    expect(listed).toMatchObject({ displayName: 'Zamówienia', teamName: 'Team B (PL)' });
  });

  it('keeps the version on a no-op', async () => {
    const orders = await mailboxOf('orders@contoso.example');
    const versionBefore = await readDirectoryVersion(test.database.db);
    const auditBefore = (await call('GET', '/api/v1/admin/audit')).json()[0];

    const response = await call('PATCH', `/api/v1/admin/mailboxes/${orders.id}`, {
      defaultType: orders.defaultType,
      aliases: [...orders.aliases].reverse(),
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(orders);
    expect(await readDirectoryVersion(test.database.db)).toBe(versionBefore);
    expect((await call('GET', '/api/v1/admin/audit')).json()[0]).toEqual(auditBefore);
  });

  it('returns 404 for an unknown mailbox', async () => {
    const patch = await call('PATCH', '/api/v1/admin/mailboxes/987654', { displayName: 'Nobody' });
    const remove = await call('DELETE', '/api/v1/admin/mailboxes/987654');

    expect(patch.statusCode).toBe(404);
    expect(patch.json().code).toBe('WORKLINK_MAILBOX_NOT_FOUND');
    expect(patch.json().message).toContain('987654');
    expect(remove.statusCode).toBe(404);
    expect(remove.json().code).toBe('WORKLINK_MAILBOX_NOT_FOUND');
  });

  it('returns 404 for an unknown team', async () => {
    const orders = await mailboxOf('orders@contoso.example');

    const response = await call('PATCH', `/api/v1/admin/mailboxes/${orders.id}`, { teamId: 424242 });

    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
    expect((await mailboxOf('orders@contoso.example')).teamId).toBe(teamB);
  });

  it.each([
    ['the address of another mailbox', 'uk.support@contoso.example'],
    ['the alias of another mailbox', 'WSPARCIE.PL@contoso.example'],
  ])('rejects an alias that is %s with 409', async (_name, alias) => {
    const orders = await mailboxOf('orders@contoso.example');

    const response = await call('PATCH', `/api/v1/admin/mailboxes/${orders.id}`, { aliases: [alias] });

    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('WORKLINK_MAILBOX_ADDRESS_TAKEN');
    expect(response.json().message).toContain(alias.toLowerCase());
    expect((await mailboxOf('orders@contoso.example')).aliases).toEqual(orders.aliases);
  });

  it.each([
    ['an alias with the separator', { aliases: ['orders+old@contoso.example'] }, 'WORKLINK_INVALID_ADDRESS'],
    ['an alias that is not an address', { aliases: ['orders'] }, 'WORKLINK_INVALID_ADDRESS'],
    ['an alias equal to the address', { aliases: ['Orders@contoso.example'] }, 'WORKLINK_VALIDATION_FAILED'],
    ['an alias twice', { aliases: ['a@contoso.example', 'A@contoso.example'] }, 'WORKLINK_VALIDATION_FAILED'],
    ['a blank display name', { displayName: '   ' }, 'WORKLINK_VALIDATION_FAILED'],
    ['an unknown type', { defaultType: 'incident' }, 'WORKLINK_VALIDATION_FAILED'],
    ['a team id as text', { teamId: 'Team B' }, 'WORKLINK_VALIDATION_FAILED'],
    ['a change of the address', { address: 'new@contoso.example' }, 'WORKLINK_UNKNOWN_FIELD'],
  ])('rejects %s with 400', async (_name, body, code) => {
    const orders = await mailboxOf('orders@contoso.example');

    const response = await call('PATCH', `/api/v1/admin/mailboxes/${orders.id}`, body);

    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(code);
    expect(await mailboxOf('orders@contoso.example')).toEqual(orders);
  });

  it('rejects a non-numeric id with 400', async () => {
    const response = await call('PATCH', '/api/v1/admin/mailboxes/orders', { displayName: 'Orders' });

    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_VALIDATION_FAILED');
  });

  it('moves an alias between mailboxes', async () => {
    const orders = await mailboxOf('orders@contoso.example');
    const pl = await mailboxOf('pl.support@contoso.example');

    const released = await call('PATCH', `/api/v1/admin/mailboxes/${orders.id}`, { aliases: [] });
    const withAlias = await call('PATCH', `/api/v1/admin/mailboxes/${pl.id}`, {
      aliases: [...pl.aliases, 'zamowienia@contoso.example'],
    });

    expect(released.statusCode).toBe(200);
    expect(withAlias.statusCode).toBe(200);
    expect(withAlias.json().aliases).toEqual(['wsparcie.pl@contoso.example', 'zamowienia@contoso.example']);
    await call('PATCH', `/api/v1/admin/mailboxes/${pl.id}`, { aliases: pl.aliases });
  });

  it('is for admins only', async () => {
    const orders = await mailboxOf('orders@contoso.example');

    const patch = await call('PATCH', `/api/v1/admin/mailboxes/${orders.id}`, { displayName: 'Mine' }, ukAgent);
    const remove = await call('DELETE', `/api/v1/admin/mailboxes/${orders.id}`, undefined, ukAgent);

    expect(patch.statusCode).toBe(403);
    expect(remove.statusCode).toBe(403);
    expect(remove.json().code).toBe('WORKLINK_ADMIN_REQUIRED');
  });

  describe('disconnect', () => {
    let uk: MailboxBody;
    let reference: string;
    let etagBefore: string;

    beforeAll(async () => {
      uk = await mailboxOf('uk.support@contoso.example');
      await call('PATCH', `/api/v1/admin/mailboxes/${uk.id}`, { aliases: ['uk.help@contoso.example'] });
      expect(await deliver('uk.support@contoso.example', 'before-disconnect@fabrikam.example')).toEqual([
        'uk.support@contoso.example',
      ]);
      const items = (await call('GET', `/api/v1/work-items?team=${teamA}`, undefined, ukAgent)).json();
      reference = items.find((item: { title: string }) => item.title.includes('before-disconnect')).reference;
      etagBefore = String((await directory()).headers.etag);
    });

    it('disconnects the mailbox and audits it', async () => {
      const response = await call('DELETE', `/api/v1/admin/mailboxes/${uk.id}`);

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        id: uk.id,
        address: 'uk.support@contoso.example',
        aliases: [],
        teamId: teamA,
        disconnectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      const audit = (await call('GET', '/api/v1/admin/audit')).json()[0];
      expect(audit).toMatchObject({
        action: 'mailbox.disconnect',
        subjectId: String(uk.id),
        detail: { address: 'uk.support@contoso.example', aliases: ['uk.help@contoso.example'], teamId: teamA },
      });
    });

    it('lists it only with includeDisconnected', async () => {
      const connected = (await mailboxes()).map((mailbox) => mailbox.address);
      const all = await mailboxes('?includeDisconnected=true');

      expect(connected).not.toContain('uk.support@contoso.example');
      expect(all.find((mailbox) => mailbox.id === uk.id)?.disconnectedAt).toEqual(expect.any(String));
    });

    it('drops it from the directory', async () => {
      const response = await test.app.inject({
        method: 'GET',
        url: '/api/v1/directory',
        headers: { authorization: `Bearer ${ukAgent}`, 'if-none-match': etagBefore },
      });

      expect(response.statusCode).toBe(200);
      expect(response.headers.etag).not.toBe(etagBefore);
      const addresses = (response.json() as Directory).mailboxes.flatMap((entry) => [entry.address, ...entry.aliases]);
      expect(addresses).not.toContain('uk.support@contoso.example');
      expect(addresses).not.toContain('uk.help@contoso.example');
    });

    it('answers 550 over SMTP', async () => {
      const address = await deliveryFailure('uk.support@contoso.example', 'after-disconnect@fabrikam.example');
      const tagged = await deliveryFailure(`uk.support+${reference}@contoso.example`, 'tagged@fabrikam.example');
      const alias = await deliveryFailure('uk.help@contoso.example', 'alias@fabrikam.example');

      expect(address.responseCode).toBe(550);
      expect(tagged.responseCode).toBe(550);
      expect(alias.responseCode).toBe(550);
    });

    it('keeps its work items readable', async () => {
      const response = await call('GET', `/api/v1/work-items/${reference}`, undefined, ukAgent);

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ reference, teamId: teamA, view: 'full' });
      expect(response.json().messages).toEqual([
        expect.objectContaining({ messageId: 'before-disconnect@fabrikam.example' }),
      ]);
      const routes = await test.database.db
        .selectFrom('message_routes')
        .innerJoin('messages', 'messages.id', 'message_routes.message_id')
        .select('message_routes.mailbox_id')
        .where('messages.message_id', '=', 'before-disconnect@fabrikam.example')
        .execute();
      expect(routes).toEqual([{ mailbox_id: uk.id }]);
    });

    it('returns 404 once disconnected', async () => {
      const again = await call('DELETE', `/api/v1/admin/mailboxes/${uk.id}`);
      const patch = await call('PATCH', `/api/v1/admin/mailboxes/${uk.id}`, { displayName: 'UK' });

      expect(again.statusCode).toBe(404);
      expect(again.json().code).toBe('WORKLINK_MAILBOX_NOT_FOUND');
      expect(again.json().message).toContain('was disconnected');
      expect(patch.statusCode).toBe(404);
      expect(patch.json().code).toBe('WORKLINK_MAILBOX_NOT_FOUND');
    });

    it('releases its alias for another mailbox', async () => {
      const pl = await mailboxOf('pl.support@contoso.example');

      const withAlias = await call('PATCH', `/api/v1/admin/mailboxes/${pl.id}`, {
        aliases: [...pl.aliases, 'uk.help@contoso.example'],
      });

      expect(withAlias.statusCode).toBe(200);
      await call('PATCH', `/api/v1/admin/mailboxes/${pl.id}`, { aliases: pl.aliases });
    });

    it('reconnects on the same id', async () => {
      const versionBefore = await readDirectoryVersion(test.database.db);

      const response = await call('POST', '/api/v1/admin/mailboxes', {
        address: 'UK.Support@contoso.example',
        aliases: ['uk.help@contoso.example'],
        teamId: teamA,
        defaultType: 'ticket',
      });

      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({
        id: uk.id,
        aliases: ['uk.help@contoso.example'],
        teamId: teamA,
        displayName: null,
        disconnectedAt: null,
      });
      expect(await readDirectoryVersion(test.database.db)).not.toBe(versionBefore);
      expect((await call('GET', '/api/v1/admin/audit')).json()[0]).toMatchObject({
        action: 'mailbox.reconnect',
        subjectId: String(uk.id),
      });
      const listed = directory().then((result) => result.json() as Directory);
      expect((await listed).mailboxes.map((entry) => entry.address)).toContain('uk.support@contoso.example');
      expect(await deliver('uk.help@contoso.example', 'after-reconnect@fabrikam.example')).toEqual([
        'uk.help@contoso.example',
      ]);
    });

    it('rejects reconnecting an alias address', async () => {
      await call('DELETE', `/api/v1/admin/mailboxes/${uk.id}`);
      const pl = await mailboxOf('pl.support@contoso.example');
      const alias = await call('PATCH', `/api/v1/admin/mailboxes/${pl.id}`, {
        aliases: [...pl.aliases, 'uk.support@contoso.example'],
      });
      expect(alias.statusCode).toBe(200);

      const response = await call('POST', '/api/v1/admin/mailboxes', {
        address: 'uk.support@contoso.example',
        teamId: teamA,
        defaultType: 'ticket',
      });

      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('WORKLINK_MAILBOX_ADDRESS_TAKEN');
      expect((await mailboxOf('uk.support@contoso.example')).disconnectedAt).not.toBeNull();
    });
  });
});
