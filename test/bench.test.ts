/**
 * Smoke test of `npm run bench` with tiny sizes, so that the harness keeps working as the
 * code changes. Also tests the pieces it relies on: the `GET /api/v1/me` baseline route,
 * the bulk fill, the recipient mix, and the guards of the load generator.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../bench/autocannon-run.js';
import { scriptSources } from '../bench/bundle-sizes.js';
import { targets } from '../bench/report.js';
import { runBench } from '../bench/run.js';
import type { BenchResult } from '../bench/run.js';
import { benchRecipients } from '../bench/send-plan-bench.js';
import { smokeSizes } from '../bench/sizes.js';
import { benchReference, fillSqliteStore } from '../bench/store-fill.js';
import { migrateToLatest, openDatabase } from '../src/server/db/database.js';
import { seedDemo } from '../src/server/seed/demo.js';
import { createTestApp } from './support/app.js';
import type { TestApp } from './support/app.js';
import { availableDialects } from './support/databases.js';

describe.each(await availableDialects())('GET /api/v1/me on %s', (dialect) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('returns the signed-in agent', async () => {
    const token = await testApp.tokenFor('uk.agent@contoso.example');

    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.statusCode).toBe(200);
    const agent = response.json() as { email: string; displayName: string; isAdmin: boolean; teamIds: number[] };
    expect(agent.email).toBe('uk.agent@contoso.example');
    expect(agent.displayName).toBe('Uma Kent');
    expect(agent.isAdmin).toBe(false);
    expect(agent.teamIds).toHaveLength(1);
  });

  it('rejects a request without a token', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/me' });

    expect(response.statusCode).toBe(401);
    expect((response.json() as { code: string }).code).toBe('WORKLINK_AUTH_MISSING');
  });
});

describe('bench pieces', () => {
  it('fills a store in bulk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-bench-test-'));
    const file = path.join(dir, 'store.sqlite');
    try {
      const handle = openDatabase(`sqlite:${file}`);
      await migrateToLatest(handle.db);
      await seedDemo(handle.db);
      await handle.db.destroy();

      fillSqliteStore(file, { workItems: 50, mailboxes: 8, storedMessages: 120 });

      const sqlite = new SQLite(file, { readonly: true });
      const count = (table: string): number =>
        (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
      expect(count('mailboxes')).toBe(2 + 8);
      expect(count('mailbox_aliases')).toBe(1 + 4);
      expect(count('messages')).toBe(120);
      expect(count('message_routes')).toBe(120);
      expect(sqlite.prepare('select id from work_items where reference = ?').get(benchReference(49))).toBeDefined();
      sqlite.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects stored messages without work items', () => {
    expect(() =>
      fillSqliteStore('/nonexistent/never-opened.sqlite', { workItems: 0, mailboxes: 0, storedMessages: 5 }),
    ).toThrow(/without work items/);
  });

  it('builds 20 distinct recipients', () => {
    const recipients = benchRecipients(1000);

    expect(recipients).toHaveLength(20);
    expect(new Set(recipients.map((recipient) => recipient.emailAddress)).size).toBe(20);
  });

  it('rejects a load target off loopback', async () => {
    await expect(
      runLoad({ url: 'http://worklink.invalid/api/v1/me', method: 'GET', token: 't', connections: 1, seconds: 1 }),
    ).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('lists the scripts of a page', () => {
    const html =
      '<script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>' +
      '<script defer="defer" src="taskpane.js"></script><script>inline()</script>';

    expect(scriptSources(html)).toEqual(['https://appsforoffice.microsoft.com/lib/1/hosted/office.js', 'taskpane.js']);
  });
});

describe('npm run bench with smoke sizes', () => {
  let outDir: string;
  let result: BenchResult;

  beforeAll(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-bench-out-'));
    result = await runBench(smokeSizes, outDir, () => undefined);
  }, 300_000);

  afterAll(() => {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('writes a number for every target key', () => {
    const written = JSON.parse(fs.readFileSync(result.jsonPath, 'utf8')) as Record<string, unknown>;

    for (const target of targets) {
      expect(typeof written[target.key], target.key).toBe('number');
      expect(Number.isFinite(written[target.key]), target.key).toBe(true);
    }
  });

  it('counts the handler requests', () => {
    expect(result.json.handlerRequestsExternalOnly).toBe(0);
    expect(result.json.handlerRequestsConnected).toBe(2);
  });

  it('measures positive rates', () => {
    expect(result.figures.sendPlans.planRuns[0]?.requestsPerSecond).toBeGreaterThan(0);
    expect(result.figures.ingest.bare.messagesPerSecond).toBeGreaterThan(0);
    expect(result.figures.ingest.sqliteFilled.stored).toBe(smokeSizes.ingestMessages);
    expect(result.figures.bundles.taskpaneGzipBytes).toBeGreaterThan(0);
  });

  it('states each target as met or missed', () => {
    const markdown = fs.readFileSync(result.markdownPath, 'utf8');

    for (const target of targets) {
      expect(markdown).toMatch(new RegExp(`\`${target.key}\` \\|.*\\| (met|\\*\\*missed\\*\\*) \\|`));
    }
  });
});
