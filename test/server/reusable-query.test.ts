import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReusableQuery } from '../../src/server/db/reusable-query.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

// The SQL lists `key` before `value`, the reverse of the parameter order, so a query that
// kept the compiled order would swap them.
const insertSetting = new ReusableQuery(2, (db, value: string, key: string) =>
  db.insertInto('settings').values({ key, value }),
);

// `like` and `limit` add constants of their own between and after the parameters.
const selectSettings = new ReusableQuery(2, (db, prefix: string, excluded: string) =>
  db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'like', prefix)
    .where('value', '<>', excluded)
    .where('key', '<>', 'never-a-key')
    .orderBy('key')
    .limit(2),
);

// `= NULL` matches no row on both databases, so only the binding of null is tested.
const selectPlan = new ReusableQuery(1, (db, conversationId: string | null) =>
  db.selectFrom('send_plans').select('id').where('conversation_id', '=', conversationId),
);

describe.each(await availableDialects())('ReusableQuery on %s', (dialect) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await insertSetting.execute(database.db, 'one', 'reuse.a');
    await insertSetting.execute(database.db, 'two', 'reuse.b');
    await insertSetting.execute(database.db, 'three', 'reuse.c');
  });

  afterAll(async () => {
    await database.destroy();
  });

  it('binds parameters by position', async () => {
    const row = await database.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'reuse.b')
      .executeTakeFirstOrThrow();

    expect(row.value).toBe('two');
  });

  it('keeps the constants of the query', async () => {
    const rows = await selectSettings.rows(database.db, 'reuse.%', 'one');

    expect(rows).toEqual([
      { key: 'reuse.b', value: 'two' },
      { key: 'reuse.c', value: 'three' },
    ]);
  });

  it('runs again with new values', async () => {
    const first = await selectSettings.firstRow(database.db, 'reuse.%', 'two');
    const none = await selectSettings.firstRow(database.db, 'absent.%', 'two');

    expect(first).toEqual({ key: 'reuse.a', value: 'one' });
    expect(none).toBeUndefined();
  });

  it('passes null as a value', async () => {
    const rows = await selectPlan.rows(database.db, null);

    expect(rows).toEqual([]);
  });

  it('runs inside a transaction', async () => {
    await database.db.transaction().execute(async (trx) => {
      await insertSetting.execute(trx, 'four', 'reuse.d');
      const row = await selectSettings.firstRow(trx, 'reuse.d', 'x');
      expect(row).toEqual({ key: 'reuse.d', value: 'four' });
    });

    const rows = await selectSettings.rows(database.db, 'reuse.d', 'x');
    expect(rows).toHaveLength(1);
  });

  it('rejects a parameter that is no SQL value', async () => {
    const ignoring = new ReusableQuery(2, (db, key: string, _unused: string) =>
      db.selectFrom('settings').select('value').where('key', '=', key),
    );

    await expect(ignoring.rows(database.db, 'reuse.a', 'x')).rejects.toThrow(/uses 1 of its 2 parameters/);
  });
});
