import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitResponse } from '../../src/core/api-types.js';
import { EventBus } from '../../src/server/notifications/bus.js';
import type { WorklinkEvents } from '../../src/server/notifications/bus.js';
import { createAgent } from '../../src/server/repositories/agents.js';
import { createMailbox } from '../../src/server/repositories/mailboxes.js';
import { putSettings } from '../../src/server/repositories/settings.js';
import { findWorkItemByReference } from '../../src/server/repositories/work-items.js';
import { commitSendPlan } from '../../src/server/send-plans/commit-plan.js';
import { createSendPlan } from '../../src/server/send-plans/create-plan.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { buildWorld, planRequest, rejection, to } from './send-plans-world.js';
import type { World } from './send-plans-world.js';

/** A mailbox whose local part leaves no room for a tag within the 64 octets of RFC 5321. */
const longMailbox = `${'l'.repeat(58)}@contoso.example`;

describe.each(await availableDialects())('send plan commit on %s', (dialect) => {
  let database: TestDatabase;
  let world: World;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    world = await buildWorld(database.db);
    await createMailbox(database.db, { address: longMailbox, aliases: [], teamId: world.teamC, defaultType: 'ticket' });
  });

  afterAll(async () => {
    await database.destroy();
  });

  async function countRows(table: 'work_items' | 'work_item_links'): Promise<number> {
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async function linked(a: string, b: string): Promise<boolean> {
    const first = await findWorkItemByReference(database.db, a);
    const second = await findWorkItemByReference(database.db, b);
    if (first === undefined || second === undefined) {
      return false;
    }
    const row = await database.db
      .selectFrom('work_item_links')
      .selectAll()
      .where('item_low_id', '=', Math.min(first.id, second.id))
      .where('item_high_id', '=', Math.max(first.id, second.id))
      .executeTakeFirst();
    return row !== undefined;
  }

  it('creates, links and rewrites', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest(
        [
          to('customer@fabrikam.example', 'Customer'),
          { field: 'cc', emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' },
          to('Wsparcie.PL@contoso.example', 'Wsparcie PL'),
          { field: 'bcc', emailAddress: 'legal@contoso.example', displayName: 'Legal' },
        ],
        { currentReference: world.ticketAlone, conversationId: 'conv-create', subject: 'RE: Password reset' },
      ),
    );
    expect(plan.decisionNeeded).toBe(true);

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [
        {
          mailbox: 'pl.support@contoso.example',
          action: 'create',
          fields: { entity: 'Contoso UK', dueDate: '2027-01-31' },
        },
      ],
    });

    expect(answer.createdReferences).toHaveLength(1);
    const created = answer.createdReferences[0] ?? '';
    expect(created).toMatch(/^\d{5}-C$/);
    expect(answer.recipients).toEqual([
      { field: 'to', emailAddress: 'customer@fabrikam.example', displayName: 'Customer' },
      { field: 'cc', emailAddress: `uk.support+${world.ticketAlone}@contoso.example`, displayName: 'UK Support' },
      { field: 'to', emailAddress: `Wsparcie.PL+${created}@contoso.example`, displayName: 'Wsparcie PL' },
      { field: 'bcc', emailAddress: 'legal@contoso.example', displayName: 'Legal' },
    ]);
    expect(answer.headers).toEqual({ 'X-Worklink-Plan': plan.id });
    expect(answer.notices).toEqual([]);

    const item = await findWorkItemByReference(database.db, created);
    expect(item).toMatchObject({ type: 'case', teamId: world.teamB, title: 'Password reset' });
    expect(item?.fields).toEqual({ entity: 'Contoso UK', dueDate: '2027-01-31' });
    expect(await linked(world.ticketAlone, created)).toBe(true);

    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'link.create')
      .where('subject_id', '=', `${world.ticketAlone}:${created}`)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor_agent_id).toBe(world.ukAgent.id);

    const conversations = await database.db
      .selectFrom('conversations')
      .innerJoin('work_items', 'work_items.id', 'conversations.work_item_id')
      .select(['work_items.reference', 'conversations.source'])
      .where('conversation_id', '=', 'conv-create')
      .orderBy('work_items.reference')
      .execute();
    expect(conversations).toEqual(
      [
        { reference: created, source: 'plan' },
        { reference: world.ticketAlone, source: 'plan' },
      ].sort((a, b) => a.reference.localeCompare(b.reference)),
    );

    const row = await database.db
      .selectFrom('send_plans')
      .selectAll()
      .where('id', '=', plan.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('committed');
    expect(JSON.parse(row.commit_result ?? 'null')).toEqual(answer);
    expect(row.committed_at).not.toBeNull();
  });

  it('shares with a linked item', async () => {
    const before = await countRows('work_items');
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example', 'Wsparcie PL')], { currentReference: world.ticket }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: world.caseLinked.toLowerCase() }],
    });

    expect(answer.recipients).toEqual([
      { field: 'to', emailAddress: `pl.support+${world.caseLinked}@contoso.example`, displayName: 'Wsparcie PL' },
    ]);
    expect(answer.createdReferences).toEqual([]);
    expect(await countRows('work_items')).toBe(before);
  });

  it('sends plain without changes', async () => {
    const before = await countRows('work_items');
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example', 'Wsparcie PL'), to('uk.support@contoso.example', 'UK')], {
        currentReference: world.ticket,
      }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'plain' }],
    });

    expect(answer.recipients.map((recipient) => recipient.emailAddress)).toEqual([
      'pl.support@contoso.example',
      `uk.support+${world.ticket}@contoso.example`,
    ]);
    expect(await countRows('work_items')).toBe(before);
  });

  it('names each invalid form field', async () => {
    const before = await countRows('work_items');
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticketAlone }),
    );

    const missing = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { dueDate: '2027-02-30' } }],
      }),
    );
    expect(missing.code).toBe('WORKLINK_FIELDS_INVALID');
    expect(missing.statusCode).toBe(400);
    expect(missing.message).toContain('"entity"');
    expect(missing.message).toContain('2027-02-30');
    expect(missing.details).toEqual([
      { mailbox: 'pl.support@contoso.example', field: 'entity', problem: 'is required' },
      {
        mailbox: 'pl.support@contoso.example',
        field: 'dueDate',
        problem: expect.stringContaining('"2027-02-30", which is not a date'),
      },
    ]);

    const wrongChoice = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        choices: [
          { mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso DE', colour: 'red' } },
        ],
      }),
    );
    expect(wrongChoice.code).toBe('WORKLINK_FIELDS_INVALID');
    expect(wrongChoice.message).toContain('Contoso DE');
    expect(wrongChoice.details).toEqual([
      { mailbox: 'pl.support@contoso.example', field: 'colour', problem: expect.any(String) },
      {
        mailbox: 'pl.support@contoso.example',
        field: 'entity',
        problem: expect.stringContaining('Contoso Polska, Contoso UK'),
      },
    ]);

    expect(await countRows('work_items')).toBe(before);
    const row = await database.db
      .selectFrom('send_plans')
      .select('state')
      .where('id', '=', plan.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: ' Contoso Polska ' } }],
    });
    expect(answer.createdReferences).toHaveLength(1);
    const item = await findWorkItemByReference(database.db, answer.createdReferences[0] ?? '');
    expect(item?.fields).toEqual({ entity: 'Contoso Polska' });
  });

  it('keeps a long local part with a notice', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(longMailbox, 'Long')], { currentReference: world.ticket }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: longMailbox, action: 'create' }],
    });

    expect(answer.recipients).toEqual([{ field: 'to', emailAddress: longMailbox, displayName: 'Long' }]);
    expect(answer.notices).toEqual([
      expect.objectContaining({ code: 'WORKLINK_LOCAL_PART_TOO_LONG', emailAddress: longMailbox }),
    ]);
    expect(answer.createdReferences).toHaveLength(1);
  });

  it('returns the stored answer when repeated', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticket }),
    );
    const first = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso UK' } }],
    });
    const before = await countRows('work_items');

    const again = await commitSendPlan(database.db, world.ukAgent, plan.id, { choices: [] });
    const different = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'plain' }],
    });

    expect(again).toEqual(first);
    expect(different).toEqual(first);
    expect(await countRows('work_items')).toBe(before);
  });

  it('creates one set for 50 concurrent commits', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example'), to('uk.support@contoso.example')], {
        currentReference: world.ticketAlone,
      }),
    );
    const itemsBefore = await countRows('work_items');
    const linksBefore = await countRows('work_item_links');

    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        commitSendPlan(database.db, world.ukAgent, plan.id, {
          choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso UK' } }],
        }),
      ),
    );

    expect(await countRows('work_items')).toBe(itemsBefore + 1);
    expect(await countRows('work_item_links')).toBe(linksBefore + 1);
    const first = answers[0] as CommitResponse;
    expect(first.createdReferences).toHaveLength(1);
    for (const answer of answers) {
      expect(answer).toEqual(first);
    }
  });

  it('hides the plan from other agents', async () => {
    const plan = await createSendPlan(database.db, world.ukAgent, planRequest([to('customer@fabrikam.example')]));

    const foreign = await rejection(commitSendPlan(database.db, world.plAgent, plan.id, { choices: [] }));
    expect(foreign.code).toBe('WORKLINK_SEND_PLAN_NOT_FOUND');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.message).toContain(plan.id);

    const unknown = await rejection(
      commitSendPlan(database.db, world.ukAgent, '00000000-0000-4000-8000-000000000000', { choices: [] }),
    );
    expect(unknown.code).toBe('WORKLINK_SEND_PLAN_NOT_FOUND');

    const malformed = await rejection(commitSendPlan(database.db, world.ukAgent, 'not-a-plan', { choices: [] }));
    expect(malformed.code).toBe('WORKLINK_SEND_PLAN_NOT_FOUND');
  });

  it('rejects sharing an unlinked item', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticket }),
    );

    const unlinked = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: world.caseTwinOne }],
      }),
    );
    // caseTwinOne is linked to another ticket of Team A, so uk.agent may see it, but not for this ticket.
    expect(unlinked.code).toBe('WORKLINK_SHARE_NOT_LINKED');
    expect(unlinked.statusCode).toBe(400);
    expect(unlinked.message).toContain(world.caseTwinOne);
    expect(unlinked.message).toContain(world.ticket);

    const hidden = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: world.caseAlone }],
      }),
    );
    expect(hidden.code).toBe('WORKLINK_WORK_ITEM_NOT_FOUND');

    const wrongTeam = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: world.ticketAlone }],
      }),
    );
    expect(wrongTeam.code).toBe('WORKLINK_SHARE_NOT_LINKED');

    const noReference = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        choices: [{ mailbox: 'pl.support@contoso.example', action: 'share' }],
      }),
    );
    expect(noReference.code).toBe('WORKLINK_PLAN_CHOICE_INVALID');
    expect(noReference.message).toContain('pl.support@contoso.example');
  });

  it('rejects missing and foreign choices', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example'), to('legal@contoso.example')], { currentReference: world.ticket }),
    );

    const missing = await rejection(commitSendPlan(database.db, world.ukAgent, plan.id, { choices: [] }));
    expect(missing.code).toBe('WORKLINK_PLAN_CHOICE_INVALID');
    expect(missing.details).toEqual([{ mailbox: 'pl.support@contoso.example', problem: 'missing' }]);

    const foreign = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        choices: [
          { mailbox: 'pl.support@contoso.example', action: 'plain' },
          { mailbox: 'legal@contoso.example', action: 'plain' },
        ],
      }),
    );
    expect(foreign.code).toBe('WORKLINK_PLAN_CHOICE_INVALID');
    expect(foreign.message).toContain('legal@contoso.example');

    const repeated = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        choices: [
          { mailbox: 'pl.support@contoso.example', action: 'plain' },
          { mailbox: 'PL.Support@contoso.example', action: 'plain' },
        ],
      }),
    );
    expect(repeated.code).toBe('WORKLINK_PLAN_CHOICE_INVALID');
  });

  it('publishes work item and link events', async () => {
    const events = new EventBus();
    const seen: Array<{ name: string; payload: WorklinkEvents['link'] | WorklinkEvents['work-item'] }> = [];
    events.on('work-item', (payload) => seen.push({ name: 'work-item', payload }));
    events.on('link', (payload) => seen.push({ name: 'link', payload }));
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pomoc@łódź.example')], { currentReference: world.ticket }),
    );

    const answer = await commitSendPlan(
      database.db,
      world.ukAgent,
      plan.id,
      { choices: [{ mailbox: 'pomoc@łódź.example', action: 'create' }] },
      events,
    );
    await commitSendPlan(database.db, world.ukAgent, plan.id, { choices: [] }, events);

    expect(seen.map((event) => event.name)).toEqual(['work-item', 'link']);
    expect(seen[0]?.payload).toMatchObject({
      reference: answer.createdReferences[0],
      teamId: world.teamC,
      type: 'ticket',
      origin: `send-plan:${plan.id}`,
    });
    // The core writes the domain in its ASCII form, which every mail server accepts.
    expect(answer.recipients[0]?.emailAddress).toBe(`pomoc+${answer.createdReferences[0]}@xn--d-uga0v4h.example`);
  });

  it('uses the current item picked at commit', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example'), to('uk.support@contoso.example')], { subject: 'Fresh start' }),
    );
    expect(plan.needsCurrentItem).toBe(true);

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      currentReference: world.ticketTwoLinks,
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: world.caseTwinTwo }],
    });

    expect(answer.recipients.map((recipient) => recipient.emailAddress)).toEqual([
      `pl.support+${world.caseTwinTwo}@contoso.example`,
      `uk.support+${world.ticketTwoLinks}@contoso.example`,
    ]);
  });

  it('creates an unlinked item without a current item', async () => {
    const linksBefore = await countRows('work_item_links');
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example'), to('uk.support@contoso.example')], { subject: 'Fresh start' }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso UK' } }],
    });

    expect(answer.recipients.map((recipient) => recipient.emailAddress)).toEqual([
      `pl.support+${answer.createdReferences[0]}@contoso.example`,
      'uk.support@contoso.example',
    ]);
    expect(await countRows('work_item_links')).toBe(linksBefore);
  });

  it('rejects a different current item at commit', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticket }),
    );

    const error = await rejection(
      commitSendPlan(database.db, world.ukAgent, plan.id, {
        currentReference: world.ticketAlone,
        choices: [{ mailbox: 'pl.support@contoso.example', action: 'plain' }],
      }),
    );

    expect(error.code).toBe('WORKLINK_CURRENT_ITEM_CONFLICT');
    expect(error.statusCode).toBe(409);
    expect(error.message).toContain(world.ticketAlone);
  });

  it('keeps a settled tag without a choice', async () => {
    const tagged = `pl.support+${world.caseLinked}@contoso.example`;
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(tagged, 'Wsparcie PL'), to('uk.support@contoso.example', 'UK')], {
        currentReference: world.ticket,
      }),
    );
    expect(plan.decisionNeeded).toBe(false);

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, { choices: [] });

    expect(answer.recipients.map((recipient) => recipient.emailAddress)).toEqual([
      tagged,
      `uk.support+${world.ticket}@contoso.example`,
    ]);
  });

  it('changes nothing when defaults are committed again', async () => {
    const tagged = `pl.support+${world.caseTwinTwo}@contoso.example`;
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(tagged, 'Wsparcie PL')], { currentReference: world.ticketTwoLinks }),
    );
    const itemsBefore = await countRows('work_items');

    // The send handler commits each decision's default when none is pending.
    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: plan.decisions.map((decision) => ({ mailbox: decision.mailbox, ...decision.defaultChoice })),
    });

    expect(answer.recipients[0]?.emailAddress).toBe(tagged);
    expect(answer.createdReferences).toEqual([]);
    expect(await countRows('work_items')).toBe(itemsBefore);
  });

  it('tags only the current team mailbox', async () => {
    const both = await createAgent(database.db, {
      email: 'both.teams@contoso.example',
      displayName: 'Both Teams',
      isAdmin: false,
      teamIds: [world.teamA, world.teamC],
    });
    const plan = await createSendPlan(
      database.db,
      { id: both.id, teamIds: both.teamIds },
      planRequest([to('uk.support@contoso.example'), to('pomoc@łódź.example')], { currentReference: world.ticket }),
    );
    expect(plan.recipients.map((recipient) => recipient.class)).toEqual(['own-mailbox', 'own-mailbox']);

    const answer = await commitSendPlan(database.db, { id: both.id, teamIds: both.teamIds }, plan.id, { choices: [] });

    expect(answer.recipients.map((recipient) => recipient.emailAddress)).toEqual([
      `uk.support+${world.ticket}@contoso.example`,
      'pomoc@łódź.example',
    ]);
  });

  it('retags an own mailbox with an unknown tag', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('uk.support+99999-C@contoso.example'), to('uk.support+urgent@contoso.example')], {
        currentReference: world.ticket,
      }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, { choices: [] });

    expect(answer.recipients.map((recipient) => recipient.emailAddress)).toEqual([
      `uk.support+${world.ticket}@contoso.example`,
      `uk.support+${world.ticket}@contoso.example`,
    ]);
  });

  it('keeps an own mailbox tagged with another item', async () => {
    const tagged = `uk.support+${world.ticketAlone}@contoso.example`;
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(tagged)], { currentReference: world.ticket }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, { choices: [] });

    expect(answer.recipients[0]?.emailAddress).toBe(tagged);
  });

  it('replaces an old tag with the choice', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(`pl.support+${world.caseAlone}@contoso.example`, 'Wsparcie PL')], {
        currentReference: world.ticket,
      }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: world.caseLinked }],
    });

    expect(answer.recipients[0]?.emailAddress).toBe(`pl.support+${world.caseLinked}@contoso.example`);
  });

  it('addresses a display-name match by its mailbox', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('Wsparcie PL', 'Wsparcie PL', { recipientType: 'other' })], { currentReference: world.ticket }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: world.caseLinked }],
    });

    expect(answer.recipients).toEqual([
      { field: 'to', emailAddress: `pl.support+${world.caseLinked}@contoso.example`, displayName: 'Wsparcie PL' },
    ]);
  });

  it('readdresses an unresolved one-off recipient', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('wsparcie@old-host.example', 'Wsparcie PL', { recipientType: 'other' })], {
        currentReference: world.ticket,
      }),
    );
    expect(plan.recipients[0]?.class).toBe('connected-mailbox');

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: world.caseLinked }],
    });

    expect(answer.recipients[0]?.emailAddress).toBe(`pl.support+${world.caseLinked}@contoso.example`);
  });

  it('keeps a plain display-name match as typed', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('Wsparcie PL', 'Wsparcie PL', { recipientType: 'other' })], { currentReference: world.ticket }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'plain' }],
    });

    expect(answer.recipients[0]?.emailAddress).toBe('Wsparcie PL');
  });
});

