import type { Recipient, SendPlanRequest } from '../../src/core/api-types.js';
import type { Executor } from '../../src/server/repositories/executor.js';
import { createAgent } from '../../src/server/repositories/agents.js';
import { createMailbox } from '../../src/server/repositories/mailboxes.js';
import { recordConversation } from '../../src/server/repositories/messages.js';
import { putSettings } from '../../src/server/repositories/settings.js';
import { createTeam } from '../../src/server/repositories/teams.js';
import { createWorkItem, linkWorkItems } from '../../src/server/repositories/work-items.js';
import type { PlanAgent } from '../../src/server/send-plans/plan-record.js';

/** Teams, mailboxes, agents and work items that the plan tests share; no test changes them. */
export interface World {
  teamA: number;
  teamB: number;
  teamC: number;
  ukAgent: PlanAgent;
  plAgent: PlanAgent;
  /** Ticket of Team A linked to `caseLinked`. */
  ticket: string;
  /** Ticket of Team A linked to `caseTwinOne` and `caseTwinTwo`. */
  ticketTwoLinks: string;
  /** Ticket of Team A without links. */
  ticketAlone: string;
  caseLinked: string;
  caseTwinOne: string;
  caseTwinTwo: string;
  /** Case of Team B linked to nothing. */
  caseAlone: string;
}

export async function buildWorld(db: Executor): Promise<World> {
  const teamA = (await createTeam(db, 'Team A (UK)')).id;
  const teamB = (await createTeam(db, 'Team B (PL)')).id;
  const teamC = (await createTeam(db, 'Team C (Łódź)')).id;

  await createMailbox(db, {
    address: 'uk.support@contoso.example',
    aliases: [],
    teamId: teamA,
    defaultType: 'ticket',
    displayName: 'UK Support',
  });
  await createMailbox(db, {
    address: 'pl.support@contoso.example',
    aliases: ['wsparcie.pl@contoso.example'],
    teamId: teamB,
    defaultType: 'case',
    displayName: 'Wsparcie PL',
  });
  // Stored with the Unicode domain, as an admin may type it.
  await createMailbox(db, {
    address: 'pomoc@łódź.example',
    aliases: [],
    teamId: teamC,
    defaultType: 'ticket',
    displayName: 'Pomoc Łódź',
  });
  await putSettings(db, {
    plusAddressing: { mode: 'mixed', separator: '+' },
    internalDomains: ['contoso.example', 'Łódź.example'],
    failurePolicy: 'allow',
  });

  const ukAgent = await createAgent(db, {
    email: 'uk.agent@contoso.example',
    displayName: 'UK Agent',
    isAdmin: false,
    teamIds: [teamA],
  });
  const plAgent = await createAgent(db, {
    email: 'pl.agent@contoso.example',
    displayName: 'PL Agent',
    isAdmin: false,
    teamIds: [teamB],
  });

  const ticket = await createWorkItem(db, { teamId: teamA, type: 'ticket', title: 'Printer on fire' });
  const ticketTwoLinks = await createWorkItem(db, { teamId: teamA, type: 'ticket', title: 'Invoice missing' });
  const ticketAlone = await createWorkItem(db, { teamId: teamA, type: 'ticket', title: 'Password reset' });
  const caseLinked = await createWorkItem(db, { teamId: teamB, type: 'case', title: 'Drukarka' });
  const caseTwinOne = await createWorkItem(db, { teamId: teamB, type: 'case', title: 'Faktura 1' });
  const caseTwinTwo = await createWorkItem(db, { teamId: teamB, type: 'case', title: 'Faktura 2' });
  const caseAlone = await createWorkItem(db, { teamId: teamB, type: 'case', title: 'Inna sprawa' });
  await linkWorkItems(db, ticket.id, caseLinked.id, 'test');
  await linkWorkItems(db, ticketTwoLinks.id, caseTwinOne.id, 'test');
  await linkWorkItems(db, ticketTwoLinks.id, caseTwinTwo.id, 'test');

  await db
    .insertInto('team_form_fields')
    .values([
      {
        team_id: teamB,
        name: 'entity',
        label_en: 'Entity',
        label_pl: 'Podmiot',
        type: 'choice',
        required: 1,
        options: JSON.stringify(['Contoso Polska', 'Contoso UK']),
        position: 1,
      },
      {
        team_id: teamB,
        name: 'dueDate',
        label_en: 'Due date',
        label_pl: 'Termin',
        type: 'date',
        required: 0,
        options: '[]',
        position: 2,
      },
    ])
    .execute();

  await recordConversation(db, 'conv-alone', [ticketAlone.id], 'pane');

  return {
    teamA,
    teamB,
    teamC,
    ukAgent: { id: ukAgent.id, teamIds: ukAgent.teamIds },
    plAgent: { id: plAgent.id, teamIds: plAgent.teamIds },
    ticket: ticket.reference,
    ticketTwoLinks: ticketTwoLinks.reference,
    ticketAlone: ticketAlone.reference,
    caseLinked: caseLinked.reference,
    caseTwinOne: caseTwinOne.reference,
    caseTwinTwo: caseTwinTwo.reference,
    caseAlone: caseAlone.reference,
  };
}

export function to(emailAddress: string, displayName = emailAddress, extra: Partial<Recipient> = {}): Recipient {
  return { field: 'to', emailAddress, displayName, ...extra };
}

export function planRequest(recipients: Recipient[], extra: Partial<SendPlanRequest> = {}): SendPlanRequest {
  return { subject: 'Question about the printer', recipients, ...extra };
}

export async function rejection(
  promise: Promise<unknown>,
): Promise<{ code: string; statusCode: number; message: string; details?: unknown[] }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; statusCode: number; message: string; details?: unknown[] };
  }
  throw new Error('Expected the promise to reject, but it resolved.');
}
