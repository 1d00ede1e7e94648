import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../support/databases.js';
import { recordConversation } from '../../../src/server/repositories/messages.js';
import { putSettings } from '../../../src/server/repositories/settings.js';
import { createWorkItem } from '../../../src/server/repositories/work-items.js';
import { ingestMessage } from '../../../src/server/mail/ingest.js';
import { readFixture, startMailHarness } from './mail-harness.js';
import type { MailHarness } from './mail-harness.js';
import { countRows, linkedPairs, routesOf, workItemsOfTeam } from './mail-queries.js';

interface MessageSpec {
  id: string;
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  inReplyTo?: string;
  references?: string[];
  extraHeaders?: string[];
}

function compose(spec: MessageSpec): string {
  const lines = [
    `From: ${spec.from ?? 'billing@fabrikam.example'}`,
    `To: ${spec.to ?? 'uk.support@contoso.example'}`,
    ...(spec.cc === undefined ? [] : [`Cc: ${spec.cc}`]),
    `Subject: ${spec.subject ?? 'Question'}`,
    `Message-ID: <${spec.id}>`,
    ...(spec.inReplyTo === undefined ? [] : [`In-Reply-To: <${spec.inReplyTo}>`]),
    ...(spec.references === undefined ? [] : [`References: ${spec.references.map((id) => `<${id}>`).join(' ')}`]),
    ...(spec.extraHeaders ?? []),
    '',
    'Body',
    '',
  ];
  return lines.join('\r\n');
}

async function setMode(harness: MailHarness, mode: 'off' | 'mixed' | 'only'): Promise<void> {
  await putSettings(harness.database.db, {
    plusAddressing: { mode, separator: '+' },
    internalDomains: ['contoso.example'],
    failurePolicy: 'allow',
  });
}

