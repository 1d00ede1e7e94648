import { randomUUID } from 'node:crypto';
import { ReusableQuery } from '../db/reusable-query.js';
import type { Executor } from './executor.js';

/**
 * Key of the `settings` row that changes with every admin change to mailboxes,
 * aliases, settings, team names or team creation forms, and with a team's deletion. Cached
 * directories compare it to know whether they are still current, also across server instances on one database.
 */
// NOTE: a new team changes no mailbox, so `createTeam` does not bump the version. The demo seed inserts its
// mailboxes directly and bumps it only when it also writes the settings, that is on a store without settings.
export const directoryVersionKey = 'directoryVersion';

// Every use of the cached directory reads the version first, so the query skips Kysely's query building.
const selectSetting = new ReusableQuery(1, (db, key: string) =>
  db.selectFrom('settings').select('value').where('key', '=', key),
);

/** Reads the current directory version. Returns null until the first admin change. */
export async function readDirectoryVersion(db: Executor): Promise<string | null> {
  const row = await selectSetting.firstRow(db, directoryVersionKey);
  return row?.value ?? null;
}

/**
 * Gives the directory a new version. Call it inside the transaction of the
 * change, so that other instances see the new version together with the new
 * rows. A random value rather than a counter needs no arithmetic on the text
 * column and still differs from every earlier version.
 */
export async function bumpDirectoryVersion(db: Executor): Promise<void> {
  const value = randomUUID();
  await db
    .insertInto('settings')
    .values({ key: directoryVersionKey, value })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
    .execute();
}