describe.each(await availableDialects())('send plan commit with rewriting off on %s', (dialect) => {
  let database: TestDatabase;
  let world: World;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    world = await buildWorld(database.db);
    await putSettings(database.db, {
      plusAddressing: { mode: 'off', separator: '+' },
      internalDomains: ['contoso.example'],
      failurePolicy: 'allow',
    });
  });

  afterAll(async () => {
    await database.destroy();
  });

  it('leaves every recipient unchanged', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example'), to('uk.support@contoso.example')], {
        currentReference: world.ticket,
      }),
    );

    const answer = await commitSendPlan(database.db, world.ukAgent, plan.id, { choices: [] });

    expect(answer.recipients.map((recipient) => recipient.emailAddress)).toEqual([
      'pl.support@contoso.example',
      'uk.support@contoso.example',
    ]);
    expect(answer.headers).toEqual({ 'X-Worklink-Plan': plan.id });
    expect(answer.createdReferences).toEqual([]);
  });

  it('says why a choice is not needed', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticket }),
    );

    const error = await commitSendPlan(database.db, world.ukAgent, plan.id, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'create' }],
    }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'WORKLINK_PLAN_CHOICE_INVALID' });
    expect((error as Error).message).toContain('this plan has no decisions, because plus addressing is off');
  });
});
