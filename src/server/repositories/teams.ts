import { WorklinkError } from '../errors.js';
import { polishCount } from '../localized-text.js';
import { bumpDirectoryVersion } from './directory-version.js';
import { isForeignKeyViolation, isUniqueViolation, now } from './executor.js';
import type { Executor } from './executor.js';

export interface TeamRecord {
  id: number;
  name: string;
  createdAt: string;
}

/** Builds the error for a team name that another team already uses, with the unique violation as `cause`. */
function teamNameTaken(name: string, cause: unknown): WorklinkError {
  return new WorklinkError(
    'WORKLINK_TEAM_NAME_TAKEN',
    {
      en: `A team named "${name}" already exists: choose another name.`,
      pl: `Zespół o nazwie "${name}" już istnieje: wybierz inną nazwę.`,
    },
    { cause },
  );
}

/** Returns the form of a team name that two names share when they look alike: one Unicode form, one case, single spaces. */
function comparableName(name: string): string {
  return name.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase();
}

/**
 * Throws `WORKLINK_TEAM_NAME_TAKEN` when a team other than `exceptId` has a name that looks like
 * `name`: agents pick teams by name, and "Team C (DE)" next to "team c (de)" would look like one team.
 * Teams are few, so the names are compared here rather than by a database collation, which
 * folds only ASCII letters in SQLite.
 */
async function assertTeamNameFree(db: Executor, name: string, exceptId?: number): Promise<void> {
  const teams = await db.selectFrom('teams').select(['id', 'name']).execute();
  const requested = comparableName(name);
  const clash = teams.find((team) => team.id !== exceptId && comparableName(team.name) === requested);
  if (clash !== undefined) {
    throw teamNameTaken(clash.name, undefined);
  }
}

/** Inserts a team; throws `WORKLINK_TEAM_NAME_TAKEN` when the name exists in any letter case. */
export async function createTeam(db: Executor, name: string): Promise<TeamRecord> {
  const createdAt = now();
  await assertTeamNameFree(db, name);
  try {
    const row = await db
      .insertInto('teams')
      .values({ name, created_at: createdAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, name, createdAt };
  } catch (error) {
    throw isUniqueViolation(error) ? teamNameTaken(name, error) : error;
  }
}

export async function listTeams(db: Executor): Promise<TeamRecord[]> {
  const rows = await db.selectFrom('teams').selectAll().orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
}

export async function findTeam(db: Executor, id: number): Promise<TeamRecord | undefined> {
  const row = await db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, name: row.name, createdAt: row.created_at };
}

/** Returns the team with `id`; throws `WORKLINK_TEAM_NOT_FOUND` when there is none. */
export async function requireTeam(db: Executor, id: number): Promise<TeamRecord> {
  const team = await findTeam(db, id);
  if (team === undefined) {
    throw new WorklinkError('WORKLINK_TEAM_NOT_FOUND', {
      en: `Team ${id} does not exist: list teams with GET /api/v1/admin/teams.`,
      pl: `Zespół ${id} nie istnieje: sprawdź listę zespołów przez GET /api/v1/admin/teams.`,
    });
  }
  return team;
}

/**
 * Renames team `id` and bumps the directory version, because the directory
 * lists each mailbox with its team's name. Returns the team before and after,
 * equal when the name did not change. Throws `WORKLINK_TEAM_NOT_FOUND` and
 * `WORKLINK_TEAM_NAME_TAKEN`.
 */
export async function renameTeam(
  db: Executor,
  id: number,
  name: string,
): Promise<{ before: TeamRecord; after: TeamRecord }> {
  const before = await requireTeam(db, id);
  if (before.name === name) {
    return { before, after: before };
  }
  await assertTeamNameFree(db, name, id);
  try {
    await db.updateTable('teams').set({ name }).where('id', '=', id).execute();
  } catch (error) {
    throw isUniqueViolation(error) ? teamNameTaken(name, error) : error;
  }
  await bumpDirectoryVersion(db);
  return { before, after: { ...before, name } };
}

/** Counts of the connected mailboxes, work items and agents with access that still belong to a team. */
export interface TeamContents {
  mailboxes: number;
  workItems: number;
  agents: number;
}

