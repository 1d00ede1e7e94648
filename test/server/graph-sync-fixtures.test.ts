import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/server/db/schema.js';
import { GraphSyncWorker } from '../../src/server/mail/graph-sync/sync-worker.js';
import { createMsalTokenProvider } from '../../src/server/mail/graph-sync/token-provider.js';
import { availableDialects } from '../support/databases.js';
import { fakeClientId, fakeClientSecret, fakeTenantId, startFakeGraph } from '../support/fake-graph.js';
import type { FakeGraph } from '../support/fake-graph.js';
import { readFixture, startMailHarness } from './mail/mail-harness.js';
import type { MailHarness } from './mail/mail-harness.js';
import { createLinkedPair, linkedPairs } from './mail/mail-queries.js';

const silentLog = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

/** Collects what routing made of the delivered mail, without row ids, timestamps or the transport. */
async function outcomeOf(db: Kysely<Database>) {
  const workItems = await db
    .selectFrom('work_items')
    .select(['reference', 'type', 'team_id', 'title', 'requester', 'status'])
    .orderBy('reference')
    .execute();
  const routes = await db
    .selectFrom('message_routes')
    .innerJoin('messages', 'messages.id', 'message_routes.message_id')
    .innerJoin('work_items', 'work_items.id', 'message_routes.work_item_id')
    .select(['messages.message_id', 'work_items.reference', 'message_routes.rule'])
    .execute();
  const messages = await db
    .selectFrom('messages')
    .select(['message_id', 'subject', 'from_address', 'is_automatic'])
    .orderBy('message_id')
    .execute();
  const attachments = await db
    .selectFrom('attachments')
    .select(['filename', 'content_type', 'size'])
    .orderBy('filename')
    .execute();
  const unrouted = await db.selectFrom('unrouted_messages').select(['reason', 'state']).execute();
  return {
    workItems,
    routes: routes.map((route) => `${route.message_id} ${route.reference}/${route.rule}`).sort(),
    links: await linkedPairs(db),
    messages,
    attachments,
    unrouted,
  };
}

interface FixtureCase {
  file: string;
  /** Creates the linked pair of fixtures 02 to 04 first, and fills in its references. */
  needsPair: boolean;
  /** `RCPT TO` of the SMTP delivery; `{{REF_B}}` is replaced. */
  smtpRecipients: string[];
  /** Inboxes the message appears in for Graph sync. */
  graphMailboxes: string[];
}

const cases: FixtureCase[] = [
  {
    file: '01-external-request.eml',
    needsPair: false,
    smtpRecipients: ['uk.support@contoso.example'],
    graphMailboxes: ['uk.support@contoso.example'],
  },
  {
    file: '04-plus-in-cc-only.eml',
    needsPair: true,
    smtpRecipients: ['pl.support+{{REF_B}}@contoso.example'],
    graphMailboxes: ['pl.support@contoso.example'],
  },
  {
    file: '06-new-to-two-mailboxes.eml',
    needsPair: false,
    smtpRecipients: ['uk.support@contoso.example', 'pl.support@contoso.example'],
    graphMailboxes: ['uk.support@contoso.example', 'pl.support@contoso.example'],
  },
  {
    file: '07-polish-encoded-alias.eml',
    needsPair: false,
    smtpRecipients: ['wsparcie.pl@contoso.example'],
    graphMailboxes: ['pl.support@contoso.example'],
  },
];

describe.each(await availableDialects())('graph fixtures on %s', (dialect) => {
  let smtpSide: MailHarness;
  let graphSide: MailHarness;
  let graph: FakeGraph;

  beforeEach(async () => {
    [smtpSide, graphSide, graph] = await Promise.all([
      startMailHarness(dialect),
      startMailHarness(dialect),
      startFakeGraph(),
    ]);
  });

  afterEach(async () => {
    await graph.close();
    await smtpSide.close();
    await graphSide.close();
  });

  it.each(cases)('$file matches the SMTP path', async (fixture) => {
    const values: Record<string, string> = {};
    if (fixture.needsPair) {
      const smtpPair = await createLinkedPair(smtpSide.database.db, smtpSide);
      const graphPair = await createLinkedPair(graphSide.database.db, graphSide);
      expect(graphPair.refB).toBe(smtpPair.refB);
      values.REF_B = smtpPair.refB;
    }
    const raw = readFixture(fixture.file, values);

    await smtpSide.deliver(raw, {
      from: 'sender@fabrikam.example',
      to: fixture.smtpRecipients.map((address) => address.replace('{{REF_B}}', values.REF_B ?? '')),
    });
    for (const mailbox of fixture.graphMailboxes) {
      graph.addMessage(mailbox, raw, 'AAQkAD-fixture-conversation');
    }
    const worker = new GraphSyncWorker({
      database: graphSide.database,
      events: graphSide.bus,
      log: silentLog,
      tokens: createMsalTokenProvider({
        tenantId: fakeTenantId,
        clientId: fakeClientId,
        clientSecret: fakeClientSecret,
        authorityUrl: graph.authorityUrl,
        networkClient: graph.networkClient,
      }),
      graphBaseUrl: graph.baseUrl,
      pollIntervalMs: 1_000,
      leaseDurationMs: 60_000,
    });
    const reports = await worker.runCycle();

    expect(reports.map((report) => report.status)).toEqual(['synced', 'synced']);
    const fromSmtp = await outcomeOf(smtpSide.database.db);
    const fromGraph = await outcomeOf(graphSide.database.db);
    expect(fromGraph.workItems).toEqual(fromSmtp.workItems);
    expect(fromGraph.routes).toEqual(fromSmtp.routes);
    expect(fromGraph.links).toEqual(fromSmtp.links);
    expect(fromGraph.messages).toEqual(fromSmtp.messages);
    expect(fromGraph.attachments).toEqual(fromSmtp.attachments);
    expect(fromGraph.unrouted).toEqual(fromSmtp.unrouted);
    expect(fromSmtp.routes.length).toBeGreaterThan(0);
    expect(graphSide.events.filter((event) => event.name === 'message')).toHaveLength(
      smtpSide.events.filter((event) => event.name === 'message').length,
    );
  });
});
