import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Maximum number of messages committed in one transaction. It bounds how long one
 * transaction keeps the connection, which every other query of the process waits for.
 */
const maxBatchSize = 64;

interface PendingWork<Job, Result> {
  job: Job;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

type Outcome<Result> = { ok: true; result: Result } | { ok: false; error: unknown };

/**
 * Runs storage work in shared transactions on a database with one connection
 * (Worklink's SQLite). Work submitted in one turn of the event loop, or while a
 * transaction runs, goes into the next transaction together with all other
 * waiting work, so one commit serves many messages. Each job runs inside its own savepoint: a job
 * that throws is undone alone and its promise rejects, while the others still
 * commit. Every promise settles only after the commit that covers it, and
 * rejects when that commit fails.
 *
 * `prepareBatch`, when given, runs once before each batch's transaction, and
 * every job of the batch receives its result. When it throws, every job of
 * the batch is rejected.
 */
export class GroupCommitter<Job, Result, BatchContext = undefined> {
  private readonly waiting: PendingWork<Job, Result>[] = [];
  private running = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly work: (trx: Transaction<Database>, job: Job, context: BatchContext) => Promise<Result>,
    private readonly prepareBatch?: () => Promise<BatchContext>,
  ) {}

  /** Queues `job` and resolves with its result once its transaction has committed. */
  submit(job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      if (!this.running) {
        this.running = true;
        // SQLite runs a transaction without yielding to I/O, so a batch started here would hold only this job.
        // Waiting for the check phase lets every message whose data arrived in this poll phase join it.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        await this.commitBatch(this.waiting.splice(0, maxBatchSize));
      }
    } finally {
      this.running = false;
    }
  }

  private async commitBatch(batch: PendingWork<Job, Result>[]): Promise<void> {
    const outcomes: Outcome<Result>[] = [];
    try {
      // Without `prepareBatch`, BatchContext is undefined, which is what the jobs receive.
      const context = (this.prepareBatch === undefined ? undefined : await this.prepareBatch()) as BatchContext;
      await this.db.transaction().execute(async (trx) => {
        if (batch.length === 1) {
          // A job alone needs no savepoint: its failure rolls back the transaction.
          const job = (batch[0] as PendingWork<Job, Result>).job;
          outcomes.push({ ok: true, result: await this.work(trx, job, context) });
          return;
        }
        for (const pending of batch) {
          outcomes.push(await this.runInSavepoint(trx, pending.job, context));
        }
      });
    } catch (error) {
      // Preparing the batch or its commit failed, or the transaction was lost, so nothing of this batch is stored.
      for (const [index, pending] of batch.entries()) {
        const outcome = outcomes[index];
        pending.reject(outcome !== undefined && !outcome.ok ? outcome.error : error);
      }
      return;
    }
    for (const [index, pending] of batch.entries()) {
      const outcome = outcomes[index] as Outcome<Result>;
      if (outcome.ok) {
        pending.resolve(outcome.result);
      } else {
        pending.reject(outcome.error);
      }
    }
  }

  private async runInSavepoint(trx: Transaction<Database>, job: Job, context: BatchContext): Promise<Outcome<Result>> {
    await sql`savepoint group_commit_job`.execute(trx);
    let outcome: Outcome<Result>;
    try {
      outcome = { ok: true, result: await this.work(trx, job, context) };
    } catch (error) {
      outcome = { ok: false, error };
      // After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, as the sqlite3_get_autocommit documentation lists)
      // SQLite has rolled back the whole transaction. The savepoint is gone then, so this statement throws and fails
      // the batch instead of running later jobs outside a transaction.
      await sql`rollback to savepoint group_commit_job`.execute(trx);
    }
    await sql`release savepoint group_commit_job`.execute(trx);
    return outcome;
  }
}
