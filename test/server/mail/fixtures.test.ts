import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../support/databases.js';
import { readFixture, startMailHarness } from './mail-harness.js';
import type { MailHarness } from './mail-harness.js';
import { countRows, createLinkedPair, linkedPairs, routesOf, workItemsOfTeam } from './mail-queries.js';

const id01 = 'a3f1c2d4e5b6.20241202091358@mail.fabrikam.example';
const id02 = 'DB9PR01MB0001.0457.reply1@DB9PR01MB0001.eurprd01.prod.outlook.example';
const id03 = 'b7e9f0a1c2d3.20241202114027@mail.fabrikam.example';

describe.each(await availableDialects())('mail fixtures on %s', (dialect) => {
  let harness: MailHarness;

  beforeEach(async () => {
    harness = await startMailHarness(dialect);
  });

  afterEach(async () => {
    await harness.close();
  });

  it('01 opens a Team A ticket for the sender', async () => {
    const result = await harness.deliver(readFixture('01-external-request.eml'), {
      from: 'billing@fabrikam.example',
      to: ['uk.support@contoso.example'],
    });
    expect(result.response).toMatch(/^250 /);

    const items = await workItemsOfTeam(harness.database.db, harness.teamA);
    expect(items).toHaveLength(1);
    expect(items[0]?.requester).toBe('billing@fabrikam.example');
    expect(items[0]?.type).toBe('ticket');
    expect(items[0]?.title).toBe('Invoice 2024/11/0457 - payment status (UK and PL entities)');
    expect(await routesOf(harness.database.db, id01)).toEqual([`${items[0]?.reference}/new`]);
    expect(await workItemsOfTeam(harness.database.db, harness.teamB)).toHaveLength(0);
  });

  it('01 keeps no script and no remote image', async () => {
    await harness.deliver(readFixture('01-external-request.eml'), { to: ['uk.support@contoso.example'] });

    const message = await harness.database.db
      .selectFrom('messages')
      .select(['html_body', 'text_body'])
      .where('message_id', '=', id01)
      .executeTakeFirstOrThrow();
    expect(message.html_body).toContain('<b>2024/11/0457</b>');
    expect(message.html_body).not.toMatch(/<script/i);
    expect(message.html_body).not.toContain("alert('x')");
    expect(message.html_body).not.toContain('tracker.fabrikam.example');
    expect(message.html_body).not.toMatch(/<img/i);
    expect(message.text_body).toContain('Could you confirm when both parts will be paid?');
  });

  it('02 attaches once to A and once to B', async () => {
    const pair = await createLinkedPair(harness.database.db, harness);
    const raw = readFixture('02-agent-reply-linked.eml', { REF_A: pair.refA, REF_B: pair.refB, PLAN_ID: pair.planId });

    await harness.deliver(raw, {
      from: 'uk.agent@contoso.example',
      to: [`uk.support+${pair.refA}@contoso.example`, `pl.support+${pair.refB}@contoso.example`],
    });

    expect(await routesOf(harness.database.db, id02)).toEqual([`${pair.refA}/plus`, `${pair.refB}/plus`].sort());
    expect(await countRows(harness.database.db, 'work_items')).toBe(2);
    const requesters = await harness.database.db.selectFrom('work_items').select('requester').execute();
    expect(requesters.map((row) => row.requester)).not.toContain('legal@contoso.example');
  });

  it('02 without plus tags routes by its send plan', async () => {
    const pair = await createLinkedPair(harness.database.db, harness);
    const raw = readFixture('02-agent-reply-linked.eml', { PLAN_ID: pair.planId })
      .toString('utf8')
      .replace('uk.support+{{REF_A}}@', 'uk.support@')
      .replace('pl.support+{{REF_B}}@', 'pl.support@');

    await harness.deliver(raw, {
      from: 'uk.agent@contoso.example',
      to: ['uk.support@contoso.example', 'pl.support@contoso.example'],
    });

    expect(await routesOf(harness.database.db, id02)).toEqual([`${pair.refA}/plan`, `${pair.refB}/plan`].sort());
    expect(await countRows(harness.database.db, 'work_items')).toBe(2);
  });

  it('03 lands once per item however it is delivered', async () => {
    const pair = await createLinkedPair(harness.database.db, harness);
    const raw = readFixture('03-external-reply-all.eml', { REF_A: pair.refA, REF_B: pair.refB });
    const plusA = `uk.support+${pair.refA}@contoso.example`;
    const plusB = `pl.support+${pair.refB}@contoso.example`;

    await harness.deliver(raw, { from: 'billing@fabrikam.example', to: [plusA, plusB] });
    await harness.deliver(raw, { from: 'billing@fabrikam.example', to: [plusA] });
    await harness.deliver(raw, { from: 'billing@fabrikam.example', to: [plusB] });

    expect(await routesOf(harness.database.db, id03)).toEqual([`${pair.refA}/plus`, `${pair.refB}/plus`].sort());
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    expect(await countRows(harness.database.db, 'mime_blobs')).toBe(1);
    const notified = harness.events.filter((event) => event.name === 'message').map((event) => event.payload);
    expect(notified).toHaveLength(2);
    expect(notified).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reference: pair.refA, teamId: harness.teamA }),
        expect.objectContaining({ reference: pair.refB, teamId: harness.teamB }),
      ]),
    );
  });

  it('03 as two separate deliveries lands once per item', async () => {
    const pair = await createLinkedPair(harness.database.db, harness);
    const raw = readFixture('03-external-reply-all.eml', { REF_A: pair.refA, REF_B: pair.refB });

    await harness.deliver(raw, { to: [`uk.support+${pair.refA}@contoso.example`] });
    await harness.deliver(raw, { to: [`pl.support+${pair.refB}@contoso.example`] });

    expect(await routesOf(harness.database.db, id03)).toEqual([`${pair.refA}/plus`, `${pair.refB}/plus`].sort());
    expect(harness.events.filter((event) => event.name === 'message')).toHaveLength(2);
  });

  it('04 attaches to B through the plus address in Cc', async () => {
    const pair = await createLinkedPair(harness.database.db, harness);
    const raw = readFixture('04-plus-in-cc-only.eml', { REF_B: pair.refB });

    await harness.deliver(raw, { to: [`pl.support+${pair.refB}@contoso.example`] });

    expect(await routesOf(harness.database.db, 'c0ffee00.20241203080500@mail.fabrikam.example')).toEqual([
      `${pair.refB}/plus`,
    ]);
    expect(await countRows(harness.database.db, 'work_items')).toBe(2);
  });

  it('05 auto-reply creates nothing and stays unrouted', async () => {
    await harness.deliver(readFixture('05-auto-reply.eml'), { to: ['pl.support@contoso.example'] });

    expect(await countRows(harness.database.db, 'work_items')).toBe(0);
    const unrouted = await harness.database.db.selectFrom('unrouted_messages').selectAll().execute();
    expect(unrouted).toHaveLength(1);
    expect(unrouted[0]?.reason).toContain('automatic message');
    expect(unrouted[0]?.state).toBe('open');
  });

  it('06 opens one linked item per team', async () => {
    await harness.deliver(readFixture('06-new-to-two-mailboxes.eml'), {
      from: 'ops@northwind.example',
      to: ['uk.support@contoso.example', 'pl.support@contoso.example'],
    });

    const itemsA = await workItemsOfTeam(harness.database.db, harness.teamA);
    const itemsB = await workItemsOfTeam(harness.database.db, harness.teamB);
    expect(itemsA).toHaveLength(1);
    expect(itemsB).toHaveLength(1);
    expect(itemsA[0]?.requester).toBe('ops@northwind.example');
    expect(itemsB[0]?.type).toBe('case');
    const references = [itemsA[0]?.reference, itemsB[0]?.reference];
    expect(await linkedPairs(harness.database.db)).toEqual([references.join('~')]);
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    expect(await routesOf(harness.database.db, 'shipment-88-1204.1733293800@northwind.example')).toEqual(
      references.map((reference) => `${reference}/new`).sort(),
    );
  });

  it('07 opens a Team B case with the decoded title', async () => {
    await harness.deliver(readFixture('07-polish-encoded-alias.eml'), {
      from: 'ksiegowosc@fabrikam.example',
      to: ['wsparcie.pl@contoso.example'],
    });

    const items = await workItemsOfTeam(harness.database.db, harness.teamB);
    expect(items).toHaveLength(1);
    expect(items[0]?.title).toBe('Faktura korygująca – zażółć gęślą jaźń');
    expect(items[0]?.requester).toBe('ksiegowosc@fabrikam.example');
    const attachments = await harness.database.db.selectFrom('attachments').selectAll().execute();
    expect(attachments).toHaveLength(1);
    expect(attachments[0]?.filename).toBe('faktura korygująca ż.pdf');
    expect(attachments[0]?.content_type).toBe('application/pdf');
    expect(attachments[0]?.size).toBeGreaterThan(0);
  });

  it('08 bounce creates nothing and stays unrouted', async () => {
    await harness.deliver(readFixture('08-bounce.eml'), { from: '', to: ['uk.support@contoso.example'] });

    expect(await countRows(harness.database.db, 'work_items')).toBe(0);
    const unrouted = await harness.database.db.selectFrom('unrouted_messages').selectAll().execute();
    expect(unrouted).toHaveLength(1);
    expect(unrouted[0]?.reason).toContain('automatic message');
  });
});
