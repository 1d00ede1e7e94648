import type { CommitRequest, CommitResponse, PlanChoice, PlanDecision } from '../../core/api-types.js';
import { normalizeSubject } from '../../core/subject.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { WorklinkError } from '../errors.js';
import type { EventBus, WorklinkEvents } from '../notifications/bus.js';
import { recordAudit } from '../repositories/audit.js';
import { now, parseJson } from '../repositories/executor.js';
import { recordConversation, recordConversationView } from '../repositories/messages.js';
import type { Executor } from '../repositories/executor.js';
import { createWorkItem, findWorkItemById, linkWorkItems } from '../repositories/work-items.js';
import type { WorkItemRecord } from '../repositories/work-items.js';
import { requireVisibleItem } from './current-item.js';
import { loadTeamForms, validateFormEntries } from './form-fields.js';
import type { ConnectedMailbox } from './mailbox-lookup.js';
import { loadPlanOf } from './plan-record.js';
import type { PlanAgent, PlanRow } from './plan-record.js';
import { rewritePlanRecipients } from './plan-rewrite.js';
import { areLinked } from './work-item-lookup.js';

/** An event to publish once the commit's transaction has committed. */
type PendingEvent =
  { name: 'link'; payload: WorklinkEvents['link'] } | { name: 'work-item'; payload: WorklinkEvents['work-item'] };

interface CommitOutcome {
  response: CommitResponse;
  events: PendingEvent[];
}

/**
 * Commits a send plan: creates the chosen work items and links, records the
 * conversation, and returns the rewritten recipients. Runs in one transaction
 * and is idempotent on the plan id: the first commit claims the plan with a
 * conditional update, and every later or concurrent commit waits for that
 * claim to end (a row lock on PostgreSQL, the single writer on SQLite) and
 * then returns the stored response unchanged. Throws `WORKLINK_SEND_PLAN_NOT_FOUND`
 * for a plan of another agent, and a coded 4xx error for an invalid choice,
 * in which case nothing is written and the plan stays pending.
 */
export async function commitSendPlan(
  db: Kysely<Database>,
  agent: PlanAgent,
  planId: string,
  request: CommitRequest,
  events?: EventBus,
): Promise<CommitResponse> {
  const outcome = await db.transaction().execute(async (tx) => {
    const plan = await loadPlanOf(tx, planId, agent.id);

    const claim = await tx
      .updateTable('send_plans')
      .set({ state: 'committing' })
      .where('id', '=', plan.id)
      .where('state', '=', 'pending')
      .executeTakeFirst();

    if (Number(claim.numUpdatedRows) === 0) {
      return { response: await readCommittedAnswer(tx, plan.id), events: [] };
    }

    const result = await applyPlan(tx, agent, plan, request);
    await tx
      .updateTable('send_plans')
      .set({ state: 'committed', commit_result: JSON.stringify(result.response), committed_at: now() })
      .where('id', '=', plan.id)
      .execute();
    return result;
  });

  for (const event of outcome.events) {
    if (event.name === 'link') {
      events?.emit('link', event.payload);
    } else {
      events?.emit('work-item', event.payload);
    }
  }
  return outcome.response;
}

/**
 * Reads the commit response of a plan that another commit claimed. By the time the
 * claim failed, that commit has ended: PostgreSQL made the update wait for
 * the row lock, and SQLite runs one transaction at a time.
 */
async function readCommittedAnswer(tx: Executor, planId: string): Promise<CommitResponse> {
  const row = await tx
    .selectFrom('send_plans')
    .select(['state', 'commit_result'])
    .where('id', '=', planId)
    .executeTakeFirstOrThrow();
  const stored = parseJson<CommitResponse | null>(row.commit_result, null);
  if (row.state !== 'committed' || stored === null) {
    throw new Error(`Send plan ${planId} is in state "${row.state}" without a stored commit response.`);
  }
  return stored;
}

