/**
 * Worklink's main job on real input, from end to end. An external request arrives over SMTP,
 * and an agent's reply pulls in a second team, so the send plan rewrites the recipients to
 * plus addresses. The agent's reply and the external reply-all then reach both work items
 * exactly once. Last, the handler runs under office-addin-mock against the same server.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_PLAN_KEY } from '../src/addin/shared/session-plan.js';
import { STORAGE_KEYS, createMemoryStorage } from '../src/addin/shared/storage.js';
import type { CommitResponse, Recipient, SendPlanResponse } from '../src/core/api-types.js';
import { startSmtpListener } from '../src/server/mail/smtp-listener.js';
import type { SmtpListener } from '../src/server/mail/smtp-listener.js';
import { createTestApp } from './support/app.js';
import type { TestApp } from './support/app.js';
import { availableDialects } from './support/databases.js';
import { createOutlookMock } from './support/office-outlook-mock.js';
import { createHandlerRunner } from './support/send-handler-runner.js';

const fixtureDir = path.join(import.meta.dirname, 'fixtures', 'mail');
const conversationId = 'AAQkADAwATM0MDAAMS1iNWUwLWI4NDItMDACLTAwCgAQAN0457';

/** Reads a fixture and fills `{{NAME}}` placeholders; a placeholder left unfilled fails the test. */
function fixture(name: string, values: Record<string, string> = {}): Buffer {
  let text = fs.readFileSync(path.join(fixtureDir, name), 'utf8');
  for (const [key, value] of Object.entries(values)) {
    text = text.split(`{{${key}}}`).join(value);
  }
  expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
  return Buffer.from(text, 'utf8');
}

