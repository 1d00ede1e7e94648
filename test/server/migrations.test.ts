import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import * as conversationLastSeen from '../../src/server/db/migrations/0003-conversation-last-seen.js';
import * as disconnectAndRemove from '../../src/server/db/migrations/0004-disconnect-and-remove.js';
import { createMailbox } from '../../src/server/repositories/mailboxes.js';
import { createTeam } from '../../src/server/repositories/teams.js';
import { createWorkItem } from '../../src/server/repositories/work-items.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';

describe.each(await availableDialects())('migrations on %s', (dialect) => {
  it('creates the schema and the reference counters', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const counters = await database.db.selectFrom('reference_counters').selectAll().orderBy('series').execute();
      expect(counters).toEqual([
        { series: 'case', next_value: 10040 },
        { series: 'ticket', next_value: 101200 },
      ]);
    } finally {
      await database.destroy();
    }
  });

  it('gives conversations recorded before 0003 their record time as last seen', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const db = database.db;
      const team = await createTeam(db, 'UK Support');
      const item = await createWorkItem(db, { teamId: team.id, type: 'ticket', title: 'Pallets' });
      await conversationLastSeen.down(db);
      await sql`insert into conversations (conversation_id, work_item_id, source, created_at)
        values ('AAQkAGI2-before', ${item.id}, 'pane', '2026-03-01T09:00:00.000Z')`.execute(db);

      await conversationLastSeen.up(db);

      const rows = await db.selectFrom('conversations').select(['created_at', 'last_seen_at']).execute();
      expect(rows).toEqual([{ created_at: '2026-03-01T09:00:00.000Z', last_seen_at: '2026-03-01T09:00:00.000Z' }]);
    } finally {
      await database.destroy();
    }
  });

  it('keeps mailboxes, aliases and ids through 0004', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const db = database.db;
      const team = await createTeam(db, 'PL Support');
      const plSupport = await createMailbox(db, {
        address: 'pl.support@contoso.example',
        aliases: ['wsparcie.pl@contoso.example'],
        teamId: team.id,
        defaultType: 'case',
        displayName: 'Wsparcie PL',
      });
      const dropped = await createMailbox(db, {
        address: 'old@contoso.example',
        aliases: [],
        teamId: team.id,
        defaultType: 'ticket',
      });
      await db.deleteFrom('mailboxes').where('id', '=', dropped.id).execute();
      await db
        .insertInto('mailbox_sync')
        .values({
          mailbox_id: plSupport.id,
          delta_link: 'https://graph.example/delta',
          lease_owner: null,
          lease_expires_at: null,
          updated_at: '2026-03-01T09:00:00.000Z',
        })
        .execute();
      const before = await db.selectFrom('mailboxes').selectAll().execute();

      await disconnectAndRemove.down(db);
      await disconnectAndRemove.up(db);

      expect(await db.selectFrom('mailboxes').selectAll().execute()).toEqual(before);
      expect(await db.selectFrom('mailbox_aliases').selectAll().execute()).toEqual([
        { address: 'wsparcie.pl@contoso.example', mailbox_id: plSupport.id },
      ]);
      expect(await db.selectFrom('mailbox_sync').select('delta_link').execute()).toEqual([
        { delta_link: 'https://graph.example/delta' },
      ]);
      const added = await createMailbox(db, {
        address: 'new@contoso.example',
        aliases: [],
        teamId: team.id,
        defaultType: 'ticket',
      });
      expect(added.id).toBeGreaterThan(dropped.id);
    } finally {
      await database.destroy();
    }
  });

  it('rejects a mailbox of an unknown team after 0004', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const db = database.db;
      await disconnectAndRemove.down(db);
      await disconnectAndRemove.up(db);

      const insertOrphan = db
        .insertInto('mailboxes')
        .values({
          address: 'orphan@contoso.example',
          display_name: null,
          team_id: 999,
          default_type: 'ticket',
          created_at: '2026-03-01T09:00:00.000Z',
          disconnected_at: null,
        })
        .execute();

      await expect(insertOrphan).rejects.toThrow(/foreign key/i);
    } finally {
      await database.destroy();
    }
  });
});
