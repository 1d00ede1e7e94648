import type { Settings, WorkItemStatus } from '../../core/api-types.js';
import { ReusableQuery } from '../db/reusable-query.js';
import { splitPlusAddress } from '../../core/plus-address.js';
import { findDirectoryMailbox, getDirectory, matchDirectoryAddress } from '../repositories/directory-cache.js';
import type { DirectorySnapshot } from '../repositories/directory-cache.js';
import type { MailboxEntry } from '../repositories/mailboxes.js';
import { now } from '../repositories/executor.js';
import type { Executor } from '../repositories/executor.js';
import { listLinkedTeamIds } from '../repositories/work-items.js';
import type { ParsedMessage } from './parse-message.js';
import { createMissingItems, creationBlockedReason, linkCreatedItems } from './item-creation.js';
import {
  findThreadMatches,
  matchPlusTag,
  matchSendPlan,
  matchSubjectReference,
  type RouteRule,
  type ThreadMatch,
  type WorkItemRow,
} from './routing-rules.js';

export interface RoutingInput {
  /** `messages.id` of the stored message. */
  messageRowId: number;
  message: ParsedMessage;
  envelopeRecipients: string[];
  conversationId: string | null;
  /** Reason the message counts as automatic (auto-reply, bounce), or null for a person's message. */
  automaticReason: string | null;
  /** The directory, read from the cache before the transaction. When absent, it is read inside the transaction. */
  directory?: DirectorySnapshot;
  /**
   * True when this transaction inserted the message row, so it has no routes and no unrouted entry yet and
   * their lookups are skipped. False or absent for a re-delivery or a message routed again.
   */
  firstDelivery?: boolean;
}

/** A route that this delivery added; re-deliveries report none for routes that already existed. */
export interface NewRoute {
  workItemId: number;
  reference: string;
  teamId: number;
  mailboxId: number;
  rule: RouteRule;
}

export interface CreatedItem extends WorkItemRow {
  type: MailboxEntry['defaultType'];
}

/** A status that this delivery changed: a work item in `waiting` that moved back to `todo`. */
export interface StatusChange {
  workItemId: number;
  reference: string;
  teamId: number;
  previousStatus: WorkItemStatus;
  status: WorkItemStatus;
  /** Teams other than the owner that own a work item linked to this one, links of this delivery included. */
  linkedTeamIds: number[];
}

export interface RoutingResult {
  newRoutes: NewRoute[];
  createdItems: CreatedItem[];
  /** Links this delivery created, as stored: lower id first. */
  createdLinks: { lowId: number; highId: number; origin: string }[];
  /** Work items whose status this delivery changed, in the order of their ids. */
  statusChanges: StatusChange[];
  /** Set when the message ended with no route at all and was kept in `unrouted_messages`. */
  unroutedReason: string | null;
}

export interface MatchedMailbox {
  mailbox: MailboxEntry;
  /** Plus tags seen on this mailbox's addresses, in the order they appear. */
  tags: string[];
}

/**
 * Collects the connected mailboxes among To, Cc and the envelope recipients,
 * with the plus tag stripped, in order of first appearance.
 */
function matchMailboxes(addresses: string[], directory: DirectorySnapshot): MatchedMailbox[] {
  const matched = new Map<number, MatchedMailbox>();
  for (const address of addresses) {
    const match = matchDirectoryAddress(directory, address);
    if (match === undefined) {
      continue;
    }
    const { mailbox, tag } = match;
    const entry = matched.get(mailbox.id) ?? { mailbox, tags: [] };
    if (tag !== null && !entry.tags.includes(tag)) {
      entry.tags.push(tag);
    }
    matched.set(mailbox.id, entry);
  }
  return [...matched.values()];
}

function isInternalSender(sender: string | null, settings: Readonly<Settings>): boolean {
  const domain = sender?.split('@').pop();
  return domain !== undefined && settings.internalDomains.includes(domain);
}

/**
 * Picks the target work item of one mailbox by rules 1 to 4, or returns
 * null when a new work item is needed. Automatic messages skip rule 4. In
 * mode `only`, rewriting is trusted alone, so only the plus tag and the
 * Message-ID headers count.
 */
