import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { migrateToLatest, openDatabase } from '../../src/server/db/database.js';
import type { DatabaseHandle, Dialect } from '../../src/server/db/database.js';

/** Server used by the PostgreSQL runs; override with `WORKLINK_TEST_POSTGRES_URL`. */
const adminUrl = process.env.WORKLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Under `WORKLINK_REQUIRE_ALL=1` (CI) a missing PostgreSQL or Chromium fails instead of skipping. */
export const requireAll = process.env.WORKLINK_REQUIRE_ALL === '1';

let postgresReachable: Promise<boolean> | undefined;

async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    if (requireAll) {
      throw new Error(`PostgreSQL is required (WORKLINK_REQUIRE_ALL=1) but ${adminUrl} failed: ${String(error)}`, {
        cause: error,
      });
    }
    console.warn(`NOTICE: PostgreSQL at ${adminUrl} is unreachable, so its tests are skipped: ${String(error)}`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The dialects to run on: SQLite always, PostgreSQL when reachable (always under `WORKLINK_REQUIRE_ALL=1`). */
export async function availableDialects(): Promise<Dialect[]> {
  postgresReachable ??= probePostgres();
  return (await postgresReachable) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * Drops database `name` once its sessions have ended, waiting up to 5 seconds. pg's
 * `Pool.end()` resolves before its clients have closed their sockets, and a forced drop would
 * terminate those sessions and raise an unhandled error in the process that owned them.
 */
export async function dropDatabaseWhenIdle(client: pg.Client, name: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const result = await client.query('select count(*)::int as sessions from pg_stat_activity where datname = $1', [
      name,
    ]);
    if (result.rows[0]?.sessions === 0) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await client.query(`drop database if exists ${name} with (force)`);
}

export interface TestDatabase extends DatabaseHandle {
  url: string;
  /** Closes the connection and drops the PostgreSQL database. */
  destroy(): Promise<void>;
}

async function withAdminClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty, migrated database of one dialect: a private SQLite file
 * in memory, or a new PostgreSQL database with a random name.
 */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const url = 'sqlite::memory:';
    const handle = openDatabase(url);
    await migrateToLatest(handle.db);
    return { ...handle, url, destroy: () => handle.db.destroy() };
  }

  const name = `worklink_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`create database ${name}`));
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url,
    async destroy() {
      await handle.db.destroy();
      await withAdminClient((client) => dropDatabaseWhenIdle(client, name));
    },
  };
}
