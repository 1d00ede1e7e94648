import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { WorklinkError } from '../../errors.js';
import { now } from '../../repositories/executor.js';

/**
 * The right of one server instance to sync one mailbox, kept in
 * `mailbox_sync`. Every write is a conditional update on `lease_owner`, so
 * two instances on one database never hold the same mailbox at once, and a
 * lease whose holder died frees itself when `lease_expires_at` passes.
 */
export class MailboxLease {
  constructor(
    private readonly db: Kysely<Database>,
    readonly mailboxId: number,
    readonly owner: string,
    private readonly durationMs: number,
  ) {}

  /** Takes the lease when it is free, expired or already ours. Returns false when another instance has it. */
  async acquire(): Promise<boolean> {
    const current = now();
    await this.db
      .insertInto('mailbox_sync')
      .values({ mailbox_id: this.mailboxId, updated_at: current })
      .onConflict((conflict) => conflict.column('mailbox_id').doNothing())
      .execute();

    // ISO 8601 UTC text with fixed width compares in time order.
    const result = await this.db
      .updateTable('mailbox_sync')
      .set({ lease_owner: this.owner, lease_expires_at: this.expiry(), updated_at: current })
      .where('mailbox_id', '=', this.mailboxId)
      .where((eb) =>
        eb.or([
          eb('lease_owner', 'is', null),
          eb('lease_owner', '=', this.owner),
          eb('lease_expires_at', 'is', null),
          eb('lease_expires_at', '<', current),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Extends the lease, and so checks that this instance still holds it.
   * Throws `WORKLINK_GRAPH_LEASE_LOST` when it is gone.
   */
  async renew(): Promise<void> {
    await this.updateOwned({ lease_expires_at: this.expiry() });
  }

  async readDeltaLink(): Promise<string | null> {
    const row = await this.db
      .selectFrom('mailbox_sync')
      .select('delta_link')
      .where('mailbox_id', '=', this.mailboxId)
      .executeTakeFirst();
    return row?.delta_link ?? null;
  }

  /** Saves the link to resume from, and renews the lease; throws `WORKLINK_GRAPH_LEASE_LOST` when it is gone. */
  async saveDeltaLink(link: string | null): Promise<void> {
    await this.updateOwned({ delta_link: link, lease_expires_at: this.expiry() });
  }

  /** Frees the lease if this instance still holds it. */
  async release(): Promise<void> {
    await this.db
      .updateTable('mailbox_sync')
      .set({ lease_owner: null, lease_expires_at: null, updated_at: now() })
      .where('mailbox_id', '=', this.mailboxId)
      .where('lease_owner', '=', this.owner)
      .execute();
  }

  private expiry(): string {
    return new Date(Date.now() + this.durationMs).toISOString();
  }

  private async updateOwned(values: { delta_link?: string | null; lease_expires_at: string }): Promise<void> {
    const result = await this.db
      .updateTable('mailbox_sync')
      .set({ ...values, updated_at: now() })
      .where('mailbox_id', '=', this.mailboxId)
      .where('lease_owner', '=', this.owner)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new WorklinkError('WORKLINK_GRAPH_LEASE_LOST', {
        en:
          `Instance ${this.owner} lost the sync lease of mailbox ${this.mailboxId} because it expired and another ` +
          'instance took it. The mailbox is retried on the next cycle; raise WORKLINK_GRAPH_LEASE_MS if this repeats.',
        pl:
          `Instancja ${this.owner} straciła dzierżawę synchronizacji skrzynki ${this.mailboxId}, bo dzierżawa wygasła ` +
          'i przejęła ją inna instancja. Synchronizacja skrzynki zostanie ponowiona w następnym cyklu. Jeśli to się powtarza, zwiększ WORKLINK_GRAPH_LEASE_MS.',
      });
    }
  }
}
