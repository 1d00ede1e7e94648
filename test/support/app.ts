import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import type { Config } from '../../src/server/config.js';
import type { Dialect } from '../../src/server/db/database.js';
import { EventBus } from '../../src/server/notifications/bus.js';
import { seedDemo } from '../../src/server/seed/demo.js';
import { createTestDatabase } from './databases.js';
import type { TestDatabase } from './databases.js';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Readonly<Config>;
  /** The app's notification bus; `app.events` is not visible outside the app plugin. */
  events: EventBus;
  /** A dev access token for `email`, issued through `POST /api/v1/dev/tokens`. */
  tokenFor(email: string): Promise<string>;
  /** Closes the app, drops the database and removes the data directory. */
  close(): Promise<void>;
}

/** Configuration of a test app: dev auth on loopback, TLS and SMTP off, logs silent, a private data directory. */
export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Readonly<Config> {
  return Object.freeze({
    host: '127.0.0.1',
    port: 0,
    tls: 'off',
    dataDir,
    databaseUrl: 'sqlite::memory:',
    smtpPort: 0,
    smtpMaxMessageBytes: 35 * 1024 * 1024,
    smtpMaxRecipients: 100,
    smtpAllowedHosts: [],
    auth: 'dev',
    adminEmails: ['admin@contoso.example'],
    seed: 'none',
    publicOrigin: 'https://localhost:3000',
    logLevel: 'silent',
    rateLimitMax: 10_000,
    rateLimitWindowMs: 60_000,
    addinDir: path.join(dataDir, 'addin'),
    ...overrides,
  } satisfies Config);
}

/**
 * Builds the app on a fresh, migrated database of `dialect`, seeded with the
 * demo data when `seed` is `demo`. Call it through `app.inject`.
 */
export async function createTestApp(
  dialect: Dialect,
  options: { seed?: 'demo' | 'none'; config?: Partial<Config>; events?: EventBus } = {},
): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-test-'));
  const database = await createTestDatabase(dialect);
  const seed = options.seed ?? 'none';
  const config = testConfig(dataDir, { databaseUrl: database.url, seed, ...options.config });
  const events = options.events ?? new EventBus();

  let app: FastifyInstance | undefined;
  try {
    if (seed === 'demo') {
      await seedDemo(database.db);
    }
    app = await buildApp({ config, database, events });
  } catch (error) {
    await database.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const built = app;

  return {
    app: built,
    database,
    config,
    events,
    async tokenFor(email: string): Promise<string> {
      const response = await built.inject({ method: 'POST', url: '/api/v1/dev/tokens', payload: { email } });
      if (response.statusCode !== 200) {
        throw new Error(`Dev token for ${email} failed with ${response.statusCode}: ${response.body}`);
      }
      return (response.json() as { accessToken: string }).accessToken;
    },
    async close(): Promise<void> {
      await built.close();
      await database.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
