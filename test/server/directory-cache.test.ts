import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FormField } from '../../src/core/api-types.js';
import { migrateToLatest, openDatabase } from '../../src/server/db/database.js';
import type { DatabaseHandle, Dialect } from '../../src/server/db/database.js';
import { findDirectoryMailbox, getDirectory, recentDirectory } from '../../src/server/repositories/directory-cache.js';
import { readDirectoryVersion } from '../../src/server/repositories/directory-version.js';
import { createMailbox } from '../../src/server/repositories/mailboxes.js';
import { getSettings, putSettings } from '../../src/server/repositories/settings.js';
import { putTeamForm } from '../../src/server/repositories/team-forms.js';
import { createTeam } from '../../src/server/repositories/teams.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';

/** Two handles on one database, as two server instances have. SQLite needs a file for that. */
async function openTwice(
  dialect: Dialect,
): Promise<{ first: DatabaseHandle; second: DatabaseHandle; close(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-directory-cache-'));
    const url = `sqlite:${path.join(dir, 'store.sqlite')}`;
    const first = openDatabase(url);
    await migrateToLatest(first.db);
    const second = openDatabase(url);
    return {
      first,
      second,
      async close() {
        await first.db.destroy();
        await second.db.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createTestDatabase(dialect);
  const second = openDatabase(database.url);
  return {
    first: database,
    second,
    async close() {
      await second.db.destroy();
      await database.destroy();
    },
  };
}

describe.each(await availableDialects())('directory cache on %s', (dialect) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('returns the same snapshot while nothing changes', async () => {
    const handles = await openTwice(dialect);
    close = handles.close;
    const { db } = handles.first;
    const team = await createTeam(db, 'Team A');
    await createMailbox(db, { address: 'a@contoso.example', aliases: [], teamId: team.id, defaultType: 'ticket' });

    const first = await getDirectory(db);
    const second = await getDirectory(db);
    expect(second).toBe(first);
    expect(first.mailboxes.map((mailbox) => mailbox.address)).toEqual(['a@contoso.example']);
  });

  it('recent directory needs a confirmation within its age', async () => {
    const handles = await openTwice(dialect);
    close = handles.close;
    const { db } = handles.first;
    expect(recentDirectory(db, 60_000)).toBeUndefined();

    const confirmed = await getDirectory(db);
    expect(recentDirectory(db, 60_000)).toBe(confirmed);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(recentDirectory(db, 1)).toBeUndefined();
  });

  it('sees an admin change at once on the same instance', async () => {
    const handles = await openTwice(dialect);
    close = handles.close;
    const { db } = handles.first;
    const team = await createTeam(db, 'Team A');
    const before = await getDirectory(db);
    expect(before.mailboxes).toEqual([]);

    await db.transaction().execute((trx) =>
      createMailbox(trx, {
        address: 'a@contoso.example',
        aliases: ['alias.a@contoso.example'],
        teamId: team.id,
        defaultType: 'case',
      }),
    );
    const afterMailbox = await getDirectory(db);
    expect(findDirectoryMailbox(afterMailbox, 'Alias.A+00012-C@contoso.example')?.address).toBe('a@contoso.example');

    await putSettings(db, { ...(await getSettings(db)), internalDomains: ['Contoso.example'] });
    const afterSettings = await getDirectory(db);
    expect(afterSettings.settings.internalDomains).toEqual(['contoso.example']);
    expect(afterSettings.version).not.toBe(afterMailbox.version);
  });

  it('sees a change made through another instance after the version check', async () => {
    const handles = await openTwice(dialect);
    close = handles.close;
    const team = await createTeam(handles.first.db, 'Team A');
    const cached = await getDirectory(handles.second.db);
    expect(cached.mailboxes).toEqual([]);

    await createMailbox(handles.first.db, {
      address: 'b@contoso.example',
      aliases: [],
      teamId: team.id,
      defaultType: 'ticket',
    });
    await putSettings(handles.first.db, {
      plusAddressing: { mode: 'only', separator: '-' },
      internalDomains: [],
      failurePolicy: 'prompt',
    });

    const seen = await getDirectory(handles.second.db);
    expect(seen.version).toBe(await readDirectoryVersion(handles.first.db));
    expect(seen.mailboxes.map((mailbox) => mailbox.address)).toEqual(['b@contoso.example']);
    expect(seen.settings.plusAddressing).toEqual({ mode: 'only', separator: '-' });
    expect(findDirectoryMailbox(seen, 'b-00001-T@contoso.example')?.teamId).toBe(team.id);
  });

  it('sees a team form change through another instance', async () => {
    const handles = await openTwice(dialect);
    close = handles.close;
    const team = await createTeam(handles.first.db, 'Team A');
    const before = await getDirectory(handles.second.db);
    expect(before.forms.get(team.id)).toBeUndefined();

    const field: FormField = { name: 'dueDate', label: { en: 'Due date', pl: 'Termin' }, type: 'date', required: true };
    await handles.first.db.transaction().execute((trx) => putTeamForm(trx, team.id, [field]));

    const after = await getDirectory(handles.second.db);
    expect(after.version).not.toBe(before.version);
    expect(after.forms.get(team.id)).toEqual([field]);
  });

  it('keeps the version row out of the settings', async () => {
    const handles = await openTwice(dialect);
    close = handles.close;
    const { db } = handles.first;
    await putSettings(db, {
      plusAddressing: { mode: 'off', separator: '+' },
      internalDomains: [],
      failurePolicy: 'allow',
    });
    expect(await readDirectoryVersion(db)).not.toBeNull();
    expect(Object.keys(await getSettings(db)).sort()).toEqual(['failurePolicy', 'internalDomains', 'plusAddressing']);
  });
});
