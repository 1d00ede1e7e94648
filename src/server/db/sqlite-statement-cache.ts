import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Prepared statements kept per connection. Worklink issues a few dozen distinct queries, and
 * lists of different lengths (`in (?, ?)`) add more, so the bound only matters for unusual loads.
 */
const maxCachedStatements = 500;

/**
 * Wraps a better-sqlite3 connection for Kysely's SQLite dialect so that each distinct SQL
 * text is prepared once. Kysely prepares every query again, and on a send plan's dozen small
 * queries SQLite's statement compilation took about a fifth of the CPU time
 * (profiled with `npm run bench`).
 * Reusing a statement is safe because Kysely runs one query at a time on the connection,
 * including while it streams one with `iterate()`.
 */
export function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        // Re-inserting moves the entry to the end, so the first entry is the least recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > maxCachedStatements) {
        const oldest = statements.keys().next().value as string;
        statements.delete(oldest);
      }
      return statement;
    },
  };
}
