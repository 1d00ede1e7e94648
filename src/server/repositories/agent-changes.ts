import { PostgresAdapter } from 'kysely';
import { WorklinkError } from '../errors.js';
import { listAgents, setAgentTeams } from './agents.js';
import type { AgentRecord } from './agents.js';
import { now } from './executor.js';
import type { Executor } from './executor.js';

/*
 * Admin changes to agents after they were added. Removing an agent keeps its
 * row, because `audit_log` and `send_plans` name agents by id, but takes its
 * access: authentication finds only agents whose `removed_at` is null.
 */

/** Changes of `updateAgent`; a field left out keeps its value. */
export interface AgentChanges {
  displayName?: string;
  isAdmin?: boolean;
  /** Replaces all memberships. The caller checks that the teams exist. */
  teamIds?: number[];
}

/** Builds the `WORKLINK_AGENT_NOT_FOUND` error for agent `id`, with a message for a missing or a removed agent. */
function agentNotFound(id: number, record: AgentRecord | undefined): WorklinkError {
  if (record === undefined) {
    return new WorklinkError('WORKLINK_AGENT_NOT_FOUND', {
      en: `Agent ${id} does not exist: list agents with GET /api/v1/admin/agents.`,
      pl: `Agent ${id} nie istnieje: sprawdź listę agentów przez GET /api/v1/admin/agents.`,
    });
  }
  return new WorklinkError('WORKLINK_AGENT_NOT_FOUND', {
    en: `Agent ${id} (${record.email}) was removed at ${record.removedAt}: add the agent again with POST /api/v1/admin/agents and its email.`,
    pl: `Agent ${id} (${record.email}) został usunięty ${record.removedAt}: dodaj go ponownie przez POST /api/v1/admin/agents z jego adresem e-mail.`,
  });
}

/** Returns agent `id` if it has access; throws `WORKLINK_AGENT_NOT_FOUND` when it does not exist or was removed. */
export async function requireActiveAgent(db: Executor, id: number): Promise<AgentRecord> {
  const [record] = await listAgents(db, { includeRemoved: true, id });
  if (record === undefined || record.removedAt !== null) {
    throw agentNotFound(id, record);
  }
  return record;
}

/**
 * Throws unless another admin with access remains when `agent` stops being
 * one: `WORKLINK_CONFIGURED_ADMIN` when its email is in `configuredAdmins`
 * (`WORKLINK_ADMIN_EMAILS`, which would make it an admin again at the next
 * start), and `WORKLINK_LAST_ADMIN` when it is the only admin. On PostgreSQL the
 * admin rows stay locked until the transaction ends, so two admins who demote
 * each other at the same time cannot both succeed. SQLite runs one write
 * transaction at a time.
 */
async function assertAnotherAdminRemains(
  db: Executor,
  agent: AgentRecord,
  configuredAdmins: readonly string[],
  action: 'demote' | 'remove',
): Promise<void> {
  if (configuredAdmins.includes(agent.email)) {
    throw new WorklinkError('WORKLINK_CONFIGURED_ADMIN', {
      en: `${agent.email} is listed in WORKLINK_ADMIN_EMAILS, which makes it an admin at every start, so it cannot be ${action === 'demote' ? 'demoted' : 'removed'} here: set WORKLINK_ADMIN_EMAILS without it and restart the server first. With WORKLINK_SEED=demo an unset or empty WORKLINK_ADMIN_EMAILS means admin@contoso.example; set it to \`,\` for no configured admin.`,
      pl: `Adres ${agent.email} jest na liście WORKLINK_ADMIN_EMAILS, więc ten agent staje się administratorem przy każdym uruchomieniu i nie można tu ${action === 'demote' ? 'odebrać mu uprawnień administratora' : 'go usunąć'}: najpierw usuń ten adres z WORKLINK_ADMIN_EMAILS i uruchom serwer ponownie. Przy WORKLINK_SEED=demo nieustawiona lub pusta zmienna WORKLINK_ADMIN_EMAILS oznacza admin@contoso.example; ustaw ją na \`,\`, aby żaden administrator nie był skonfigurowany.`,
    });
  }

  let admins = db.selectFrom('agents').select('id').where('is_admin', '=', 1).where('removed_at', 'is', null);
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    admins = admins.forUpdate();
  }
  const others = (await admins.execute()).filter((row) => row.id !== agent.id);
  if (others.length === 0) {
    throw new WorklinkError('WORKLINK_LAST_ADMIN', {
      en: `${agent.email} is the last admin, and ${action === 'demote' ? 'demoting' : 'removing'} it would leave nobody to manage Worklink: make another agent an admin first.`,
      pl: `Agent ${agent.email} jest ostatnim administratorem, a ${action === 'demote' ? 'odebranie mu uprawnień' : 'jego usunięcie'} zostawiłoby Worklink bez nikogo, kto mógłby nim zarządzać: najpierw nadaj uprawnienia administratora innemu agentowi.`,
    });
  }
}

