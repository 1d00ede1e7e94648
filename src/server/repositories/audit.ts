import { now, parseJson } from './executor.js';
import type { Executor } from './executor.js';

export interface AuditEntry {
  actorAgentId: number | null;
  /** Verb and object, such as `team.create` or `settings.update`. */
  action: string;
  subjectType: string;
  subjectId: string | number;
  detail: Record<string, unknown>;
}

export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_agent_id: entry.actorAgentId,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: String(entry.subjectId),
      detail: JSON.stringify(entry.detail),
      created_at: now(),
    })
    .execute();
}

/** Returns the newest audit entries first, at most `limit`. */
export async function listAudit(
  db: Executor,
  limit = 100,
): Promise<Array<AuditEntry & { id: number; subjectId: string; createdAt: string }>> {
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    id: row.id,
    actorAgentId: row.actor_agent_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    detail: parseJson<Record<string, unknown>>(row.detail, {}),
    createdAt: row.created_at,
  }));
}

/**
 * Lists the `keys` whose values differ between `before` and `after`, each as
 * `{ from, to }`, for the detail of an update's audit entry. Arrays are
 * compared by their JSON text, so their order counts.
 */
export function changedFields<T extends object>(
  before: T,
  after: T,
  keys: readonly (keyof T & string)[],
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of keys) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changes[key] = { from: before[key], to: after[key] };
    }
  }
  return changes;
}
