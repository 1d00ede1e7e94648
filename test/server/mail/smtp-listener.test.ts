import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { generate } from 'selfsigned';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { availableDialects } from '../../support/databases.js';
import { readFixture, startMailHarness } from './mail-harness.js';
import type { MailHarness, SmtpFailure } from './mail-harness.js';
import { createMailbox } from '../../../src/server/repositories/mailboxes.js';
import { getSettings, putSettings } from '../../../src/server/repositories/settings.js';
import { countRows, routesOf, workItemsOfTeam } from './mail-queries.js';

/** Sends EHLO over a plain socket and returns the server's reply lines. */
async function ehloReply(port: number): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let received = '';
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(received)) {
          socket.off('data', onData);
          resolve();
        }
      };
      const onData = (chunk: string): void => {
        received += chunk;
        check();
      };
      socket.on('data', onData);
      socket.once('error', reject);
      check();
    });
  try {
    await waitFor(/^220 .*\r\n/m);
    received = '';
    socket.write('EHLO client.test\r\n');
    await waitFor(/^250 .*\r\n/m);
    return received.split('\r\n').filter((line) => line !== '');
  } finally {
    socket.end('QUIT\r\n');
  }
}

async function deliveryFailure(promise: Promise<unknown>): Promise<SmtpFailure> {
  try {
    await promise;
  } catch (error) {
    return error as SmtpFailure;
  }
  throw new Error('the delivery was expected to fail but the server accepted it');
}

function plainMessage(messageId: string, extraHeaders = '', body = 'Hello.\r\n'): string {
  return (
    `From: Fabrikam Billing <billing@fabrikam.example>\r\n` +
    `To: uk.support@contoso.example\r\n` +
    `Subject: Question ${messageId}\r\n` +
    `Message-ID: <${messageId}>\r\n` +
    extraHeaders +
    `\r\n${body}`
  );
}

/** Makes every insert into `messages` fail, as a full disk or a lost connection would. */
async function breakMessageStorage(harness: MailHarness): Promise<void> {
  const { db, dialect } = harness.database;
  if (dialect === 'sqlite') {
    await sql`create trigger fail_messages before insert on messages begin select raise(abort, 'storage failure'); end`.execute(
      db,
    );
    return;
  }
  await sql`create function fail_messages() returns trigger language plpgsql as $$ begin raise exception 'storage failure'; end $$`.execute(
    db,
  );
  await sql`create trigger fail_messages before insert on messages for each row execute function fail_messages()`.execute(
    db,
  );
}

/** Makes inserts into `messages` fail for one subject only, so that other messages still store. */
async function breakStorageOfSubject(harness: MailHarness, subject: string): Promise<void> {
  const { db, dialect } = harness.database;
  if (dialect === 'sqlite') {
    await sql`create trigger fail_one_subject before insert on messages when new.subject = ${sql.lit(subject)} begin select raise(abort, 'storage failure'); end`.execute(
      db,
    );
    return;
  }
  await sql`create function fail_one_subject() returns trigger language plpgsql as $$ begin if new.subject = ${sql.lit(subject)} then raise exception 'storage failure'; end if; return new; end $$`.execute(
    db,
  );
  await sql`create trigger fail_one_subject before insert on messages for each row execute function fail_one_subject()`.execute(
    db,
  );
}

async function repairMessageStorage(harness: MailHarness): Promise<void> {
  const { db, dialect } = harness.database;
  if (dialect === 'sqlite') {
    await sql`drop trigger fail_messages`.execute(db);
    return;
  }
  await sql`drop trigger fail_messages on messages`.execute(db);
  await sql`drop function fail_messages()`.execute(db);
}

