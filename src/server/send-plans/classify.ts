import punycode from 'punycode/punycode.js';
import { parseAddrSpec } from '../../core/addr-spec.js';
import type { ClassifiedRecipient, Recipient } from '../../core/api-types.js';
import { normalizeDomain } from '../../core/domain.js';
import { parseReference } from '../../core/reference.js';
import { WorklinkError } from '../errors.js';
import type { DirectorySnapshot } from '../repositories/directory-cache.js';
import type { Executor } from '../repositories/executor.js';
import { findWorkItemsByReferences } from '../repositories/work-items.js';
import type { WorkItemRecord } from '../repositories/work-items.js';
import { findMailboxesByAddress, findMailboxesByDisplayName, foldDisplayName } from './mailbox-lookup.js';
import type { ConnectedMailbox } from './mailbox-lookup.js';

/** One recipient of a plan with what the server found out about it. */
export interface RecipientAnalysis {
  /** Position in the request, which the commit keeps. */
  index: number;
  classified: ClassifiedRecipient;
  mailbox?: ConnectedMailbox;
  /** The existing work item that the recipient's plus tag names. */
  taggedItem?: WorkItemRecord;
  /** True when the mailbox was found by display name, so the address is not the mailbox's. */
  matchedByDisplayName?: boolean;
}

/** One entry of the `details` of `WORKLINK_INVALID_RECIPIENT`. */
export interface InvalidRecipient {
  index: number;
  field: string;
  emailAddress: string;
  displayName: string;
  code: string;
  message: string;
}

interface ParsedRecipient {
  index: number;
  recipient: Recipient;
  /** Lower-case local part and ASCII domain, when the address is valid. */
  local?: string;
  domain?: string;
  /** Lower-case local part without the plus tag, and the tag as written. */
  baseLocal?: string;
  tag?: string;
  error?: { code: string; message: string };
}

/**
 * Classifies each recipient as `external`, `internal`, `own-mailbox` or
 * `connected-mailbox`, in request order. Addresses are matched on the primary
 * address and the aliases of connected mailboxes, with any plus tag removed,
 * case-insensitively and with IDN domains compared in ASCII. A recipient whose
 * address Outlook did not resolve (no `@`, or `recipientType: 'other'`)
 * matches a mailbox by display name instead. Throws
 * `WORKLINK_INVALID_RECIPIENT` listing every recipient that is neither a valid
 * address nor a mailbox's display name.
 */
export async function classifyRecipients(
  db: Executor,
  recipients: Recipient[],
  directory: DirectorySnapshot,
  agentTeamIds: number[],
): Promise<RecipientAnalysis[]> {
  const { settings } = directory;
  const separator = settings.plusAddressing.separator;
  const parsed = recipients.map((recipient, index) => parseRecipient(recipient, index, separator));

  const byAddress = findMailboxesByAddress(directory, [
    ...parsed.flatMap(addressKeys),
    ...recipients.flatMap(resolvedKeys),
  ]);
  const unresolved = parsed.filter((entry) => needsDisplayNameMatch(entry, byAddress));
  const byName = findMailboxesByDisplayName(
    directory,
    unresolved.map((entry) => entry.recipient.displayName ?? ''),
  );
  const nameAddresses = findMailboxesByAddress(directory, unresolved.flatMap(displayNameAddressKeys));

  const invalid: InvalidRecipient[] = [];
  const internalDomains = new Set(settings.internalDomains.map(asciiDomain));
  const analyses: RecipientAnalysis[] = [];

  for (const entry of parsed) {
    const byOwnAddress = matchByAddress(entry, byAddress);
    const mailbox =
      byOwnAddress ?? matchByDisplayName(entry, nameAddresses, byName) ?? matchByResolvedAddress(entry, byAddress);
    const classified: ClassifiedRecipient = { ...entry.recipient, class: 'external' };

    if (mailbox !== undefined) {
      classified.class = agentTeamIds.includes(mailbox.teamId) ? 'own-mailbox' : 'connected-mailbox';
      classified.mailbox = mailbox.address;
      classified.teamId = mailbox.teamId;
      const analysis: RecipientAnalysis = { index: entry.index, classified, mailbox };
      // An alias found through Graph is addressed by the mailbox's primary address too, but a
      // distribution list stays as it is, so that its other members still receive the message.
      if (byOwnAddress === undefined && entry.recipient.resolvedVia !== 'group-member') {
        analysis.matchedByDisplayName = true;
      }
      analyses.push(analysis);
      continue;
    }

    if (entry.domain === undefined) {
      invalid.push({
        index: entry.index,
        field: entry.recipient.field,
        emailAddress: entry.recipient.emailAddress,
        displayName: entry.recipient.displayName,
        code: entry.error?.code ?? 'WORKLINK_ADDRESS_SYNTAX',
        message:
          entry.error?.message ?? `Address "${entry.recipient.emailAddress}" is invalid: write it as local@domain.`,
      });
      continue;
    }

    classified.class = internalDomains.has(entry.domain) ? 'internal' : 'external';
    analyses.push({ index: entry.index, classified });
  }

  if (invalid.length > 0) {
    const listed = invalid.map((item) => `"${item.emailAddress}" (${item.field})`).join(', ');
    throw new WorklinkError(
      'WORKLINK_INVALID_RECIPIENT',
      `${invalid.length} recipient(s) have an invalid address: ${listed}. Correct or remove them and send again.`,
      { details: invalid },
    );
  }

  await attachTaggedItems(db, analyses, parsed);
  return analyses;
}

