import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/database.js';
import type { DatabaseHandle, Dialect } from '../../src/server/db/database.js';
import { createTestDatabase } from '../support/databases.js';
import { availableDialects } from '../support/databases.js';
import { fakeClientId, fakeClientSecret, fakeTenantId, startFakeGraph } from '../support/fake-graph.js';
import type { FakeGraph } from '../support/fake-graph.js';
import { buildServer, freePort, startServerProcess } from '../support/server-process.js';
import type { ServerBuild, ServerProcess } from '../support/server-process.js';
import { readFixture } from './mail/mail-harness.js';

const fixtureMessageId = 'a3f1c2d4e5b6.20241202091358@mail.fabrikam.example';

let build: ServerBuild;

beforeAll(async () => {
  build = await buildServer();
});

afterAll(() => {
  build.remove();
});

describe.each(await availableDialects())('server with graph sync on %s', (dialect: Dialect) => {
  let dataDir: string;
  let graph: FakeGraph;
  let database: DatabaseHandle;
  let databaseUrl: string;
  let destroyDatabase: () => Promise<void>;
  const servers: ServerProcess[] = [];

  const startServer = async (overrides: { env?: Record<string, string> } = {}) => {
    const server = await startServerProcess({
      entry: build.entry,
      dataDir,
      databaseUrl,
      httpPort: await freePort(),
      // The helper waits for the SMTP greeting, so every server gets a listener even where no test uses it.
      smtpPort: await freePort(),
      env: {
        WORKLINK_GRAPH_SYNC: 'on',
        WORKLINK_GRAPH_TENANT_ID: fakeTenantId,
        WORKLINK_GRAPH_CLIENT_ID: fakeClientId,
        WORKLINK_GRAPH_CLIENT_SECRET: fakeClientSecret,
        WORKLINK_GRAPH_BASE_URL: graph.baseUrl,
        WORKLINK_GRAPH_AUTHORITY_URL: graph.authorityUrl,
        WORKLINK_GRAPH_POLL_INTERVAL_MS: '100',
        // msal-node's fetch client trusts the fake authority's self-signed certificate through this.
        NODE_EXTRA_CA_CERTS: path.join(dataDir, 'authority.pem'),
        ...overrides.env,
      },
    });
    servers.push(server);
    return server;
  };

  const storedMessages = async (messageId: string): Promise<number> => {
    const rows = await database.db.selectFrom('messages').select('id').where('message_id', '=', messageId).execute();
    return rows.length;
  };

  const waitFor = async (condition: () => Promise<boolean>, output: () => string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!(await condition())) {
      if (Date.now() > deadline) {
        throw new Error(`condition not met in time. Server output:\n${output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-graph-server-'));
    graph = await startFakeGraph();
    fs.writeFileSync(path.join(dataDir, 'authority.pem'), graph.authorityCertificate);
    if (dialect === 'postgres') {
      const test = await createTestDatabase('postgres');
      database = test;
      databaseUrl = test.url;
      destroyDatabase = () => test.destroy();
    } else {
      // The server creates and migrates the file; this handle only reads it.
      databaseUrl = `sqlite:${path.join(dataDir, 'worklink.sqlite')}`;
      database = openDatabase(databaseUrl);
      destroyDatabase = () => database.db.destroy();
    }
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await graph.close();
    await destroyDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('syncs the demo mailboxes and stops cleanly', async () => {
    const id = graph.addMessage('uk.support@contoso.example', readFixture('01-external-request.eml'));

    const server = await startServer();
    await waitFor(async () => (await storedMessages(fixtureMessageId)) === 1, server.output);
    const exit = await server.stop();

    expect(exit.code).toBe(0);
    expect(graph.mimeFetches(id)).toBe(1);
    expect(server.output()).toContain('"msg":"graph mailbox sync stopped"');
    expect(server.output()).not.toContain(fakeClientSecret);
    const leases = await database.db.selectFrom('mailbox_sync').select('lease_owner').execute();
    expect(leases.length).toBeGreaterThan(0);
    expect(leases.every((row) => row.lease_owner === null)).toBe(true);
    for (const request of graph.requests) {
      expect(new URL(request.url).hostname).toBe('127.0.0.1');
    }
  });

  it.runIf(dialect === 'postgres')('two servers ingest each message once', async () => {
    graph.deltaDelayMs = 50;
    const ids = [
      graph.addMessage('uk.support@contoso.example', readFixture('01-external-request.eml')),
      graph.addMessage('pl.support@contoso.example', readFixture('07-polish-encoded-alias.eml')),
    ];

    const [first, second] = await Promise.all([startServer(), startServer()]);
    const output = () => `${first!.output()}\n${second!.output()}`;
    await waitFor(async () => (await storedMessages('korekta.20241205@fabrikam.example')) === 1, output);
    await waitFor(async () => (await storedMessages(fixtureMessageId)) === 1, output);
    // A few more poll cycles of both servers, in which nothing may be fetched again.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(ids.map((id) => graph.mimeFetches(id))).toEqual([1, 1]);
    expect(output()).toContain('"msg":"event fan-out listening"');
  });

  it.runIf(dialect === 'postgres')('streams events of another instance', async () => {
    const receiving = await startServer({ env: { WORKLINK_GRAPH_SYNC: 'off' } });
    const ingesting = await startServer({ env: { WORKLINK_GRAPH_SYNC: 'off' } });
    const base = `http://127.0.0.1:${receiving.httpPort}`;
    const tokenResponse = await fetch(`${base}/api/v1/dev/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'uk.agent@contoso.example' }),
    });
    const { accessToken } = (await tokenResponse.json()) as { accessToken: string };
    const controller = new AbortController();
    const stream = await fetch(`${base}/api/v1/events`, {
      headers: { authorization: `Bearer ${accessToken}` },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';

    await ingesting.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });
    const deadline = Date.now() + 10_000;
    // Each event is a separate NOTIFY, so the work-item event may arrive after the message event.
    const received = () => text.includes('event: message') && text.includes('event: work-item');
    while (!received() && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((resolve) =>
          setTimeout(() => resolve({ done: true, value: undefined }), deadline - Date.now()),
        ),
      ]);
      if (chunk.done) {
        break;
      }
      text += decoder.decode(chunk.value, { stream: true });
    }
    controller.abort();

    expect(text).toContain('event: work-item');
    expect(text).toContain('event: message');
    expect(text.match(/event: message/g)).toHaveLength(1);
  });
});
