import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Executor } from '../repositories/executor.js';
import { now } from '../repositories/executor.js';
import { ensureAdminAgents } from '../repositories/agents.js';
import { createWorkItem, linkWorkItems } from '../repositories/work-items.js';
import { putSettings } from '../repositories/settings.js';
import { getTeamForm, putTeamForm } from '../repositories/team-forms.js';

/** Domain of the demo organisation; `.example` is reserved, so no real mail is involved. */
export const demoDomain = 'contoso.example';

export const demoTeams = { uk: 'Team A (UK)', pl: 'Team B (PL)' } as const;

/** Key of the PostgreSQL advisory lock that serialises concurrent seeding; any fixed number works. */
const seedLockKey = 720_417;

async function teamId(db: Executor, name: string): Promise<number> {
  const existing = await db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirst();
  if (existing !== undefined) {
    return existing.id;
  }
  const row = await db
    .insertInto('teams')
    .values({ name, created_at: now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function mailbox(
  db: Executor,
  entry: { address: string; aliases: string[]; teamId: number; defaultType: 'ticket' | 'case'; displayName: string },
): Promise<void> {
  const existing = await db
    .selectFrom('mailboxes')
    .select(['id', 'disconnected_at'])
    .where('address', '=', entry.address)
    .executeTakeFirst();
  // A mailbox that an admin disconnected stays so, without aliases.
  if (existing !== undefined && existing.disconnected_at !== null) {
    return;
  }
  const id =
    existing?.id ??
    (
      await db
        .insertInto('mailboxes')
        .values({
          address: entry.address,
          display_name: entry.displayName,
          team_id: entry.teamId,
          default_type: entry.defaultType,
          created_at: now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  for (const alias of entry.aliases) {
    await db
      .insertInto('mailbox_aliases')
      .values({ address: alias, mailbox_id: id })
      .onConflict((conflict) => conflict.column('address').doNothing())
      .execute();
  }
}

async function agent(db: Executor, email: string, displayName: string, teamIds: number[]): Promise<void> {
  const findAgent = () =>
    db.selectFrom('agents').select(['id', 'removed_at']).where('email', '=', email).executeTakeFirst();
  // Looking first keeps each start from using up an id: an insert that meets a conflict still draws from the sequence.
  let row = await findAgent();
  if (row === undefined) {
    await db
      .insertInto('agents')
      .values({ email, display_name: displayName, is_admin: 0, created_at: now() })
      .onConflict((conflict) => conflict.column('email').doNothing())
      .execute();
    row = await findAgent();
  }
  if (row === undefined) {
    throw new Error(`Demo agent ${email} was neither found nor inserted.`);
  }
  // An agent that an admin removed stays so, without teams.
  if (row.removed_at !== null) {
    return;
  }
  for (const id of teamIds) {
    await db
      .insertInto('agent_teams')
      .values({ agent_id: row.id, team_id: id })
      .onConflict((conflict) => conflict.columns(['agent_id', 'team_id']).doNothing())
      .execute();
  }
}

async function workItem(
  db: Executor,
  item: { teamId: number; type: 'ticket' | 'case'; title: string; requester: string; fields?: Record<string, string> },
): Promise<number> {
  const existing = await db
    .selectFrom('work_items')
    .select('id')
    .where('team_id', '=', item.teamId)
    .where('title', '=', item.title)
    .executeTakeFirst();
  if (existing !== undefined) {
    return existing.id;
  }
  return (await createWorkItem(db, item)).id;
}

/**
 * Seeds the demo organisation at contoso.example: two teams with their
 * connected mailboxes, their agents, an admin, Team B's creation form and a
 * few work items, one pair of them linked. Running it again changes nothing.
 * `legal@contoso.example` stays a plain internal address, not a connected mailbox.
 */
export async function seedDemo(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Instances that start together on one PostgreSQL database would otherwise both find
    // nothing and both insert. Kysely runs one SQLite transaction at a time per process.
    // NOTE: two processes seeding one SQLite file at the same moment may fail with SQLITE_BUSY.
    if (trx.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`select pg_advisory_xact_lock(${seedLockKey})`.execute(trx);
    }

    const uk = await teamId(trx, demoTeams.uk);
    const pl = await teamId(trx, demoTeams.pl);

    await mailbox(trx, {
      address: `uk.support@${demoDomain}`,
      aliases: [],
      teamId: uk,
      defaultType: 'ticket',
      displayName: 'UK Support',
    });
    await mailbox(trx, {
      address: `pl.support@${demoDomain}`,
      aliases: [`wsparcie.pl@${demoDomain}`],
      teamId: pl,
      defaultType: 'case',
      displayName: 'Wsparcie PL',
    });

    await agent(trx, `uk.agent@${demoDomain}`, 'Uma Kent', [uk]);
    await agent(trx, `pl.agent@${demoDomain}`, 'Paweł Lis', [pl]);
    await ensureAdminAgents(trx, [`admin@${demoDomain}`]);

    const settingsRow = await trx.selectFrom('settings').select('key').executeTakeFirst();
    if (settingsRow === undefined) {
      await putSettings(trx, {
        plusAddressing: { mode: 'mixed', separator: '+' },
        internalDomains: [demoDomain],
        failurePolicy: 'allow',
      });
    }

    if ((await getTeamForm(trx, pl)).length === 0) {
      await putTeamForm(trx, pl, [
        {
          name: 'entity',
          label: { en: 'Legal entity', pl: 'Podmiot' },
          type: 'choice',
          required: true,
          options: ['Contoso Polska', 'Contoso UK'],
        },
        { name: 'dueDate', label: { en: 'Due date', pl: 'Termin' }, type: 'date', required: false },
      ]);
    }

    const delivery = await workItem(trx, {
      teamId: uk,
      type: 'ticket',
      title: 'Delivery of order 4471 is late',
      requester: 'orders@fabrikam.example',
    });
    const invoice = await workItem(trx, {
      teamId: pl,
      type: 'case',
      title: 'Invoice correction for order 4471',
      requester: 'orders@fabrikam.example',
      fields: { entity: 'Contoso Polska' },
    });
    await workItem(trx, {
      teamId: pl,
      type: 'case',
      title: 'VAT number change',
      requester: 'finance@northwind.example',
      fields: { entity: 'Contoso Polska', dueDate: '2026-12-31' },
    });
    await workItem(trx, {
      teamId: uk,
      type: 'ticket',
      title: 'Password reset for the supplier portal',
      requester: 'it@northwind.example',
    });
    await linkWorkItems(trx, delivery, invoice, 'seed:demo');
  });
}
