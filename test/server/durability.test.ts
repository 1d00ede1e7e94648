import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/database.js';
import type { Dialect } from '../../src/server/db/database.js';
import type { Database } from '../../src/server/db/schema.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';
import { buildServer, freePort, smtpTransportOptions, startServerProcess } from '../support/server-process.js';
import type { ServerBuild, ServerProcess, SmtpFailure } from '../support/server-process.js';

// These tests run the real server as a child process, kill or stop it while
// nodemailer clients deliver over SMTP, and read the database afterwards:
// every message is stored once with all of its routes, however the process ended.

const ukSupport = 'uk.support@contoso.example';
const plSupport = 'pl.support@contoso.example';
const plAlias = 'wsparcie.pl@contoso.example';

type TeamKey = 'uk' | 'pl';

interface TestMessage {
  messageId: string;
  subject: string;
  to: string[];
  /** Teams that must each get one new work item with this message on it. */
  teams: TeamKey[];
  raw: Buffer;
}

/** Recipient sets in turn: each mailbox alone, the alias, and both teams at once. */
const recipientSets: { to: string[]; teams: TeamKey[] }[] = [
  { to: [ukSupport], teams: ['uk'] },
  { to: [plSupport], teams: ['pl'] },
  { to: [ukSupport, plSupport], teams: ['uk', 'pl'] },
  { to: [plAlias], teams: ['pl'] },
  { to: [plAlias, ukSupport], teams: ['uk', 'pl'] },
];

/**
 * Builds `count` distinct external messages with unique Message-IDs and
 * subjects. The bytes are fixed here, so a retry sends exactly what the
 * first attempt sent, as a queueing mail server does.
 */
function buildMessages(run: string, count: number): TestMessage[] {
  return Array.from({ length: count }, (_, index) => {
    const { to, teams } = recipientSets[index % recipientSets.length] ?? { to: [ukSupport], teams: ['uk'] };
    const number = String(index).padStart(3, '0');
    const messageId = `durability-${run}-${number}@mail.fabrikam.example`;
    const subject = `Durability ${run} order ${number}`;
    const raw =
      `From: Customer ${number} <customer${number}@fabrikam.example>\r\n` +
      `To: ${to.join(', ')}\r\n` +
      `Subject: ${subject}\r\n` +
      `Date: Wed, 02 Dec 2026 09:${number.slice(1)}:00 +0000\r\n` +
      `Message-ID: <${messageId}>\r\n` +
      'MIME-Version: 1.0\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      '\r\n' +
      `Please confirm order ${number}.\r\n`;
    return { messageId, subject, to, teams, raw: Buffer.from(raw, 'utf8') };
  });
}

interface DeliveryOutcome {
  /** Message-IDs that got a `250`, in the order of the replies. */
  acknowledged: string[];
  failures: Map<string, SmtpFailure>;
}

interface LoadOptions {
  connections: number;
  /** Called after each `250` with the number of replies so far. */
  onAcknowledged?: (count: number) => void;
  /** Workers take no further message once this returns true. */
  shouldStop?: () => boolean;
}

/** Time after which a load starts no further delivery, so that a stuck server fails the test with a count, not a timeout. */
const loadDeadlineMs = 40_000;

/**
 * Delivers `messages` over `connections` pooled SMTP connections, one
 * message at a time on each. A failure is recorded and the worker moves on,
 * the way a mail server defers a message and keeps its queue running.
 */
async function deliverAll(port: number, messages: TestMessage[], options: LoadOptions): Promise<DeliveryOutcome> {
  const outcome: DeliveryOutcome = { acknowledged: [], failures: new Map() };
  let next = 0;
  const deadline = Date.now() + loadDeadlineMs;

  const worker = async (): Promise<void> => {
    const transport = nodemailer.createTransport({
      ...smtpTransportOptions(port),
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
    });
    try {
      while (next < messages.length && Date.now() < deadline && options.shouldStop?.() !== true) {
        const message = messages[next++];
        if (message === undefined) {
          break;
        }
        try {
          await transport.sendMail({
            envelope: { from: 'relay@fabrikam.example', to: message.to },
            raw: message.raw,
          });
          outcome.acknowledged.push(message.messageId);
          options.onAcknowledged?.(outcome.acknowledged.length);
        } catch (error) {
          outcome.failures.set(message.messageId, error as SmtpFailure);
        }
      }
    } finally {
      transport.close();
    }
  };

  await Promise.all(Array.from({ length: options.connections }, worker));
  return outcome;
}

