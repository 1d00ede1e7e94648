import type { SendPlanRequest } from '../../core/api-types.js';
import { findReferencesInSubject, parseReference } from '../../core/reference.js';
import { WorklinkError } from '../errors.js';
import { coreErrorText } from '../localized-text.js';
import { workItemView } from '../permissions.js';
import type { Executor } from '../repositories/executor.js';
import { findWorkItemByReference, findWorkItemsByReferences } from '../repositories/work-items.js';
import type { WorkItemRecord } from '../repositories/work-items.js';
import type { RecipientAnalysis } from './classify.js';
import type { PlanAgent } from './plan-record.js';
import { findWorkItemByConversation } from './work-item-lookup.js';

/**
 * Finds the work item an outgoing message belongs to, by the first rule that
 * gives one: the reference the agent chose, a plus-addressed mailbox among the
 * recipients, the Outlook conversation, then a reference in the subject. Only
 * the explicit choice may name another team's item that the agent can see;
 * the other rules take items of the agent's own teams. Returns undefined when
 * no rule applies.
 */
export async function resolveCurrentItem(
  db: Executor,
  agent: PlanAgent,
  request: SendPlanRequest,
  analyses: RecipientAnalysis[],
): Promise<WorkItemRecord | undefined> {
  if (request.currentReference !== undefined && request.currentReference.trim() !== '') {
    return requireVisibleItem(db, agent, request.currentReference);
  }

  const ownTeams = new Set(agent.teamIds);
  for (const analysis of analyses) {
    if (
      analysis.mailbox !== undefined &&
      analysis.taggedItem !== undefined &&
      ownTeams.has(analysis.taggedItem.teamId)
    ) {
      return analysis.taggedItem;
    }
  }

  const subjectReferences = findReferencesInSubject(request.subject);
  if (request.conversationId !== undefined && request.conversationId !== '') {
    const byConversation = await findWorkItemByConversation(db, request.conversationId, agent, subjectReferences);
    if (byConversation !== undefined) {
      return byConversation;
    }
  }

  if (subjectReferences.length > 0) {
    const items = await findWorkItemsByReferences(db, subjectReferences);
    for (const reference of subjectReferences) {
      const item = items.get(reference);
      if (item !== undefined && ownTeams.has(item.teamId)) {
        return item;
      }
    }
  }
  return undefined;
}

/**
 * Returns the work item named by `text` when the agent may see it. Throws
 * `WORKLINK_INVALID_REFERENCE` for text that is not a reference and
 * `WORKLINK_WORK_ITEM_NOT_FOUND` for an unknown or hidden item.
 */
export async function requireVisibleItem(db: Executor, agent: PlanAgent, text: string): Promise<WorkItemRecord> {
  const parsed = parseReference(text);
  if (!parsed.ok) {
    throw new WorklinkError('WORKLINK_INVALID_REFERENCE', coreErrorText(parsed.error));
  }

  const reference = parsed.value.text;
  const item = await findWorkItemByReference(db, reference);
  if (item === undefined || (await workItemView(db, agent, item.id)) === null) {
    throw new WorklinkError(
      'WORKLINK_WORK_ITEM_NOT_FOUND',
      {
        en: `Work item ${reference} was not found: check the reference, or pick one of your team's work items.`,
        pl: `Nie znaleziono zgłoszenia ${reference}: sprawdź numer albo wybierz jedno ze zgłoszeń swojego zespołu.`,
      },
      { details: [{ reference }] },
    );
  }
  return item;
}
