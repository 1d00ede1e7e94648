/** Loads the work items of the selected message and keeps them current from the event stream. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { WorkItemStatus } from '../../../core/api-types.js';
import type { KeyValueStorage } from '../../shared/storage.js';
import { STORAGE_KEYS } from '../../shared/storage.js';
import type { PaneApi } from '../api/pane-api.js';
import type { PaneHost } from '../host/office-host.js';
import { fetchDirectoryIntoCache, findReferences, loadItems, teamNamesFromCache } from './read-lookup.js';
import type { ReadModelItem } from './read-lookup.js';
import { applyStatusChange, subscribeToEvents } from './live-updates.js';
import type { LiveStatus } from './live-updates.js';

export type ReadPhase = { kind: 'loading' } | { kind: 'error'; error: unknown } | { kind: 'ready' };

export interface ReadModel {
  phase: ReadPhase;
  items: ReadModelItem[];
  teamNames: Map<number, string>;
  live: LiveStatus;
  reload(): void;
  /** Changes the status of a shown work item; rejects with the server's error. */
  setStatus(reference: string, status: WorkItemStatus): Promise<void>;
}

function separatorFromCache(raw: string | null): string {
  try {
    const separator = raw
      ? (JSON.parse(raw) as { directory?: { settings?: { plusAddressing?: { separator?: unknown } } } }).directory
          ?.settings?.plusAddressing?.separator
      : undefined;
    return typeof separator === 'string' && separator !== '' ? separator : '+';
  } catch {
    return '+';
  }
}

export function useReadModel(host: PaneHost, api: PaneApi, storage: KeyValueStorage): ReadModel {
  const [phase, setPhase] = useState<ReadPhase>({ kind: 'loading' });
  const [items, setItems] = useState<ReadModelItem[]>([]);
  const [teamNames, setTeamNames] = useState<Map<number, string>>(new Map());
  const [live, setLive] = useState<LiveStatus>('connecting');
  const referencesRef = useRef<string[]>([]);
  const generation = useRef(0);

  const load = useCallback(async () => {
    generation.current += 1;
    const mine = generation.current;
    setPhase({ kind: 'loading' });
    try {
      let cache = await storage.getItem(STORAGE_KEYS.directory).catch(() => null);
      if (teamNamesFromCache(cache).size === 0) {
        cache = (await fetchDirectoryIntoCache(api, storage)) ?? cache;
      }
      setTeamNames(teamNamesFromCache(cache));
      const references = await findReferences(api, host.readItem(), separatorFromCache(cache));
      const loaded = await loadItems(api, references);
      if (mine !== generation.current) return;
      referencesRef.current = loaded.flatMap((item) => [
        item.detail.reference,
        ...item.links.map((link) => link.reference),
      ]);
      setItems(loaded);
      setPhase({ kind: 'ready' });
    } catch (error) {
      if (mine !== generation.current) return;
      console.error('[worklink] loading the work items of this message failed', error);
      setPhase({ kind: 'error', error });
    }
  }, [api, host, storage]);

  /** Reloads the details without a new lookup, when an event names a shown work item. */
  const refresh = useCallback(async () => {
    if (referencesRef.current.length === 0) return;
    try {
      const loaded = await loadItems(
        api,
        items.map((item) => item.detail.reference),
      );
      setItems(loaded);
    } catch (error) {
      console.warn('[worklink] refreshing after a notification failed', error);
    }
  }, [api, items]);
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;

  useEffect(() => {
    void load();
    host.onItemChanged(() => void load());
  }, [host, load]);

  useEffect(() => {
    let close: (() => void) | undefined;
    let cancelled = false;
    void api.eventsUrl().then((url) => {
      if (cancelled || url === null || typeof EventSource === 'undefined') return;
      close = subscribeToEvents(url, {
        onReferences: (references) => {
          if (references.some((reference) => referencesRef.current.indexOf(reference) >= 0)) void refreshRef.current();
        },
        // The event carries the new status, so the pane applies it without reading the work item again.
        onStatusChange: (change) => setItems((current) => applyStatusChange(current, change)),
        onConnection: setLive,
      });
    });
    return () => {
      cancelled = true;
      close?.();
    };
  }, [api]);

  const setStatus = useCallback(
    async (reference: string, status: WorkItemStatus) => {
      const changed = await api.setWorkItemStatus(reference, status);
      setItems((current) => applyStatusChange(current, changed));
    },
    [api],
  );

  return { phase, items, teamNames, live, reload: () => void load(), setStatus };
}
