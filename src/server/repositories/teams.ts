import { WorklinkError } from '../errors.js';
import { isUniqueViolation, now } from './executor.js';
import type { Executor } from './executor.js';

export interface TeamRecord {
  id: number;
  name: string;
  createdAt: string;
}

/** Inserts a team; throws `WORKLINK_TEAM_NAME_TAKEN` when the name exists. */
export async function createTeam(db: Executor, name: string): Promise<TeamRecord> {
  const createdAt = now();
  try {
    const row = await db
      .insertInto('teams')
      .values({ name, created_at: createdAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, name, createdAt };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new WorklinkError(
        'WORKLINK_TEAM_NAME_TAKEN',
        `A team named "${name}" already exists: choose another name.`,
        {
          cause: error,
        },
      );
    }
    throw error;
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
    throw new WorklinkError(
      'WORKLINK_TEAM_NOT_FOUND',
      `Team ${id} does not exist: list teams with GET /api/v1/admin/teams.`,
    );
  }
  return team;
}