async function applyPlan(
  tx: Executor,
  agent: PlanAgent,
  plan: PlanRow,
  request: CommitRequest,
): Promise<CommitOutcome> {
  const stored = plan.plan;
  const current = await resolveCommitCurrent(tx, agent, plan, request);
  const choices = matchChoices(stored.response.decisions, stored.mailboxes, request.choices);
  const origin = `send-plan:${plan.id}`;
  const events: PendingEvent[] = [];

  // Reference each decision mailbox's recipients are rewritten to; absent for `plain` and kept ones.
  const targets = new Map<string, string>();
  const createdReferences: string[] = [];
  const involvedItems: number[] = current === undefined ? [] : [current.id];

  const forms = await loadTeamForms(tx, [...new Set(stored.response.decisions.map((decision) => decision.teamId))]);
  const formValues = validateFormEntries(
    [...choices.entries()]
      .filter(([, choice]) => choice.action === 'create')
      .map(([mailbox, choice]) => ({
        mailbox,
        form: forms.get(findDecision(stored.response.decisions, mailbox).teamId) ?? [],
        values: choice.fields ?? {},
      })),
  );

  for (const decision of stored.response.decisions) {
    const choice = choices.get(decision.mailbox);
    if (choice === undefined) {
      if (!stored.satisfiedMailboxes.includes(decision.mailbox)) {
        throw new WorklinkError(
          'WORKLINK_PLAN_CHOICE_INVALID',
          {
            en: `No choice was given for ${decision.mailbox}: add a choice with action share, create or plain.`,
            pl: `Brak wyboru dla skrzynki ${decision.mailbox}: dodaj wybór z polem action o wartości share, create albo plain.`,
          },
          { details: [{ mailbox: decision.mailbox, problem: 'missing' }] },
        );
      }
      continue;
    }

    if (choice.action === 'share') {
      const item = await requireShareTarget(tx, agent, decision, choice, current);
      targets.set(decision.mailbox, item.reference);
      involvedItems.push(item.id);
    } else if (choice.action === 'create') {
      const mailbox = stored.mailboxes.find((candidate) => candidate.address === decision.mailbox);
      if (mailbox === undefined) {
        throw new Error(`Send plan ${plan.id} has a decision for ${decision.mailbox} but no stored mailbox.`);
      }
      const created = await createLinkedItem(
        tx,
        agent,
        plan,
        mailbox,
        current,
        formValues.get(decision.mailbox) ?? {},
        origin,
        events,
      );
      targets.set(decision.mailbox, created.reference);
      createdReferences.push(created.reference);
      involvedItems.push(created.id);
    }
  }

  if (plan.conversationId !== null && plan.conversationId !== '') {
    await recordConversation(tx, plan.conversationId, involvedItems, 'plan');
    await recordConversationView(tx, plan.conversationId, agent.id, involvedItems);
  }

  const rewrite = rewritePlanRecipients(stored, current, targets);
  return {
    response: {
      recipients: rewrite.recipients,
      headers: { 'X-Worklink-Plan': plan.id },
      notices: rewrite.notices,
      createdReferences,
    },
    events,
  };
}

/**
 * Resolves the current work item of the commit: the plan's, or, when the
 * plan found none, the one the agent picked in the pane. Throws
 * `WORKLINK_CURRENT_ITEM_CONFLICT` when the agent picks an item other than
 * the plan's.
 */
async function resolveCommitCurrent(
  tx: Executor,
  agent: PlanAgent,
  plan: PlanRow,
  request: CommitRequest,
): Promise<WorkItemRecord | undefined> {
  const picked = request.currentReference?.trim() ?? '';

  if (plan.currentWorkItemId !== null) {
    const current = await findWorkItemById(tx, plan.currentWorkItemId);
    if (current === undefined) {
      throw new Error(`Send plan ${plan.id} names work item ${plan.currentWorkItemId}, which no longer exists.`);
    }
    if (picked !== '' && picked.toUpperCase() !== current.reference) {
      throw new WorklinkError('WORKLINK_CURRENT_ITEM_CONFLICT', {
        en: `The plan's current work item is ${current.reference}, but the commit names ${picked}: request a new plan with currentReference ${picked}.`,
        pl: `Bieżące zgłoszenie planu to ${current.reference}, a zatwierdzenie wskazuje ${picked}: poproś o nowy plan z currentReference ${picked}.`,
      });
    }
    return current;
  }

  return picked === '' ? undefined : requireVisibleItem(tx, agent, picked);
}

