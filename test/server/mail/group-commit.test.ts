import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Database } from '../../../src/server/db/schema.js';
import { GroupCommitter } from '../../../src/server/mail/group-commit.js';
import { availableDialects, createTestDatabase } from '../../support/databases.js';
import type { TestDatabase } from '../../support/databases.js';

/** What a test job does inside its transaction after writing its settings row. */
type Step = 'store' | 'throw' | 'end-transaction';

interface Job {
  key: string;
  step: Step;
}

describe.each(await availableDialects())('GroupCommitter on %s', (dialect) => {
  let database: TestDatabase;
  let transactions: Transaction<Database>[];
  let committer: GroupCommitter<Job, string>;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    transactions = [];
    committer = new GroupCommitter(database.db, async (trx, job) => {
      transactions.push(trx);
      await trx.insertInto('settings').values({ key: job.key, value: '"stored"' }).execute();
      if (job.step === 'throw') {
        throw new Error(`job ${job.key} failed`);
      }
      if (job.step === 'end-transaction') {
        // Stands for an error after which the database has rolled back the whole transaction.
        await sql`rollback`.execute(trx);
      }
      return job.key;
    });
  });

  afterEach(async () => {
    await database.destroy();
  });

  const storedKeys = async (): Promise<string[]> => {
    const rows = await database.db.selectFrom('settings').select('key').where('key', 'like', 'job-%').execute();
    return rows.map((row) => row.key).sort();
  };

  it('jobs of one turn share a transaction', async () => {
    const results = await Promise.all(
      ['job-1', 'job-2', 'job-3'].map((key) => committer.submit({ key, step: 'store' })),
    );

    expect(results).toEqual(['job-1', 'job-2', 'job-3']);
    expect(transactions).toHaveLength(3);
    expect(new Set(transactions).size).toBe(1);
    expect(await storedKeys()).toEqual(['job-1', 'job-2', 'job-3']);
  });

  it('later jobs wait for the next transaction', async () => {
    const first = committer.submit({ key: 'job-1', step: 'store' });
    await first;
    const second = await committer.submit({ key: 'job-2', step: 'store' });

    expect(second).toBe('job-2');
    expect(new Set(transactions).size).toBe(2);
    expect(await storedKeys()).toEqual(['job-1', 'job-2']);
  });

  it('failing job is undone alone', async () => {
    const outcomes = await Promise.allSettled([
      committer.submit({ key: 'job-1', step: 'store' }),
      committer.submit({ key: 'job-2', step: 'throw' }),
      committer.submit({ key: 'job-3', step: 'store' }),
    ]);

    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'job-1' });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { message: 'job job-2 failed' } });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 'job-3' });
    expect(await storedKeys()).toEqual(['job-1', 'job-3']);
  });

  it('single failing job stores nothing', async () => {
    await expect(committer.submit({ key: 'job-1', step: 'throw' })).rejects.toThrow('job job-1 failed');

    expect(await storedKeys()).toEqual([]);
    expect(await committer.submit({ key: 'job-2', step: 'store' })).toBe('job-2');
    expect(await storedKeys()).toEqual(['job-2']);
  });

  it('lost transaction rejects the whole batch', async () => {
    const outcomes = await Promise.allSettled([
      committer.submit({ key: 'job-1', step: 'store' }),
      committer.submit({ key: 'job-2', step: 'end-transaction' }),
      committer.submit({ key: 'job-3', step: 'store' }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // The third job never ran, because the batch stopped at the missing savepoint.
    expect(transactions).toHaveLength(2);
    expect(await storedKeys()).toEqual([]);
    expect(await committer.submit({ key: 'job-4', step: 'store' })).toBe('job-4');
    expect(await storedKeys()).toEqual(['job-4']);
  });
  it('batch context prepared once per batch', async () => {
    let prepared = 0;
    const contexts: string[] = [];
    const withContext = new GroupCommitter<Job, string, string>(
      database.db,
      async (trx, job, context) => {
        contexts.push(context);
        await trx.insertInto('settings').values({ key: job.key, value: '"stored"' }).execute();
        return job.key;
      },
      async () => {
        prepared += 1;
        return `batch-${prepared}`;
      },
    );

    await Promise.all(['job-1', 'job-2'].map((key) => withContext.submit({ key, step: 'store' })));
    await withContext.submit({ key: 'job-3', step: 'store' });

    expect(prepared).toBe(2);
    expect(contexts).toEqual(['batch-1', 'batch-1', 'batch-2']);
    expect(await storedKeys()).toEqual(['job-1', 'job-2', 'job-3']);
  });

  it('failing preparation rejects the batch', async () => {
    let failNext = true;
    const withContext = new GroupCommitter<Job, string, string>(
      database.db,
      async (trx, job) => {
        await trx.insertInto('settings').values({ key: job.key, value: '"stored"' }).execute();
        return job.key;
      },
      async () => {
        if (failNext) {
          failNext = false;
          throw new Error('directory read failed');
        }
        return 'context';
      },
    );

    const outcomes = await Promise.allSettled(
      ['job-1', 'job-2'].map((key) => withContext.submit({ key, step: 'store' })),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(await storedKeys()).toEqual([]);
    expect(await withContext.submit({ key: 'job-3', step: 'store' })).toBe('job-3');
  });

  it('job still being prepared joins the waiting batch', async () => {
    // A hold that cannot run out under a loaded machine: the batch waits only for the preparation.
    const longHold = new GroupCommitter<Job, string>(
      database.db,
      async (trx, job) => {
        transactions.push(trx);
        await trx.insertInto('settings').values({ key: job.key, value: '"stored"' }).execute();
        return job.key;
      },
      undefined,
      { maxHoldMs: 60_000 },
    );
    let finishPreparation: (job: Job) => void = () => undefined;
    const prepared = longHold.submitWhenReady(new Promise<Job>((resolve) => (finishPreparation = resolve)));
    const first = longHold.submit({ key: 'job-1', step: 'store' });

    // Past the check phase in which job-1 alone would have started its batch.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await storedKeys()).toEqual([]);
    finishPreparation({ key: 'job-2', step: 'store' });

    expect(await Promise.all([first, prepared])).toEqual(['job-1', 'job-2']);
    expect(new Set(transactions).size).toBe(1);
  });

  it('failed preparation rejects alone and holds nothing back', async () => {
    const failing = new Promise<Job>((_resolve, reject) => setTimeout(() => reject(new Error('parse failed')), 2));

    const outcomes = await Promise.allSettled([
      committer.submitWhenReady(failing),
      committer.submit({ key: 'job-1', step: 'store' }),
    ]);

    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { message: 'parse failed' } });
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: 'job-1' });
    expect(await storedKeys()).toEqual(['job-1']);
  });

  it('holds waiting jobs for a slow preparation only up to maxHoldMs', async () => {
    const shortHold = new GroupCommitter<Job, string>(
      database.db,
      async (trx, job) => {
        await trx.insertInto('settings').values({ key: job.key, value: '"stored"' }).execute();
        return job.key;
      },
      undefined,
      { maxHoldMs: 50 },
    );
    let finishPreparation: (job: Job) => void = () => undefined;
    const slow = shortHold.submitWhenReady(new Promise<Job>((resolve) => (finishPreparation = resolve)));

    const started = performance.now();
    expect(await shortHold.submit({ key: 'job-1', step: 'store' })).toBe('job-1');
    // Timers may fire up to a millisecond early against performance.now().
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);

    finishPreparation({ key: 'job-2', step: 'store' });
    expect(await slow).toBe('job-2');
    expect(await storedKeys()).toEqual(['job-1', 'job-2']);
  });
});
