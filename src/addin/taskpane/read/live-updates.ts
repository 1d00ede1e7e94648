/**
 * Live updates of the read view from `GET /api/v1/events`. `EventSource` reconnects by
 * itself after a network error; and the status reports whether updates flow.
 */
import type { WorkItemStatus } from '../../../core/api-types.js';
import type { ReadModelItem } from './read-lookup.js';

export type LiveStatus = 'connecting' | 'open' | 'lost';

/** The events after which the pane reloads the work items they name. */
const RELOAD_EVENT_NAMES = ['message', 'link', 'work-item'] as const;

/** The event that carries a work item's new status, which the pane applies without reloading. */
const STATUS_EVENT_NAME = 'work-item-status';

const STATUSES: readonly WorkItemStatus[] = ['todo', 'in_progress', 'waiting', 'done'];

/** A work item's new status, from the data of a `work-item-status` event. */
export interface StatusChange {
  reference: string;
  status: WorkItemStatus;
}

export interface LiveUpdateHandlers {
  /** Receives the references that a `message`, `link` or `work-item` event names. */
  onReferences(references: string[]): void;
  /** Receives each valid `work-item-status` event. */
  onStatusChange(change: StatusChange): void;
  /** Receives the state of the connection. */
  onConnection(status: LiveStatus): void;
}

/** Returns the references an event's data names: `reference`, or `workItems[].reference` for links. */
export function referencesOfEvent(data: string): string[] {
  try {
    const value = JSON.parse(data) as { reference?: unknown; workItems?: Array<{ reference?: unknown }> };
    if (typeof value.reference === 'string') return [value.reference];
    if (Array.isArray(value.workItems)) {
      return value.workItems
        .map((item) => item.reference)
        .filter((reference): reference is string => typeof reference === 'string');
    }
  } catch {
    // Not JSON: the event names nothing the pane shows.
  }
  return [];
}

/** Reads the reference and new status from a `work-item-status` event's data, or returns null for other data. */
export function statusChangeOfEvent(data: string): StatusChange | null {
  try {
    const value = JSON.parse(data) as { reference?: unknown; status?: unknown } | null;
    const status = STATUSES.find((known) => known === value?.status);
    if (typeof value?.reference !== 'string' || status === undefined) return null;
    return { reference: value.reference, status };
  } catch {
    return null;
  }
}

/**
 * Sets the status of work item `change.reference` wherever the read view shows it: as a card
 * and in the linked-item rows of other cards. References compare case-insensitively. Returns
 * `items` itself when no shown work item has that reference, so that React skips the render.
 */
export function applyStatusChange(items: ReadModelItem[], change: StatusChange): ReadModelItem[] {
  const reference = change.reference.toUpperCase();
  const matches = (candidate: string) => candidate.toUpperCase() === reference;
  let changed = false;

  const updated = items.map((item) => {
    const detailMatches = matches(item.detail.reference) && item.detail.status !== change.status;
    const linkMatches = item.links.some((link) => matches(link.reference) && link.status !== change.status);
    if (!detailMatches && !linkMatches) return item;

    changed = true;
    return {
      detail: detailMatches ? { ...item.detail, status: change.status } : item.detail,
      links: linkMatches
        ? item.links.map((link) => (matches(link.reference) ? { ...link, status: change.status } : link))
        : item.links,
    };
  });
  return changed ? updated : items;
}

/** Opens the stream at `url` and passes its events to `handlers`. Returns a function that closes the stream. */
export function subscribeToEvents(
  url: string,
  handlers: LiveUpdateHandlers,
  EventSourceImpl: typeof EventSource = EventSource,
): () => void {
  const source = new EventSourceImpl(url);
  handlers.onConnection('connecting');
  source.onopen = () => handlers.onConnection('open');
  source.onerror = () => handlers.onConnection('lost');
  for (const name of RELOAD_EVENT_NAMES) {
    source.addEventListener(name, (event) =>
      handlers.onReferences(referencesOfEvent((event as MessageEvent<string>).data)),
    );
  }
  source.addEventListener(STATUS_EVENT_NAME, (event) => {
    const change = statusChangeOfEvent((event as MessageEvent<string>).data);
    if (change !== null) handlers.onStatusChange(change);
  });
  return () => source.close();
}
