import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../support/databases.js';
import { readFixture, startMailHarness } from './mail-harness.js';
import type { MailHarness } from './mail-harness.js';
import { createLinkedPair } from './mail-queries.js';

// The `work-item-status` events that inbound mail publishes when it moves a waiting work item back to `todo`.

describe.each(await availableDialects())('inbound status events on %s', (dialect) => {
  let harness: MailHarness;

  beforeEach(async () => {
    harness = await startMailHarness(dialect);
  });

  afterEach(async () => {
    await harness.close();
  });

  function statusEvents(): unknown[] {
    return harness.events.filter((event) => event.name === 'work-item-status').map((event) => event.payload);
  }

  it('reply-all moves both linked items once', async () => {
    const pair = await createLinkedPair(harness.database.db, harness);
    await harness.database.db
      .updateTable('work_items')
      .set({ status: 'waiting' })
      .where('id', 'in', [pair.idA, pair.idB])
      .execute();
    const raw = readFixture('03-external-reply-all.eml', { REF_A: pair.refA, REF_B: pair.refB });
    const envelope = {
      to: [`uk.support+${pair.refA}@contoso.example`, `pl.support+${pair.refB}@contoso.example`],
    };

    await harness.deliver(raw, envelope);
    await harness.deliver(raw, envelope);

    const message = await harness.database.db
      .selectFrom('messages')
      .select('id')
      .where('message_id', '=', 'b7e9f0a1c2d3.20241202114027@mail.fabrikam.example')
      .executeTakeFirstOrThrow();
    const origin = `message:${message.id}`;
    expect(statusEvents()).toEqual([
      {
        workItemId: pair.idA,
        reference: pair.refA,
        teamId: harness.teamA,
        previousStatus: 'waiting',
        status: 'todo',
        linkedTeamIds: [harness.teamB],
        origin,
      },
      {
        workItemId: pair.idB,
        reference: pair.refB,
        teamId: harness.teamB,
        previousStatus: 'waiting',
        status: 'todo',
        linkedTeamIds: [harness.teamA],
        origin,
      },
    ]);
  });

  it('reply to an item in progress publishes nothing', async () => {
    const pair = await createLinkedPair(harness.database.db, harness);
    await harness.database.db
      .updateTable('work_items')
      .set({ status: 'in_progress' })
      .where('id', '=', pair.idA)
      .execute();

    await harness.deliver(readFixture('03-external-reply-all.eml', { REF_A: pair.refA, REF_B: pair.refB }), {
      to: [`uk.support+${pair.refA}@contoso.example`],
    });

    expect(harness.events.some((event) => event.name === 'message')).toBe(true);
    expect(statusEvents()).toEqual([]);
  });
});