/** Lists the failures that were server replies (such as 451), not socket errors, as `Message-ID: reply`. */
function serverRejections(outcome: DeliveryOutcome): string[] {
  return [...outcome.failures]
    .filter(([, failure]) => failure.responseCode !== undefined)
    .map(([id, failure]) => `${id}: ${failure.message}`);
}

/**
 * Delivers `messages` until each got a `250`, in at most `rounds` rounds.
 * Returns the Message-IDs still failing and every reply that rejected one.
 */
async function deliverWithRetries(
  port: number,
  messages: TestMessage[],
  rounds: number,
): Promise<{ failing: string[]; rejections: string[] }> {
  let pending = messages;
  const rejections: string[] = [];
  for (let round = 0; round < rounds && pending.length > 0; round++) {
    if (round > 0) {
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const outcome = await deliverAll(port, pending, { connections: 4 });
    rejections.push(...serverRejections(outcome));
    const acknowledged = new Set(outcome.acknowledged);
    pending = pending.filter((message) => !acknowledged.has(message.messageId));
  }
  return { failing: pending.map((message) => message.messageId), rejections };
}

/** A database for one server process, and a handle to check it from the test. */
interface ServerDatabase {
  dialect: Dialect;
  dataDir: string;
  /** URL the server process gets. */
  serverUrl: string;
  /** Opens the test's own handle on first use, after the server has migrated the database. */
  db(): Kysely<Database>;
  close(): Promise<void>;
}

/** The admin URL, with its default, that `test/support/databases.ts` creates the test databases with. */
const postgresAdminUrl = process.env.WORKLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Name under which the server's PostgreSQL sessions appear, so a fault test can end only those. */
const serverApplicationName = 'worklink-durability-server';

async function createServerDatabase(dialect: Dialect): Promise<ServerDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-durability-'));
  if (dialect === 'sqlite') {
    const file = path.join(dataDir, 'worklink.sqlite');
    let handle: ReturnType<typeof openDatabase> | undefined;
    return {
      dialect,
      dataDir,
      serverUrl: `sqlite:${file}`,
      db: () => (handle ??= openDatabase(`sqlite:${file}`)).db,
      async close() {
        await handle?.db.destroy();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  const database = await createTestDatabase('postgres');
  const serverUrl = new URL(database.url);
  serverUrl.searchParams.set('application_name', serverApplicationName);
  return {
    dialect,
    dataDir,
    serverUrl: serverUrl.toString(),
    db: () => database.db,
    async close() {
      await database.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface StoredState {
  /** Stored rows per Message-ID. */
  copies: Map<string, number>;
  /** `teamId:workItemId:rule` per Message-ID, sorted. */
  routes: Map<string, string[]>;
  /** Work item ids per `title|teamId`. */
  items: Map<string, number[]>;
  /** `lowId~highId` of every link. */
  links: Set<string>;
  /** Message-IDs in the unrouted list. */
  unrouted: Set<string>;
}

async function readStoredState(db: Kysely<Database>, messages: TestMessage[]): Promise<StoredState> {
  const ids = messages.map((message) => message.messageId);
  const titles = messages.map((message) => message.subject);

  const stored = await db.selectFrom('messages').select('message_id').where('message_id', 'in', ids).execute();
  const copies = new Map<string, number>();
  for (const row of stored) {
    const id = row.message_id ?? '';
    copies.set(id, (copies.get(id) ?? 0) + 1);
  }

  const routeRows = await db
    .selectFrom('message_routes')
    .innerJoin('messages', 'messages.id', 'message_routes.message_id')
    .innerJoin('work_items', 'work_items.id', 'message_routes.work_item_id')
    .select(['messages.message_id', 'work_items.team_id', 'work_items.id', 'message_routes.rule'])
    .where('messages.message_id', 'in', ids)
    .execute();
  const routes = new Map<string, string[]>();
  for (const row of routeRows) {
    const id = row.message_id ?? '';
    routes.set(id, [...(routes.get(id) ?? []), `${row.team_id}:${row.id}:${row.rule}`].sort());
  }

  const itemRows = await db
    .selectFrom('work_items')
    .select(['id', 'title', 'team_id'])
    .where('title', 'in', titles)
    .execute();
  const items = new Map<string, number[]>();
  for (const row of itemRows) {
    const key = `${row.title}|${row.team_id}`;
    items.set(key, [...(items.get(key) ?? []), row.id]);
  }

  const linkRows = await db.selectFrom('work_item_links').select(['item_low_id', 'item_high_id']).execute();
  const links = new Set(linkRows.map((row) => `${row.item_low_id}~${row.item_high_id}`));

  const unroutedRows = await db
    .selectFrom('unrouted_messages')
    .innerJoin('messages', 'messages.id', 'unrouted_messages.message_id')
    .select('messages.message_id')
    .where('messages.message_id', 'in', ids)
    .execute();
  const unrouted = new Set(unroutedRows.map((row) => row.message_id ?? ''));

  return { copies, routes, items, links, unrouted };
}

async function demoTeamIds(db: Kysely<Database>): Promise<Record<TeamKey, number>> {
  const rows = await db
    .selectFrom('mailboxes')
    .select(['address', 'team_id'])
    .where('address', 'in', [ukSupport, plSupport])
    .execute();
  const teamOf = (address: string): number => {
    const row = rows.find((candidate) => candidate.address === address);
    if (row === undefined || row.team_id === null) {
      throw new Error(`The demo seed has no mailbox ${address}; the server process did not seed the database.`);
    }
    return row.team_id;
  };
  return { uk: teamOf(ukSupport), pl: teamOf(plSupport) };
}

/**
 * Checks that every message is stored once, with one route per expected
 * team to a work item created for it (rule `new`). Each such work item must
 * exist once, and a message to both teams must have linked its two items.
 */
async function expectEachStoredOnce(db: Kysely<Database>, messages: TestMessage[]): Promise<void> {
  const teams = await demoTeamIds(db);
  const state = await readStoredState(db, messages);

  const missing = messages.filter((message) => !state.copies.has(message.messageId)).map((m) => m.messageId);
  const duplicated = [...state.copies].filter(([, count]) => count > 1).map(([id, count]) => `${id} x${count}`);
  expect(missing).toEqual([]);
  expect(duplicated).toEqual([]);

  const wrongItems: string[] = [];
  const wrongRoutes: string[] = [];
  const unlinked: string[] = [];
  for (const message of messages) {
    const expectedRoutes: string[] = [];
    for (const team of message.teams) {
      const created = state.items.get(`${message.subject}|${teams[team]}`) ?? [];
      if (created.length !== 1) {
        wrongItems.push(`${message.messageId}: ${created.length} work items for team ${team}`);
      }
      expectedRoutes.push(`${teams[team]}:${created[0] ?? '?'}:new`);
    }
    expectedRoutes.sort();
    const actualRoutes = state.routes.get(message.messageId) ?? [];
    if (actualRoutes.join(',') !== expectedRoutes.join(',')) {
      wrongRoutes.push(`${message.messageId}: routes ${actualRoutes.join(',')}, expected ${expectedRoutes.join(',')}`);
    }
    if (message.teams.length === 2) {
      const [first, second] = message.teams.map((team) => state.items.get(`${message.subject}|${teams[team]}`)?.[0]);
      const pair = `${Math.min(first ?? 0, second ?? 0)}~${Math.max(first ?? 0, second ?? 0)}`;
      if (!state.links.has(pair)) {
        unlinked.push(`${message.messageId}: work items ${pair} not linked`);
      }
    }
  }
  expect(wrongItems).toEqual([]);
  expect(wrongRoutes).toEqual([]);
  expect(unlinked).toEqual([]);
  expect([...state.unrouted]).toEqual([]);
}

/** A line-by-line SMTP conversation over a plain socket, for steps that nodemailer runs in one call. */
interface SmtpDialog {
  /** Sends one command line and resolves with the last line of the reply. */
  command(line: string): Promise<string>;
  /** Sends text that gets no reply of its own, such as the first part of a message after DATA. */
  write(text: string): void;
  close(): void;
}

async function openSmtpDialog(port: number): Promise<SmtpDialog> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  let waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  const deliverReply = (): void => {
    const match = /^(\d{3}) [^\r\n]*\r\n/m.exec(buffer);
    if (match !== null && waiting !== undefined) {
      const line = match[0].trimEnd();
      buffer = buffer.slice(match.index + match[0].length);
      const current = waiting;
      waiting = undefined;
      current.resolve(line);
    }
  };
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    deliverReply();
  });
  const fail = (error: Error): void => {
    waiting?.reject(error);
    waiting = undefined;
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error(`SMTP connection closed; unanswered text: ${JSON.stringify(buffer)}`)));

  const nextReply = (): Promise<string> =>
    new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      deliverReply();
    });

  const greeting = await nextReply();
  if (!greeting.startsWith('220')) {
    socket.destroy();
    throw new Error(`Expected an SMTP greeting, got ${greeting}`);
  }
  return {
    command(line) {
      const reply = nextReply();
      socket.write(`${line}\r\n`);
      return reply;
    },
    write(text) {
      socket.write(text);
    },
    close: () => socket.destroy(),
  };
}

