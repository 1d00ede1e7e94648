import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Maximum number of messages committed in one transaction. It bounds how long one
 * transaction keeps the connection, which every other query of the process waits for.
 */
const maxBatchSize = 64;

/**
 * Maximum delay, in milliseconds, of waiting work while other work is still being prepared.
 * It bounds what one slow preparation (a 35 MB message being parsed) adds to the others.
 */
const defaultMaxHoldMs = 5;

interface PendingWork<Job, Result> {
  job: Job;
  /** `performance.now()` when the work was queued. */
  queuedAt: number;
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
 * Work submitted with `submitWhenReady` counts as being prepared until its
 * job exists. While any work is being prepared, the next batch waits for it
 * (at most `maxHoldMs` after the oldest waiting job was queued), because a
 * commit per job costs more than the short wait. Parsing takes several
 * turns of the event loop, so without the hold the messages received together
 * would commit in ones and twos: in the ingest bench, holding cut the server's
 * CPU time per message by about a tenth.
 *
 * `prepareBatch`, when given, runs once before each batch's transaction, and
 * every job of the batch receives its result. When it throws, every job of
 * the batch is rejected.
 */
export class GroupCommitter<Job, Result, BatchContext = undefined> {
  private readonly waiting: PendingWork<Job, Result>[] = [];
  private running = false;
  /** Work submitted with `submitWhenReady` whose job does not exist yet. */
  private preparing = 0;
  /** True while a decision to start a batch waits for the check phase. */
  private checkPending = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly maxHoldMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly work: (trx: Transaction<Database>, job: Job, context: BatchContext) => Promise<Result>,
    private readonly prepareBatch?: () => Promise<BatchContext>,
    options: { maxHoldMs?: number } = {},
  ) {
    this.maxHoldMs = options.maxHoldMs ?? defaultMaxHoldMs;
  }

  /** Queues `job` and resolves with its result once its transaction has committed. */
  submit(job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ job, queuedAt: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /**
   * Queues the job that `preparation` resolves to, as `submit` does, and delays
   * the next batch for it meanwhile. Rejects with the preparation's error when
   * it fails, and then delays nothing.
   */
  async submitWhenReady(preparation: Promise<Job>): Promise<Result> {
    this.preparing += 1;
    let job: Job;
    try {
      job = await preparation;
    } catch (error) {
      this.preparing -= 1;
      this.schedule();
      throw error;
    }
    this.preparing -= 1;
    return this.submit(job);
  }

  /** Decides in the next check phase whether to start a batch, unless one runs or nothing waits. */
  private schedule(): void {
    if (this.running || this.waiting.length === 0 || this.checkPending) {
      return;
    }
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.checkPending = true;
    // SQLite runs a transaction without yielding to I/O, so a batch started here would hold only this job.
    // Waiting for the check phase lets every message whose data arrived in this poll phase join it.
    setImmediate(() => {
      this.checkPending = false;
      this.startOrHold();
    });
  }

  /** Starts a batch now, or delays it by a timer while other work is being prepared. */
  private startOrHold(): void {
    if (this.running || this.waiting.length === 0) {
      return;
    }
    if (this.preparing > 0 && this.waiting.length < maxBatchSize) {
      const oldest = this.waiting[0] as PendingWork<Job, Result>;
      const remainingMs = oldest.queuedAt + this.maxHoldMs - performance.now();
      if (remainingMs > 0) {
        this.holdTimer = setTimeout(() => {
          this.holdTimer = undefined;
          this.startOrHold();
        }, remainingMs);
        return;
      }
    }
    this.running = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      await this.commitBatch(this.waiting.splice(0, maxBatchSize));
    } finally {
      this.running = false;
      this.schedule();
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