async function findTarget(
  db: Executor,
  matched: MatchedMailbox,
  context: {
    mailboxes: MailboxEntry[];
    settings: Readonly<Settings>;
    message: ParsedMessage;
    threadMatches: ThreadMatch[];
    senderIsInternal: boolean;
    isAutomatic: boolean;
  },
): Promise<{ item: WorkItemRow; rule: RouteRule } | null> {
  const { mailbox } = matched;
  const mode = context.settings.plusAddressing.mode;

  const byTag = await matchPlusTag(db, mailbox, matched.tags);
  if (byTag !== null) {
    return { item: byTag, rule: 'plus' };
  }

  if (mode !== 'only') {
    const planId = context.message.headers['x-worklink-plan'];
    const separator = context.settings.plusAddressing.separator;
    const byPlan = await matchSendPlan(db, mailbox, context.mailboxes, planId, separator);
    if (byPlan !== null) {
      return { item: byPlan, rule: 'plan' };
    }
  }

  const byThread = context.threadMatches.find(
    (match) => match.teamId === mailbox.teamId && (mode !== 'only' || !match.byConversation),
  );
  if (byThread !== undefined) {
    return { item: byThread, rule: 'thread' };
  }

  // An auto-reply repeats the subject it replies to, so a reference there does not show where it belongs.
  if (mode !== 'only' && !context.isAutomatic) {
    const sender = context.message.from?.address ?? null;
    const bySubject = await matchSubjectReference(
      db,
      mailbox,
      context.message.subject,
      sender,
      context.senderIsInternal,
    );
    if (bySubject !== null) {
      return { item: bySubject, rule: 'subject' };
    }
  }

  return null;
}

// The route and unrouted-entry queries run for nearly every message and their SQL never varies, so Kysely builds
// and compiles each once.
const insertRouteRow = new ReusableQuery(
  5,
  (db, messageRowId: number, workItemId: number, mailboxId: number, rule: RouteRule, createdAt: string) =>
    db
      .insertInto('message_routes')
      .values({
        message_id: messageRowId,
        work_item_id: workItemId,
        mailbox_id: mailboxId,
        rule,
        created_at: createdAt,
      })
      .onConflict((conflict) => conflict.columns(['message_id', 'work_item_id']).doNothing())
      .returning('work_item_id'),
);

const selectExistingRoutes = new ReusableQuery(1, (db, messageRowId: number) =>
  db
    .selectFrom('message_routes')
    .innerJoin('work_items', 'work_items.id', 'message_routes.work_item_id')
    .select(['message_routes.mailbox_id', 'work_items.team_id'])
    .where('message_routes.message_id', '=', messageRowId),
);

const closeUnroutedEntry = new ReusableQuery(1, (db, messageRowId: number) =>
  db
    .updateTable('unrouted_messages')
    .set({ state: 'routed' })
    .where('message_id', '=', messageRowId)
    .where('state', '=', 'open'),
);

const insertUnroutedEntry = new ReusableQuery(3, (db, messageRowId: number, reason: string, createdAt: string) =>
  db
    .insertInto('unrouted_messages')
    .values({ message_id: messageRowId, reason, state: 'open', created_at: createdAt })
    .onConflict((conflict) => conflict.column('message_id').doNothing()),
);

async function insertRoute(db: Executor, messageRowId: number, route: NewRoute): Promise<boolean> {
  // The primary key (message_id, work_item_id) keeps one message on a work item once, even under concurrent deliveries.
  const inserted = await insertRouteRow.firstRow(
    db,
    messageRowId,
    route.workItemId,
    route.mailboxId,
    route.rule,
    now(),
  );
  return inserted !== undefined;
}

/**
 * Routes a stored message to one work item per connected mailbox among its
 * recipients, creating and linking work items where no rule finds one. Safe
 * to run again for the same message: mailboxes that already have a route
 * are skipped, so a re-delivery only adds the routes that are missing.
 */
