/**
 * The send plan recorded in the compose item's `sessionData` (Mailbox 1.11). The task pane
 * writes it after the agent decides. The send handler reads it to skip work that is already
 * done, and writes it after its own commit.
 */
import type { PlanChoice, Recipient } from '../../core/api-types.js';

export const SESSION_PLAN_KEY = 'worklink.plan';

export interface SessionPlanRecord {
  /** Id of the committed send plan; the handler sends it as the `X-Worklink-Plan` header. */
  planId: string;
  /**
   * Choices as committed, one per connected mailbox of another team. Writers record a `create`
   * choice as `share` of the reference it created, so that a later plan never creates it twice.
   */
  choices: PlanChoice[];
  /** Work item the agent picked as the current one, when the plan found none. */
  currentReference?: string;
  /**
   * Recipients the plan was requested for, before any rewrite. When the item's recipients still
   * match them, the handler commits this plan again instead of requesting a new one, which
   * creates nothing because the commit is idempotent on the plan id.
   */
  planRecipients?: Recipient[];
  /**
   * Recipients as rewritten after the commit. When the item's recipients still
   * match them, the plan is applied and the handler allows the send without any request.
   * Absent when the pane recorded its choices but did not rewrite.
   */
  recipients?: Recipient[];
  /** Internet headers from the commit response. */
  headers?: Record<string, string>;
}

function isChoice(value: unknown): value is PlanChoice {
  if (!value || typeof value !== 'object') return false;
  const choice = value as Record<string, unknown>;
  return (
    typeof choice.mailbox === 'string' &&
    (choice.action === 'share' || choice.action === 'create' || choice.action === 'plain') &&
    (choice.reference === undefined || typeof choice.reference === 'string')
  );
}

function isRecipient(value: unknown): value is Recipient {
  if (!value || typeof value !== 'object') return false;
  const recipient = value as Record<string, unknown>;
  return (
    (recipient.field === 'to' || recipient.field === 'cc' || recipient.field === 'bcc') &&
    typeof recipient.emailAddress === 'string' &&
    typeof recipient.displayName === 'string'
  );
}

/** Tells whether `value` is absent or a well-formed list of recipients. */
function isRecipientList(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every(isRecipient));
}

/**
 * Parses the stored record. Returns `null` for a missing value and for anything that is not a
 * well-formed record, because a damaged record must not block sending. The handler then
 * requests a new plan.
 */
export function parseSessionPlan(raw: string | null | undefined): SessionPlanRecord | null {
  if (typeof raw !== 'string' || raw === '') return null;

  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;

  const record = value as Record<string, unknown>;
  if (typeof record.planId !== 'string' || record.planId === '') return null;
  if (!Array.isArray(record.choices) || !record.choices.every(isChoice)) return null;
  if (!isRecipientList(record.recipients) || !isRecipientList(record.planRecipients)) return null;

  const parsed: SessionPlanRecord = { planId: record.planId, choices: record.choices };
  if (typeof record.currentReference === 'string') parsed.currentReference = record.currentReference;
  if (record.planRecipients !== undefined) parsed.planRecipients = record.planRecipients as Recipient[];
  if (record.recipients !== undefined) parsed.recipients = record.recipients as Recipient[];
  if (record.headers && typeof record.headers === 'object') parsed.headers = record.headers as Record<string, string>;
  return parsed;
}

export function serializeSessionPlan(record: SessionPlanRecord): string {
  return JSON.stringify(record);
}