/**
 * Maps each choice to the primary address of its decision mailbox. A choice
 * may name the mailbox by its primary address or by the address a recipient
 * used, such as an alias. Throws `WORKLINK_PLAN_CHOICE_INVALID` for a mailbox
 * that is not a decision of the plan, or that is chosen twice.
 */
function matchChoices(
  decisions: PlanDecision[],
  mailboxes: ConnectedMailbox[],
  choices: PlanChoice[],
): Map<string, PlanChoice> {
  const matched = new Map<string, PlanChoice>();
  for (const choice of choices) {
    const wanted = choice.mailbox.trim().toLowerCase();
    const decision = decisions.find((candidate) => candidate.mailbox === wanted) ?? undefined;
    const mailbox = decision?.mailbox ?? mailboxes.find((candidate) => candidate.address === wanted)?.address;

    if (decisions.length === 0) {
      throw new WorklinkError(
        'WORKLINK_PLAN_CHOICE_INVALID',
        {
          en: `Choice for "${choice.mailbox}" is not needed: this plan has no decisions, because plus addressing is off or no recipient is a connected mailbox of another team. Commit it with an empty choices list.`,
          pl: `Wybór dla "${choice.mailbox}" jest zbędny: ten plan nie ma decyzji, bo adresowanie z plusem jest wyłączone albo żaden adresat nie jest połączoną skrzynką innego zespołu. Zatwierdź plan z pustą listą choices.`,
        },
        { details: [{ mailbox: choice.mailbox, problem: 'not-in-plan' }] },
      );
    }
    if (mailbox === undefined || findDecisionOrUndefined(decisions, mailbox) === undefined) {
      const candidates = JSON.stringify(decisions.map((candidate) => candidate.mailbox));
      throw new WorklinkError(
        'WORKLINK_PLAN_CHOICE_INVALID',
        {
          en: `Choice for "${choice.mailbox}" names no connected mailbox of another team in this plan: use one of ${candidates}.`,
          pl: `Wybór dla "${choice.mailbox}" nie wskazuje żadnej połączonej skrzynki innego zespołu z tego planu: użyj jednej z ${candidates}.`,
        },
        { details: [{ mailbox: choice.mailbox, problem: 'not-in-plan' }] },
      );
    }
    if (matched.has(mailbox)) {
      throw new WorklinkError(
        'WORKLINK_PLAN_CHOICE_INVALID',
        {
          en: `Mailbox ${mailbox} has more than one choice: send one choice for each mailbox.`,
          pl: `Skrzynka ${mailbox} ma więcej niż jeden wybór: wyślij jeden wybór dla każdej skrzynki.`,
        },
        { details: [{ mailbox, problem: 'repeated' }] },
      );
    }
    matched.set(mailbox, choice);
  }
  return matched;
}

function findDecisionOrUndefined(decisions: PlanDecision[], mailbox: string): PlanDecision | undefined {
  return decisions.find((decision) => decision.mailbox === mailbox);
}

function findDecision(decisions: PlanDecision[], mailbox: string): PlanDecision {
  const decision = findDecisionOrUndefined(decisions, mailbox);
  if (decision === undefined) {
    throw new Error(`No decision for mailbox ${mailbox} in the plan.`);
  }
  return decision;
}

/**
 * Checks that a `share` choice names a work item of the mailbox's team that
 * is linked to the current work item. Throws `WORKLINK_PLAN_CHOICE_INVALID`
 * without a reference, `WORKLINK_WORK_ITEM_NOT_FOUND` for an unknown one and
 * `WORKLINK_SHARE_NOT_LINKED` otherwise.
 */
