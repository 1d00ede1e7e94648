import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSettings } from '../../src/server/repositories/settings.js';
import { findWorkItemsByReferences } from '../../src/server/repositories/work-items.js';
import { createSendPlan } from '../../src/server/send-plans/create-plan.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { buildWorld, planRequest, rejection, to } from './send-plans-world.js';
import type { World } from './send-plans-world.js';

describe.each(await availableDialects())('send plans on %s', (dialect) => {
  let database: TestDatabase;
  let world: World;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    world = await buildWorld(database.db);
  });

  afterAll(async () => {
    await database.destroy();
  });

  it('classifies every recipient class', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([
        to('customer@fabrikam.example', 'Customer'),
        to('legal@contoso.example', 'Legal'),
        to('uk.support@contoso.example', 'UK Support'),
        { field: 'cc', emailAddress: 'PL.Support@Contoso.Example', displayName: 'Wsparcie PL' },
      ]),
    );

    expect(plan.recipients.map((recipient) => recipient.class)).toEqual([
      'external',
      'internal',
      'own-mailbox',
      'connected-mailbox',
    ]);
    expect(plan.recipients[2]).toMatchObject({ mailbox: 'uk.support@contoso.example', teamId: world.teamA });
    expect(plan.recipients[3]).toMatchObject({
      field: 'cc',
      emailAddress: 'PL.Support@Contoso.Example',
      displayName: 'Wsparcie PL',
      mailbox: 'pl.support@contoso.example',
      teamId: world.teamB,
    });
    expect(plan.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('matches a mailbox by its alias', async () => {
    const plan = await createSendPlan(database.db, world.ukAgent, planRequest([to('Wsparcie.PL@contoso.example')]));

    expect(plan.recipients[0]).toMatchObject({ class: 'connected-mailbox', mailbox: 'pl.support@contoso.example' });
    expect(plan.decisions.map((decision) => decision.mailbox)).toEqual(['pl.support@contoso.example']);
  });

  it('matches unresolved recipients by display name', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([
        to('Wsparcie PL', 'wsparcie pl', { recipientType: 'other' }),
        to('/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=abc', 'pl.support@contoso.example'),
        to('pomoc', 'POMOC  ŁÓDŹ'),
        to('someone@contoso.example', 'UK Support', { recipientType: 'other' }),
      ]),
    );

    expect(plan.recipients.map((recipient) => recipient.mailbox)).toEqual([
      'pl.support@contoso.example',
      'pl.support@contoso.example',
      'pomoc@łódź.example',
      'uk.support@contoso.example',
    ]);
    expect(plan.recipients.map((recipient) => recipient.class)).toEqual([
      'connected-mailbox',
      'connected-mailbox',
      'connected-mailbox',
      'own-mailbox',
    ]);
  });

  it('compares IDN domains in either form', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('POMOC@xn--d-uga0v4h.example'), to('anna@ŁÓDŹ.example'), to('jan@xn--d-uga0v4h.example')]),
    );

    expect(plan.recipients[0]).toMatchObject({
      class: 'connected-mailbox',
      mailbox: 'pomoc@łódź.example',
      teamId: world.teamC,
    });
    expect(plan.recipients[1]?.class).toBe('internal');
    expect(plan.recipients[2]?.class).toBe('internal');
  });

  it('keeps an already tagged recipient', async () => {
    const tagged = `pl.support+${world.caseLinked.toLowerCase()}@contoso.example`;
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(tagged, 'Wsparcie PL')], { currentReference: world.ticket }),
    );

    expect(plan.recipients[0]).toMatchObject({
      emailAddress: tagged,
      class: 'connected-mailbox',
      reference: world.caseLinked,
    });
    expect(plan.decisionNeeded).toBe(false);
    expect(plan.decisions).toHaveLength(1);
  });

  it('defaults a settled mailbox to its tag', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(`pl.support+${world.caseTwinTwo}@contoso.example`)], { currentReference: world.ticketTwoLinks }),
    );

    expect(plan.decisionNeeded).toBe(false);
    expect(plan.decisions[0]?.defaultChoice).toEqual({ action: 'share', reference: world.caseTwinTwo });
  });

  it('defaults mixed settled tags to plain', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest(
        [to(`pl.support+${world.caseTwinOne}@contoso.example`), to(`wsparcie.pl+${world.caseTwinTwo}@contoso.example`)],
        { currentReference: world.ticketTwoLinks },
      ),
    );

    expect(plan.decisionNeeded).toBe(false);
    expect(plan.decisions[0]?.defaultChoice).toEqual({ action: 'plain' });
  });

  it('asks again for a tag of an unlinked item', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(`pl.support+${world.caseAlone}@contoso.example`)], { currentReference: world.ticket }),
    );

    expect(plan.recipients[0]?.reference).toBe(world.caseAlone);
    expect(plan.decisionNeeded).toBe(true);
  });

  it('ignores a tag that names no work item', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support+99999-C@contoso.example')]),
    );

    expect(plan.recipients[0]?.class).toBe('connected-mailbox');
    expect(plan.recipients[0]?.reference).toBeUndefined();
  });

  it('takes the current reference first', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to(`uk.support+${world.ticket}@contoso.example`)], {
        currentReference: world.ticketAlone.toLowerCase(),
        conversationId: 'conv-alone',
        subject: `RE: [${world.ticketTwoLinks}] Invoice`,
      }),
    );

    expect(plan.currentReference).toBe(world.ticketAlone);
  });

  it('takes a tagged own mailbox second', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('customer@fabrikam.example'), to(`uk.support+${world.ticket}@contoso.example`)], {
        conversationId: 'conv-alone',
        subject: `RE: [${world.ticketTwoLinks}] Invoice`,
      }),
    );

    expect(plan.currentReference).toBe(world.ticket);
    expect(plan.recipients[1]?.reference).toBe(world.ticket);
  });

  it('takes the conversation third', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('customer@fabrikam.example')], {
        conversationId: 'conv-alone',
        subject: `RE: [${world.ticketTwoLinks}] Invoice`,
      }),
    );

    expect(plan.currentReference).toBe(world.ticketAlone);
  });

  it('takes the latest own-team conversation', async () => {
    const items = await findWorkItemsByReferences(database.db, [world.ticket, world.ticketTwoLinks, world.caseAlone]);
    const idOf = (reference: string): number => items.get(reference)?.id ?? -1;
    // The newest record names another team's item, which the agent's plan must not take.
    await database.db
      .insertInto('conversations')
      .values([
        {
          conversation_id: 'conv-several',
          work_item_id: idOf(world.ticket),
          source: 'pane',
          created_at: '2026-01-01T10:00:00.000Z',
          last_seen_at: '2026-01-01T10:00:00.000Z',
        },
        {
          conversation_id: 'conv-several',
          work_item_id: idOf(world.ticketTwoLinks),
          source: 'pane',
          created_at: '2026-01-01T11:00:00.000Z',
          last_seen_at: '2026-01-01T11:00:00.000Z',
        },
        {
          conversation_id: 'conv-several',
          work_item_id: idOf(world.caseAlone),
          source: 'pane',
          created_at: '2026-01-01T12:00:00.000Z',
          last_seen_at: '2026-01-01T12:00:00.000Z',
        },
      ])
      .execute();

    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('customer@fabrikam.example')], { conversationId: 'conv-several' }),
    );

    expect(plan.currentReference).toBe(world.ticketTwoLinks);
  });

  it('breaks a conversation tie by the newer item', async () => {
    const items = await findWorkItemsByReferences(database.db, [world.ticket, world.ticketTwoLinks]);
    const recordedAt = '2026-01-02T10:00:00.000Z';
    await database.db
      .insertInto('conversations')
      .values(
        [world.ticketTwoLinks, world.ticket].map((reference) => ({
          conversation_id: 'conv-tie',
          work_item_id: items.get(reference)?.id ?? -1,
          source: 'pane',
          created_at: recordedAt,
          last_seen_at: recordedAt,
        })),
      )
      .execute();

    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('customer@fabrikam.example')], { conversationId: 'conv-tie' }),
    );

    // Created second, so it has the higher id.
    expect(plan.currentReference).toBe(world.ticketTwoLinks);
  });

  it('takes the subject reference last', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('customer@fabrikam.example')], {
        conversationId: 'conv-unknown',
        subject: `AW: RE: Invoice [${world.ticketTwoLinks}]`,
      }),
    );

    expect(plan.currentReference).toBe(world.ticketTwoLinks);
  });

  it('skips subject references of other teams', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('customer@fabrikam.example')], { subject: `RE: ${world.caseAlone}` }),
    );

    expect(plan.currentReference).toBeNull();
  });

  it('asks for a current item when none is found', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('customer@fabrikam.example'), to('pl.support@contoso.example')], { subject: 'New question' }),
    );

    expect(plan.currentReference).toBeNull();
    expect(plan.needsCurrentItem).toBe(true);
    expect(plan.decisionNeeded).toBe(true);
    expect(plan.decisions[0]?.linkedItems).toEqual([]);
    expect(plan.decisions[0]?.defaultChoice).toEqual({ action: 'create' });
  });

  it('needs nothing for the own mailbox alone', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('customer@fabrikam.example'), to('uk.support@contoso.example')], { subject: 'New question' }),
    );

    expect(plan.needsCurrentItem).toBe(false);
    expect(plan.decisionNeeded).toBe(false);
    expect(plan.decisions).toEqual([]);
  });

  it('rejects an unknown current reference', async () => {
    const error = await rejection(
      createSendPlan(
        database.db,
        world.ukAgent,
        planRequest([to('a@fabrikam.example')], { currentReference: '99999-C' }),
      ),
    );

    expect(error.code).toBe('WORKLINK_WORK_ITEM_NOT_FOUND');
    expect(error.statusCode).toBe(404);
    expect(error.message).toContain('99999-C');
  });

  it('hides an unlinked item of another team', async () => {
    const error = await rejection(
      createSendPlan(
        database.db,
        world.ukAgent,
        planRequest([to('a@fabrikam.example')], { currentReference: world.caseAlone }),
      ),
    );

    expect(error.code).toBe('WORKLINK_WORK_ITEM_NOT_FOUND');
    expect(error.message).toContain(world.caseAlone);
  });

  it('rejects a malformed current reference', async () => {
    const error = await rejection(
      createSendPlan(
        database.db,
        world.ukAgent,
        planRequest([to('a@fabrikam.example')], { currentReference: 'ticket-7' }),
      ),
    );

    expect(error.code).toBe('WORKLINK_INVALID_REFERENCE');
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('ticket-7');
  });

  it('defaults to create without linked items', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticketAlone }),
    );

    expect(plan.decisions[0]?.linkedItems).toEqual([]);
    expect(plan.decisions[0]?.defaultChoice).toEqual({ action: 'create' });
    expect(plan.decisionNeeded).toBe(true);
  });

  it('defaults to share one linked item', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticket }),
    );

    expect(plan.decisions[0]?.defaultChoice).toEqual({ action: 'share', reference: world.caseLinked });
    expect(plan.decisions[0]?.teamName).toBe('Team B (PL)');
    expect(plan.decisionNeeded).toBe(true);
  });

  it('defaults to create with two linked items', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticketTwoLinks }),
    );

    expect(plan.decisions[0]?.linkedItems.map((item) => item.reference)).toEqual([
      world.caseTwinOne,
      world.caseTwinTwo,
    ]);
    expect(plan.decisions[0]?.defaultChoice).toEqual({ action: 'create' });
  });

  it('shows linked items of other teams as headers', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticket }),
    );

    expect(plan.decisions[0]?.linkedItems).toEqual([
      { reference: world.caseLinked, type: 'case', teamId: world.teamB, status: 'todo', view: 'header' },
    ]);
  });

  it('lists the creation form of the team', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticket }),
    );

    expect(plan.decisions[0]?.form).toEqual([
      {
        name: 'entity',
        label: { en: 'Entity', pl: 'Podmiot' },
        type: 'choice',
        required: true,
        options: ['Contoso Polska', 'Contoso UK'],
      },
      { name: 'dueDate', label: { en: 'Due date', pl: 'Termin' }, type: 'date', required: false },
    ]);
  });

  it('makes one decision per mailbox', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example'), to('wsparcie.pl@contoso.example'), to('pomoc@łódź.example')], {
        currentReference: world.ticket,
      }),
    );

    expect(plan.decisions.map((decision) => decision.mailbox)).toEqual([
      'pl.support@contoso.example',
      'pomoc@łódź.example',
    ]);
  });

  it('treats the other side symmetrically', async () => {
    const plan = await createSendPlan(
      database.db,
      world.plAgent,
      planRequest([to('uk.support@contoso.example'), to('pl.support@contoso.example')], {
        currentReference: world.caseLinked,
      }),
    );

    expect(plan.recipients.map((recipient) => recipient.class)).toEqual(['connected-mailbox', 'own-mailbox']);
    expect(plan.decisions[0]?.defaultChoice).toEqual({ action: 'share', reference: world.ticket });
  });

  it('rejects more than 500 recipients', async () => {
    const recipients = Array.from({ length: 501 }, (_, index) => to(`person${index}@fabrikam.example`));
    const error = await rejection(createSendPlan(database.db, world.ukAgent, planRequest(recipients)));

    expect(error.code).toBe('WORKLINK_TOO_MANY_RECIPIENTS');
    expect(error.statusCode).toBe(413);
    expect(error.message).toContain('501');
  });

  it('accepts exactly 500 recipients', async () => {
    const recipients = Array.from({ length: 500 }, (_, index) => to(`person${index}@fabrikam.example`));
    const plan = await createSendPlan(database.db, world.ukAgent, planRequest(recipients));

    expect(plan.recipients).toHaveLength(500);
  });

  it('lists every invalid recipient', async () => {
    const error = await rejection(
      createSendPlan(
        database.db,
        world.ukAgent,
        planRequest([to('fine@fabrikam.example'), to('no-at-sign', 'Nobody'), to('two@@fabrikam.example', 'Two')]),
      ),
    );

    expect(error.code).toBe('WORKLINK_INVALID_RECIPIENT');
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('no-at-sign');
    expect(error.details).toEqual([
      expect.objectContaining({
        index: 1,
        field: 'to',
        emailAddress: 'no-at-sign',
        code: 'WORKLINK_ADDRESS_MISSING_AT',
      }),
      expect.objectContaining({ index: 2, emailAddress: 'two@@fabrikam.example' }),
    ]);
  });

  it('stores the plan for its agent', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], {
        currentReference: world.ticket,
        conversationId: 'conv-stored',
      }),
    );
    const row = await database.db
      .selectFrom('send_plans')
      .selectAll()
      .where('id', '=', plan.id)
      .executeTakeFirstOrThrow();

    expect(row.agent_id).toBe(world.ukAgent.id);
    expect(row.state).toBe('pending');
    expect(row.conversation_id).toBe('conv-stored');
    expect(row.commit_result).toBeNull();
  });
});

describe.each(await availableDialects())('send plans with rewriting off on %s', (dialect) => {
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

  it('classifies but asks nothing', async () => {
    const plan = await createSendPlan(
      database.db,
      world.ukAgent,
      planRequest([to('pl.support@contoso.example')], { currentReference: world.ticket }),
    );

    expect(plan.recipients[0]?.class).toBe('connected-mailbox');
    expect(plan.decisions).toEqual([]);
    expect(plan.decisionNeeded).toBe(false);
    expect(plan.needsCurrentItem).toBe(false);
  });
});