describe.each(await availableDialects())('inbound routing rules on %s', (dialect) => {
  let harness: MailHarness;

  beforeEach(async () => {
    harness = await startMailHarness(dialect);
  });

  afterEach(async () => {
    await harness.close();
  });

  it('thread reply joins the first message item', async () => {
    await harness.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });
    const [item] = await workItemsOfTeam(harness.database.db, harness.teamA);

    await harness.deliver(
      compose({
        id: 'reply-1@fabrikam.example',
        subject: 'Re: Invoice',
        inReplyTo: 'a3f1c2d4e5b6.20241202091358@mail.fabrikam.example',
      }),
      { to: ['uk.support@contoso.example'] },
    );

    expect(await routesOf(harness.database.db, 'reply-1@fabrikam.example')).toEqual([`${item?.reference}/thread`]);
    expect(await countRows(harness.database.db, 'work_items')).toBe(1);
  });

  it('thread root folds a reply to an unseen message', async () => {
    await harness.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });
    const [item] = await workItemsOfTeam(harness.database.db, harness.teamA);

    // The parent was never delivered here, but References starts with the root that was.
    await harness.deliver(
      compose({
        id: 'reply-2@fabrikam.example',
        inReplyTo: 'never-seen@fabrikam.example',
        references: ['a3f1c2d4e5b6.20241202091358@mail.fabrikam.example', 'never-seen@fabrikam.example'],
      }),
      { to: ['uk.support@contoso.example'] },
    );

    expect(await routesOf(harness.database.db, 'reply-2@fabrikam.example')).toEqual([`${item?.reference}/thread`]);
  });

  it('reply adding another team links its new item', async () => {
    await harness.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });
    const [itemA] = await workItemsOfTeam(harness.database.db, harness.teamA);

    // "Send Anyway": the agent's reply reaches pl.support without a plus tag.
    await harness.deliver(
      compose({
        id: 'send-anyway@contoso.example',
        from: 'uk.agent@contoso.example',
        to: 'billing@fabrikam.example',
        cc: 'uk.support@contoso.example, pl.support@contoso.example',
        subject: 'RE: Invoice 2024/11/0457',
        inReplyTo: 'a3f1c2d4e5b6.20241202091358@mail.fabrikam.example',
      }),
      { from: 'uk.agent@contoso.example', to: ['uk.support@contoso.example', 'pl.support@contoso.example'] },
    );

    const itemsB = await workItemsOfTeam(harness.database.db, harness.teamB);
    expect(itemsB).toHaveLength(1);
    expect(itemsB[0]?.requester).toBe('uk.agent@contoso.example');
    expect(itemsB[0]?.title).toBe('Invoice 2024/11/0457');
    expect(await routesOf(harness.database.db, 'send-anyway@contoso.example')).toEqual(
      [`${itemA?.reference}/thread`, `${itemsB[0]?.reference}/new`].sort(),
    );
    expect(await linkedPairs(harness.database.db)).toEqual([`${itemA?.reference}~${itemsB[0]?.reference}`]);
  });

  it('subject reference counts for an internal sender', async () => {
    const item = await createWorkItem(harness.database.db, { teamId: harness.teamB, type: 'case', title: 'Old case' });

    await harness.deliver(
      compose({
        id: 'internal-subject@contoso.example',
        from: 'legal@contoso.example',
        to: 'pl.support@contoso.example',
        subject: `Contract question [${item.reference.toLowerCase()}]`,
      }),
      { from: 'legal@contoso.example', to: ['pl.support@contoso.example'] },
    );

    expect(await routesOf(harness.database.db, 'internal-subject@contoso.example')).toEqual([
      `${item.reference}/subject`,
    ]);
  });

  it('subject reference from a stranger opens a new item', async () => {
    const item = await createWorkItem(harness.database.db, {
      teamId: harness.teamB,
      type: 'case',
      title: 'Old case',
      requester: 'billing@fabrikam.example',
    });

    await harness.deliver(
      compose({
        id: 'stranger@northwind.example',
        from: 'ops@northwind.example',
        to: 'pl.support@contoso.example',
        subject: `About ${item.reference}`,
      }),
      { to: ['pl.support@contoso.example'] },
    );

    const routes = await routesOf(harness.database.db, 'stranger@northwind.example');
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatch(/\/new$/);
    expect(routes[0]).not.toContain(item.reference);
  });

  it('subject reference counts for the requester', async () => {
    const item = await createWorkItem(harness.database.db, {
      teamId: harness.teamB,
      type: 'case',
      title: 'Old case',
      requester: 'billing@fabrikam.example',
    });

    await harness.deliver(
      compose({
        id: 'requester@fabrikam.example',
        to: 'pl.support@contoso.example',
        subject: `About ${item.reference}`,
      }),
      { to: ['pl.support@contoso.example'] },
    );

    expect(await routesOf(harness.database.db, 'requester@fabrikam.example')).toEqual([`${item.reference}/subject`]);
  });

  it('mode only ignores subject references', async () => {
    await setMode(harness, 'only');
    const item = await createWorkItem(harness.database.db, { teamId: harness.teamB, type: 'case', title: 'Old case' });

    await harness.deliver(
      compose({
        id: 'only-mode@contoso.example',
        from: 'legal@contoso.example',
        to: 'pl.support@contoso.example',
        subject: `Contract question ${item.reference}`,
      }),
      { to: ['pl.support@contoso.example'] },
    );

    const routes = await routesOf(harness.database.db, 'only-mode@contoso.example');
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatch(/\/new$/);
  });

  it('mode off still honours plus tags', async () => {
    const item = await createWorkItem(harness.database.db, { teamId: harness.teamA, type: 'ticket', title: 'A' });
    await setMode(harness, 'off');

    await harness.deliver(
      compose({ id: 'tag-in-off@fabrikam.example', to: `uk.support+${item.reference}@contoso.example` }),
      { to: [`uk.support+${item.reference}@contoso.example`] },
    );

    expect(await routesOf(harness.database.db, 'tag-in-off@fabrikam.example')).toEqual([`${item.reference}/plus`]);
  });

  it('keeps the case of a plus tag in the stored recipients', async () => {
    const item = await createWorkItem(harness.database.db, { teamId: harness.teamB, type: 'case', title: 'B' });
    const recipient = `PL.Support+${item.reference.toUpperCase()}@Contoso.example`;

    await harness.deliver(compose({ id: 'tag-case@fabrikam.example', cc: recipient }), {
      to: ['uk.support@contoso.example', recipient],
    });

    expect(await routesOf(harness.database.db, 'tag-case@fabrikam.example')).toContain(`${item.reference}/plus`);
    const stored = await harness.database.db
      .selectFrom('messages')
      .select('cc_list')
      .where('message_id', '=', 'tag-case@fabrikam.example')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.cc_list)).toEqual([{ address: recipient, name: '' }]);
  });

  it('plus tag of another team is ignored', async () => {
    const itemA = await createWorkItem(harness.database.db, { teamId: harness.teamA, type: 'ticket', title: 'A' });

    await harness.deliver(
      compose({ id: 'wrong-tag@fabrikam.example', to: `pl.support+${itemA.reference}@contoso.example` }),
      {
        to: [`pl.support+${itemA.reference}@contoso.example`],
      },
    );

    const itemsB = await workItemsOfTeam(harness.database.db, harness.teamB);
    expect(itemsB).toHaveLength(1);
    expect(await routesOf(harness.database.db, 'wrong-tag@fabrikam.example')).toEqual([`${itemsB[0]?.reference}/new`]);
  });

  it('mail from a connected mailbox creates nothing', async () => {
    await harness.deliver(
      compose({ id: 'own@contoso.example', from: 'uk.support@contoso.example', to: 'pl.support@contoso.example' }),
      { from: 'uk.support@contoso.example', to: ['pl.support@contoso.example'] },
    );

    expect(await countRows(harness.database.db, 'work_items')).toBe(0);
    const unrouted = await harness.database.db.selectFrom('unrouted_messages').selectAll().execute();
    expect(unrouted.map((row) => row.reason)).toEqual(['sent by a connected mailbox']);
  });

  it.each([
    { name: 'empty DATA', raw: '' },
    { name: 'text without headers', raw: 'Please call me back about the invoice.\r\n' },
    { name: 'a From header without an address', raw: compose({ id: 'nobody@fabrikam.example', from: 'Billing' }) },
  ])('$name creates no work item and waits in the unrouted list', async ({ raw }) => {
    const result = await harness.deliver(raw, { from: 'billing@fabrikam.example', to: ['uk.support@contoso.example'] });

    expect(result.response).toMatch(/^250 /);
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    expect(await countRows(harness.database.db, 'work_items')).toBe(0);
    const unrouted = await harness.database.db.selectFrom('unrouted_messages').selectAll().execute();
    expect(unrouted.map((row) => row.reason)).toEqual(['no sender address in From']);
  });

  it('routes a sender-less message by its plus tag', async () => {
    const item = await createWorkItem(harness.database.db, { teamId: harness.teamA, type: 'ticket', title: 'A' });
    const recipient = `uk.support+${item.reference}@contoso.example`;

    await harness.deliver(compose({ id: 'no-from-tag@fabrikam.example', from: 'Billing', to: recipient }), {
      to: [recipient],
    });

    expect(await routesOf(harness.database.db, 'no-from-tag@fabrikam.example')).toEqual([`${item.reference}/plus`]);
    expect(await countRows(harness.database.db, 'unrouted_messages')).toBe(0);
  });

  it('auto-reply on a known thread is attached', async () => {
    await harness.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });
    const [item] = await workItemsOfTeam(harness.database.db, harness.teamA);

    await harness.deliver(
      compose({
        id: 'ooo-known@fabrikam.example',
        inReplyTo: 'a3f1c2d4e5b6.20241202091358@mail.fabrikam.example',
        extraHeaders: ['Auto-Submitted: auto-replied'],
      }),
      { to: ['uk.support@contoso.example'] },
    );

    expect(await routesOf(harness.database.db, 'ooo-known@fabrikam.example')).toEqual([`${item?.reference}/thread`]);
    expect(await countRows(harness.database.db, 'unrouted_messages')).toBe(0);
  });

  it('auto-reply ignores subject references', async () => {
    const item = await createWorkItem(harness.database.db, { teamId: harness.teamB, type: 'case', title: 'Old case' });

    await harness.deliver(
      compose({
        id: 'ooo-subject@contoso.example',
        from: 'legal@contoso.example',
        to: 'pl.support@contoso.example',
        subject: `Automatic reply: ${item.reference}`,
        extraHeaders: ['Auto-Submitted: auto-replied'],
      }),
      { to: ['pl.support@contoso.example'] },
    );

    expect(await routesOf(harness.database.db, 'ooo-subject@contoso.example')).toEqual([]);
    expect(await countRows(harness.database.db, 'unrouted_messages')).toBe(1);
  });

  it('external answer moves a waiting item to todo', async () => {
    await harness.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });
    const [item] = await workItemsOfTeam(harness.database.db, harness.teamA);
    await harness.database.db.updateTable('work_items').set({ status: 'waiting' }).where('id', '=', item!.id).execute();

    await harness.deliver(
      compose({ id: 'answer@fabrikam.example', inReplyTo: 'a3f1c2d4e5b6.20241202091358@mail.fabrikam.example' }),
      { to: ['uk.support@contoso.example'] },
    );

    const [after] = await workItemsOfTeam(harness.database.db, harness.teamA);
    expect(after?.status).toBe('todo');
  });

  it('agent reply leaves a waiting item waiting', async () => {
    await harness.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });
    const [item] = await workItemsOfTeam(harness.database.db, harness.teamA);
    await harness.database.db.updateTable('work_items').set({ status: 'waiting' }).where('id', '=', item!.id).execute();

    await harness.deliver(
      compose({
        id: 'agent-asks@contoso.example',
        from: 'uk.agent@contoso.example',
        to: 'billing@fabrikam.example',
        cc: `uk.support+${item?.reference}@contoso.example`,
      }),
      { to: [`uk.support+${item?.reference}@contoso.example`] },
    );

    const [after] = await workItemsOfTeam(harness.database.db, harness.teamA);
    expect(await routesOf(harness.database.db, 'agent-asks@contoso.example')).toEqual([`${item?.reference}/plus`]);
    expect(after?.status).toBe('waiting');
  });

  it('graph conversation id finds the work item', async () => {
    const item = await createWorkItem(harness.database.db, { teamId: harness.teamB, type: 'case', title: 'Shared' });
    await recordConversation(harness.database.db, 'AAQkADAwATM3ZmYAZS0', [item.id], 'plan');

    const result = await ingestMessage(harness.database, {
      raw: Buffer.from(
        compose({ id: 'graph-1@fabrikam.example', to: 'pl.support@contoso.example', subject: 'RE: Shared' }),
      ),
      envelopeRecipients: ['pl.support@contoso.example'],
      source: 'graph',
      conversationId: 'AAQkADAwATM3ZmYAZS0',
    });

    expect(result.newRoutes.map((route) => `${route.reference}/${route.rule}`)).toEqual([`${item.reference}/thread`]);
  });
});
