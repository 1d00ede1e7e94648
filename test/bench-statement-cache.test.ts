/** The SQLite statement cache that `npm run bench` led to: reuse, eviction and close. */
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../src/server/db/sqlite-statement-cache.js';

describe('withStatementCache', () => {
  it('reuses a prepared statement', () => {
    const sqlite = new SQLite(':memory:');
    const cached = withStatementCache(sqlite);

    const first = cached.prepare('select 1 as one');
    const second = cached.prepare('select 1 as one');

    expect(second).toBe(first);
    expect(second.all([])).toEqual([{ one: 1 }]);
    cached.close();
  });

  it('evicts the least recently used statement', () => {
    const sqlite = new SQLite(':memory:');
    const cached = withStatementCache(sqlite);
    const kept = cached.prepare('select 0 as n');
    const evicted = cached.prepare('select -1 as n');

    for (let index = 1; index < 500; index++) {
      cached.prepare(`select ${index} as n`);
      // Using `kept` again keeps it recent, so `evicted` is the oldest when the cache overflows.
      cached.prepare('select 0 as n');
    }

    expect(cached.prepare('select 0 as n')).toBe(kept);
    expect(cached.prepare('select -1 as n')).not.toBe(evicted);
    cached.close();
  });

  it('closes the connection', () => {
    const sqlite = new SQLite(':memory:');
    const cached = withStatementCache(sqlite);

    cached.close();

    expect(sqlite.open).toBe(false);
  });
});
