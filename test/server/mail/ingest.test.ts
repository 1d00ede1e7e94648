import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../support/databases.js';
import { ingestMessage } from '../../../src/server/mail/ingest.js';
import { readFixture, startMailHarness } from './mail-harness.js';
import type { MailHarness } from './mail-harness.js';
import { countRows, linkedPairs, routesOf, workItemsOfTeam } from './mail-queries.js';

describe.each(await availableDialects())('ingestMessage on %s', (dialect) => {
  let harness: MailHarness;

  beforeEach(async () => {
    harness = await startMailHarness(dialect);
  });

  afterEach(async () => {
    await harness.close();
  });

  it('graph source routes like SMTP', async () => {
    const result = await ingestMessage(
      harness.database,
      {
        raw: readFixture('06-new-to-two-mailboxes.eml'),
        envelopeRecipients: ['uk.support@contoso.example'],
        source: 'graph',
        conversationId: 'AAQkAGI2TG93AAA=',
      },
      harness.bus,
    );

    expect(result.duplicate).toBe(false);
    expect(result.createdItems).toHaveLength(2);
    expect(result.newRoutes.map((route) => route.rule)).toEqual(['new', 'new']);
    expect(await linkedPairs(harness.database.db)).toHaveLength(1);
    const conversations = await harness.database.db.selectFrom('conversations').selectAll().execute();
    expect(conversations.map((row) => row.conversation_id)).toEqual(['AAQkAGI2TG93AAA=', 'AAQkAGI2TG93AAA=']);
    expect(conversations.map((row) => row.source)).toEqual(['graph', 'graph']);
  });

  it('same bytes again add nothing', async () => {
    const input = {
      raw: readFixture('07-polish-encoded-alias.eml'),
      envelopeRecipients: ['wsparcie.pl@contoso.example'],
      source: 'smtp' as const,
    };

    const first = await ingestMessage(harness.database, input, harness.bus);
    const second = await ingestMessage(harness.database, input, harness.bus);

    expect(second.duplicate).toBe(true);
    expect(second.messageRowId).toBe(first.messageRowId);
    expect(second.newRoutes).toEqual([]);
    expect(second.createdItems).toEqual([]);
    expect(await countRows(harness.database.db, 'attachments')).toBe(1);
    expect(await workItemsOfTeam(harness.database.db, harness.teamB)).toHaveLength(1);
    expect(harness.events.filter((event) => event.name === 'message')).toHaveLength(1);
  });

  /** Builds a request from an external sender to Team A's mailbox; Team B's mailbox gets it only as a Bcc, through the envelope. */
  function requestCopy(options: { trace?: string; body?: string; encoding?: 'base64' } = {}): Buffer {
    const body = options.body ?? 'Hello,\r\n\r\nplease check order 4471.\r\n';
    const encoded =
      options.encoding === 'base64'
        ? (
            Buffer.from(body)
              .toString('base64')
              .match(/.{1,40}/g) ?? []
          ).join('\r\n') + '\r\n'
        : body;
    return Buffer.from(
      (options.trace ?? '') +
        'From: Fabrikam Orders <orders@fabrikam.example>\r\n' +
        'To: UK Support <uk.support@contoso.example>\r\n' +
        'Subject: Order 4471\r\n' +
        'Date: Mon, 02 Dec 2024 09:13:58 +0000\r\n' +
        'Message-ID: <order-4471@mail.fabrikam.example>\r\n' +
        'MIME-Version: 1.0\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Transfer-Encoding: ${options.encoding ?? '7bit'}\r\n\r\n` +
        encoded,
    );
  }

  it('a copy with other trace headers is the stored message', async () => {
    const first = await ingestMessage(
      harness.database,
      { raw: requestCopy(), envelopeRecipients: ['uk.support@contoso.example'], source: 'smtp' },
      harness.bus,
    );
    const trace =
      'Received: from relay.contoso.example by worklink; Mon, 02 Dec 2024 09:14:02 +0000\r\n' +
      'Delivered-To: pl.support@contoso.example\r\n';

    const second = await ingestMessage(
      harness.database,
      { raw: requestCopy({ trace }), envelopeRecipients: ['pl.support@contoso.example'], source: 'smtp' },
      harness.bus,
    );

    expect(second.duplicate).toBe(true);
    expect(second.messageRowId).toBe(first.messageRowId);
    expect(second.contentHash).toBe(first.contentHash);
    // The copy for Team B's mailbox adds its route, and nothing else is stored twice.
    expect(second.newRoutes.map((route) => route.teamId)).toEqual([harness.teamB]);
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    expect(await countRows(harness.database.db, 'mime_blobs')).toBe(1);
    expect(await workItemsOfTeam(harness.database.db, harness.teamA)).toHaveLength(1);
  });

  it('a copy that Exchange encoded otherwise is the stored message', async () => {
    const first = await ingestMessage(harness.database, {
      raw: requestCopy(),
      envelopeRecipients: ['uk.support@contoso.example'],
      source: 'smtp',
    });

    const second = await ingestMessage(harness.database, {
      raw: requestCopy({ encoding: 'base64', body: 'Hello,\n\nplease check\norder 4471.\n' }),
      envelopeRecipients: ['uk.support@contoso.example'],
      source: 'graph',
    });

    expect(second.duplicate).toBe(true);
    expect(second.messageRowId).toBe(first.messageRowId);
    expect(second.newRoutes).toEqual([]);
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
  });

  it('the same Message-ID with other content is another message', async () => {
    const first = await ingestMessage(harness.database, {
      raw: requestCopy(),
      envelopeRecipients: ['uk.support@contoso.example'],
      source: 'smtp',
    });

    const second = await ingestMessage(harness.database, {
      raw: requestCopy({ body: 'Hello,\r\n\r\nplease check order 4472 instead.\r\n' }),
      envelopeRecipients: ['uk.support@contoso.example'],
      source: 'smtp',
    });

    expect(second.duplicate).toBe(false);
    expect(second.messageRowId).not.toBe(first.messageRowId);
    expect(await countRows(harness.database.db, 'messages')).toBe(2);
    expect(await countRows(harness.database.db, 'mime_blobs')).toBe(2);
  });

  it('thousands of References still route', async () => {
    await harness.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });
    const [item] = await workItemsOfTeam(harness.database.db, harness.teamA);
    const filler = Array.from({ length: 5000 }, (_, index) => `<filler-${index}@fabrikam.example>`).join(' ');
    const raw =
      'From: billing@fabrikam.example\r\nTo: uk.support@contoso.example\r\nSubject: Re: Invoice\r\n' +
      'Message-ID: <many-refs@fabrikam.example>\r\n' +
      `References: <a3f1c2d4e5b6.20241202091358@mail.fabrikam.example> ${filler}\r\n\r\nBody\r\n`;

    const result = await ingestMessage(harness.database, {
      raw: Buffer.from(raw),
      envelopeRecipients: ['uk.support@contoso.example'],
      source: 'smtp',
    });

    expect(result.newRoutes.map((route) => route.rule)).toEqual(['thread']);
    expect(await routesOf(harness.database.db, 'many-refs@fabrikam.example')).toEqual([`${item?.reference}/thread`]);
  });
});
