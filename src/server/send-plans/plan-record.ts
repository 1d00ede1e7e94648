import type { PlusAddressingMode, SendPlanRequest, SendPlanResponse } from '../../core/api-types.js';
import { ReusableQuery } from '../db/reusable-query.js';
import { WorklinkError } from '../errors.js';
import { now, parseJson } from '../repositories/executor.js';
import type { Executor } from '../repositories/executor.js';
import type { ConnectedMailbox } from './mailbox-lookup.js';

/** The authenticated agent, as far as send plans need it. */
export interface PlanAgent {
  id: number;
  teamIds: number[];
}

/**
 * Data the commit needs besides the response the agent saw. It is stored with
 * the plan so that the commit acts on what the agent decided about, even if
 * an admin changes mailboxes or settings in between.
 */
export interface StoredPlan {
  response: SendPlanResponse;
  mode: PlusAddressingMode;
  separator: string;
  /** Connected mailboxes among the recipients, by primary address. */
  mailboxes: ConnectedMailbox[];
  /** Decision mailboxes whose recipients already carry a linked reference of their team. */
  satisfiedMailboxes: string[];
  /** Positions of the recipients that matched their mailbox by display name, not by address. */
  displayNameMatches: number[];
}

export interface PlanRow {
  id: string;
  agentId: number;
  currentWorkItemId: number | null;
  conversationId: string | null;
  subject: string;
  state: string;
  plan: StoredPlan;
  commitResult: string | null;
}

type NewPlanRow = [
  id: string,
  agentId: number,
  currentWorkItemId: number | null,
  conversationId: string | null,
  subject: string,
  request: string,
  plan: string,
  createdAt: string,
];

// Every send plan request stores one row, so its insert skips Kysely's query building.
const insertPlanRow = new ReusableQuery<NewPlanRow, unknown>(
  8,
  (db, id, agentId, currentWorkItemId, conversationId, subject, request, plan, createdAt) =>
    db.insertInto('send_plans').values({
      id,
      agent_id: agentId,
      current_work_item_id: currentWorkItemId,
      conversation_id: conversationId,
      subject,
      request,
      plan,
      state: 'pending',
      commit_result: null,
      created_at: createdAt,
      committed_at: null,
    }),
);

export async function insertPlan(
  db: Executor,
  plan: { id: string; agentId: number; currentWorkItemId: number | null; request: SendPlanRequest; stored: StoredPlan },
): Promise<void> {
  await insertPlanRow.execute(
    db,
    plan.id,
    plan.agentId,
    plan.currentWorkItemId,
    plan.request.conversationId ?? null,
    plan.request.subject,
    JSON.stringify(plan.request),
    JSON.stringify(plan.stored),
    now(),
  );
}

/** True for the canonical text form of a UUID, the only form plan ids take. */
export function isPlanId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * Loads a plan of `agentId`. Throws `WORKLINK_SEND_PLAN_NOT_FOUND` when the
 * plan does not exist or belongs to another agent, so that its existence is
 * not revealed.
 */
export async function loadPlanOf(db: Executor, planId: string, agentId: number): Promise<PlanRow> {
  const row = isPlanId(planId)
    ? await db.selectFrom('send_plans').selectAll().where('id', '=', planId.toLowerCase()).executeTakeFirst()
    : undefined;

  if (row === undefined || row.agent_id !== agentId) {
    throw new WorklinkError('WORKLINK_SEND_PLAN_NOT_FOUND', {
      en: `Send plan "${planId}" was not found for this agent: request a new plan with POST /api/v1/send-plans.`,
      pl: `Nie znaleziono planu wysyłki "${planId}" dla tego agenta: poproś o nowy plan przez POST /api/v1/send-plans.`,
    });
  }

  const plan = parseJson<StoredPlan | null>(row.plan, null);
  if (plan === null) {
    throw new Error(`Send plan ${row.id} has a plan column that is not valid JSON.`);
  }
  return {
    id: row.id,
    agentId: row.agent_id,
    currentWorkItemId: row.current_work_item_id,
    conversationId: row.conversation_id,
    subject: row.subject,
    state: row.state,
    plan,
    commitResult: row.commit_result,
  };
}

/**
 * Deletes the plans that were never committed and were created before `createdBefore`, an ISO
 * timestamp, and returns how many. Committed plans stay: the inbound router reads their
 * rewritten recipients when a reply carries `X-Worklink-Plan`.
 */
export async function deletePendingPlans(db: Executor, createdBefore: string): Promise<number> {
  const result = await db
    .deleteFrom('send_plans')
    .where('state', '=', 'pending')
    .where('created_at', '<', createdBefore)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
