import { WorklinkError } from '../errors.js';
import { isUniqueViolation, now } from './executor.js';
import type { Executor } from './executor.js';

export interface AgentRecord {
  id: number;
  email: string;
  displayName: string;
  isAdmin: boolean;
  teamIds: number[];
  /** ISO 8601 time at which an admin removed the agent, or null while the agent has access. */
  removedAt: string | null;
}

async function teamIdsOf(db: Executor, agentId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('agent_teams')
    .select('team_id')
    .where('agent_id', '=', agentId)
    .orderBy('team_id')
    .execute();
  return rows.map((row) => row.team_id);
}

/** Finds an agent with access by email, compared case-insensitively; a removed agent is not found. */
export async function findAgentByEmail(db: Executor, email: string): Promise<AgentRecord | undefined> {
  const row = await db
    .selectFrom('agents')
    .selectAll()
    .where('email', '=', email.toLowerCase())
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) {
    return undefined;
  }
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    isAdmin: row.is_admin === 1,
    teamIds: await teamIdsOf(db, row.id),
    removedAt: null,
  };
}

/** Returns when the agent with `email` was removed, or undefined when no removed agent has it. */
export async function findRemovalTime(db: Executor, email: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('agents')
    .select('removed_at')
    .where('email', '=', email.toLowerCase())
    .where('removed_at', 'is not', null)
    .executeTakeFirst();
  return row?.removed_at ?? undefined;
}

/** Builds the error for a token or dev sign-in of an agent that an admin removed at `removedAt`. */
export function agentRemovedError(email: string, removedAt: string): WorklinkError {
  return new WorklinkError('WORKLINK_AGENT_REMOVED', {
    en: `${email} was removed from Worklink at ${removedAt}: ask an admin to add the agent again with POST /api/v1/admin/agents.`,
    pl: `Agent ${email} został usunięty z Worklink ${removedAt}: poproś administratora, aby dodał go ponownie przez POST /api/v1/admin/agents.`,
  });
}

/** Lists agents by id, only those with access unless `includeRemoved`, or only agent `id` when given. */
export async function listAgents(
  db: Executor,
  options: { includeRemoved: boolean; id?: number } = { includeRemoved: false },
): Promise<AgentRecord[]> {
  let query = db.selectFrom('agents').selectAll().orderBy('id');
  let memberships = db.selectFrom('agent_teams').selectAll().orderBy('team_id');
  if (!options.includeRemoved) {
    query = query.where('removed_at', 'is', null);
  }
  if (options.id !== undefined) {
    query = query.where('id', '=', options.id);
    memberships = memberships.where('agent_id', '=', options.id);
  }
  const rows = await query.execute();
  const teamsOf = new Map<number, number[]>();
  for (const membership of await memberships.execute()) {
    teamsOf.set(membership.agent_id, [...(teamsOf.get(membership.agent_id) ?? []), membership.team_id]);
  }
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    isAdmin: row.is_admin === 1,
    // A removed agent has no memberships, whatever rows were added since.
    teamIds: row.removed_at === null ? (teamsOf.get(row.id) ?? []) : [],
    removedAt: row.removed_at,
  }));
}

/** Replaces the team memberships of agent `id` with `teamIds`; returns them deduplicated and sorted. */
export async function setAgentTeams(db: Executor, id: number, teamIds: readonly number[]): Promise<number[]> {
  const unique = [...new Set(teamIds)].sort((a, b) => a - b);
  await db.deleteFrom('agent_teams').where('agent_id', '=', id).execute();
  if (unique.length > 0) {
    await db
      .insertInto('agent_teams')
      .values(unique.map((teamId) => ({ agent_id: id, team_id: teamId })))
      .execute();
  }
  return unique;
}

/**
 * Inserts an agent with its team memberships, inside `db`, which should be a
 * transaction. The caller checks that the teams exist. When a removed agent has
 * the email, that row gets access again with the new name, admin flag and
 * teams, so its audit history stays under one id, and `restored` is
 * true. Throws `WORKLINK_AGENT_EMAIL_TAKEN` when an agent with access has
 * the email.
 */
export async function createAgent(
  db: Executor,
  agent: { email: string; displayName: string; isAdmin: boolean; teamIds: number[] },
): Promise<AgentRecord & { restored: boolean }> {
  const email = agent.email.toLowerCase();
  const emailTaken = (options: { id?: number; cause?: unknown }) =>
    new WorklinkError(
      'WORKLINK_AGENT_EMAIL_TAKEN',
      {
        en: `An agent with the email "${email}" already exists: change that agent with PATCH /api/v1/admin/agents/${options.id ?? '{id}'}.`,
        pl: `Agent z adresem e-mail "${email}" już istnieje: zmień tego agenta przez PATCH /api/v1/admin/agents/${options.id ?? '{id}'}.`,
      },
      options.cause === undefined ? {} : { cause: options.cause },
    );

  const existing = await db
    .selectFrom('agents')
    .select(['id', 'removed_at'])
    .where('email', '=', email)
    .executeTakeFirst();
  let id: number;
  if (existing !== undefined) {
    if (existing.removed_at === null) {
      throw emailTaken({ id: existing.id });
    }
    // The condition on `removed_at` makes a concurrent restore of the same agent update nothing here.
    const result = await db
      .updateTable('agents')
      .set({ display_name: agent.displayName, is_admin: agent.isAdmin ? 1 : 0, removed_at: null })
      .where('id', '=', existing.id)
      .where('removed_at', 'is not', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) {
      throw emailTaken({ id: existing.id });
    }
    id = existing.id;
  } else {
    try {
      const row = await db
        .insertInto('agents')
        .values({ email, display_name: agent.displayName, is_admin: agent.isAdmin ? 1 : 0, created_at: now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      id = row.id;
    } catch (error) {
      // A concurrent request added the same email between the check and the insert.
      if (isUniqueViolation(error)) {
        throw emailTaken({ cause: error });
      }
      throw error;
    }
  }

  const teamIds = await setAgentTeams(db, id, agent.teamIds);
  return {
    id,
    email,
    displayName: agent.displayName,
    isAdmin: agent.isAdmin,
    teamIds,
    removedAt: null,
    restored: existing !== undefined,
  };
}

/**
 * Makes sure every address in `emails` is an admin agent with access, creating
 * missing ones with the local part as display name and giving a removed one
 * access again. Safe to run on every start.
 */
export async function ensureAdminAgents(db: Executor, emails: readonly string[]): Promise<void> {
  for (const raw of emails) {
    const email = raw.toLowerCase();
    // Updating first keeps each start from using up an id: an insert that meets a conflict still draws from the sequence.
    const updated = await db
      .updateTable('agents')
      .set({ is_admin: 1, removed_at: null })
      .where('email', '=', email)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) {
      continue;
    }
    await db
      .insertInto('agents')
      .values({ email, display_name: email.split('@')[0] ?? email, is_admin: 1, created_at: now() })
      .onConflict((conflict) => conflict.column('email').doUpdateSet({ is_admin: 1, removed_at: null }))
      .execute();
  }
}
