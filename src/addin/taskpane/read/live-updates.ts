/**
 * Live updates of the read view from `GET /api/v1/events`. `EventSource` reconnects by
 * itself after a network error; and the status reports whether updates flow.
 */

export type LiveStatus = 'connecting' | 'open' | 'lost';

/** The events the server sends; each names the work items it concerns. */
const EVENT_NAMES = ['message', 'link', 'work-item'] as const;

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

/**
 * Opens the stream at `url` and calls `onEvent` with the references of each event. Returns a
 * function that closes the stream.
 */
export function subscribeToEvents(
  url: string,
  onEvent: (references: string[]) => void,
  onStatus: (status: LiveStatus) => void,
  EventSourceImpl: typeof EventSource = EventSource,
): () => void {
  const source = new EventSourceImpl(url);
  onStatus('connecting');
  source.onopen = () => onStatus('open');
  source.onerror = () => onStatus('lost');
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, (event) => onEvent(referencesOfEvent((event as MessageEvent<string>).data)));
  }
  return () => source.close();
}