/** Sends the first steps of a delivery: EHLO, MAIL FROM and every RCPT TO, each expected to get `250`. */
async function startTransaction(dialog: SmtpDialog, message: TestMessage): Promise<void> {
  expect(await dialog.command('EHLO client.test')).toMatch(/^250 /);
  expect(await dialog.command('MAIL FROM:<relay@fabrikam.example>')).toMatch(/^250 /);
  for (const recipient of message.to) {
    expect(await dialog.command(`RCPT TO:<${recipient}>`)).toMatch(/^250 /);
  }
  expect(await dialog.command('DATA')).toMatch(/^354 /);
}

/** Builds what follows DATA: the message and the terminating dot. No line of the test messages starts with a dot. */
function dataLines(message: TestMessage): string {
  return `${message.raw.toString('utf8').replace(/\r\n$/, '')}\r\n.`;
}

/** Makes the server's next write fail as an outage would: a lock held by another connection, or PostgreSQL refusing sessions. */
interface DatabaseFault {
  begin(): Promise<void>;
  end(): Promise<void>;
}

function databaseFault(target: ServerDatabase): DatabaseFault {
  if (target.dialect === 'sqlite') {
    let lock: SQLite.Database | undefined;
    return {
      async begin() {
        // The server waits out its 5 second busy timeout on this lock and then gives up with SQLITE_BUSY.
        lock = new SQLite(target.serverUrl.slice('sqlite:'.length));
        lock.exec('begin exclusive');
      },
      async end() {
        lock?.exec('rollback');
        lock?.close();
      },
    };
  }

  // PostgreSQL refuses to change allow_connections of the database a session is in, so the switch runs from the admin database.
  const control = new pg.Client({ connectionString: postgresAdminUrl });
  const name = new URL(target.serverUrl).pathname.slice(1);
  return {
    async begin() {
      await control.connect();
      await control.query(`alter database "${name}" allow_connections false`);
      await control.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = $2',
        [name, serverApplicationName],
      );
    },
    async end() {
      await control.query(`alter database "${name}" allow_connections true`);
      await control.end();
    },
  };
}

