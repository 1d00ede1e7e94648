import { randomUUID } from 'node:crypto';
import type {
  ClassifiedRecipient,
  FormField,
  LinkedItemSummary,
  PlanDecision,
  SendPlanRequest,
  SendPlanResponse,
} from '../../core/api-types.js';
import { WorklinkError } from '../errors.js';
import { polishCount } from '../localized-text.js';
import { workItemViews } from '../permissions.js';
import type { Executor } from '../repositories/executor.js';
import { getDirectory } from '../repositories/directory-cache.js';
import { listLinkedItems } from '../repositories/work-items.js';
import type { WorkItemRecord } from '../repositories/work-items.js';
import { classifyRecipients } from './classify.js';
import type { RecipientAnalysis } from './classify.js';
import { resolveCurrentItem } from './current-item.js';
import type { ConnectedMailbox } from './mailbox-lookup.js';
import { insertPlan } from './plan-record.js';
import type { PlanAgent, StoredPlan } from './plan-record.js';

/** More recipients than this are rejected with 413; Exchange Online's own limit per message is 500. */
export const maxPlanRecipients = 500;

/**
 * Classifies the recipients of an outgoing message, finds the current work
 * item, lists the decisions the agent must make and stores the plan.
 * Throws `WORKLINK_TOO_MANY_RECIPIENTS`, `WORKLINK_INVALID_RECIPIENT`,
 * `WORKLINK_INVALID_REFERENCE` or `WORKLINK_WORK_ITEM_NOT_FOUND`.
 */
export async function createSendPlan(
  db: Executor,
  agent: PlanAgent,
  request: SendPlanRequest,
): Promise<SendPlanResponse> {
  if (request.recipients.length > maxPlanRecipients) {
    const count = polishCount(request.recipients.length, { one: 'adresata', few: 'adresatów', many: 'adresatów' });
    throw new WorklinkError('WORKLINK_TOO_MANY_RECIPIENTS', {
      en: `The message has ${request.recipients.length} recipients, more than the ${maxPlanRecipients} a send plan accepts: split it into several messages.`,
      pl: `Wiadomość ma ${count}, a plan wysyłki przyjmuje najwyżej ${maxPlanRecipients}: podziel ją na kilka wiadomości.`,
    });
  }

  const directory = await getDirectory(db);
  const { settings } = directory;
  const separator = settings.plusAddressing.separator;
  const analyses = await classifyRecipients(db, request.recipients, directory, agent.teamIds);

  const current = await resolveCurrentItem(db, agent, request, analyses);
  const mailboxes = collectMailboxes(analyses);
  const rewriting = settings.plusAddressing.mode !== 'off';

  const otherTeamMailboxes = rewriting
    ? [...mailboxes.values()].filter((mailbox) => !agent.teamIds.includes(mailbox.teamId))
    : [];
  const decisions = await buildDecisions(db, agent, otherTeamMailboxes, current, directory.forms);
  const satisfiedMailboxes: string[] = [];
  for (const decision of decisions) {
    const settled = settledReferences(decision, analyses);
    if (settled !== undefined) {
      satisfiedMailboxes.push(decision.mailbox);
      // The send handler commits the defaults when nothing is pending, so a settled
      // mailbox must default to what it already carries, never to a new work item.
      const only = settled.length === 1 ? settled[0] : undefined;
      decision.defaultChoice = only === undefined ? { action: 'plain' } : { action: 'share', reference: only };
    }
  }

  const needsCurrentItem = current === undefined && decisions.length > 0;
  const response: SendPlanResponse = {
    id: randomUUID(),
    currentReference: current?.reference ?? null,
    recipients: analyses.map((analysis) => analysis.classified),
    decisionNeeded: decisions.length > satisfiedMailboxes.length,
    decisions,
    needsCurrentItem,
  };

  const stored: StoredPlan = {
    response,
    mode: settings.plusAddressing.mode,
    separator,
    mailboxes: [...mailboxes.values()],
    satisfiedMailboxes,
    displayNameMatches: analyses.filter((analysis) => analysis.matchedByDisplayName).map((analysis) => analysis.index),
  };
  await insertPlan(db, { id: response.id, agentId: agent.id, currentWorkItemId: current?.id ?? null, request, stored });
  return response;
}

function collectMailboxes(analyses: RecipientAnalysis[]): Map<string, ConnectedMailbox> {
  const mailboxes = new Map<string, ConnectedMailbox>();
  for (const analysis of analyses) {
    if (analysis.mailbox !== undefined) {
      mailboxes.set(analysis.mailbox.address, analysis.mailbox);
    }
  }
  return mailboxes;
}

/**
 * Builds one decision per connected mailbox of another team, in the order the
 * mailboxes first appear among the recipients. `forms` comes from the cached
 * directory and is shared, so the decisions must not change it.
 */
async function buildDecisions(
  db: Executor,
  agent: PlanAgent,
  mailboxes: ConnectedMailbox[],
  current: WorkItemRecord | undefined,
  forms: ReadonlyMap<number, FormField[]>,
): Promise<PlanDecision[]> {
  if (mailboxes.length === 0) {
    return [];
  }

  const linked = current === undefined ? [] : await listLinkedItems(db, current.id);
  const teamIds = new Set(mailboxes.map((mailbox) => mailbox.teamId));
  // One query for all linked items of the decision teams, rather than one or two per item.
  const views = await workItemViews(
    db,
    agent,
    linked.filter((item) => teamIds.has(item.teamId)).map((item) => item.id),
  );
  const decisions: PlanDecision[] = [];

  for (const mailbox of mailboxes) {
    const linkedItems: LinkedItemSummary[] = [];
    for (const item of linked.filter((candidate) => candidate.teamId === mailbox.teamId)) {
      const view = views.get(item.id);
      if (view === undefined) {
        continue;
      }
      const summary: LinkedItemSummary = {
        reference: item.reference,
        type: item.type,
        teamId: item.teamId,
        status: item.status,
        view,
      };
      // The header view shows no fields, and a title is one.
      if (view === 'full') {
        summary.title = item.title;
      }
      linkedItems.push(summary);
    }

    const onlyItem = linkedItems.length === 1 ? linkedItems[0] : undefined;
    decisions.push({
      mailbox: mailbox.address,
      teamId: mailbox.teamId,
      teamName: mailbox.teamName,
      linkedItems,
      form: forms.get(mailbox.teamId) ?? [],
      defaultChoice: onlyItem ? { action: 'share', reference: onlyItem.reference } : { action: 'create' },
    });
  }
  return decisions;
}

/**
 * Returns the distinct references that the recipients of a decision's mailbox
 * carry, when each is one of its linked items, as after an earlier commit of
 * the same message. Returns undefined while the decision is still open.
 */
function settledReferences(decision: PlanDecision, analyses: RecipientAnalysis[]): string[] | undefined {
  const linkedReferences = new Set(decision.linkedItems.map((item) => item.reference));
  const recipients: ClassifiedRecipient[] = analyses
    .filter((analysis) => analysis.mailbox?.address === decision.mailbox)
    .map((analysis) => analysis.classified);

  const carried = new Set<string>();
  for (const recipient of recipients) {
    if (recipient.reference === undefined || !linkedReferences.has(recipient.reference)) {
      return undefined;
    }
    carried.add(recipient.reference);
  }
  return [...carried];
}