function parseRecipient(recipient: Recipient, index: number, separator: string): ParsedRecipient {
  const spec = parseAddrSpec(recipient.emailAddress);
  if (!spec.ok) {
    return { index, recipient, error: { code: spec.error.code, message: spec.error.message } };
  }

  const local = spec.value.local.toLowerCase();
  const entry: ParsedRecipient = { index, recipient, local, domain: spec.value.domain };
  const cut = spec.value.quoted || separator === '' ? -1 : local.indexOf(separator);
  if (cut > 0) {
    entry.baseLocal = local.slice(0, cut);
    entry.tag = spec.value.local.slice(cut + separator.length);
  } else {
    entry.baseLocal = local;
  }
  return entry;
}

/**
 * Lists the lookup keys of a parsed address. The whole local part comes
 * first, because a mailbox may itself contain the separator, then the part
 * before the tag. Each has the domain in ASCII and in Unicode, because an
 * admin may have stored either form.
 */
function addressKeys(entry: ParsedRecipient): string[] {
  if (entry.local === undefined || entry.domain === undefined || entry.baseLocal === undefined) {
    return [];
  }
  const domains = [...new Set([entry.domain, unicodeDomain(entry.domain)])];
  const locals = [...new Set([entry.local, entry.baseLocal])];
  return locals.flatMap((local) => domains.map((domain) => `${local}@${domain}`));
}

function matchByAddress(
  entry: ParsedRecipient,
  byAddress: Map<string, ConnectedMailbox>,
): ConnectedMailbox | undefined {
  for (const key of addressKeys(entry)) {
    const mailbox = byAddress.get(key);
    if (mailbox !== undefined) {
      if (key.startsWith(`${entry.local}@`) && entry.local !== entry.baseLocal) {
        // The whole local part is the mailbox, so the text after the separator is no tag.
        delete entry.tag;
        entry.baseLocal = entry.local;
      }
      return mailbox;
    }
  }
  return undefined;
}

function needsDisplayNameMatch(entry: ParsedRecipient, byAddress: Map<string, ConnectedMailbox>): boolean {
  if (entry.domain === undefined) {
    return true;
  }
  return entry.recipient.recipientType === 'other' && addressKeys(entry).every((key) => !byAddress.has(key));
}

/** Lists the lookup key of the connected mailbox that the add-in found through Microsoft Graph, if any. */
function resolvedKeys(recipient: Recipient): string[] {
  return typeof recipient.resolvedAddress === 'string' ? [recipient.resolvedAddress.trim().toLowerCase()] : [];
}

/**
 * Matches the mailbox that the add-in found behind an alias or distribution list the server
 * does not list. It comes after the recipient's own address and display name.
 */
function matchByResolvedAddress(
  entry: ParsedRecipient,
  byAddress: Map<string, ConnectedMailbox>,
): ConnectedMailbox | undefined {
  for (const key of resolvedKeys(entry.recipient)) {
    const mailbox = byAddress.get(key);
    if (mailbox !== undefined) {
      return mailbox;
    }
  }
  return undefined;
}

/** Lists the lookup keys of a display name that is itself an address, such as `pl.support@contoso.example`. */
function displayNameAddressKeys(entry: ParsedRecipient): string[] {
  const asAddress = parseAddrSpec(entry.recipient.displayName ?? '');
  if (!asAddress.ok) {
    return [];
  }
  const local = asAddress.value.local.toLowerCase();
  return [`${local}@${asAddress.value.domain}`, `${local}@${unicodeDomain(asAddress.value.domain)}`];
}

function matchByDisplayName(
  entry: ParsedRecipient,
  nameAddresses: Map<string, ConnectedMailbox>,
  byName: Map<string, ConnectedMailbox>,
): ConnectedMailbox | undefined {
  if (entry.domain !== undefined && entry.recipient.recipientType !== 'other') {
    return undefined;
  }
  const byFoldedName = byName.get(foldDisplayName(entry.recipient.displayName ?? ''));
  if (byFoldedName !== undefined) {
    return byFoldedName;
  }
  for (const key of displayNameAddressKeys(entry)) {
    const mailbox = nameAddresses.get(key);
    if (mailbox !== undefined) {
      return mailbox;
    }
  }
  return undefined;
}

/** Reports the reference of each mailbox recipient whose plus tag names an existing work item. */
async function attachTaggedItems(
  db: Executor,
  analyses: RecipientAnalysis[],
  parsed: ParsedRecipient[],
): Promise<void> {
  const tagged = new Map<number, string>();
  for (const analysis of analyses) {
    const tag = parsed[analysis.index]?.tag;
    if (analysis.mailbox === undefined || tag === undefined) {
      continue;
    }
    const reference = parseReference(tag);
    if (reference.ok) {
      tagged.set(analysis.index, reference.value.text);
    }
  }

  const items = await findWorkItemsByReferences(db, [...tagged.values()]);
  for (const analysis of analyses) {
    const reference = tagged.get(analysis.index);
    const item = reference === undefined ? undefined : items.get(reference);
    if (item !== undefined) {
      analysis.taggedItem = item;
      analysis.classified.reference = item.reference;
    }
  }
}

function asciiDomain(domain: string): string {
  const normalized = normalizeDomain(domain.trim(), domain);
  return normalized.ok ? normalized.value : domain.trim().toLowerCase();
}

function unicodeDomain(domain: string): string {
  try {
    return punycode.toUnicode(domain);
  } catch {
    return domain;
  }
}
