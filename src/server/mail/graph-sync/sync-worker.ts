import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseHandle } from '../../db/database.js';
import { maskAddress } from '../../repositories/addresses.js';
import { loadMailboxes } from '../../repositories/mailboxes.js';
import type { MailboxEntry } from '../../repositories/mailboxes.js';
import type { MailEventSink } from '../ingest.js';
import { GraphClient } from './graph-client.js';
import { MailboxLease } from './mailbox-lease.js';
import { syncMailbox } from './mailbox-sync.js';
import { defaultRetryPolicy, sleep as defaultSleep } from './retry-delay.js';
import type { RetryPolicy } from './retry-delay.js';
import type { GraphTokenProvider } from './token-provider.js';

export interface GraphSyncWorkerOptions {
  database: DatabaseHandle;
  events?: MailEventSink;
  log: FastifyBaseLogger;
  tokens: GraphTokenProvider;
  /** Graph root including the version, such as `https://graph.microsoft.com/v1.0`. */
  graphBaseUrl: string;
  /** Pause between the end of one cycle and the start of the next. */
  pollIntervalMs: number;
  /** How long a mailbox lease lasts without renewal, which is also how long a crashed instance's mailboxes wait. */
  leaseDurationMs: number;
  /** Lease owner written to `mailbox_sync`, unique per server process. Defaults to a random UUID. */
  instanceId?: string;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export type MailboxCycleStatus = 'synced' | 'leased-elsewhere' | 'failed' | 'stopped';

export interface MailboxCycleReport {
  mailboxId: number;
  status: MailboxCycleStatus;
  ingested: number;
}

/**
 * Syncs every connected mailbox from Microsoft Graph in cycles. Each
 * mailbox is synced under its lease, so several instances can run a worker
 * on one database. A failed mailbox is logged and retried on the next cycle.
 */
export class GraphSyncWorker {
  readonly instanceId: string;
  private readonly controller = new AbortController();
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: GraphSyncWorkerOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Starts cycling in the background; `stop` ends it. */
  start(): void {
    if (this.loop !== undefined) {
      return;
    }
    this.options.log.info(
      { instanceId: this.instanceId, pollIntervalMs: this.options.pollIntervalMs },
      'graph mailbox sync started',
    );
    this.loop = this.runLoop();
  }

  /**
   * Stops the worker: aborts Graph requests and waits, lets a message that is
   * being ingested finish its transaction, and releases the leases it holds.
   */
  async stop(): Promise<void> {
    this.controller.abort(new Error('graph mailbox sync stopped'));
    await this.loop;
    this.options.log.info({ instanceId: this.instanceId }, 'graph mailbox sync stopped');
  }

  /** Runs one cycle over all connected mailboxes, one after another. */
  async runCycle(): Promise<MailboxCycleReport[]> {
    const mailboxes = await loadMailboxes(this.options.database.db);
    if (mailboxes.length === 0) {
      return [];
    }

    // One token check per cycle, so a wrong secret is logged once and not once per mailbox.
    // msal-node caches the token, so the requests below reuse it.
    try {
      await this.options.tokens.getAccessToken();
    } catch (error) {
      this.options.log.warn(
        { err: error, mailboxes: mailboxes.length },
        'graph token request failed, retrying next cycle',
      );
      return mailboxes.map((mailbox) => ({ mailboxId: mailbox.id, status: 'failed', ingested: 0 }));
    }

    const reports: MailboxCycleReport[] = [];
    for (const mailbox of mailboxes) {
      if (this.controller.signal.aborted) {
        break;
      }
      reports.push(await this.syncOne(mailbox));
    }
    return reports;
  }

  private async runLoop(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        await this.runCycle();
      } catch (error) {
        if (!signal.aborted) {
          this.options.log.error({ err: error }, 'graph sync cycle failed');
        }
      }
      try {
        await this.sleep(this.options.pollIntervalMs, signal);
      } catch {
        // Aborted by stop().
      }
    }
  }

  private async syncOne(mailbox: MailboxEntry): Promise<MailboxCycleReport> {
    const { database, log: baseLog, leaseDurationMs } = this.options;
    const signal = this.controller.signal;
    const log = baseLog.child({ mailbox: maskAddress(mailbox.address), mailboxId: mailbox.id });
    const lease = new MailboxLease(database.db, mailbox.id, this.instanceId, leaseDurationMs);

    if (!(await lease.acquire())) {
      log.debug('mailbox leased by another instance, skipped');
      return { mailboxId: mailbox.id, status: 'leased-elsewhere', ingested: 0 };
    }

    const graph = new GraphClient({
      baseUrl: this.options.graphBaseUrl,
      tokens: this.options.tokens,
      retry: this.retry,
      log,
      signal,
      sleep: this.sleep,
    });
    try {
      const result = await syncMailbox({ database, graph, lease, events: this.options.events, log, signal }, mailbox);
      if (result.ingested > 0 || result.removed > 0 || result.skipped > 0) {
        log.info(result, 'graph mailbox synced');
      }
      return { mailboxId: mailbox.id, status: 'synced', ingested: result.ingested };
    } catch (error) {
      if (signal.aborted) {
        return { mailboxId: mailbox.id, status: 'stopped', ingested: 0 };
      }
      log.warn({ err: error }, 'graph mailbox sync failed, retrying next cycle');
      return { mailboxId: mailbox.id, status: 'failed', ingested: 0 };
    } finally {
      await lease.release().catch((error: unknown) => {
        log.error({ err: error }, 'graph sync lease release failed');
      });
    }
  }
}
