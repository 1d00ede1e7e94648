/**
 * The contract between the simulator page (the host) and the Office.js shim that runs inside
 * each add-in frame. Frames are same-origin, so the shim reaches the host through
 * `window.parent.worklinkSimulator`. Values cross as JSON strings, so that every object the
 * add-in receives belongs to its own frame's realm, as real Office.js objects do.
 */

/** Global name under which the host page exposes its bridge. */
export const BRIDGE_GLOBAL = 'worklinkSimulator';

/** The add-in runtime that a frame hosts. */
export type FrameRole = 'taskpane' | 'launchevent';

/** Office's async result as JSON: `status` is `succeeded` or `failed`. */
export interface BridgeResult {
  status: 'succeeded' | 'failed';
  value?: unknown;
  error?: { name: string; message: string; code: number };
}

export interface OfficeRecipientJson {
  emailAddress: string;
  displayName: string;
  recipientType: string;
}

/** The host's state that a frame's shim reads once, when the frame loads. */
export interface FrameContext {
  displayLanguage: string;
  officeTheme: {
    bodyBackgroundColor: string;
    bodyForegroundColor: string;
    controlBackgroundColor: string;
    controlForegroundColor: string;
  };
  /** Highest Mailbox requirement set the simulated client supports, such as `1.15`. */
  mailboxVersion: string;
  userProfile: { emailAddress: string; displayName: string; timeZone: string };
  /** The current item, or null when no item is open. */
  item: ComposeItemSnapshot | ReadItemSnapshot | null;
}

export interface ComposeItemSnapshot {
  mode: 'compose';
  itemType: 'message';
  /** Null for a new message, as Office reports it in compose. */
  conversationId: string | null;
}

export interface ReadItemSnapshot {
  mode: 'read';
  itemType: 'message';
  itemId: string;
  internetMessageId: string;
  conversationId: string;
  subject: string;
  from: OfficeRecipientJson;
  to: OfficeRecipientJson[];
  cc: OfficeRecipientJson[];
  /** ISO 8601. */
  dateTimeCreated: string;
}

export interface SimulatorBridge {
  /** Returns the `FrameContext` as JSON. */
  context(role: FrameRole): string;
  /**
   * Runs an item operation such as `to.setAsync` with JSON arguments and calls `done` with a
   * JSON `BridgeResult` later, never synchronously, as Office does.
   */
  call(role: FrameRole, operation: string, argsJson: string, done: (resultJson: string) => void): void;
  /** `OfficeRuntime.storage`, shared by both runtimes of the add-in. */
  storageGet(key: string): string | null;
  storageSet(key: string, value: string): void;
  storageRemove(key: string): void;
  storageKeys(): string[];
  /** Registers a function of `Office.actions.associate`. */
  associate(role: FrameRole, name: string, handler: (event: unknown) => void): void;
  /** Registers a handler of `item.addHandlerAsync` or `mailbox.addHandlerAsync`. */
  addHandler(role: FrameRole, eventType: string, handler: (eventJson: string) => void): void;
  removeHandlers(role: FrameRole, eventType: string): void;
  /** Counts a request the frame starts; returns false when the simulated backend is down. */
  recordRequest(role: FrameRole, method: string, url: string): boolean;
  /** The frame's console output, shown in the host's log. */
  log(role: FrameRole, level: string, text: string): void;
}
