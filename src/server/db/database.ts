import path from 'node:path';
import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import * as initial from './migrations/0001-initial.js';
import * as pendingPlanIndex from './migrations/0002-pending-plan-index.js';
import * as conversationLastSeen from './migrations/0003-conversation-last-seen.js';
import * as disconnectAndRemove from './migrations/0004-disconnect-and-remove.js';
import * as conversationViews from './migrations/0005-conversation-views.js';
import { startWalCheckpointer } from './sqlite-checkpointer.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
}

/**
 * Migrations in the order they run. They are listed here instead of read from
 * a folder so that the compiled server and the tests load the same modules.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-pending-plan-index': pendingPlanIndex,
  '0003-conversation-last-seen': conversationLastSeen,
  '0004-disconnect-and-remove': disconnectAndRemove,
  '0005-conversation-views': conversationViews,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/**
 * Opens the database named by `url`: `sqlite:PATH` (`sqlite::memory:` for a
 * private in-memory database) or `postgres://...`. Throws on any other scheme.
 */
export function openDatabase(url: string): DatabaseHandle {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // PostgreSQL returns bigint (COUNT, SUM) as text by default; Worklink's counts fit a number.
    pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // pg-pool emits 'error' when the server ends an idle session (restart, failover, pg_terminate_backend), and
    // an 'error' event without a listener ends the process. The pool has already dropped that client, and the
    // next query opens a new session or fails in its caller, which logs it.
    // NOTE: the dropped session itself is not logged, because openDatabase has no logger.
    pool.on('error', () => undefined);
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }

  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    }
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    // A commit survives a crash of this process, but not a power failure or an operating system crash, which
    // FULL would survive at the cost of one fsync per commit. SQLite is the trial store, and the admin guide
    // recommends PostgreSQL for production.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // Each message of a group commit runs in its own savepoint, and SQLite keeps the pages that a savepoint
    // may roll back in a statement journal. In memory, that journal costs no temporary file per transaction:
    // in the ingest bench it cut the write system calls per message from about 46 to 12.
    sqlite.pragma('temp_store = MEMORY');
    sqlite.pragma('busy_timeout = 5000');
    // After a burst the log file stays as large as it grew, unless it is cut back when it restarts.
    sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    let connection = withStatementCache(sqlite);
    if (file !== ':memory:') {
      const checkpointer = startWalCheckpointer(sqlite, path.resolve(file));
      const cached = connection;
      connection = {
        prepare: (text) => cached.prepare(text),
        close: () => {
          checkpointer.stop();
          cached.close();
        },
      };
    }
    return {
      db: new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) }),
      dialect: 'sqlite',
    };
  }

  throw new Error(
    `Unsupported database URL "${url}": set \`WORKLINK_DATABASE_URL\` to sqlite:PATH or postgres://USER@HOST/DATABASE.`,
  );
}

/** Runs every pending migration; throws the first migration error. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw error;
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