const dialects = await availableDialects();
let serverBuild: ServerBuild | undefined;

beforeAll(async () => {
  serverBuild = await buildServer();
});

afterAll(() => {
  serverBuild?.remove();
});

describe.each(dialects)('server process on %s', (dialect) => {
  let target: ServerDatabase;
  let server: ServerProcess | undefined;
  let ports: { httpPort: number; smtpPort: number };

  const start = async (): Promise<ServerProcess> => {
    if (serverBuild === undefined) {
      throw new Error('The server build is missing: beforeAll did not finish.');
    }
    server = await startServerProcess({
      entry: serverBuild.entry,
      dataDir: target.dataDir,
      databaseUrl: target.serverUrl,
      ...ports,
    });
    return server;
  };

  beforeEach(async () => {
    target = await createServerDatabase(dialect);
    ports = { httpPort: await freePort(), smtpPort: await freePort() };
  });

  afterEach(async () => {
    server?.signal('SIGKILL');
    await server?.exited;
    server = undefined;
    await target.close();
  });

  it('SIGKILL under load loses nothing', async () => {
    const messages = buildMessages(randomBytes(3).toString('hex'), 300);
    const first = await start();

    const killAfter = 100;
    let killed = false;
    const load = await deliverAll(first.smtpPort, messages, {
      connections: 4,
      onAcknowledged(count) {
        if (count >= killAfter && !killed) {
          killed = true;
          first.signal('SIGKILL');
        }
      },
      shouldStop: () => killed,
    });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(load.acknowledged.length).toBeGreaterThanOrEqual(killAfter);
    expect(load.acknowledged.length).toBeLessThan(messages.length);
    // Before the kill every reply must be a 250, because a 451 here means that concurrent deliveries made each
    // other fail, as a deadlock does.
    expect(serverRejections(load)).toEqual([]);

    // The retry covers every message without a 250, and some with one, as a sender that lost the reply would.
    const acknowledged = new Set(load.acknowledged);
    const resentAfterReply = new Set([
      ...load.acknowledged.filter((_, index) => index % 10 === 0),
      ...load.acknowledged.slice(-4),
    ]);
    const retry = messages.filter(
      (message) => !acknowledged.has(message.messageId) || resentAfterReply.has(message.messageId),
    );
    const second = await start();
    expect(await deliverWithRetries(second.smtpPort, retry, 3)).toEqual({ failing: [], rejections: [] });

    await expectEachStoredOnce(target.db(), messages);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('database outage answers 451, retry lands once', async () => {
    const [message, later] = buildMessages(randomBytes(3).toString('hex'), 4).slice(2);
    if (message === undefined || later === undefined) {
      throw new Error('buildMessages returned too few messages');
    }
    const running = await start();
    const fault = databaseFault(target);

    // The outage starts after the recipients were accepted, so it hits the transaction that stores the message.
    const dialog = await openSmtpDialog(running.smtpPort);
    try {
      await startTransaction(dialog, message);
      await fault.begin();
      let reply: string;
      try {
        reply = await dialog.command(dataLines(message));
      } finally {
        await fault.end();
      }
      expect(reply).toMatch(/^451 /);
      expect(await dialog.command('QUIT')).toMatch(/^221 /);
    } finally {
      dialog.close();
    }
    const halfStored = await target
      .db()
      .selectFrom('messages')
      .select('id')
      .where('message_id', '=', message.messageId)
      .execute();
    expect(halfStored).toEqual([]);

    expect(await running.deliver(message.raw, { to: message.to })).toMatch(/^250 /);
    expect(await running.deliver(message.raw, { to: message.to })).toMatch(/^250 /);
    expect(await running.deliver(later.raw, { to: later.to })).toMatch(/^250 /);

    await expectEachStoredOnce(target.db(), [message, later]);
    expect(await running.stop()).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('SIGTERM finishes transactions and exits 0', async () => {
    const messages = buildMessages(randomBytes(3).toString('hex'), 62);
    const idleMessage = messages.pop();
    const midDataMessage = messages.pop();
    if (idleMessage === undefined || midDataMessage === undefined) {
      throw new Error('buildMessages returned too few messages');
    }
    const running = await start();

    // A client that delivered once and keeps its connection open must not hold up the shutdown.
    const idleClient = nodemailer.createTransport({ ...smtpTransportOptions(running.smtpPort), pool: true });
    const midDataDialog = await openSmtpDialog(running.smtpPort);
    try {
      await idleClient.sendMail({
        envelope: { from: 'relay@fabrikam.example', to: idleMessage.to },
        raw: idleMessage.raw,
      });

      // This transaction is in the middle of its DATA when the signal arrives, whatever the load's timing.
      await startTransaction(midDataDialog, midDataMessage);
      const [head = '', tail = ''] = dataLines(midDataMessage).split('\r\n\r\n');
      midDataDialog.write(`${head}\r\n\r\n`);

      const stopAfter = 20;
      let stoppedAt: number | undefined;
      const load = await deliverAll(running.smtpPort, messages, {
        connections: 4,
        onAcknowledged(count) {
          if (count >= stopAfter && stoppedAt === undefined) {
            stoppedAt = Date.now();
            running.signal('SIGTERM');
          }
        },
        shouldStop: () => stoppedAt !== undefined,
      });
      expect(stoppedAt).toBeDefined();

      const stateBeforeData = await Promise.race([
        running.exited.then(() => 'exited'),
        new Promise((resolve) => setTimeout(() => resolve('running'), 500)),
      ]);
      expect(stateBeforeData, 'the server exited with a transaction still open').toBe('running');
      // A load balancer must stop sending work while the instance drains.
      const health = await fetch(`http://127.0.0.1:${running.httpPort}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        code: 'WORKLINK_UNAVAILABLE',
        message: expect.stringMatching(/shutting down/),
      });
      expect(await midDataDialog.command(tail)).toMatch(/^250 /);

      const exit = await running.exited;
      const shutdownMs = Date.now() - (stoppedAt ?? 0);
      expect(exit, running.output()).toEqual({ code: 0, signal: null });
      expect(shutdownMs).toBeLessThan(10_000);

      // The only replies other than 250 may be the 421 of a closing server.
      const rejections = [...load.failures].filter(([, failure]) => ![undefined, 421].includes(failure.responseCode));
      expect(rejections.map(([id, failure]) => `${id}: ${failure.message}`)).toEqual([]);

      // Nothing acknowledged is lost, and no transaction was cut off after its commit without its 250.
      const acknowledged = messages.filter((message) => load.acknowledged.includes(message.messageId));
      await expectEachStoredOnce(target.db(), [idleMessage, midDataMessage, ...acknowledged]);
      const stored = await target
        .db()
        .selectFrom('messages')
        .select('message_id')
        .where(
          'message_id',
          'in',
          messages.map((message) => message.messageId),
        )
        .execute();
      expect(stored.map((row) => row.message_id).sort()).toEqual(load.acknowledged.slice().sort());
    } finally {
      midDataDialog.close();
      idleClient.close();
    }
  }, 60_000);
});