/** The agent's reply as Outlook lists it before Worklink rewrites it. */
const agentReply: Recipient[] = [
  { field: 'to', emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' },
  { field: 'cc', emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' },
  { field: 'cc', emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' },
  { field: 'cc', emailAddress: 'legal@contoso.example', displayName: 'Legal' },
];

interface WorkItemView {
  reference: string;
  teamId: number;
  view: 'full' | 'header';
  requester: string | null;
  messages: Array<{ messageId: string; subject: string; text?: string; html?: string }>;
  links: Array<{ reference: string; teamId: number; view: 'full' | 'header' }>;
}

describe.each(await availableDialects())('main job on %s', (dialect) => {
  let testApp: TestApp;
  let smtp: SmtpListener;
  let apiOrigin: string;
  const tokens: Record<string, string> = {};
  const state = { refA: '', refB: '', planId: '', committed: [] as Recipient[] };

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    const address = await testApp.app.listen({ host: '127.0.0.1', port: 0 });
    apiOrigin = address.replace('localhost', '127.0.0.1');
    smtp = await startSmtpListener({
      config: testApp.config,
      database: testApp.database,
      log: testApp.app.log,
      events: testApp.app.events,
      listenPort: 0,
    });
    for (const email of ['uk.agent@contoso.example', 'pl.agent@contoso.example']) {
      tokens[email] = await testApp.tokenFor(email);
    }
  });

  afterAll(async () => {
    await smtp?.close();
    await testApp?.close();
  });

  /** Delivers raw MIME over real SMTP in one transaction with the given envelope recipients. */
  async function deliver(raw: Buffer, recipients: string[]): Promise<void> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      const info = await transport.sendMail({
        envelope: { from: 'billing@fabrikam.example', to: recipients },
        raw,
      });
      expect(info.rejected).toEqual([]);
    } finally {
      transport.close();
    }
  }

  async function api<T>(agent: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
    const response = await testApp.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[agent]}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: response.statusCode, body: response.json() as T };
  }

  async function workItem(agent: string, reference: string): Promise<WorkItemView> {
    const { status, body } = await api<WorkItemView>(agent, 'GET', `/api/v1/work-items/${reference}`);
    expect(status).toBe(200);
    return body;
  }

  async function countWorkItems(): Promise<number> {
    const row = await testApp.database.db
      .selectFrom('work_items')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  function countMessage(item: WorkItemView, messageId: string): number {
    return item.messages.filter((message) => message.messageId === messageId).length;
  }

  it('turns the external request into a Team A work item', async () => {
    await deliver(fixture('01-external-request.eml'), ['uk.support@contoso.example']);

    const teamA = await testApp.database.db
      .selectFrom('teams')
      .select('id')
      .where('name', '=', 'Team A (UK)')
      .executeTakeFirstOrThrow();
    const list = await api<Array<{ reference: string; teamId: number; title: string }>>(
      'uk.agent@contoso.example',
      'GET',
      `/api/v1/work-items?team=${teamA.id}`,
    );
    const created = list.body.find((item) => item.title.startsWith('Invoice 2024/11/0457'));
    expect(created).toBeDefined();
    state.refA = created?.reference ?? '';

    const item = await workItem('uk.agent@contoso.example', state.refA);
    expect(item.requester).toBe('billing@fabrikam.example');
    expect(item.messages).toHaveLength(1);
  });

  it('commits the reply plan with a new linked Team B item', async () => {
    const plan = await api<SendPlanResponse>('uk.agent@contoso.example', 'POST', '/api/v1/send-plans', {
      currentReference: state.refA,
      conversationId,
      subject: 'RE: Invoice 2024/11/0457 - payment status (UK and PL entities)',
      recipients: agentReply,
    });
    expect(plan.status).toBe(201);
    expect(plan.body.recipients.map((recipient) => recipient.class)).toEqual([
      'external',
      'own-mailbox',
      'connected-mailbox',
      'internal',
    ]);
    expect(plan.body.decisionNeeded).toBe(true);
    expect(plan.body.decisions).toHaveLength(1);
    expect(plan.body.decisions[0]?.mailbox).toBe('pl.support@contoso.example');
    expect(plan.body.decisions[0]?.defaultChoice.action).toBe('create');
    state.planId = plan.body.id;

    const commit = await api<CommitResponse>(
      'uk.agent@contoso.example',
      'POST',
      `/api/v1/send-plans/${state.planId}/commit`,
      { choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso Polska' } }] },
    );
    expect(commit.status).toBe(200);
    expect(commit.body.createdReferences).toHaveLength(1);
    state.refB = commit.body.createdReferences[0] ?? '';
    expect(state.refB).toMatch(/^\d+-C$/);
    expect(commit.body.headers['X-Worklink-Plan']).toBe(state.planId);
    expect(commit.body.recipients).toEqual([
      agentReply[0],
      { field: 'cc', emailAddress: `uk.support+${state.refA}@contoso.example`, displayName: 'UK Support' },
      { field: 'cc', emailAddress: `pl.support+${state.refB}@contoso.example`, displayName: 'Wsparcie PL' },
      agentReply[3],
    ]);
    state.committed = commit.body.recipients;

    const itemA = await workItem('uk.agent@contoso.example', state.refA);
    expect(itemA.links.map((link) => link.reference)).toEqual([state.refB]);
  });

  it('attaches the sent reply once to each work item', async () => {
    const before = await countWorkItems();
    const reply = fixture('02-agent-reply-linked.eml', {
      REF_A: state.refA,
      REF_B: state.refB,
      PLAN_ID: state.planId,
    });

    await deliver(reply, [`uk.support+${state.refA}@contoso.example`, `pl.support+${state.refB}@contoso.example`]);

    const replyId = 'DB9PR01MB0001.0457.reply1@DB9PR01MB0001.eurprd01.prod.outlook.example';
    expect(countMessage(await workItem('uk.agent@contoso.example', state.refA), replyId)).toBe(1);
    expect(countMessage(await workItem('pl.agent@contoso.example', state.refB), replyId)).toBe(1);
    expect(await countWorkItems()).toBe(before);
  });

  it('lands the external reply-all once per item however it is delivered', async () => {
    const before = await countWorkItems();
    const replyAll = fixture('03-external-reply-all.eml', { REF_A: state.refA, REF_B: state.refB });
    const plusA = `uk.support+${state.refA}@contoso.example`;
    const plusB = `pl.support+${state.refB}@contoso.example`;

    await deliver(replyAll, [plusA, plusB]);
    await deliver(replyAll, [plusA]);
    await deliver(replyAll, [plusB]);

    const replyAllId = 'b7e9f0a1c2d3.20241202114027@mail.fabrikam.example';
    expect(countMessage(await workItem('uk.agent@contoso.example', state.refA), replyAllId)).toBe(1);
    expect(countMessage(await workItem('pl.agent@contoso.example', state.refB), replyAllId)).toBe(1);
    expect(await countWorkItems()).toBe(before);
  });

  it('shows Team B its item in full and Team A in header view', async () => {
    const own = await workItem('pl.agent@contoso.example', state.refB);
    expect(own.view).toBe('full');
    expect(own.links).toEqual([expect.objectContaining({ reference: state.refA, view: 'header' })]);

    const linked = await workItem('pl.agent@contoso.example', state.refA);
    expect(linked.view).toBe('header');
    expect(linked.messages.length).toBeGreaterThanOrEqual(3);
    for (const message of linked.messages) {
      expect(message.subject).toBeTypeOf('string');
      expect(message).not.toHaveProperty('text');
      expect(message).not.toHaveProperty('html');
    }
  });

  it('rewrites the recipients in the handler to the committed addresses', async () => {
    const outlook = createOutlookMock({
      to: [{ emailAddress: 'billing@fabrikam.example', displayName: 'Fabrikam Billing' }],
      cc: agentReply.slice(1).map(({ emailAddress, displayName }) => ({ emailAddress, displayName })),
      subject: 'RE: Invoice 2024/11/0457 - payment status (UK and PL entities)',
      conversationId,
    });
    const storage = createMemoryStorage({ [STORAGE_KEYS.accessToken]: tokens['uk.agent@contoso.example'] ?? '' });
    const requests: string[] = [];
    const { send } = createHandlerRunner(outlook, {
      storage,
      fetch: async (url, init) => {
        requests.push(`${init.method} ${new URL(url).pathname}`);
        return fetch(url, init);
      },
      apiOrigin,
    });

    // The conversation recorded by the committed plan identifies the current item,
    // and Team B's one linked item is the default, so the agent is asked to confirm it.
    const prompt = await send();
    expect(prompt.allowEvent).toBe(false);
    expect(prompt.errorMessage).toContain('Team B (PL)');
    const planId = (JSON.parse(prompt.contextData as string) as { planId: string }).planId;

    // What the linking panel stores when the agent confirms sharing with the linked item.
    outlook.sessionData[SESSION_PLAN_KEY] = JSON.stringify({
      planId,
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: state.refB }],
    });
    const before = await countWorkItems();

    expect(await send()).toEqual({ allowEvent: true });

    const sent = [...outlook.recipients.to.map((r) => ({ field: 'to', ...r }))].concat(
      outlook.recipients.cc.map((r) => ({ field: 'cc', ...r })),
    );
    expect(sent).toEqual(state.committed);
    // The handler applies the pane's choices to a fresh plan for the recipients as they are now.
    expect(outlook.internetHeaders['X-Worklink-Plan']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await countWorkItems()).toBe(before);
    expect(requests.filter((request) => request.endsWith('/commit'))).toHaveLength(1);
  });
});
