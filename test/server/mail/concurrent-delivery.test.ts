import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../support/databases.js';
import { readFixture, startMailHarness } from './mail-harness.js';
import type { MailHarness } from './mail-harness.js';
import { countRows, linkedPairs, workItemsOfTeam } from './mail-queries.js';

describe.each(await availableDialects())('concurrent delivery on %s', (dialect) => {
  let harness: MailHarness;

  beforeEach(async () => {
    harness = await startMailHarness(dialect);
  });

  afterEach(async () => {
    await harness.close();
  });

  it('same message in parallel creates once', async () => {
    const raw = readFixture('06-new-to-two-mailboxes.eml');
    const envelopes = [
      ['uk.support@contoso.example', 'pl.support@contoso.example'],
      ['uk.support@contoso.example'],
      ['pl.support@contoso.example'],
      ['uk.support@contoso.example', 'pl.support@contoso.example'],
      ['pl.support@contoso.example'],
      ['uk.support@contoso.example'],
    ];

    const results = await Promise.all(envelopes.map((to) => harness.deliver(raw, { to })));

    for (const result of results) {
      expect(result.response).toMatch(/^250 /);
    }
    expect(await workItemsOfTeam(harness.database.db, harness.teamA)).toHaveLength(1);
    expect(await workItemsOfTeam(harness.database.db, harness.teamB)).toHaveLength(1);
    expect(await countRows(harness.database.db, 'messages')).toBe(1);
    expect(await countRows(harness.database.db, 'mime_blobs')).toBe(1);
    expect(await countRows(harness.database.db, 'message_routes')).toBe(2);
    expect(await linkedPairs(harness.database.db)).toHaveLength(1);
    expect(harness.events.filter((event) => event.name === 'message')).toHaveLength(2);
    expect(harness.events.filter((event) => event.name === 'work-item')).toHaveLength(2);
  });
});