/**
 * Applies `changes` to agent `id` inside `db`, which should be a transaction.
 * Returns the agent before and after, equal when nothing changed. Throws
 * `WORKLINK_AGENT_NOT_FOUND` as `requireActiveAgent` does, and
 * `WORKLINK_CONFIGURED_ADMIN` or `WORKLINK_LAST_ADMIN` when the change would
 * demote an admin who must stay one.
 */
export async function updateAgent(
  db: Executor,
  id: number,
  changes: AgentChanges,
  configuredAdmins: readonly string[],
): Promise<{ before: AgentRecord; after: AgentRecord }> {
  const before = await requireActiveAgent(db, id);

  const set: { display_name?: string; is_admin?: number } = {};
  if (changes.displayName !== undefined && changes.displayName !== before.displayName) {
    set.display_name = changes.displayName;
  }
  if (changes.isAdmin !== undefined && changes.isAdmin !== before.isAdmin) {
    if (!changes.isAdmin) {
      await assertAnotherAdminRemains(db, before, configuredAdmins, 'demote');
    }
    set.is_admin = changes.isAdmin ? 1 : 0;
  }
  const teamIds = changes.teamIds === undefined ? undefined : [...new Set(changes.teamIds)].sort((a, b) => a - b);
  const teamsChanged =
    teamIds !== undefined &&
    (teamIds.length !== before.teamIds.length || teamIds.some((teamId, index) => teamId !== before.teamIds[index]));
  if (Object.keys(set).length === 0 && !teamsChanged) {
    return { before, after: before };
  }

  if (Object.keys(set).length > 0) {
    const result = await db
      .updateTable('agents')
      .set(set)
      .where('id', '=', id)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) {
      throw agentNotFound(id, (await listAgents(db, { includeRemoved: true, id }))[0]);
    }
  }
  if (teamsChanged) {
    await setAgentTeams(db, id, teamIds);
  }
  return { before, after: await requireActiveAgent(db, id) };
}

/**
 * Removes agent `id` inside `db`, which should be a transaction: sets
 * `removed_at`, clears the admin flag and deletes its team memberships. Its
 * audit records, send plans and the work items it created stay. Returns the
 * agent as it was before. Throws `WORKLINK_AGENT_NOT_FOUND` as
 * `requireActiveAgent` does, and `WORKLINK_CONFIGURED_ADMIN` or
 * `WORKLINK_LAST_ADMIN` for an admin who must stay one.
 */
export async function removeAgent(
  db: Executor,
  id: number,
  configuredAdmins: readonly string[],
): Promise<{ before: AgentRecord; removedAt: string }> {
  const before = await requireActiveAgent(db, id);
  if (before.isAdmin) {
    await assertAnotherAdminRemains(db, before, configuredAdmins, 'remove');
  }

  const removedAt = now();
  const result = await db
    .updateTable('agents')
    .set({ removed_at: removedAt, is_admin: 0 })
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) {
    throw agentNotFound(id, (await listAgents(db, { includeRemoved: true, id }))[0]);
  }
  await db.deleteFrom('agent_teams').where('agent_id', '=', id).execute();
  return { before, removedAt };
}
