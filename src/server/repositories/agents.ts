import { WorklinkError } from '../errors.js';
import { isUniqueViolation, now } from './executor.js';
import type { Executor } from './executor.js';

export interface AgentRecord {
  id: number;
  email: string;
  displayName: string;
  isAdmin: boolean;
  teamIds: number[];
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

/** Finds an agent by email, compared case-insensitively. */
export async function findAgentByEmail(db: Executor, email: string): Promise<AgentRecord | undefined> {
  const row = await db.selectFrom('agents').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  if (row === undefined) {
    return undefined;
  }
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    isAdmin: row.is_admin === 1,
    teamIds: await teamIdsOf(db, row.id),
  };
}

export async function listAgents(db: Executor): Promise<AgentRecord[]> {
  const rows = await db.selectFrom('agents').selectAll().orderBy('id').execute();
  const memberships = await db.selectFrom('agent_teams').selectAll().orderBy('team_id').execute();
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    isAdmin: row.is_admin === 1,
    teamIds: memberships.filter((membership) => membership.agent_id === row.id).map((membership) => membership.team_id),
  }));
}

/**
 * Inserts an agent with its team memberships. The caller checks that the
 * teams exist. Throws `WORKLINK_AGENT_EMAIL_TAKEN` when the email exists.
 */
export async function createAgent(
  db: Executor,
  agent: { email: string; displayName: string; isAdmin: boolean; teamIds: number[] },
): Promise<AgentRecord> {
  const email = agent.email.toLowerCase();
  let id: number;
  try {
    const row = await db
      .insertInto('agents')
      .values({ email, display_name: agent.displayName, is_admin: agent.isAdmin ? 1 : 0, created_at: now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    id = row.id;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new WorklinkError('WORKLINK_AGENT_EMAIL_TAKEN', `An agent with the email "${email}" already exists.`, {
        cause: error,
      });
    }
    throw error;
  }

  const teamIds = [...new Set(agent.teamIds)].sort((a, b) => a - b);
  if (teamIds.length > 0) {
    await db
      .insertInto('agent_teams')
      .values(teamIds.map((teamId) => ({ agent_id: id, team_id: teamId })))
      .execute();
  }
  return { id, email, displayName: agent.displayName, isAdmin: agent.isAdmin, teamIds };
}

/**
 * Makes sure every address in `emails` is an admin agent, creating missing
 * ones with the local part as display name. Safe to run on every start.
 */
export async function ensureAdminAgents(db: Executor, emails: readonly string[]): Promise<void> {
  for (const raw of emails) {
    const email = raw.toLowerCase();
    await db
      .insertInto('agents')
      .values({ email, display_name: email.split('@')[0] ?? email, is_admin: 1, created_at: now() })
      .onConflict((conflict) => conflict.column('email').doUpdateSet({ is_admin: 1 }))
      .execute();
  }
}
