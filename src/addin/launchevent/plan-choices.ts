/**
 * The agent's choices for the connected mailboxes of other teams: those recorded by the task
 * pane, the plan's defaults, and how they are recorded after a commit.
 */
import type { PlanChoice, SendPlanResponse } from '../../core/api-types.js';

/** Returns the agent's recorded choice for a connected mailbox, if the task pane stored one. */
export function findChoice(choices: readonly PlanChoice[], mailbox: string): PlanChoice | undefined {
  const target = mailbox.toLowerCase();
  for (const choice of choices) {
    if (choice.mailbox.toLowerCase() === target) return choice;
  }
  return undefined;
}

/**
 * Records `create` choices as `share` of the created references, pairing them in order.
 * NOTE: the commit response does not say which reference belongs to which mailbox, so this
 * assumes the order of the `create` choices. When the counts differ, the choices stay `create`,
 * and a new plan for changed recipients would create those work items again.
 */
export function resolveCreatedChoices(
  choices: PlanChoice[],
  createdReferences: readonly string[] | undefined,
): PlanChoice[] {
  const creates = choices.filter((choice) => choice.action === 'create');
  if (!createdReferences || creates.length === 0 || creates.length !== createdReferences.length) return choices;

  let next = 0;
  return choices.map((choice) => {
    if (choice.action !== 'create') return choice;
    const reference = createdReferences[next++] as string;
    return { mailbox: choice.mailbox, action: 'share', reference };
  });
}

/** Returns the decisions of `plan` that the recorded choices leave open; none when the plan needs no decision. */
export function pendingDecisions(
  plan: SendPlanResponse,
  recorded: readonly PlanChoice[],
): SendPlanResponse['decisions'] {
  if (!plan.decisionNeeded) return [];
  return plan.decisions.filter((decision) => !findChoice(recorded, decision.mailbox));
}

/** Returns one choice per decision of `plan`: the recorded one, or else the plan's default. */
export function choicesForPlan(plan: SendPlanResponse, recorded: readonly PlanChoice[]): PlanChoice[] {
  return plan.decisions.map((decision) => {
    const choice = findChoice(recorded, decision.mailbox);
    if (choice) return choice;
    const fallback: PlanChoice = { mailbox: decision.mailbox, action: decision.defaultChoice.action };
    if (decision.defaultChoice.reference) fallback.reference = decision.defaultChoice.reference;
    return fallback;
  });
}
