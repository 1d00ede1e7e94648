import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/server/db/schema.js';
import { createAgent } from '../../src/server/repositories/agents.js';
import { availableDialects } from '../support/databases.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

/** Stores a message routed to `workItemIds`, with one attachment, as the inbound router would. */
async function storeMessage(
  db: Kysely<Database>,
  message: { messageId: string; subject: string; workItemIds: number[]; conversationId?: string },
): Promise<void> {
  const raw = Buffer.from(`Message-ID: <${message.messageId}>\r\nSubject: ${message.subject}\r\n\r\nBody`);
  const hash = createHash('sha256').update(raw).digest('hex');
  const at = '2026-12-01T10:00:00.000Z';
  await db
    .insertInto('mime_blobs')
    .values({ content_hash: hash, size: raw.length, content: raw, created_at: at })
    .execute();
  const row = await db
    .insertInto('messages')
    .values({
      content_hash: hash,
      message_id: message.messageId,
      in_reply_to: null,
      references: '[]',
      thread_root: message.messageId,
      conversation_id: message.conversationId ?? null,
      subject: message.subject,
      from_address: 'orders@fabrikam.example',
      from_name: 'Fabrikam Orders',
      to_list: JSON.stringify([{ address: 'uk.support@contoso.example', name: 'UK Support' }]),
      cc_list: JSON.stringify([{ address: 'pl.support@contoso.example', name: null }]),
      sent_at: at,
      text_body: 'Secret body text',
      html_body: '<p>Secret body text</p>',
      headers: '{}',
      is_automatic: 0,
      received_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('attachments')
    .values({
      message_id: row.id,
      filename: 'invoice.pdf',
      content_type: 'application/pdf',
      size: 1234,
      content_hash: hash,
    })
    .execute();
  for (const workItemId of message.workItemIds) {
    await db
      .insertInto('message_routes')
      .values({ message_id: row.id, work_item_id: workItemId, mailbox_id: null, rule: 'new', created_at: at })
      .execute();
  }
}

describe.each(await availableDialects())('work items on %s', (dialect) => {
  let test: TestApp;
  let uk: string;
  let pl: string;
  let admin: string;
  let teamA: number;
  let teamB: number;

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown) =>
    test.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const idOf = async (reference: string) =>
    (
      await test.database.db
        .selectFrom('work_items')
        .select('id')
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow()
    ).id;

  beforeAll(async () => {
    test = await createTestApp(dialect, { seed: 'demo' });
    uk = await test.tokenFor('uk.agent@contoso.example');
    pl = await test.tokenFor('pl.agent@contoso.example');
    admin = await test.tokenFor('admin@contoso.example');
    const teams = await test.database.db.selectFrom('teams').select(['id', 'name']).execute();
    teamA = teams.find((team) => team.name === 'Team A (UK)')!.id;
    teamB = teams.find((team) => team.name === 'Team B (PL)')!.id;
  });

  afterAll(async () => {
    await test.close();
  });

  it('creates a ticket with a six-digit reference', async () => {
    const response = await call('POST', '/api/v1/work-items', uk, {
      teamId: teamA,
      type: 'ticket',
      title: 'Broken hinge',
      requester: 'Buyer@Fabrikam.example',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().reference).toMatch(/^\d{6}-T$/);

    const item = await call('GET', `/api/v1/work-items/${response.json().reference}`, uk);
    expect(item.json()).toMatchObject({ title: 'Broken hinge', requester: 'buyer@fabrikam.example', view: 'full' });
  });

  it('creates a case with form fields checked', async () => {
    const response = await call('POST', '/api/v1/work-items', pl, {
      teamId: teamB,
      type: 'case',
      title: 'Refund',
      fields: { entity: 'Contoso UK', dueDate: '2026-12-24' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().reference).toMatch(/^\d{5}-C$/);

    const item = await call('GET', `/api/v1/work-items/${response.json().reference.toLowerCase()}`, pl);
    expect(item.json().fields).toEqual({ entity: 'Contoso UK', dueDate: '2026-12-24' });
  });

  it.each([
    ['a missing required field', { dueDate: '2026-12-24' }, 'entity'],
    ['an option not offered', { entity: 'Contoso France' }, 'entity'],
    ['an impossible date', { entity: 'Contoso UK', dueDate: '2026-02-30' }, 'dueDate'],
    ['an unknown field', { entity: 'Contoso UK', colour: 'blue' }, 'colour'],
  ])('rejects fields with %s', async (_name, fields, field) => {
    const response = await call('POST', '/api/v1/work-items', pl, { teamId: teamB, type: 'case', title: 'X', fields });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_FIELDS_INVALID');
    expect(response.json().details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('lists field problems in Polish', async () => {
    const payload = {
      teamId: teamB,
      type: 'case',
      title: 'X',
      fields: { entity: 'Contoso France', dueDate: '2026-02-30', colour: 'blue' },
    };
    const english = await call('POST', '/api/v1/work-items', pl, payload);
    const polish = await test.app.inject({
      method: 'POST',
      url: '/api/v1/work-items',
      headers: { authorization: `Bearer ${pl}`, 'accept-language': 'pl-PL,pl;q=0.9,en;q=0.8' },
      payload,
    });

    expect(english.statusCode).toBe(400);
    expect(english.json()).toEqual({
      code: 'WORKLINK_FIELDS_INVALID',
      message: 'Field "colour" is not a field of this team’s form: correct the form values.',
      details: [
        { field: 'colour', problem: 'is not a field of this team’s form' },
        { field: 'entity', problem: 'has "Contoso France", which is not one of Contoso Polska, Contoso UK' },
        { field: 'dueDate', problem: 'has "2026-02-30", which is not a date of the form YYYY-MM-DD' },
      ],
    });
    expect(polish.statusCode).toBe(400);
    expect(polish.headers['content-language']).toBe('pl');
    expect(polish.json()).toEqual({
      code: 'WORKLINK_FIELDS_INVALID',
      message: 'Pole "colour" nie należy do formularza tego zespołu: popraw wartości formularza.',
      details: [
        { field: 'colour', problem: 'nie należy do formularza tego zespołu' },
        {
          field: 'entity',
          problem: 'ma wartość "Contoso France", a dozwolone wartości to Contoso Polska, Contoso UK',
        },
        { field: 'dueDate', problem: 'ma wartość "2026-02-30", która nie jest datą w formacie RRRR-MM-DD' },
      ],
    });
  });

  it('names a missing required field in Polish', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/work-items',
      headers: { authorization: `Bearer ${pl}`, 'accept-language': 'pl' },
      payload: { teamId: teamB, type: 'case', title: 'X', fields: {} },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'WORKLINK_FIELDS_INVALID',
      message: 'Pole "entity" jest wymagane: popraw wartości formularza.',
      details: [{ field: 'entity', problem: 'jest wymagane' }],
    });
  });

  it('rejects a connected mailbox as requester', async () => {
    const response = await call('POST', '/api/v1/work-items', uk, {
      teamId: teamA,
      type: 'ticket',
      title: 'Loop',
      requester: 'wsparcie.pl+10040-C@contoso.example',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_INVALID_ADDRESS');
  });

  it('returns 403 for a team the agent is not in', async () => {
    const response = await call('POST', '/api/v1/work-items', uk, { teamId: teamB, type: 'case', title: 'Not mine' });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('WORKLINK_NOT_TEAM_MEMBER');
  });

  it('returns 404 for an unknown team', async () => {
    const response = await call('POST', '/api/v1/work-items', uk, { teamId: 777_777, type: 'case', title: 'Nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_TEAM_NOT_FOUND');
  });

  it('gives 50 parallel creates 50 distinct references', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: `Parallel ${index}` }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.every((status) => status === 201)).toBe(true);
    const references = responses.map((response) => response.json().reference as string);
    expect(new Set(references).size).toBe(50);
    const numbers = references.map((reference) => Number.parseInt(reference, 10)).sort((a, b) => a - b);
    expect(numbers[49]! - numbers[0]!).toBe(49);
  });

  it('lists own team items newest first with titles', async () => {
    const response = await call('GET', `/api/v1/work-items?team=${teamA}`, uk);
    expect(response.statusCode).toBe(200);
    const items = response.json() as Array<{ reference: string; createdAt: string; view: string; title?: string }>;
    expect(items.length).toBeGreaterThan(50);
    expect(items.every((item) => item.view === 'full' && typeof item.title === 'string')).toBe(true);
    const ids = await Promise.all(items.slice(0, 5).map((item) => idOf(item.reference)));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('lists only linked items of another team, without titles', async () => {
    const response = await call('GET', `/api/v1/work-items?team=${teamA}`, pl);
    expect(response.statusCode).toBe(200);
    const items = response.json() as Array<{ reference: string; view: string; title?: string }>;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ view: 'header', teamId: teamA });
    expect(items[0]).not.toHaveProperty('title');
  });

  it('answers 404 for a team that does not exist', async () => {
    const response = await call('GET', '/api/v1/work-items?team=999999', uk);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_TEAM_NOT_FOUND' });
    expect(response.json().message).toContain('999999');
  });

  it('shows a linked item in the header view only', async () => {
    const ukItems = (await call('GET', `/api/v1/work-items?team=${teamA}`, pl)).json();
    const linked = ukItems[0].reference as string;
    const linkedId = await idOf(linked);
    const plCase = (await call('GET', `/api/v1/work-items?team=${teamB}`, pl)).json().at(-1).reference as string;
    await storeMessage(test.database.db, {
      messageId: 'order-4471@fabrikam.example',
      subject: 'Order 4471',
      workItemIds: [linkedId],
      conversationId: 'AAQkAGI2-conversation-1',
    });

    const header = await call('GET', `/api/v1/work-items/${linked}`, pl);
    expect(header.statusCode).toBe(200);
    const body = header.json();
    expect(body.view).toBe('header');
    expect(body).not.toHaveProperty('title');
    expect(body).not.toHaveProperty('fields');
    expect(body.requester).toBeNull();
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]).toMatchObject({
      messageId: 'order-4471@fabrikam.example',
      from: 'orders@fabrikam.example',
      subject: 'Order 4471',
      to: [{ address: 'uk.support@contoso.example' }],
      cc: [{ address: 'pl.support@contoso.example' }],
    });
    expect(header.body).not.toContain('Secret body text');
    expect(header.body).not.toContain('invoice.pdf');
    expect(body.links).toEqual([{ reference: plCase, teamId: teamB, view: 'full' }]);

    const full = await call('GET', `/api/v1/work-items/${linked}`, uk);
    expect(full.json().view).toBe('full');
    expect(full.json().messages[0]).toMatchObject({
      textBody: 'Secret body text',
      attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', size: 1234 }],
    });
    expect(full.json().links).toEqual([{ reference: plCase, teamId: teamB, view: 'header' }]);
  });

  it('returns 404 for an unlinked item of another team', async () => {
    const created = await call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: 'Private' });
    const response = await call('GET', `/api/v1/work-items/${created.json().reference}`, pl);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_WORK_ITEM_NOT_FOUND');

    const missing = await call('GET', '/api/v1/work-items/999999-T', pl);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      code: 'WORKLINK_WORK_ITEM_NOT_FOUND',
      message: response.json().message.replace(created.json().reference, '999999-T'),
    });
  });

  it('member changes the status', async () => {
    const created = (
      await call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: 'Status' })
    ).json().reference as string;

    const response = await call('PATCH', `/api/v1/work-items/${created.toLowerCase()}`, uk, { status: 'waiting' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ reference: created, status: 'waiting', updatedAt: expect.any(String) });
    expect((await call('GET', `/api/v1/work-items/${created}`, uk)).json().status).toBe('waiting');
    const audit = await test.database.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('subject_id', '=', created)
      .execute();
    expect(audit).toEqual([{ action: 'work-item.status', detail: JSON.stringify({ from: 'todo', to: 'waiting' }) }]);
  });

  it('header view cannot change the status', async () => {
    const linked = (await call('GET', `/api/v1/work-items?team=${teamA}`, pl)).json()[0];
    expect(linked.view).toBe('header');

    const response = await call('PATCH', `/api/v1/work-items/${linked.reference}`, pl, { status: 'done' });

    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('WORKLINK_NOT_TEAM_MEMBER');
    expect((await call('GET', `/api/v1/work-items/${linked.reference}`, uk)).json().status).toBe(linked.status);
  });

  it('status change rejects unknown statuses', async () => {
    const created = (
      await call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: 'Bad' })
    ).json().reference as string;

    const response = await call('PATCH', `/api/v1/work-items/${created}`, uk, { status: 'closed' });

    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_VALIDATION_FAILED');
  });

  it('status change of an unseen item gives 404', async () => {
    const created = (
      await call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: 'Hidden' })
    ).json().reference as string;

    const response = await call('PATCH', `/api/v1/work-items/${created}`, pl, { status: 'done' });

    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_WORK_ITEM_NOT_FOUND');
  });

  it('returns 404 to an admin outside the team', async () => {
    const created = await call('POST', '/api/v1/work-items', uk, {
      teamId: teamA,
      type: 'ticket',
      title: 'Admin cannot see',
    });
    const response = await call('GET', `/api/v1/work-items/${created.json().reference}`, admin);
    expect(response.statusCode).toBe(404);
  });

  it('returns 400 for a malformed reference', async () => {
    const response = await call('GET', '/api/v1/work-items/not-a-reference', uk);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('WORKLINK_INVALID_REFERENCE');
    expect(response.json().message).toContain('not-a-reference');
  });

  it('finds work items by Message-ID, with or without brackets', async () => {
    for (const messageId of ['order-4471@fabrikam.example', '<order-4471@fabrikam.example>']) {
      const response = await call('GET', `/api/v1/work-items?messageId=${encodeURIComponent(messageId)}`, uk);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toHaveLength(1);
      expect(response.json()[0].view).toBe('full');
    }
    const unknown = await call('GET', `/api/v1/work-items?messageId=${encodeURIComponent('nobody@x.example')}`, uk);
    expect(unknown.json()).toEqual([]);
  });

  it('finds work items by conversation id', async () => {
    const response = await call('GET', '/api/v1/work-items?conversationId=AAQkAGI2-conversation-1', pl);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toHaveLength(1);
    expect(response.json()[0].view).toBe('header');
  });

  it('records a conversation reported by message id', async () => {
    const response = await call('POST', '/api/v1/conversations', uk, {
      conversationId: 'AAQkAGI2-conversation-2',
      internetMessageId: '<order-4471@fabrikam.example>',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().workItems).toHaveLength(1);
    expect(response.json().workItems[0].view).toBe('full');

    const lookup = await call('GET', '/api/v1/work-items?conversationId=AAQkAGI2-conversation-2', uk);
    expect(lookup.json()).toHaveLength(1);
  });

  it('records a conversation reported by reference', async () => {
    const created = await call('POST', '/api/v1/work-items', pl, { teamId: teamB, type: 'case', title: 'By pane' });
    const reference = created.json().reference as string;
    const response = await call('POST', '/api/v1/conversations', pl, {
      conversationId: 'AAQkAGI2-conversation-3',
      reference: reference.toLowerCase(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().workItems).toEqual([{ reference, teamId: teamB, view: 'full' }]);

    const repeat = await call('POST', '/api/v1/conversations', pl, {
      conversationId: 'AAQkAGI2-conversation-3',
      reference,
    });
    expect(repeat.json().workItems).toHaveLength(1);
  });

  it('picks the last opened item of a shared conversation', async () => {
    // Two requests with the same subject, which Outlook files in one conversation.
    const first = await call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: 'Pallets' });
    const second = await call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: 'Pallets' });
    const conversationId = 'AAQkAGI2-conversation-shared';
    const open = (reference: string) => call('POST', '/api/v1/conversations', uk, { conversationId, reference });
    const replyPlan = async (subject: string) => {
      const response = await call('POST', '/api/v1/send-plans', uk, {
        conversationId,
        subject,
        recipients: [{ field: 'to', emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' }],
      });
      expect(response.statusCode).toBe(201);
      return response.json().currentReference as string;
    };

    expect((await open(first.json().reference)).json().workItems).toHaveLength(1);
    expect((await open(second.json().reference)).json().workItems).toHaveLength(2);
    expect(await replyPlan('RE: Pallets')).toBe(second.json().reference);

    await open(first.json().reference);
    expect(await replyPlan('RE: Pallets')).toBe(first.json().reference);
    // A reference in the subject names the item outright.
    expect(await replyPlan(`RE: [${second.json().reference}] Pallets`)).toBe(second.json().reference);
  });

  it('prefers the item the replying agent opened', async () => {
    const first = await call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: 'Crates' });
    const second = await call('POST', '/api/v1/work-items', uk, { teamId: teamA, type: 'ticket', title: 'Crates' });
    await createAgent(test.database.db, {
      email: 'uk.colleague@contoso.example',
      displayName: 'UK Colleague',
      isAdmin: false,
      teamIds: [teamA],
    });
    await createAgent(test.database.db, {
      email: 'uk.newcomer@contoso.example',
      displayName: 'UK Newcomer',
      isAdmin: false,
      teamIds: [teamA],
    });
    const colleague = await test.tokenFor('uk.colleague@contoso.example');
    const newcomer = await test.tokenFor('uk.newcomer@contoso.example');
    const conversationId = 'AAQkAGI2-conversation-two-agents';
    const open = (token: string, reference: string) =>
      call('POST', '/api/v1/conversations', token, { conversationId, reference });
    const replyPlan = async (token: string) => {
      const response = await call('POST', '/api/v1/send-plans', token, {
        conversationId,
        subject: 'RE: Crates',
        recipients: [{ field: 'to', emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' }],
      });
      expect(response.statusCode).toBe(201);
      return response.json().currentReference as string;
    };

    await open(uk, second.json().reference);
    await open(colleague, first.json().reference);

    expect(await replyPlan(uk)).toBe(second.json().reference);
    expect(await replyPlan(colleague)).toBe(first.json().reference);
    // An agent who opened neither gets the one the team opened last.
    expect(await replyPlan(newcomer)).toBe(first.json().reference);
  });

  it('rejects a conversation report for an item of another team', async () => {
    const created = await call('POST', '/api/v1/work-items', uk, {
      teamId: teamA,
      type: 'ticket',
      title: 'Other team',
    });
    const response = await call('POST', '/api/v1/conversations', pl, {
      conversationId: 'AAQkAGI2-conversation-4',
      reference: created.json().reference,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('WORKLINK_WORK_ITEM_NOT_FOUND');
  });

  it('returns an empty list for an unknown conversation', async () => {
    const response = await call('POST', '/api/v1/conversations', uk, { conversationId: 'AAQkAGI2-unknown' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ conversationId: 'AAQkAGI2-unknown', workItems: [] });
  });

  it('returns 401 without a token', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/work-items' });
    expect(response.statusCode).toBe(401);
  });
});
