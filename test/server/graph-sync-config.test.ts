import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import { WorklinkError } from '../../src/server/errors.js';
import { startGraphSync } from '../../src/server/mail/graph-sync/start-graph-sync.js';
import { computeRetryDelay, parseRetryAfter } from '../../src/server/mail/graph-sync/retry-delay.js';
import { availableDialects } from '../support/databases.js';
import { fakeClientId, fakeClientSecret, fakeTenantId, startFakeGraph } from '../support/fake-graph.js';
import type { FakeGraph } from '../support/fake-graph.js';
import { readFixture, startMailHarness } from './mail/mail-harness.js';
import type { MailHarness } from './mail/mail-harness.js';
import { countRows } from './mail/mail-queries.js';

const silentLog = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

function configError(env: Record<string, string>): WorklinkError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof WorklinkError) {
      return error;
    }
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('graph sync configuration', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-graph-config-'));
  });

  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is off by default with Microsoft endpoints', () => {
    const config = loadConfig({ WORKLINK_DATA_DIR: dataDir });

    expect(config.graphSync).toBe('off');
    expect(config.graphBaseUrl).toBe('https://graph.microsoft.com/v1.0');
    expect(config.graphAuthorityUrl).toBe('https://login.microsoftonline.com');
    expect(config.graphPollIntervalMs).toBe(60_000);
    expect(config.graphLeaseMs).toBe(300_000);
  });

  it('on needs the app registration', () => {
    const error = configError({ WORKLINK_DATA_DIR: dataDir, WORKLINK_GRAPH_SYNC: 'on' });

    expect(error.code).toBe('WORKLINK_CONFIG_INVALID');
    expect(error.message).toContain('WORKLINK_GRAPH_TENANT_ID is missing');
    expect(error.message).toContain('WORKLINK_GRAPH_CLIENT_ID is missing');
    expect(error.message).toContain('WORKLINK_GRAPH_CLIENT_SECRET is missing');
  });

  it('rejects an http authority', () => {
    const error = configError({ WORKLINK_DATA_DIR: dataDir, WORKLINK_GRAPH_AUTHORITY_URL: 'http://127.0.0.1:1' });

    expect(error.message).toContain('WORKLINK_GRAPH_AUTHORITY_URL="http://127.0.0.1:1" is invalid');
  });

  it('rejects a poll interval of zero', () => {
    const error = configError({ WORKLINK_DATA_DIR: dataDir, WORKLINK_GRAPH_POLL_INTERVAL_MS: '0' });

    expect(error.message).toContain('WORKLINK_GRAPH_POLL_INTERVAL_MS="0" is invalid');
  });

  it('never puts the secret in an error', () => {
    const error = configError({
      WORKLINK_DATA_DIR: dataDir,
      WORKLINK_GRAPH_SYNC: 'on',
      WORKLINK_GRAPH_TENANT_ID: 'not-a-guid',
      WORKLINK_GRAPH_CLIENT_ID: fakeClientId,
      WORKLINK_GRAPH_CLIENT_SECRET: 'secret-value-123',
    });

    expect(error.message).toContain('WORKLINK_GRAPH_TENANT_ID="not-a-guid" is invalid');
    expect(error.message).not.toContain('secret-value-123');
  });

  it('startGraphSync does nothing when off', () => {
    const config = loadConfig({ WORKLINK_DATA_DIR: dataDir });

    const handle = startGraphSync({
      config,
      database: { db: undefined as never, dialect: 'sqlite' },
      log: silentLog,
    });

    expect(handle).toBeUndefined();
  });
});

describe('retry delay', () => {
  it('reads Retry-After seconds and dates', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');

    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('0.25', now)).toBe(250);
    expect(parseRetryAfter('Fri, 04 Dec 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('doubles without Retry-After and caps with jitter', () => {
    const policy = { maxAttempts: 5, maxDelayMs: 5_000, maxJitterMs: 100, baseDelayMs: 1_000 };

    expect(computeRetryDelay(undefined, 1, policy, () => 0)).toBe(1_000);
    expect(computeRetryDelay(undefined, 3, policy, () => 0)).toBe(4_000);
    expect(computeRetryDelay(undefined, 4, policy, () => 0)).toBe(5_000);
    expect(computeRetryDelay(60_000, 1, policy, () => 0.5)).toBe(5_050);
    expect(computeRetryDelay(2_000, 1, policy, () => 0.999)).toBe(2_099);
  });
});

describe.each(await availableDialects())('startGraphSync on %s', (dialect) => {
  let harness: MailHarness;
  let graph: FakeGraph;

  beforeEach(async () => {
    harness = await startMailHarness(dialect);
    graph = await startFakeGraph();
  });

  afterEach(async () => {
    await graph.close();
    await harness.close();
  });

  it('syncs from the configured endpoints until stopped', async () => {
    const config = loadConfig({
      WORKLINK_DATA_DIR: harness.config.dataDir,
      WORKLINK_GRAPH_SYNC: 'on',
      WORKLINK_GRAPH_TENANT_ID: fakeTenantId,
      WORKLINK_GRAPH_CLIENT_ID: fakeClientId,
      WORKLINK_GRAPH_CLIENT_SECRET: fakeClientSecret,
      WORKLINK_GRAPH_BASE_URL: graph.baseUrl,
      WORKLINK_GRAPH_AUTHORITY_URL: graph.authorityUrl,
      WORKLINK_GRAPH_POLL_INTERVAL_MS: '50',
    });
    graph.addMessage('uk.support@contoso.example', readFixture('01-external-request.eml'));

    const handle = startGraphSync({
      config,
      database: harness.database,
      log: silentLog,
      events: harness.bus,
      instanceId: 'configured-instance',
      networkClient: graph.networkClient,
    });
    const deadline = Date.now() + 5_000;
    while ((await countRows(harness.database.db, 'work_items')) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await handle?.stop();

    expect(handle?.instanceId).toBe('configured-instance');
    expect(await countRows(harness.database.db, 'work_items')).toBe(1);
    const leases = await harness.database.db.selectFrom('mailbox_sync').select('lease_owner').execute();
    // The stop may come before the worker reached Team B's mailbox, which then has no row yet.
    expect(leases.length).toBeGreaterThan(0);
    expect(leases.filter((row) => row.lease_owner !== null)).toEqual([]);
  });
});