async function countTeamContents(db: Executor, id: number): Promise<TeamContents> {
  const mailboxes = await db
    .selectFrom('mailboxes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('team_id', '=', id)
    .where('disconnected_at', 'is', null)
    .executeTakeFirstOrThrow();
  const workItems = await db
    .selectFrom('work_items')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('team_id', '=', id)
    .executeTakeFirstOrThrow();
  const agents = await db
    .selectFrom('agent_teams')
    .innerJoin('agents', 'agents.id', 'agent_teams.agent_id')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('agent_teams.team_id', '=', id)
    .where('agents.removed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { mailboxes: Number(mailboxes.count), workItems: Number(workItems.count), agents: Number(agents.count) };
}

function counted(count: number, singular: string, plural: string): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

function teamNotEmpty(team: TeamRecord, contents: TeamContents): WorklinkError {
  const parts = [
    counted(contents.mailboxes, 'connected mailbox', 'connected mailboxes'),
    counted(contents.workItems, 'work item', 'work items'),
    counted(contents.agents, 'agent', 'agents'),
  ];
  // Accusative forms, because they follow "ma jeszcze".
  const polishParts = [
    polishCount(contents.mailboxes, {
      one: 'połączoną skrzynkę',
      few: 'połączone skrzynki',
      many: 'połączonych skrzynek',
    }),
    polishCount(contents.workItems, { one: 'zgłoszenie', few: 'zgłoszenia', many: 'zgłoszeń' }),
    polishCount(contents.agents, { one: 'agenta', few: 'agentów', many: 'agentów' }),
  ];
  return new WorklinkError(
    'WORKLINK_TEAM_NOT_EMPTY',
    {
      en: `Team ${team.id} "${team.name}" still has ${parts.join(', ')}: move or disconnect its mailboxes and move its agents to other teams first. Work items stay with their team, so a team that has any can only be renamed.`,
      pl: `Zespół ${team.id} "${team.name}" ma jeszcze ${polishParts.join(', ')}: najpierw przenieś lub odłącz jego skrzynki i przenieś jego agentów do innych zespołów. Zgłoszenia zostają w swoim zespole, więc zespołowi, który je ma, można tylko zmienić nazwę.`,
    },
    { details: [contents] },
  );
}

/**
 * Deletes team `id` inside `db`, which should be a transaction, once it has no
 * connected mailbox, work item or agent with access. Its creation form goes
 * with it, its disconnected mailboxes keep their history without a team, and
 * the directory version is bumped. Returns the deleted team. Throws
 * `WORKLINK_TEAM_NOT_FOUND`, and `WORKLINK_TEAM_NOT_EMPTY` with the counts.
 */
export async function deleteTeam(db: Executor, id: number): Promise<TeamRecord> {
  const team = await requireTeam(db, id);
  const contents = await countTeamContents(db, id);
  if (contents.mailboxes > 0 || contents.workItems > 0 || contents.agents > 0) {
    throw teamNotEmpty(team, contents);
  }

  try {
    await db.updateTable('mailboxes').set({ team_id: null }).where('team_id', '=', id).execute();
    // Memberships of removed agents; removing an agent deletes them, but the demo seed may add them again.
    await db.deleteFrom('agent_teams').where('team_id', '=', id).execute();
    await db.deleteFrom('team_form_fields').where('team_id', '=', id).execute();
    await db.deleteFrom('teams').where('id', '=', id).execute();
  } catch (error) {
    // A concurrent request added a mailbox or work item to the team after the counts above. PostgreSQL has
    // aborted the transaction by now, so the message cannot give the new counts.
    if (isForeignKeyViolation(error)) {
      throw new WorklinkError(
        'WORKLINK_TEAM_NOT_EMPTY',
        {
          en: `Team ${team.id} "${team.name}" got a mailbox or work item while it was being deleted: list its mailboxes and work items, then retry.`,
          pl: `Do zespołu ${team.id} "${team.name}" dodano skrzynkę lub zgłoszenie w trakcie jego usuwania: sprawdź jego skrzynki i zgłoszenia, a potem spróbuj ponownie.`,
        },
        { cause: error },
      );
    }
    throw error;
  }
  await bumpDirectoryVersion(db);
  return team;
}