export async function routeMessage(db: Executor, input: RoutingInput): Promise<RoutingResult> {
  const { message } = input;
  const directory = input.directory ?? (await getDirectory(db));
  const { mailboxes, settings } = directory;
  const separator = settings.plusAddressing.separator;

  const sender = message.from?.address ?? null;
  const senderBase = sender === null ? null : splitPlusAddress(sender, separator).base;
  const senderIsOwnMailbox = senderBase !== null && findDirectoryMailbox(directory, senderBase) !== undefined;
  const senderIsInternal = isInternalSender(senderBase, settings);

  const addresses = [
    ...message.to.map((entry) => entry.address.toLowerCase()),
    ...message.cc.map((entry) => entry.address.toLowerCase()),
    ...input.envelopeRecipients.map((address) => address.trim().toLowerCase()),
  ];
  const matchedMailboxes = matchMailboxes(addresses, directory);

  // A team whose work item already contains this message is done: a re-delivery must not open a second one.
  const existingRoutes = input.firstDelivery === true ? [] : await selectExistingRoutes.rows(db, input.messageRowId);
  const routedMailboxIds = new Set(existingRoutes.map((route) => route.mailbox_id));
  const routedTeamIds = new Set(existingRoutes.map((route) => route.team_id));
  const pending = matchedMailboxes.filter(
    (matched) => !routedMailboxIds.has(matched.mailbox.id) && !routedTeamIds.has(matched.mailbox.teamId),
  );

  const threadMatches = await findThreadMatches(db, { rowId: input.messageRowId, ...message }, input.conversationId);
  const isAutomatic = input.automaticReason !== null;
  const context = { mailboxes, settings, message, threadMatches, senderIsInternal, isAutomatic };

  const planned: NewRoute[] = [];
  const needsItem: MatchedMailbox[] = [];
  for (const matched of pending) {
    const target = await findTarget(db, matched, context);
    if (target === null) {
      needsItem.push(matched);
      continue;
    }
    const { item, rule } = target;
    planned.push({
      workItemId: item.id,
      reference: item.reference,
      teamId: item.teamId,
      mailboxId: matched.mailbox.id,
      rule,
    });
  }

  const creationBlocked = creationBlockedReason(input.automaticReason, sender, senderIsOwnMailbox);
  let createdItems: CreatedItem[] = [];
  let createdLinks: RoutingResult['createdLinks'] = [];
  if (creationBlocked === null) {
    createdItems = await createMissingItems(db, needsItem, planned, message.subject, senderBase);
    createdLinks = await linkCreatedItems(db, input.messageRowId, createdItems, planned, threadMatches);
  }

  const newRoutes: NewRoute[] = [];
  for (const route of planned) {
    if (await insertRoute(db, input.messageRowId, route)) {
      newRoutes.push(route);
    }
  }
  // A work item created above is already up to date and in `todo`.
  const createdIds = new Set(createdItems.map((item) => item.id));
  const statusChanges = await touchWorkItems(
    db,
    newRoutes.filter((route) => !createdIds.has(route.workItemId)),
    input.automaticReason === null && !senderIsInternal && !senderIsOwnMailbox,
  );

  let unroutedReason: string | null = null;
  if (newRoutes.length > 0) {
    // A re-delivery that finds a work item (a mailbox connected since, a plan committed late) closes the entry.
    // A message inserted by this transaction has no entry yet.
    if (input.firstDelivery !== true) {
      await closeUnroutedEntry.execute(db, input.messageRowId);
    }
  } else if (existingRoutes.length === 0) {
    unroutedReason =
      matchedMailboxes.length === 0
        ? 'no connected mailbox among the recipients'
        : (creationBlocked ?? 'no work item matched');
    await insertUnroutedEntry.execute(db, input.messageRowId, unroutedReason, now());
  }

  return { newRoutes, createdItems, createdLinks, statusChanges, unroutedReason };
}

/**
 * Marks work items as updated, and moves those in `waiting` back to `todo`
 * when `reopen` is set: a reply from outside the company is what a
 * waiting work item waits for. Returns the work items it moved.
 */
async function touchWorkItems(db: Executor, routes: NewRoute[], reopen: boolean): Promise<StatusChange[]> {
  const ids = [...new Set(routes.map((route) => route.workItemId))];
  if (ids.length === 0) {
    return [];
  }
  const timestamp = now();
  await db.updateTable('work_items').set({ updated_at: timestamp }).where('id', 'in', ids).execute();
  if (!reopen) {
    return [];
  }

  // The status condition is checked against the row as this transaction locked it, so a concurrent
  // change away from `waiting` is not reported as moved.
  const reopened = await db
    .updateTable('work_items')
    .set({ status: 'todo' })
    .where('id', 'in', ids)
    .where('status', '=', 'waiting')
    .returning(['id', 'reference', 'team_id'])
    .execute();
  if (reopened.length === 0) {
    return [];
  }
  const linkedTeams = await listLinkedTeamIds(
    db,
    reopened.map((row) => row.id),
  );
  return reopened
    .sort((a, b) => a.id - b.id)
    .map((row) => ({
      workItemId: row.id,
      reference: row.reference,
      teamId: row.team_id,
      previousStatus: 'waiting',
      status: 'todo',
      linkedTeamIds: linkedTeams.get(row.id) ?? [],
    }));
}
