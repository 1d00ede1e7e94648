import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorklinkError } from '../../src/server/errors.js';
import { workItemView } from '../../src/server/permissions.js';
import { ensureAdminAgents, findAgentByEmail } from '../../src/server/repositories/agents.js';
import { findMailboxByAddress, loadMailboxes } from '../../src/server/repositories/mailboxes.js';
import { getSettings } from '../../src/server/repositories/settings.js';
import { getTeamForm } from '../../src/server/repositories/team-forms.js';
import {
  createWorkItem,
  findWorkItemByReference,
  linkWorkItems,
  listLinkedItems,
} from '../../src/server/repositories/work-items.js';
import { openDatabase } from '../../src/server/db/database.js';
import { seedDemo } from '../../src/server/seed/demo.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

async function counts(database: TestDatabase): Promise<Record<string, number>> {
  const tables = [
    'teams',
    'mailboxes',
    'mailbox_aliases',
    'agents',
    'agent_teams',
    'work_items',
    'work_item_links',
    'team_form_fields',
    'settings',
  ] as const;
  const result: Record<string, number> = {};
  for (const table of tables) {
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    result[table] = Number(row.count);
  }
  return result;
}

describe.each(await availableDialects())('demo seed and repositories on %s', (dialect) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    await seedDemo(database.db);
  });

  afterEach(async () => {
    await database.destroy();
  });

  it('seeds the demo organisation', async () => {
    const mailboxes = await loadMailboxes(database.db);
    expect(
      mailboxes.map((mailbox) => [mailbox.address, mailbox.aliases, mailbox.teamName, mailbox.defaultType]),
    ).toEqual([
      ['uk.support@contoso.example', [], 'Team A (UK)', 'ticket'],
      ['pl.support@contoso.example', ['wsparcie.pl@contoso.example'], 'Team B (PL)', 'case'],
    ]);
    expect(findMailboxByAddress(mailboxes, 'legal@contoso.example')).toBeUndefined();

    const admin = await findAgentByEmail(database.db, 'admin@contoso.example');
    expect(admin).toMatchObject({ isAdmin: true, teamIds: [] });
    const pl = await findAgentByEmail(database.db, 'pl.agent@contoso.example');
    expect(pl?.teamIds).toEqual([mailboxes[1]!.teamId]);

    expect(await getSettings(database.db)).toEqual({
      plusAddressing: { mode: 'mixed', separator: '+' },
      internalDomains: ['contoso.example'],
      failurePolicy: 'allow',
    });
    const form = await getTeamForm(database.db, mailboxes[1]!.teamId);
    expect(form.map((field) => [field.name, field.type, field.required])).toEqual([
      ['entity', 'choice', true],
      ['dueDate', 'date', false],
    ]);
  });

  it('changes nothing when run again', async () => {
    const before = await counts(database);
    await seedDemo(database.db);
    expect(await counts(database)).toEqual(before);
    expect(before.work_items).toBeGreaterThanOrEqual(3);
    expect(before.work_item_links).toBe(1);
  });

  it('uses up no agent id when run again', async () => {
    const adminEmails = ['admin@contoso.example', 'second.admin@contoso.example'];
    await ensureAdminAgents(database.db, adminEmails);
    const before = await database.db
      .selectFrom('agents')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();

    for (let start = 0; start < 3; start += 1) {
      await seedDemo(database.db);
      await ensureAdminAgents(database.db, adminEmails);
    }
    const added = await database.db
      .insertInto('agents')
      .values({ email: 'new.agent@contoso.example', display_name: 'New', is_admin: 0, created_at: '2026-12-05' })
      .returning('id')
      .executeTakeFirstOrThrow();

    expect(added.id).toBe(Number(before.id) + 1);
  });

  it('finds mailboxes by alias, case and plus tag', () => {
    return loadMailboxes(database.db).then((mailboxes) => {
      expect(findMailboxByAddress(mailboxes, 'Wsparcie.PL+10040-C@Contoso.Example')?.address).toBe(
        'pl.support@contoso.example',
      );
      expect(findMailboxByAddress(mailboxes, 'uk.support-101200-T@contoso.example', '-')?.address).toBe(
        'uk.support@contoso.example',
      );
      expect(findMailboxByAddress(mailboxes, 'uk.supportx@contoso.example')).toBeUndefined();
    });
  });

  it('numbers actions under their case', async () => {
    const teamId = (await loadMailboxes(database.db))[1]!.teamId;
    const parent = await createWorkItem(database.db, { teamId, type: 'case', title: 'Parent' });
    const first = await createWorkItem(database.db, {
      teamId,
      type: 'action',
      title: 'Call back',
      parentId: parent.id,
    });
    const second = await createWorkItem(database.db, { teamId, type: 'action', title: 'Refund', parentId: parent.id });
    expect(first.reference).toBe(`${parent.reference}-A1`);
    expect(second.reference).toBe(`${parent.reference}-A2`);
    expect((await findWorkItemByReference(database.db, second.reference.toLowerCase()))?.parentId).toBe(parent.id);
  });

  it('rejects an action under a ticket', async () => {
    const teamId = (await loadMailboxes(database.db))[0]!.teamId;
    const ticket = await createWorkItem(database.db, { teamId, type: 'ticket', title: 'Ticket' });
    const attempt = createWorkItem(database.db, { teamId, type: 'action', title: 'No', parentId: ticket.id });
    await expect(attempt).rejects.toBeInstanceOf(WorklinkError);
    await expect(attempt).rejects.toMatchObject({ code: 'WORKLINK_PARENT_NOT_CASE' });
  });

  it('stores a link once, in either order', async () => {
    const [uk, pl] = await loadMailboxes(database.db);
    const a = await createWorkItem(database.db, { teamId: uk!.teamId, type: 'ticket', title: 'A' });
    const b = await createWorkItem(database.db, { teamId: pl!.teamId, type: 'case', title: 'B' });
    expect(await linkWorkItems(database.db, b.id, a.id, 'test')).toBe(true);
    expect(await linkWorkItems(database.db, a.id, b.id, 'test')).toBe(false);
    expect(await linkWorkItems(database.db, a.id, a.id, 'test')).toBe(false);
    expect((await listLinkedItems(database.db, a.id)).map((item) => item.id)).toEqual([b.id]);
    expect((await listLinkedItems(database.db, b.id)).map((item) => item.id)).toEqual([a.id]);
  });

  it('gives full, header or no view', async () => {
    const [uk, pl] = await loadMailboxes(database.db);
    const own = await createWorkItem(database.db, { teamId: uk!.teamId, type: 'ticket', title: 'Own' });
    const linked = await createWorkItem(database.db, { teamId: pl!.teamId, type: 'case', title: 'Linked' });
    const unrelated = await createWorkItem(database.db, { teamId: pl!.teamId, type: 'case', title: 'Unrelated' });
    await linkWorkItems(database.db, own.id, linked.id, 'test');
    const agent = { teamIds: [uk!.teamId] };
    expect(await workItemView(database.db, agent, own.id)).toBe('full');
    expect(await workItemView(database.db, agent, linked.id)).toBe('header');
    expect(await workItemView(database.db, agent, unrelated.id)).toBeNull();
    expect(await workItemView(database.db, { teamIds: [] }, own.id)).toBeNull();
  });
});

describe.each(await availableDialects())('concurrent demo seed on %s', (dialect) => {
  it('creates each row once', async () => {
    const database = await createTestDatabase(dialect);
    try {
      // PostgreSQL needs a second pool for real concurrency; SQLite in memory has one connection.
      const second = dialect === 'postgres' ? openDatabase(database.url) : database;
      try {
        await Promise.all([seedDemo(database.db), seedDemo(second.db), seedDemo(database.db)]);
      } finally {
        if (second !== database) {
          await second.db.destroy();
        }
      }
      const teams = await database.db.selectFrom('teams').select('name').execute();
      expect(teams.map((team) => team.name).sort()).toEqual(['Team A (UK)', 'Team B (PL)']);
      const items = await database.db.selectFrom('work_items').select('title').execute();
      expect(new Set(items.map((item) => item.title)).size).toBe(items.length);
    } finally {
      await database.destroy();
    }
  });
});
