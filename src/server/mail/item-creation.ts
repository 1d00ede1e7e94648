import { normalizeSubject } from '../../core/subject.js';
import type { Executor } from '../repositories/executor.js';
import { createWorkItem, linkWorkItems } from '../repositories/work-items.js';
import type { CreatedItem, MatchedMailbox, NewRoute, RoutingResult } from './router.js';
import type { ThreadMatch, WorkItemRow } from './routing-rules.js';

/** Maximum length of a work item title made from a subject, because a subject may be any length. */
const maxTitleLength = 250;

/** Builds a work item title from a subject: reply and forward prefixes removed, cut to `maxTitleLength`. */
export function titleOf(subject: string): string {
  const title = normalizeSubject(subject).trim();
  if (title === '') {
    return '(no subject)';
  }
  return title.length > maxTitleLength ? `${title.slice(0, maxTitleLength - 1)}…` : title;
}

/**
 * Returns why this message may not create work items, or null when it may. A message
 * without a sender address (no From header, or one without an address) would make a
 * work item with no one to reply to. Empty DATA and stray bytes look like that.
 */
export function creationBlockedReason(
  automaticReason: string | null,
  sender: string | null,
  senderIsOwnMailbox: boolean,
): string | null {
  if (automaticReason !== null) {
    return `automatic message (${automaticReason})`;
  }
  if (sender === null) {
    return 'no sender address in From';
  }
  if (senderIsOwnMailbox) {
    return 'sent by a connected mailbox';
  }
  return null;
}

/**
 * Locks the reference counter rows of `series` in alphabetical order. A new
 * reference keeps its counter row locked until the commit, so without one
 * order two messages that list the teams in opposite orders deadlock on
 * PostgreSQL. SQLite locks the whole database for a write.
 */
async function lockReferenceCounters(db: Executor, series: ('ticket' | 'case')[]): Promise<void> {
  const names = [...new Set(series)].sort();
  // With one series, taking its first number locks its row, and no second counter can be locked out of order.
  if (names.length < 2) {
    return;
  }
  for (const name of names) {
    await db
      .updateTable('reference_counters')
      .set((eb) => ({ next_value: eb.ref('next_value') }))
      .where('series', '=', name)
      .execute();
  }
}

/**
 * Creates a work item of the mailbox's default type for each mailbox that no
 * rule placed, and adds its route to `planned`. Two mailboxes of one team on
 * the same message share that team's work item, of the type of the mailbox
 * listed first.
 */
export async function createMissingItems(
  db: Executor,
  needsItem: MatchedMailbox[],
  planned: NewRoute[],
  subject: string,
  requester: string | null,
): Promise<CreatedItem[]> {
  const creators: MatchedMailbox[] = [];
  for (const matched of needsItem) {
    const teamId = matched.mailbox.teamId;
    if (!planned.some((route) => route.teamId === teamId) && !creators.some((c) => c.mailbox.teamId === teamId)) {
      creators.push(matched);
    }
  }
  await lockReferenceCounters(
    db,
    creators.map((matched) => matched.mailbox.defaultType),
  );

  const createdItems: CreatedItem[] = [];
  for (const matched of creators) {
    // The requester is never a connected mailbox here, because their mail creates nothing.
    const created = await createWorkItem(db, {
      teamId: matched.mailbox.teamId,
      type: matched.mailbox.defaultType,
      title: titleOf(subject),
      requester,
    });
    const item = {
      id: created.id,
      reference: created.reference,
      teamId: matched.mailbox.teamId,
      type: matched.mailbox.defaultType,
    };
    createdItems.push(item);
    planned.push({
      workItemId: item.id,
      reference: item.reference,
      teamId: item.teamId,
      mailboxId: matched.mailbox.id,
      rule: 'new',
    });
  }
  return createdItems;
}

/**
 * Links each new work item to the other new ones from this message, and to
 * the work items of other teams that this message or its thread belongs to,
 * so both teams see the conversation from the start.
 */
export async function linkCreatedItems(
  db: Executor,
  messageRowId: number,
  createdItems: WorkItemRow[],
  planned: NewRoute[],
  threadMatches: ThreadMatch[],
): Promise<RoutingResult['createdLinks']> {
  const links: RoutingResult['createdLinks'] = [];
  const origin = `message:${messageRowId}`;
  const related = new Map<number, number>();
  for (const route of planned) {
    related.set(route.workItemId, route.teamId);
  }
  for (const match of threadMatches) {
    related.set(match.id, match.teamId);
  }

  for (const item of createdItems) {
    for (const [otherId, otherTeamId] of related) {
      if (
        otherId === item.id ||
        (otherTeamId === item.teamId && !createdItems.some((created) => created.id === otherId))
      ) {
        continue;
      }
      if (await linkWorkItems(db, item.id, otherId, origin)) {
        links.push({ lowId: Math.min(item.id, otherId), highId: Math.max(item.id, otherId), origin });
      }
    }
  }
  return links;
}
