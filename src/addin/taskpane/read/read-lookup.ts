/**
 * Finds the work items of a message opened in read mode, in three ways: a plus address among
 * its recipients, its Message-ID, and its Outlook conversation. It also reports the
 * conversation to the server, which cannot learn it otherwise for replies written in Outlook.
 */
import type { Directory } from '../../../core/api-types.js';
import { decodePlusAddress } from '../../../core/plus-address.js';
import { BackendError } from '../../shared/backend-client.js';
import type { PaneApi, WorkItemDetail } from '../api/pane-api.js';
import type { ReadItemInfo } from '../host/office-host.js';
import type { KeyValueStorage } from '../../shared/storage.js';
import { STORAGE_KEYS } from '../../shared/storage.js';

/** Work items shown at most, so that a long conversation does not flood the pane with requests. */
export const MAX_ITEMS_SHOWN = 10;

export interface LinkedItemRow {
  reference: string;
  teamId: number;
  view: 'full' | 'header';
  /** Null when the linked item could not be read. */
  status: WorkItemDetail['status'] | null;
}

export interface ReadModelItem {
  detail: WorkItemDetail;
  links: LinkedItemRow[];
}

/** Returns the references carried by plus addresses, in order and without repeats. */
export function referencesFromAddresses(addresses: readonly string[], separator: string): string[] {
  const references: string[] = [];
  for (const address of addresses) {
    const decoded = decodePlusAddress(address, separator);
    const reference = decoded.ok ? decoded.value.reference : null;
    if (reference && references.indexOf(reference) < 0) references.push(reference);
  }
  return references;
}

/** Reads team names from the cached directory (`worklink.directory`), which maps connected mailboxes to teams. */
export function teamNamesFromCache(raw: string | null): Map<number, string> {
  const names = new Map<number, string>();
  if (!raw) return names;
  try {
    const cached = JSON.parse(raw) as { directory?: Directory };
    for (const mailbox of cached.directory?.mailboxes ?? []) names.set(mailbox.teamId, mailbox.teamName);
  } catch {
    // A damaged cache only costs the names; the pane shows team ids instead.
  }
  return names;
}

/**
 * Fetches the directory and stores it where the send handler keeps its copy
 * (`worklink.directory`), and returns the stored text. The pane calls it when
 * no directory is stored yet, so that it can name the teams, and so that the
 * send handler has the settings, its failure policy included, before the
 * first send. Returns null when the request fails.
 */
export async function fetchDirectoryIntoCache(api: PaneApi, storage: KeyValueStorage): Promise<string | null> {
  try {
    const directory = await api.getDirectory();
    // Without an ETag the send handler's next refresh downloads the directory again, which is only one request.
    const raw = JSON.stringify({ directory, etag: null, fetchedAt: Date.now() });
    await storage.setItem(STORAGE_KEYS.directory, raw);
    return raw;
  } catch (error) {
    console.warn('[worklink] loading the directory for team names failed', error);
    return null;
  }
}

function addUnique(target: string[], references: readonly string[]): void {
  for (const reference of references) if (target.indexOf(reference) < 0) target.push(reference);
}

/**
 * Returns the references of the message's work items: those of its plus addresses first, then
 * those the message itself was filed under, then the other work items of its conversation, which
 * can belong to another request with the same subject.
 */
export async function findReferences(api: PaneApi, info: ReadItemInfo, separator: string): Promise<string[]> {
  const references = referencesFromAddresses(info.addresses, separator);

  const [ofMessage, ofConversation] = await Promise.all([
    info.internetMessageId ? api.listWorkItems({ messageId: info.internetMessageId }) : [],
    info.conversationId ? conversationReferences(api, info.conversationId, info.internetMessageId) : [],
  ]);
  addUnique(
    references,
    ofMessage.map((item) => item.reference),
  );
  addUnique(references, ofConversation);
  return references.slice(0, MAX_ITEMS_SHOWN);
}

/**
 * Reports the conversation, which records it for later replies, and returns the references of
 * its work items: those the report lists, then those the server finds by conversation.
 */
async function conversationReferences(
  api: PaneApi,
  conversationId: string,
  internetMessageId: string | null,
): Promise<string[]> {
  const reported = await api.reportConversation(
    internetMessageId ? { conversationId, internetMessageId } : { conversationId },
  );
  const listed = await api.listWorkItems({ conversationId });
  const references = reported.workItems.map((item) => item.reference);
  addUnique(
    references,
    listed.map((item) => item.reference),
  );
  return references;
}

/** Reads one work item, or returns null when the server does not show it to this agent (404). */
async function readVisible(api: PaneApi, reference: string): Promise<WorkItemDetail | null> {
  try {
    return await api.getWorkItem(reference);
  } catch (error) {
    if (error instanceof BackendError && error.status === 404) return null;
    throw error;
  }
}

/** Reads the details of `references` and the status of each of their linked items. */
export async function loadItems(api: PaneApi, references: readonly string[]): Promise<ReadModelItem[]> {
  const details = (await Promise.all(references.map((reference) => readVisible(api, reference)))).filter(
    (detail): detail is WorkItemDetail => detail !== null,
  );

  const linkedReferences: string[] = [];
  for (const detail of details)
    addUnique(
      linkedReferences,
      detail.links.slice(0, MAX_ITEMS_SHOWN).map((link) => link.reference),
    );
  const linkedDetails = await Promise.all(
    linkedReferences.map((reference) => readVisible(api, reference).catch(() => null)),
  );
  const statusOf = new Map<string, WorkItemDetail['status']>();
  for (const linked of linkedDetails) if (linked) statusOf.set(linked.reference, linked.status);

  // The agent's own work items first; header views of other teams follow.
  const ordered = [
    ...details.filter((detail) => detail.view === 'full'),
    ...details.filter((detail) => detail.view !== 'full'),
  ];
  return ordered.map((detail) => ({
    detail,
    links: detail.links.map((link) => ({ ...link, status: statusOf.get(link.reference) ?? null })),
  }));
}
