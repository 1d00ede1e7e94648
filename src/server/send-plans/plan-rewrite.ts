import { parseAddrSpec } from '../../core/addr-spec.js';
import type { ClassifiedRecipient, Recipient } from '../../core/api-types.js';
import { splitPlusAddress } from '../../core/plus-address.js';
import { rewriteRecipients } from '../../core/rewrite.js';
import type { RewriteResult, RewriteTarget } from '../../core/rewrite.js';
import type { StoredPlan } from './plan-record.js';

/**
 * Computes the recipients a committed plan sends to. Own mailboxes of the
 * current work item's team get its reference. Each decided mailbox of another team gets
 * the reference in `chosen`, keyed by primary address. Mailboxes chosen as
 * `plain`, and those already settled, are absent from `chosen` and stay as
 * they are. The rewrite
 * itself, with its 64-octet notices, is `rewriteRecipients` of the core.
 * With plus addressing `off` nothing is rewritten.
 */
export function rewritePlanRecipients(
  plan: StoredPlan,
  current: { reference: string; teamId: number } | undefined,
  chosen: Map<string, string>,
): RewriteResult {
  const classified = plan.response.recipients;
  const original = classified.map(toRecipient);
  if (plan.mode === 'off') {
    return { recipients: original, notices: [] };
  }

  const references = new Map(chosen);
  if (current !== undefined) {
    // Inbound routing ignores a tag of another team's item, so only the owning team's mailboxes are tagged.
    for (const recipient of classified) {
      if (recipient.class === 'own-mailbox' && recipient.mailbox !== undefined && recipient.teamId === current.teamId) {
        references.set(recipient.mailbox, current.reference);
      }
    }
  }

  const byDisplayName = new Set(plan.displayNameMatches ?? []);
  const prepared = classified.map((recipient, index) =>
    prepare(recipient, byDisplayName.has(index), references, chosen, plan.separator),
  );
  const targets: RewriteTarget[] = [...references.entries()].map(([mailbox, reference]) => ({
    mailbox,
    aliases: aliasesUsed(prepared, classified, mailbox, plan.separator),
    reference,
  }));
  return rewriteRecipients(prepared, targets, plan.separator);
}

function toRecipient(recipient: ClassifiedRecipient): Recipient {
  return { field: recipient.field, emailAddress: recipient.emailAddress, displayName: recipient.displayName };
}

/**
 * Readies one recipient for the core rewrite. A recipient matched by display
 * name has no address of its mailbox, so it is addressed by the mailbox's
 * primary address. The core keeps any tag that reads as a reference, so this
 * step removes the old tags that must not stay. That is a tag on a mailbox
 * the agent decided on, unless it is the chosen reference, and a tag that
 * names no existing work item.
 */
function prepare(
  recipient: ClassifiedRecipient,
  matchedByDisplayName: boolean,
  references: Map<string, string>,
  chosen: Map<string, string>,
  separator: string,
): Recipient {
  const plain = toRecipient(recipient);
  const mailbox = recipient.mailbox;
  // A distribution list that contains the mailbox is never rewritten; only mailboxes are.
  if (mailbox === undefined || !references.has(mailbox) || recipient.resolvedVia === 'group-member') {
    return plain;
  }

  const spec = parseAddrSpec(recipient.emailAddress);
  if (!spec.ok || matchedByDisplayName) {
    return { ...plain, emailAddress: mailbox };
  }

  const target = chosen.get(mailbox);
  const cut = spec.value.quoted ? -1 : spec.value.local.indexOf(separator);
  const unknownTag = recipient.reference === undefined;
  const replacedTag = target !== undefined && recipient.reference !== target;
  if (cut <= 0 || !(unknownTag || replacedTag)) {
    return plain;
  }
  return { ...plain, emailAddress: `${spec.value.local.slice(0, cut)}@${spec.value.domain}` };
}

/** Collects the untagged addresses by which the recipients reached `mailbox`, as its aliases for the rewrite. */
function aliasesUsed(
  prepared: Recipient[],
  classified: ClassifiedRecipient[],
  mailbox: string,
  separator: string,
): string[] {
  const aliases = new Set<string>();
  classified.forEach((recipient, index) => {
    const address = prepared[index]?.emailAddress;
    if (recipient.mailbox === mailbox && address !== undefined && recipient.resolvedVia !== 'group-member') {
      aliases.add(splitPlusAddress(address, separator).base);
    }
  });
  aliases.delete(mailbox);
  return [...aliases];
}