describe.each(await availableDialects())('smtp listener on %s', (dialect) => {
  let harness: MailHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('rejects a recipient that is not connected', async () => {
    harness = await startMailHarness(dialect);

    const failure = await deliveryFailure(
      harness.deliver(plainMessage('one@fabrikam.example'), { to: ['legal@contoso.example'] }),
    );

    expect(failure.responseCode).toBe(550);
    expect(await countRows(harness.database.db, 'messages')).toBe(0);
  });

  it('relays nothing for outside domains', async () => {
    harness = await startMailHarness(dialect);

    const result = await harness.deliver(plainMessage('two@fabrikam.example'), {
      to: ['uk.support@contoso.example', 'someone@northwind.example'],
    });

    expect(result.accepted).toEqual(['uk.support@contoso.example']);
    expect(result.rejected).toEqual(['someone@northwind.example']);
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
  });

  it('accepts plus addresses and aliases in any case', async () => {
    harness = await startMailHarness(dialect);

    const result = await harness.deliver(plainMessage('three@fabrikam.example'), {
      to: ['UK.Support+anything@Contoso.Example', 'Wsparcie.PL@contoso.example'],
    });

    expect(result.rejected).toEqual([]);
    expect(await workItemsOfTeam(harness.database.db, harness.teamA)).toHaveLength(1);
    expect(await workItemsOfTeam(harness.database.db, harness.teamB)).toHaveLength(1);
  });

  it('accepts a mailbox connected a moment ago', async () => {
    harness = await startMailHarness(dialect);
    // The first delivery leaves a recently confirmed directory, which does not know the new mailbox yet.
    await harness.deliver(plainMessage('four@fabrikam.example'), { to: ['uk.support@contoso.example'] });
    await createMailbox(harness.database.db, {
      address: 'de.support@contoso.example',
      aliases: [],
      teamId: harness.teamA,
      defaultType: 'ticket',
    });

    const result = await harness.deliver(plainMessage('five@fabrikam.example'), { to: ['de.support@contoso.example'] });

    expect(result.rejected).toEqual([]);
    expect(await countRows(harness.database.db, 'messages')).toBe(2);
  });

  it('routes replies to plus addresses of an earlier separator', async () => {
    harness = await startMailHarness(dialect);
    await harness.deliver(plainMessage('first@fabrikam.example'), { to: ['uk.support@contoso.example'] });
    const [item] = await workItemsOfTeam(harness.database.db, harness.teamA);
    const settings = await getSettings(harness.database.db);
    await putSettings(harness.database.db, { ...settings, plusAddressing: { mode: 'mixed', separator: '-' } });

    const result = await harness.deliver(plainMessage('reply@fabrikam.example'), {
      to: [`uk.support+${item?.reference ?? ''}@contoso.example`],
    });

    expect(result.rejected).toEqual([]);
    expect(await routesOf(harness.database.db, 'reply@fabrikam.example')).toEqual([`${item?.reference ?? ''}/plus`]);
  });

  it('keeps a look-alike address away from the mailbox', async () => {
    harness = await startMailHarness(dialect);

    const failure = await deliveryFailure(
      harness.deliver(plainMessage('lookalike@fabrikam.example'), { to: ['uk.support-team@contoso.example'] }),
    );

    expect(failure.responseCode).toBe(550);
  });

  it('accepts a mailbox whose address contains the separator', async () => {
    harness = await startMailHarness(dialect);
    await createMailbox(harness.database.db, {
      address: 'de-support@contoso.example',
      aliases: [],
      teamId: harness.teamA,
      defaultType: 'ticket',
    });
    const settings = await getSettings(harness.database.db);
    await putSettings(harness.database.db, { ...settings, plusAddressing: { mode: 'mixed', separator: '-' } });

    const result = await harness.deliver(plainMessage('dashed@fabrikam.example'), {
      to: ['DE-Support@contoso.example'],
    });

    expect(result.rejected).toEqual([]);
    expect(await routesOf(harness.database.db, 'dashed@fabrikam.example')).toHaveLength(1);
  });

  it('stores nothing when the client leaves mid-DATA', async () => {
    const logLines: { level: number; msg: string }[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => logLines.push(JSON.parse(line) as { level: number; msg: string }) },
    ) as unknown as FastifyBaseLogger;
    harness = await startMailHarness(dialect, {}, { log });
    const socket = net.connect(harness.listener.port, '127.0.0.1');
    socket.setEncoding('utf8');
    let received = '';
    socket.on('data', (chunk: string) => (received += chunk));
    const replyCount = async (count: number): Promise<void> => {
      while ((received.match(/^\d{3} /gm) ?? []).length < count) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // Greeting, then EHLO, MAIL FROM, RCPT TO and DATA, each with its reply before the next command.
    await replyCount(1);
    const steps = [
      'EHLO client.test',
      'MAIL FROM:<sender@fabrikam.example>',
      'RCPT TO:<uk.support@contoso.example>',
      'DATA',
    ];
    for (const [index, line] of steps.entries()) {
      socket.write(`${line}\r\n`);
      await replyCount(index + 2);
    }
    expect(received).toMatch(/^354 /m);
    socket.write(plainMessage('six@fabrikam.example').slice(0, 60));
    await new Promise<void>((resolve) => socket.end(resolve));
    socket.destroy();

    const result = await harness.deliver(plainMessage('seven@fabrikam.example'), {
      to: ['uk.support@contoso.example'],
    });

    expect(result.rejected).toEqual([]);
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    // Nothing was accepted, so the log has a warning and no storage error.
    await expect
      .poll(() => logLines.map((line) => line.msg))
      .toContain('smtp message not received in full; nothing was stored');
    expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
    // The listener closes at once, so the abandoned message left no ingestion behind.
    await harness.close();
    harness = undefined;
  });

  it('answers 452 beyond the recipient limit', async () => {
    harness = await startMailHarness(dialect, { WORKLINK_SMTP_MAX_RECIPIENTS: '2' });

    const result = await harness.deliver(plainMessage('four@fabrikam.example'), {
      to: ['uk.support@contoso.example', 'pl.support@contoso.example', 'wsparcie.pl@contoso.example'],
    });

    expect(result.accepted).toEqual(['uk.support@contoso.example', 'pl.support@contoso.example']);
    expect(result.rejected).toEqual(['wsparcie.pl@contoso.example']);
  });

  it('announces the size limit in EHLO', async () => {
    harness = await startMailHarness(dialect, { WORKLINK_SMTP_MAX_MESSAGE_BYTES: '4096' });

    const lines = await ehloReply(harness.listener.port);

    expect(lines.map((line) => line.slice(4))).toContain('SIZE 4096');
    expect(lines.join('\n')).not.toMatch(/STARTTLS|AUTH/);
  });

  it('answers 552 for an oversize message', async () => {
    harness = await startMailHarness(dialect, { WORKLINK_SMTP_MAX_MESSAGE_BYTES: '4096' });

    const failure = await deliveryFailure(
      harness.deliver(plainMessage('five@fabrikam.example', '', `${'x'.repeat(70)}\r\n`.repeat(100)), {
        to: ['uk.support@contoso.example'],
      }),
    );

    expect(failure.responseCode).toBe(552);
    expect(await countRows(harness.database.db, 'messages')).toBe(0);
  });

  it('answers 451 on a storage failure and the retry lands once', async () => {
    harness = await startMailHarness(dialect);
    const raw = readFixture('01-external-request.eml');
    await breakMessageStorage(harness);

    const failure = await deliveryFailure(harness.deliver(raw, { to: ['uk.support@contoso.example'] }));
    expect(failure.responseCode).toBe(451);
    expect(await countRows(harness.database.db, 'mime_blobs')).toBe(0);
    expect(await countRows(harness.database.db, 'work_items')).toBe(0);

    await repairMessageStorage(harness);
    const retry = await harness.deliver(raw, { to: ['uk.support@contoso.example'] });
    expect(retry.response).toMatch(/^250 /);
    await harness.deliver(raw, { to: ['uk.support@contoso.example'] });

    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    expect(await countRows(harness.database.db, 'work_items')).toBe(1);
    expect(await countRows(harness.database.db, 'message_routes')).toBe(1);
    expect(harness.events.filter((event) => event.name === 'message')).toHaveLength(1);
  });

  it('replies 451 only to the failed message', async () => {
    const running = await startMailHarness(dialect);
    harness = running;
    await breakStorageOfSubject(running, 'Question parallel-3@fabrikam.example');
    const ids = [1, 2, 3, 4, 5].map((index) => `parallel-${index}@fabrikam.example`);

    // Sent at once, the messages reach the server together, so on SQLite they share transactions.
    const outcomes = await Promise.allSettled(
      ids.map((id) => running.deliver(plainMessage(id), { to: ['uk.support@contoso.example'] })),
    );

    const replies = outcomes.map((outcome) =>
      outcome.status === 'fulfilled' ? outcome.value.response.slice(0, 3) : String(outcome.reason.responseCode),
    );
    expect(replies).toEqual(['250', '250', '451', '250', '250']);
    expect(await countRows(running.database.db, 'messages')).toBe(4);
    expect(await countRows(running.database.db, 'mime_blobs')).toBe(4);
    expect(await countRows(running.database.db, 'work_items')).toBe(4);
    expect(await routesOf(running.database.db, 'parallel-3@fabrikam.example')).toEqual([]);
    expect(running.events.filter((event) => event.name === 'work-item')).toHaveLength(4);
  });

  it('offers STARTTLS when certificate files exist', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-smtp-tls-'));
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    fs.writeFileSync(path.join(directory, 'cert.pem'), pems.cert);
    fs.writeFileSync(path.join(directory, 'key.pem'), pems.private);
    try {
      harness = await startMailHarness(dialect, {
        WORKLINK_TLS_CERT: path.join(directory, 'cert.pem'),
        WORKLINK_TLS_KEY: path.join(directory, 'key.pem'),
      });

      const result = await harness.deliver(
        plainMessage('tls@fabrikam.example'),
        { to: ['uk.support@contoso.example'] },
        { requireTls: true },
      );

      expect(result.response).toMatch(/^250 /);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('offers no STARTTLS without certificate files', async () => {
    harness = await startMailHarness(dialect);

    const failure = await deliveryFailure(
      harness.deliver(
        plainMessage('notls@fabrikam.example'),
        { to: ['uk.support@contoso.example'] },
        { requireTls: true },
      ),
    );

    expect(failure.message).toMatch(/STARTTLS/);
    expect(await countRows(harness.database.db, 'messages')).toBe(0);
  });

  it('rejects clients outside the allow-list', async () => {
    harness = await startMailHarness(dialect, { WORKLINK_SMTP_ALLOWED_HOSTS: '192.0.2.0/24' });

    const failure = await deliveryFailure(
      harness.deliver(plainMessage('six@fabrikam.example'), { to: ['uk.support@contoso.example'] }),
    );

    expect(failure.responseCode).toBe(554);
    expect(await countRows(harness.database.db, 'messages')).toBe(0);
  });

  it('accepts clients on the allow-list', async () => {
    harness = await startMailHarness(dialect, { WORKLINK_SMTP_ALLOWED_HOSTS: '192.0.2.7, 127.0.0.1' });

    const result = await harness.deliver(plainMessage('seven@fabrikam.example'), {
      to: ['uk.support@contoso.example'],
    });

    expect(result.response).toMatch(/^250 /);
  });
});

describe.each(await availableDialects())('malformed mail on %s', (dialect) => {
  let harness: MailHarness;

  afterEach(async () => {
    await harness.close();
  });

  const cases: { name: string; raw: string | Buffer; subject?: string }[] = [
    {
      name: 'missing Message-ID',
      raw: 'From: billing@fabrikam.example\r\nTo: uk.support@contoso.example\r\nSubject: No id\r\n\r\nBody\r\n',
      subject: 'No id',
    },
    {
      name: 'raw 8-bit headers',
      raw: Buffer.concat([
        Buffer.from('From: =?bogus?= Kr\u00f3l <krol@fabrikam.example>\r\nTo: uk.support@contoso.example\r\nSubject: '),
        Buffer.from([0x5a, 0xe9, 0x20, 0xb3, 0xf3, 0xbf, 0x00, 0x6b]),
        Buffer.from('\r\nMessage-ID: <eight-bit@fabrikam.example>\r\n\r\nBody \xff\xfe\r\n', 'latin1'),
      ]),
    },
    {
      name: 'unterminated multipart',
      raw:
        'From: billing@fabrikam.example\r\nTo: uk.support@contoso.example\r\nSubject: Cut off\r\n' +
        'Message-ID: <cut@fabrikam.example>\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n' +
        '--never-closed\r\nContent-Type: text/plain\r\n\r\nFirst part\r\n' +
        '--never-closed\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0x',
      subject: 'Cut off',
    },
    {
      name: 'invalid encoded words',
      raw:
        'From: =?UTF-8?Q?broken?= <billing@fabrikam.example>\r\nTo: uk.support@contoso.example\r\n' +
        'Subject: =?UTF-8?B?not base64!!?= =?x-unknown?Q?abc?= =?UTF-8?Q?ok=C5?=\r\n' +
        'Message-ID: <encoded@fabrikam.example>\r\n\r\nBody\r\n',
    },
    {
      name: '200 KB header line',
      raw:
        'From: billing@fabrikam.example\r\nTo: uk.support@contoso.example\r\n' +
        `Subject: ${'long '.repeat(40_000)}\r\nX-Padding: ${'y'.repeat(200_000)}\r\n` +
        'Message-ID: <long@fabrikam.example>\r\n\r\nBody\r\n',
    },
  ];

  it.each(cases)('stores a message with $name', async ({ raw, subject }) => {
    harness = await startMailHarness(dialect);

    const result = await harness.deliver(raw, { to: ['uk.support@contoso.example'] });

    expect(result.response).toMatch(/^250 /);
    const messages = await harness.database.db.selectFrom('messages').selectAll().execute();
    expect(messages).toHaveLength(1);
    expect(await countRows(harness.database.db, 'mime_blobs')).toBe(1);
    if (subject !== undefined) {
      expect(messages[0]?.subject).toBe(subject);
    }
    const items = await workItemsOfTeam(harness.database.db, harness.teamA);
    expect(items).toHaveLength(1);
    expect(items[0]?.title.length).toBeLessThanOrEqual(250);
    expect(await routesOf(harness.database.db, messages[0]?.message_id ?? '')).toHaveLength(
      messages[0]?.message_id === null ? 0 : 1,
    );
  });
});