async function requireShareTarget(
  tx: Executor,
  agent: PlanAgent,
  decision: PlanDecision,
  choice: PlanChoice,
  current: WorkItemRecord | undefined,
): Promise<WorkItemRecord> {
  if (choice.reference === undefined || choice.reference.trim() === '') {
    throw new WorklinkError(
      'WORKLINK_PLAN_CHOICE_INVALID',
      {
        en: `The share choice for ${decision.mailbox} has no reference: name one of the linked work items of ${decision.teamName}.`,
        pl: `Wybór share dla skrzynki ${decision.mailbox} nie ma numeru zgłoszenia: podaj jedno z powiązanych zgłoszeń zespołu ${decision.teamName}.`,
      },
      { details: [{ mailbox: decision.mailbox, problem: 'missing-reference' }] },
    );
  }

  const item = await requireVisibleItem(tx, agent, choice.reference);
  const linked = current !== undefined && item.teamId === decision.teamId && (await areLinked(tx, current.id, item.id));
  if (!linked) {
    const text =
      current === undefined
        ? {
            en: `Work item ${item.reference} cannot be shared with ${decision.mailbox}: the plan has no current work item for it to be linked to. Create a new work item instead.`,
            pl: `Zgłoszenia ${item.reference} nie można udostępnić skrzynce ${decision.mailbox}: plan nie ma bieżącego zgłoszenia, z którym mogłoby być powiązane. Zamiast tego utwórz nowe zgłoszenie.`,
          }
        : {
            en: `Work item ${item.reference} cannot be shared with ${decision.mailbox}: it must belong to ${decision.teamName} and be linked to the current work item ${current.reference}. Choose a linked item, or create a new one.`,
            pl: `Zgłoszenia ${item.reference} nie można udostępnić skrzynce ${decision.mailbox}: musi ono należeć do zespołu ${decision.teamName} i być powiązane z bieżącym zgłoszeniem ${current.reference}. Wybierz powiązane zgłoszenie albo utwórz nowe.`,
          };
    throw new WorklinkError('WORKLINK_SHARE_NOT_LINKED', text, {
      details: [{ mailbox: decision.mailbox, reference: item.reference }],
    });
  }
  return item;
}

async function createLinkedItem(
  tx: Executor,
  agent: PlanAgent,
  plan: PlanRow,
  mailbox: ConnectedMailbox,
  current: WorkItemRecord | undefined,
  fields: Record<string, string>,
  origin: string,
  events: PendingEvent[],
): Promise<{ id: number; reference: string }> {
  // The new item is named like the conversation, without the RE:/AW: prefixes of the reply.
  const subject = normalizeSubject(plan.subject);
  const title = subject === '' ? '(no subject)' : subject;
  const created = await createWorkItem(tx, {
    teamId: mailbox.teamId,
    type: mailbox.defaultType,
    title,
    requester: current?.requester ?? null,
    fields,
  });
  await recordAudit(tx, {
    actorAgentId: agent.id,
    action: 'work-item.create',
    subjectType: 'work-item',
    subjectId: created.reference,
    detail: { origin, mailbox: mailbox.address },
  });
  events.push({
    name: 'work-item',
    payload: {
      workItemId: created.id,
      reference: created.reference,
      teamId: mailbox.teamId,
      type: mailbox.defaultType,
      origin,
    },
  });

  if (current !== undefined && (await linkWorkItems(tx, current.id, created.id, origin))) {
    await recordAudit(tx, {
      actorAgentId: agent.id,
      action: 'link.create',
      subjectType: 'work-item-link',
      subjectId: `${current.reference}:${created.reference}`,
      detail: { origin, from: current.reference, to: created.reference },
    });
    events.push({
      name: 'link',
      payload: { lowId: Math.min(current.id, created.id), highId: Math.max(current.id, created.id), origin },
    });
  }
  return created;
}
