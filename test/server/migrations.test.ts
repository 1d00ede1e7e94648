import { describe, expect, it } from 'vitest';
import { availableDialects, createTestDatabase } from '../support/databases.js';

describe.each(await availableDialects())('migrations on %s', (dialect) => {
  it('creates the schema and the reference counters', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const counters = await database.db.selectFrom('reference_counters').selectAll().orderBy('series').execute();
      expect(counters).toEqual([
        { series: 'case', next_value: 10040 },
        { series: 'ticket', next_value: 101200 },
      ]);
    } finally {
      await database.destroy();
    }
  });
});
