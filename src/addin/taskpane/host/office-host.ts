/**
 * The part of Office.js that the task pane uses, behind one interface so that components
 * never touch the `Office` global. Every call here is a documented Office.js API; each
 * comment names the Mailbox requirement set it needs.
 */
import type { ComposeItem, OfficeCallback } from '../../shared/office-async.js';
import { callOffice } from '../../shared/office-async.js';

export type PaneMode = 'compose' | 'read' | 'none';

/** The read-mode message as the pane needs it. */
export interface ReadItemInfo {
  conversationId: string | null;
  internetMessageId: string | null;
  subject: string;
  /** Addresses of From, To and Cc, where plus addresses carry work item references. */
  addresses: string[];
}

export interface PaneHost {
  mode: PaneMode;
  /** The compose item; only in compose mode. */
  composeItem(): ComposeItem;
  readItem(): ReadItemInfo;
  /** Reads `contextData` that Smart Alerts passed (Mailbox 1.8); null when the pane was opened from the ribbon. */
  initializationContext(): Promise<string | null>;
  /** Calls `handler` with new `contextData` when Smart Alerts opens the pane again (Mailbox 1.15). */
  onInitializationContextChanged(handler: (contextData: string) => void): void;
  /** Calls `handler` when the agent selects another message while the pane is pinned (Mailbox 1.5). */
  onItemChanged(handler: () => void): void;
  /** Calls `handler` with the new theme when the agent changes Outlook's theme (Mailbox 1.14). */
  onThemeChanged(handler: (theme: Office.OfficeTheme) => void): void;
  /** Returns the address of the Outlook user whose mailbox is open, or '' when the host gives none (Mailbox 1.1). */
  userEmail(): string;
  /** Tells whether `item.sendAsync` may be called (Mailbox 1.15). */
  canSend(): boolean;
  send(): Promise<void>;
}

interface OfficeEmailAddress {
  emailAddress?: string;
}

/** The compose item with the calls only the pane makes. */
interface PaneComposeItem extends ComposeItem {
  getInitializationContextAsync?(callback: OfficeCallback<string>): void;
  addHandlerAsync?(eventType: unknown, handler: (event: { initializationContextData?: string }) => void): void;
  sendAsync?(callback: OfficeCallback<void>): void;
}

function detectMode(item: unknown): PaneMode {
  if (!item || typeof item !== 'object') return 'none';
  const to = (item as { to?: unknown }).to;
  // In compose mode recipients are objects with getAsync; in read mode they are arrays.
  if (to && typeof (to as { getAsync?: unknown }).getAsync === 'function') return 'compose';
  return 'read';
}

function addressesOf(value: unknown): string[] {
  let list: unknown[] = [];
  if (Array.isArray(value)) {
    list = value;
  } else if (value) {
    list = [value];
  }
  return (list as OfficeEmailAddress[])
    .map((entry: OfficeEmailAddress) => entry?.emailAddress)
    .filter((address): address is string => typeof address === 'string' && address !== '');
}

function isSupported(version: string): boolean {
  try {
    return Office.context.requirements.isSetSupported('Mailbox', version);
  } catch {
    return false;
  }
}

/** Creates the host of the running Office add-in; call it after `Office.onReady`. */
export function createOfficeHost(): PaneHost {
  const mailbox = Office.context?.mailbox;
  const item = mailbox?.item as unknown;
  const mode = detectMode(item);
  const composeItem = item as PaneComposeItem;

  return {
    mode,
    composeItem: () => composeItem,
    userEmail: () => {
      const address = (mailbox?.userProfile as { emailAddress?: unknown } | undefined)?.emailAddress;
      return typeof address === 'string' ? address : '';
    },

    readItem: () => {
      const message = item as Record<string, unknown>;
      return {
        conversationId: typeof message.conversationId === 'string' ? message.conversationId : null,
        internetMessageId: typeof message.internetMessageId === 'string' ? message.internetMessageId : null,
        subject: typeof message.subject === 'string' ? message.subject : '',
        addresses: [...addressesOf(message.from), ...addressesOf(message.to), ...addressesOf(message.cc)],
      };
    },

    initializationContext: async () => {
      if (mode !== 'compose' || typeof composeItem.getInitializationContextAsync !== 'function') return null;
      try {
        const value = await callOffice<string>('getInitializationContextAsync', (callback) =>
          composeItem.getInitializationContextAsync?.(callback),
        );
        return typeof value === 'string' && value !== '' ? value : null;
      } catch (error) {
        // Hosts report a pane opened without context as a failed call.
        console.info('[worklink] no initialization context', error);
        return null;
      }
    },

    onInitializationContextChanged: (handler) => {
      if (mode !== 'compose' || !isSupported('1.15') || typeof composeItem.addHandlerAsync !== 'function') return;
      composeItem.addHandlerAsync(Office.EventType.InitializationContextChanged, (event) => {
        if (typeof event?.initializationContextData === 'string') handler(event.initializationContextData);
      });
    },

    onItemChanged: (handler) => {
      if (!mailbox || typeof mailbox.addHandlerAsync !== 'function' || !isSupported('1.5')) return;
      mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => handler());
    },

    onThemeChanged: (handler) => {
      if (!mailbox || typeof mailbox.addHandlerAsync !== 'function' || !isSupported('1.14')) return;
      mailbox.addHandlerAsync(Office.EventType.OfficeThemeChanged, (event: { officeTheme?: Office.OfficeTheme }) => {
        if (event?.officeTheme) handler(event.officeTheme);
      });
    },

    canSend: () => mode === 'compose' && isSupported('1.15') && typeof composeItem.sendAsync === 'function',

    send: () => callOffice<void>('sendAsync', (callback) => composeItem.sendAsync?.(callback)),
  };
}

/** Reads `{"planId": ...}` from Smart Alerts' `contextData`; null when it contains no plan id. */
export function parsePlanContext(contextData: string | null): string | null {
  if (!contextData) return null;
  try {
    const value = JSON.parse(contextData) as { planId?: unknown } | null;
    return value && typeof value.planId === 'string' && value.planId !== '' ? value.planId : null;
  } catch {
    return null;
  }
}
