import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import * as conversationLastSeen from '../../src/server/db/migrations/0003-conversation-last-seen.js';
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
});
