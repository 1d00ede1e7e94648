import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/server/db/database.js';
import { backstopCheckpointPages, startWalCheckpointer } from '../../src/server/db/sqlite-checkpointer.js';

/** About 1.6 MB of log: 400 rows of 4 KB, far below the backstop, so only the worker copies it. */
function writeRows(sqlite: SQLite.Database, count: number): void {
  const insert = sqlite.prepare('insert into notes (body) values (?)');
  for (let index = 0; index < count; index += 1) {
    insert.run('x'.repeat(4000));
  }
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for the condition`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('WAL checkpoints in a worker thread', () => {
  let directory: string;
  let file: string;

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-checkpoint-'));
    file = path.join(directory, 'worklink.db');
  });

  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  function openWal(): SQLite.Database {
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('create table notes (id integer primary key, body text not null)');
    return sqlite;
  }

  it('copies the log while writing', async () => {
    const sqlite = openWal();
    const checkpointer = startWalCheckpointer(sqlite, file, 20);
    const sizeBefore = fs.statSync(file).size;

    writeRows(sqlite, 400);

    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(backstopCheckpointPages);
    await waitFor(() => fs.statSync(file).size > sizeBefore + 1_000_000);
    checkpointer.stop();
    sqlite.close();
  });

  it('stops before the connection closes', () => {
    const sqlite = openWal();
    const checkpointer = startWalCheckpointer(sqlite, file, 20);
    writeRows(sqlite, 50);

    checkpointer.stop();
    sqlite.close();

    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reopened = new SQLite(file, { readonly: true });
    expect(reopened.prepare('select count(*) as n from notes').get()).toEqual({ n: 50 });
    reopened.close();
  });

  it('falls back when the worker fails', async () => {
    const sqlite = openWal();
    // A file that does not exist makes the worker fail to open it.
    startWalCheckpointer(sqlite, path.join(directory, 'missing.db'), 20);

    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(backstopCheckpointPages);
    await waitFor(() => sqlite.pragma('wal_autocheckpoint', { simple: true }) === 1000);
    sqlite.close();
  });

  it('runs and ends with openDatabase', async () => {
    const { db } = openDatabase(`sqlite:${file}`);
    await migrateToLatest(db);
    await db.insertInto('settings').values({ key: 'probe', value: '"kept"' }).execute();

    await db.destroy();

    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reopened = new SQLite(file, { readonly: true });
    expect(reopened.prepare("select value from settings where key = 'probe'").get()).toEqual({ value: '"kept"' });
    reopened.close();
  });
});

describe('SQLite connection of openDatabase', () => {
  it('keeps statement journals in memory', async () => {
    const { db } = openDatabase('sqlite::memory:');
    const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(db);
    await db.destroy();

    // 2 is MEMORY, see SQLite's PRAGMA temp_store.
    expect(rows).toEqual([{ temp_store: 2 }]);
  });
});
