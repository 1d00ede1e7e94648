/**
 * Applies the agent's decision in compose mode. It commits the plan, then rewrites the
 * recipients and verifies them by reading them back with the send handler's shared code.
 * It sets the `X-Worklink-Plan` header and records the plan in `sessionData`, so the handler's
 * next run finds the plan applied and allows the send without a request.
 */
import type { CommitResponse, PlanChoice, Recipient, RecipientField } from '../../../core/api-types.js';
import type { OfficeItemApi } from '../../shared/office-async.js';
import {
  RECIPIENT_FIELDS,
  keepsEveryRecipient,
  readRecipients,
  recipientsOfField,
  rewriteField,
} from '../../shared/recipients.js';
import { SESSION_PLAN_KEY, serializeSessionPlan } from '../../shared/session-plan.js';
import type { SessionPlanRecord } from '../../shared/session-plan.js';
import type { PaneApi } from '../api/pane-api.js';
import { resolveCreatedChoices } from './plan-form.js';

/** Internet header that names the plan of a sent message; the send handler sets the same one. */
export const PLAN_HEADER = 'X-Worklink-Plan';

/** The step in progress, shown next to the spinner. */
export type ApplyStep = 'commit' | 'rewrite' | 'record';

export type ApplyErrorCode = 'WORKLINK_PLAN_RECIPIENTS_CHANGED' | 'WORKLINK_REWRITE_NOT_VERIFIED';

/** A failure of the apply steps after a successful commit; retrying repeats the commit harmlessly. */
export class ApplyError extends Error {
  readonly code: ApplyErrorCode;
  /** The recipient field that failed to verify, for `WORKLINK_REWRITE_NOT_VERIFIED`. */
  readonly field: RecipientField | undefined;

  constructor(code: ApplyErrorCode, message: string, field?: RecipientField) {
    super(`${code}: ${message}`);
    this.name = 'ApplyError';
    this.code = code;
    this.field = field;
  }
}

export interface ApplyRequest {
  planId: string;
  choices: PlanChoice[];
  /** Work item the agent picked when the plan found no current one; undefined for none. */
  currentReference?: string;
}

export interface ApplyResult {
  commit: CommitResponse;
  record: SessionPlanRecord;
}

/**
 * Runs the steps in order and reports each to `onStep`. Throws `BackendError` when the commit
 * fails, `ApplyError` when the recipients cannot be rewritten as committed, and
 * `OfficeAsyncError` when Outlook rejects a call. A field whose write failed is restored first.
 */
export async function applyDecision(
  api: OfficeItemApi,
  client: PaneApi,
  request: ApplyRequest,
  onStep: (step: ApplyStep) => void = () => undefined,
): Promise<ApplyResult> {
  onStep('commit');
  const current = await readRecipients(api);
  const commitRequest =
    request.currentReference === undefined
      ? { choices: request.choices }
      : { choices: request.choices, currentReference: request.currentReference };
  const commit = await client.commitSendPlan(request.planId, commitRequest);

  if (!keepsEveryRecipient(current, commit.recipients)) {
    throw new ApplyError(
      'WORKLINK_PLAN_RECIPIENTS_CHANGED',
      `plan ${request.planId} returned ${commit.recipients.length} recipients for the ${current.length} of this email; the recipients changed after the plan was made, so reopen the panel.`,
    );
  }

  onStep('rewrite');
  await rewriteAll(api, current, commit.recipients);

  onStep('record');
  const headers: Record<string, string> = { ...commit.headers };
  if (!headers[PLAN_HEADER]) headers[PLAN_HEADER] = request.planId;
  try {
    await api.setInternetHeaders(headers);
  } catch (error) {
    // The plus addresses already route replies; the header only helps the inbound router.
    console.warn('[worklink] could not set the X-Worklink-Plan header; sending without it', error);
  }

  const record: SessionPlanRecord = {
    planId: request.planId,
    choices: resolveCreatedChoices(request.choices, commit.createdReferences),
    recipients: commit.recipients,
    headers,
  };
  if (request.currentReference !== undefined) record.currentReference = request.currentReference;
  await api.setSessionValue(SESSION_PLAN_KEY, serializeSessionPlan(record));

  return { commit, record };
}

async function rewriteAll(api: OfficeItemApi, current: Recipient[], rewritten: Recipient[]): Promise<void> {
  for (const field of RECIPIENT_FIELDS) {
    const before = recipientsOfField(current, field);
    let outcome;
    try {
      outcome = await rewriteField(api, field, before, recipientsOfField(rewritten, field));
    } catch (error) {
      // A failed write may have left the field cleared: put the agent's recipients back.
      await api.setRecipients(field, before).catch((restoreError: unknown) => {
        console.error(`[worklink] could not restore ${field} after a failed rewrite`, restoreError);
      });
      throw error;
    }
    if (outcome === 'verified-after-retry')
      console.warn(`[worklink] ${field} read back right only after a clear and re-set`);
    if (outcome === 'mismatch') {
      throw new ApplyError(
        'WORKLINK_REWRITE_NOT_VERIFIED',
        `${field} still reads back other addresses after a clear and re-set; check the recipients and try again.`,
        field,
      );
    }
  }
}
