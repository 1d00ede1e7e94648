/** A fresh PostgreSQL database for one bench run, created and dropped on the loopback server. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropDatabaseWhenIdle } from '../test/support/databases.js';

/** The server the tests use; `WORKLINK_TEST_POSTGRES_URL` overrides it, on a loopback host only. */
const adminUrl = process.env.WORKLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    throw new Error(`The bench uses PostgreSQL on loopback only, but the URL names "${host}": use 127.0.0.1.`);
  }
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  assertLoopback(adminUrl);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export interface BenchPostgres {
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty database and returns its URL, or returns the reason when the connection
 * fails, so that the bench reports the PostgreSQL figure as not measured.
 */
export async function createBenchPostgres(): Promise<BenchPostgres | { unavailable: string }> {
  const name = `worklink_bench_${randomBytes(6).toString('hex')}`;
  try {
    await withAdmin((client) => client.query(`create database ${name}`));
  } catch (error) {
    return {
      unavailable: `PostgreSQL at ${adminUrl} failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    // The server process has closed its pool, but its backends may still be exiting.
    drop: () => withAdmin((client) => dropDatabaseWhenIdle(client, name)),
  };
}
