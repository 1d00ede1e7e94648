import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphSyncWorker } from '../../src/server/mail/graph-sync/sync-worker.js';
import type { GraphSyncWorkerOptions } from '../../src/server/mail/graph-sync/sync-worker.js';
import { createMsalTokenProvider } from '../../src/server/mail/graph-sync/token-provider.js';
import { availableDialects } from '../support/databases.js';
import { fakeClientId, fakeClientSecret, fakeTenantId, startFakeGraph } from '../support/fake-graph.js';
import type { FakeGraph } from '../support/fake-graph.js';
import { readFixture, startMailHarness } from './mail/mail-harness.js';
import type { MailHarness } from './mail/mail-harness.js';
import { countRows } from './mail/mail-queries.js';

const ukSupport = 'uk.support@contoso.example';
const plSupport = 'pl.support@contoso.example';

/** Builds a small plain message to Team A with its own Message-ID, so each one opens a new work item. */
function plainMessage(number: number): Buffer {
  return Buffer.from(
    [
      'From: Fabrikam Billing <billing@fabrikam.example>',
      `To: UK Support <${ukSupport}>`,
      `Subject: Order ${number} question`,
      'Date: Mon, 02 Dec 2024 09:13:58 +0000',
      `Message-ID: <order-${number}.${Date.now()}@mail.fabrikam.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      '',
      `Where is order ${number}?`,
      '',
    ].join('\r\n'),
  );
}

interface LogLine {
  level: number;
  msg: string;
  mailbox?: string;
  status?: number;
  retryAfterMs?: number;
  delayMs?: number;
  [key: string]: unknown;
}

function capturingLog(): { log: FastifyBaseLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { log: log as unknown as FastifyBaseLogger, lines };
}

describe.each(await availableDialects())('graph sync on %s', (dialect) => {
  let harness: MailHarness;
  let graph: FakeGraph;
  let lines: LogLine[];
  let log: FastifyBaseLogger;
  const workers: GraphSyncWorker[] = [];

  const createWorker = (overrides: Partial<GraphSyncWorkerOptions> = {}): GraphSyncWorker => {
    const worker = new GraphSyncWorker({
      database: harness.database,
      events: harness.bus,
      log,
      tokens: createMsalTokenProvider({
        tenantId: fakeTenantId,
        clientId: fakeClientId,
        clientSecret: fakeClientSecret,
        authorityUrl: graph.authorityUrl,
        networkClient: graph.networkClient,
      }),
      graphBaseUrl: graph.baseUrl,
      pollIntervalMs: 20,
      leaseDurationMs: 60_000,
      retry: { baseDelayMs: 10, maxDelayMs: 2_000, maxJitterMs: 0 },
      ...overrides,
    });
    workers.push(worker);
    return worker;
  };

  const deltaRequests = () => graph.requests.filter((request) => request.kind === 'delta');

  const syncRow = async (address: string) => {
    const row = await harness.database.db
      .selectFrom('mailbox_sync')
      .innerJoin('mailboxes', 'mailboxes.id', 'mailbox_sync.mailbox_id')
      .select(['mailbox_sync.delta_link', 'mailbox_sync.lease_owner', 'mailbox_sync.lease_expires_at'])
      .where('mailboxes.address', '=', address)
      .executeTakeFirst();
    return row;
  };

  const mailboxId = async (address: string): Promise<number> => {
    const row = await harness.database.db
      .selectFrom('mailboxes')
      .select('id')
      .where('address', '=', address)
      .executeTakeFirstOrThrow();
    return row.id;
  };

  beforeEach(async () => {
    harness = await startMailHarness(dialect);
    graph = await startFakeGraph();
    ({ log, lines } = capturingLog());
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await graph.close();
    await harness.close();
  });

  it('initial sync ingests every message once', async () => {
    const ids = [1, 2, 3].map((number) => graph.addMessage(ukSupport, plainMessage(number), `conversation-${number}`));

    const reports = await createWorker().runCycle();

    expect(reports).toEqual([
      { mailboxId: await mailboxId(ukSupport), status: 'synced', ingested: 3 },
      { mailboxId: await mailboxId(plSupport), status: 'synced', ingested: 0 },
    ]);
    for (const id of ids) {
      expect(graph.mimeFetches(id)).toBe(1);
    }
    expect(await countRows(harness.database.db, 'messages')).toBe(3);
    expect(await countRows(harness.database.db, 'work_items')).toBe(3);
    // Three messages at two per page: two pages for Team A's inbox, one empty page for Team B's.
    expect(deltaRequests()).toHaveLength(3);
    expect((await syncRow(ukSupport))?.delta_link).toContain('$deltatoken=');
  });

  it('stores conversation ids and source graph', async () => {
    graph.addMessage(ukSupport, plainMessage(1), 'AAQkADconversation1');

    await createWorker().runCycle();

    const conversations = await harness.database.db.selectFrom('conversations').selectAll().execute();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.conversation_id).toBe('AAQkADconversation1');
    expect(conversations[0]?.source).toBe('graph');
    const message = await harness.database.db.selectFrom('messages').select('conversation_id').executeTakeFirst();
    expect(message?.conversation_id).toBe('AAQkADconversation1');
  });

  it('publishes events of ingested messages', async () => {
    graph.addMessage(ukSupport, plainMessage(1));

    await createWorker().runCycle();

    expect(harness.events.map((event) => event.name)).toEqual(['work-item', 'message']);
  });

  it('second cycle fetches only new messages', async () => {
    const first = graph.addMessage(ukSupport, plainMessage(1));
    const worker = createWorker();
    await worker.runCycle();
    const second = graph.addMessage(ukSupport, plainMessage(2));
    graph.requests.length = 0;

    const reports = await worker.runCycle();

    expect(reports[0]).toMatchObject({ status: 'synced', ingested: 1 });
    expect(graph.mimeFetches(first)).toBe(1);
    expect(graph.mimeFetches(second)).toBe(1);
    const teamADelta = deltaRequests().find((request) => request.url.includes('uk.support'));
    expect(teamADelta?.url).toContain('$deltatoken=');
    expect(await countRows(harness.database.db, 'messages')).toBe(2);
  });

  it('restart resumes from the saved delta link', async () => {
    const first = graph.addMessage(ukSupport, plainMessage(1));
    const before = createWorker({ instanceId: 'instance-before' });
    await before.runCycle();
    await before.stop();
    const second = graph.addMessage(ukSupport, plainMessage(2));
    graph.requests.length = 0;

    const after = createWorker({ instanceId: 'instance-after' });
    const reports = await after.runCycle();

    expect(reports[0]).toMatchObject({ status: 'synced', ingested: 1 });
    expect(deltaRequests()[0]?.url).toContain('$deltatoken=');
    expect(graph.mimeFetches(first)).toBe(1);
    expect(graph.mimeFetches(second)).toBe(1);
  });

  it('failed page resumes without skipping', async () => {
    const ids = [1, 2, 3, 4, 5].map((number) => graph.addMessage(ukSupport, plainMessage(number)));
    graph.injectFault({ kind: 'delta', status: 500, urlContains: '$skiptoken=' });
    const worker = createWorker();

    const failed = await worker.runCycle();

    expect(failed[0]).toMatchObject({ status: 'failed' });
    expect(await countRows(harness.database.db, 'messages')).toBe(2);
    expect((await syncRow(ukSupport))?.delta_link).toContain('$skiptoken=');

    const resumed = await worker.runCycle();

    expect(resumed[0]).toMatchObject({ status: 'synced', ingested: 3 });
    expect(ids.map((id) => graph.mimeFetches(id))).toEqual([1, 1, 1, 1, 1]);
    expect(await countRows(harness.database.db, 'messages')).toBe(5);
  });

  it('skips removed entries', async () => {
    const id = graph.addMessage(ukSupport, plainMessage(1));
    const worker = createWorker();
    await worker.runCycle();
    graph.removeMessage(ukSupport, id);

    const reports = await worker.runCycle();

    expect(reports[0]).toMatchObject({ status: 'synced', ingested: 0 });
    expect(graph.mimeFetches(id)).toBe(1);
    expect(lines.some((line) => line.msg === 'graph mailbox synced' && line.removed === 1)).toBe(true);
  });

  it('honours Retry-After of a 429', async () => {
    graph.addMessage(ukSupport, plainMessage(1));
    graph.injectFault({ kind: 'delta', status: 429, retryAfter: '1', urlContains: 'uk.support' });

    const reports = await createWorker().runCycle();

    expect(reports[0]).toMatchObject({ status: 'synced', ingested: 1 });
    const teamA = deltaRequests().filter((request) => request.url.includes('uk.support'));
    expect(teamA).toHaveLength(2);
    expect(teamA[1]!.at - teamA[0]!.at).toBeGreaterThanOrEqual(1_000);
    const warning = lines.find((line) => line.msg === 'graph request throttled, retrying');
    expect(warning?.status).toBe(429);
    expect(warning?.retryAfterMs).toBe(1_000);
    expect(warning?.mailbox).toBe('u***@contoso.example');
  });

  it('caps a long Retry-After', async () => {
    graph.addMessage(ukSupport, plainMessage(1));
    graph.injectFault({ kind: 'mime', status: 503, retryAfter: '3600' });

    const started = Date.now();
    const reports = await createWorker({ retry: { maxDelayMs: 200, maxJitterMs: 50, baseDelayMs: 10 } }).runCycle();

    expect(reports[0]).toMatchObject({ status: 'synced', ingested: 1 });
    expect(Date.now() - started).toBeLessThan(5_000);
    const warning = lines.find((line) => line.msg === 'graph request throttled, retrying');
    expect(warning?.status).toBe(503);
    expect(warning?.delayMs).toBeGreaterThanOrEqual(200);
    expect(warning?.delayMs).toBeLessThan(250);
  });

  it('gives up after the last attempt', async () => {
    graph.addMessage(ukSupport, plainMessage(1));
    graph.injectFault({ kind: 'delta', status: 503, times: 3, urlContains: 'uk.support' });

    const reports = await createWorker({ retry: { maxAttempts: 3, baseDelayMs: 5, maxJitterMs: 0 } }).runCycle();

    expect(reports[0]).toMatchObject({ status: 'failed' });
    expect(deltaRequests().filter((request) => request.url.includes('uk.support'))).toHaveLength(3);
    expect(lines.filter((line) => line.msg === 'graph request throttled, retrying')).toHaveLength(2);
  });

  it('logs other errors masked and retries next cycle', async () => {
    const id = graph.addMessage(ukSupport, plainMessage(1));
    graph.injectFault({ kind: 'mime', status: 403 });
    const worker = createWorker();

    const failed = await worker.runCycle();

    expect(failed[0]).toMatchObject({ status: 'failed' });
    const warning = lines.find((line) => line.msg === 'graph mailbox sync failed, retrying next cycle');
    expect(warning?.mailbox).toBe('u***@contoso.example');
    expect(JSON.stringify(lines)).not.toContain(ukSupport);
    expect(JSON.stringify(lines)).not.toContain('uk.support%40');
    expect(JSON.stringify(lines)).toContain('WORKLINK_GRAPH_REQUEST_FAILED');

    const retried = await worker.runCycle();

    expect(retried[0]).toMatchObject({ status: 'synced', ingested: 1 });
    expect(graph.mimeFetches(id)).toBe(1);
  });

  it('never logs the client secret or token', async () => {
    graph.addMessage(ukSupport, plainMessage(1));
    graph.injectFault({ kind: 'mime', status: 500 });

    await createWorker().runCycle();

    const text = JSON.stringify(lines);
    expect(text).not.toContain(fakeClientSecret);
    expect(text).not.toContain('fake-token-');
  });

  it('restarts the round when the delta state expired', async () => {
    const first = graph.addMessage(ukSupport, plainMessage(1));
    const worker = createWorker();
    await worker.runCycle();
    graph.expireDeltaState();
    graph.addMessage(ukSupport, plainMessage(2));

    const reports = await worker.runCycle();

    // The new round lists the first message again, which is already routed and so not downloaded.
    expect(reports[0]).toMatchObject({ status: 'synced', ingested: 1 });
    expect(graph.mimeFetches(first)).toBe(1);
    expect(await countRows(harness.database.db, 'messages')).toBe(2);
    expect(await countRows(harness.database.db, 'work_items')).toBe(2);
    expect(lines.some((line) => line.msg === 'graph sync state unusable, restarting the delta round')).toBe(true);
  });

  it('skips copies already routed to the team', async () => {
    const raw = readFixture('06-new-to-two-mailboxes.eml');
    // Each mailbox's copy carries its own transport header, so the two differ in content hash.
    const ukCopy = graph.addMessage(ukSupport, Buffer.concat([Buffer.from('X-Copy-Of: uk\r\n'), raw]));
    const plCopy = graph.addMessage(plSupport, Buffer.concat([Buffer.from('X-Copy-Of: pl\r\n'), raw]));

    const reports = await createWorker().runCycle();

    expect(reports.map((report) => report.ingested)).toEqual([1, 0]);
    expect(graph.mimeFetches(ukCopy)).toBe(1);
    expect(graph.mimeFetches(plCopy)).toBe(0);
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    expect(await countRows(harness.database.db, 'work_items')).toBe(2);
    expect(await countRows(harness.database.db, 'message_routes')).toBe(2);
  });

  it('ingests a copy routed to another team only', async () => {
    const raw = readFixture('01-external-request.eml');
    // A Bcc copy: Team B's address is in no header, so the first copy routes to Team A alone.
    graph.addMessage(ukSupport, raw);
    const plCopy = graph.addMessage(plSupport, raw);

    const reports = await createWorker().runCycle();

    expect(reports.map((report) => report.ingested)).toEqual([1, 1]);
    expect(graph.mimeFetches(plCopy)).toBe(1);
    expect(await countRows(harness.database.db, 'work_items')).toBe(2);
  });

  it('does not follow a saved link to another host', async () => {
    graph.addMessage(ukSupport, plainMessage(1));
    const id = await mailboxId(ukSupport);
    const foreign = 'http://127.0.0.1:9/v1.0/users/uk.support%40contoso.example/mailFolders/inbox/messages/delta';
    await harness.database.db
      .insertInto('mailbox_sync')
      .values({ mailbox_id: id, delta_link: foreign, updated_at: new Date().toISOString() })
      .execute();

    const reports = await createWorker().runCycle();

    expect(reports[0]).toMatchObject({ status: 'synced', ingested: 1 });
    expect((await syncRow(ukSupport))?.delta_link).toContain(graph.baseUrl);
  });

  it('two workers share one lease per mailbox', async () => {
    const ids = [1, 2, 3].map((number) => graph.addMessage(ukSupport, plainMessage(number)));
    const idsB = [4, 5].map((number) => graph.addMessage(plSupport, plainMessage(number)));
    graph.deltaDelayMs = 100;
    const first = createWorker({ instanceId: 'instance-a' });
    const second = createWorker({ instanceId: 'instance-b' });

    const [reportsA, reportsB] = await Promise.all([first.runCycle(), second.runCycle()]);

    for (const id of [...ids, ...idsB]) {
      expect(graph.mimeFetches(id)).toBe(1);
    }
    expect(await countRows(harness.database.db, 'messages')).toBe(5);
    // A worker that reaches a mailbox after the other released it syncs it again and finds nothing new.
    expect([0, 1].map((index) => (reportsA[index]?.ingested ?? 0) + (reportsB[index]?.ingested ?? 0))).toEqual([3, 2]);
    const statuses = [...reportsA, ...reportsB].map((report) => report.status);
    expect(statuses).toContain('leased-elsewhere');
    expect(statuses).not.toContain('failed');
    expect((await syncRow(ukSupport))?.lease_owner).toBeNull();
    expect((await syncRow(plSupport))?.lease_owner).toBeNull();
  });

  it('skips a mailbox leased by a live instance', async () => {
    graph.addMessage(ukSupport, plainMessage(1));
    await harness.database.db
      .insertInto('mailbox_sync')
      .values({
        mailbox_id: await mailboxId(ukSupport),
        lease_owner: 'other-instance',
        lease_expires_at: new Date(Date.now() + 60_000).toISOString(),
        updated_at: new Date().toISOString(),
      })
      .execute();

    const reports = await createWorker().runCycle();

    expect(reports[0]).toMatchObject({ status: 'leased-elsewhere', ingested: 0 });
    expect((await syncRow(ukSupport))?.lease_owner).toBe('other-instance');
  });

  it('takes over an expired lease', async () => {
    graph.addMessage(ukSupport, plainMessage(1));
    await harness.database.db
      .insertInto('mailbox_sync')
      .values({
        mailbox_id: await mailboxId(ukSupport),
        lease_owner: 'crashed-instance',
        lease_expires_at: new Date(Date.now() - 1_000).toISOString(),
        updated_at: new Date().toISOString(),
      })
      .execute();

    const reports = await createWorker().runCycle();

    expect(reports[0]).toMatchObject({ status: 'synced', ingested: 1 });
  });

  it('stops when the lease is taken away', async () => {
    [1, 2, 3].forEach((number) => graph.addMessage(ukSupport, plainMessage(number)));
    const id = await mailboxId(ukSupport);
    graph.deltaDelayMs = 300;
    const worker = createWorker({ instanceId: 'slow-instance' });

    const cycle = worker.runCycle();
    // Another instance takes the lease while the first delta page is on its way.
    while (deltaRequests().length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await harness.database.db
      .updateTable('mailbox_sync')
      .set({ lease_owner: 'thief', lease_expires_at: new Date(Date.now() + 60_000).toISOString() })
      .where('mailbox_id', '=', id)
      .execute();
    const reports = await cycle;

    expect(reports[0]).toMatchObject({ status: 'failed' });
    expect(JSON.stringify(lines)).toContain('WORKLINK_GRAPH_LEASE_LOST');
    expect((await syncRow(ukSupport))?.lease_owner).toBe('thief');
    expect((await syncRow(ukSupport))?.delta_link).toBeNull();
    expect(await countRows(harness.database.db, 'messages')).toBe(0);
  });

  it('reports a rejected client secret', async () => {
    graph.addMessage(ukSupport, plainMessage(1));
    const worker = createWorker({
      tokens: createMsalTokenProvider({
        tenantId: fakeTenantId,
        clientId: fakeClientId,
        clientSecret: 'wrong-secret',
        authorityUrl: graph.authorityUrl,
        networkClient: graph.networkClient,
      }),
    });

    const reports = await worker.runCycle();

    expect(reports.map((report) => report.status)).toEqual(['failed', 'failed']);
    expect(lines.filter((line) => line.msg === 'graph token request failed, retrying next cycle')).toHaveLength(1);
    expect(JSON.stringify(lines)).toContain('WORKLINK_GRAPH_TOKEN_FAILED');
    expect(JSON.stringify(lines)).not.toContain('wrong-secret');
    expect(graph.requests.filter((request) => request.kind === 'delta')).toHaveLength(0);
  });

  it('gets tokens from the fake authority', async () => {
    graph.addMessage(ukSupport, plainMessage(1));

    await createWorker().runCycle();

    expect(graph.requests.some((request) => request.kind === 'metadata')).toBe(true);
    expect(graph.issuedTokens).toHaveLength(1);
    for (const request of graph.requests) {
      expect(new URL(request.url).hostname).toBe('127.0.0.1');
    }
  });

  it('start runs cycles until stop', async () => {
    const worker = createWorker();
    worker.start();
    graph.addMessage(ukSupport, plainMessage(1));

    const deadline = Date.now() + 5_000;
    while ((await countRows(harness.database.db, 'messages')) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await worker.stop();

    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    expect((await syncRow(ukSupport))?.lease_owner).toBeNull();
    expect(lines.map((line) => line.msg)).toContain('graph mailbox sync stopped');
  });

  it('fixture 01 through graph opens a ticket', async () => {
    graph.addMessage(ukSupport, readFixture('01-external-request.eml'));

    await createWorker().runCycle();

    const items = await harness.database.db.selectFrom('work_items').selectAll().execute();
    expect(items).toHaveLength(1);
    expect(items[0]?.requester).toBe('billing@fabrikam.example');
  });
});
