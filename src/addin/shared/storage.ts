/**
 * Key-value storage shared by the launch-event runtime and the task pane. The JavaScript-only
 * runtime of classic Outlook on Windows has no `localStorage`, so `OfficeRuntime.storage` is
 * preferred wherever the host provides it.
 */

/** Storage keys used by the add-in; the task pane writes the token, the handler reads it. */
export const STORAGE_KEYS = {
  /** Bearer token for the Worklink API, written by the task pane's sign-in. */
  accessToken: 'worklink.accessToken',
  /** Cached directory of connected mailboxes and settings, with its ETag (see `directory-cache.ts`). */
  directory: 'worklink.directory',
} as const;

/** Asynchronous key-value storage; a missing key reads as `null`. */
export interface KeyValueStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

export class StorageUnavailableError extends Error {
  declare readonly code: 'WORKLINK_STORAGE_UNAVAILABLE';

  constructor() {
    super(
      'WORKLINK_STORAGE_UNAVAILABLE: neither OfficeRuntime.storage nor localStorage exists in this runtime; ' +
        'load the add-in in Outlook (Mailbox 1.10 or later) or in a browser page.',
    );
    this.name = 'StorageUnavailableError';
    this.code = 'WORKLINK_STORAGE_UNAVAILABLE';
  }
}

/** Wraps the synchronous Web Storage API in the asynchronous interface. */
function fromWebStorage(webStorage: Storage): KeyValueStorage {
  return {
    getItem: (key) => new Promise((resolve) => resolve(webStorage.getItem(key))),
    setItem: (key, value) => new Promise((resolve) => resolve(webStorage.setItem(key, value))),
    removeItem: (key) => new Promise((resolve) => resolve(webStorage.removeItem(key))),
  };
}

/** Wraps `OfficeRuntime.storage`, whose `getItem` resolves to `null` or `undefined` for a missing key. */
function fromOfficeRuntime(officeStorage: OfficeRuntime.Storage): KeyValueStorage {
  return {
    getItem: (key) => officeStorage.getItem(key).then((value) => (typeof value === 'string' ? value : null)),
    setItem: (key, value) => officeStorage.setItem(key, value),
    removeItem: (key) => officeStorage.removeItem(key),
  };
}

/** Returns the best storage this runtime has right now, or `null` when it has none. */
function detectStorage(): KeyValueStorage | null {
  if (typeof OfficeRuntime !== 'undefined' && OfficeRuntime && OfficeRuntime.storage) {
    return fromOfficeRuntime(OfficeRuntime.storage);
  }
  if (typeof localStorage !== 'undefined' && localStorage) {
    return fromWebStorage(localStorage);
  }
  return null;
}

/**
 * Creates the storage of the current runtime. It picks the backend on each call rather than at
 * load time, so loading this module never throws. In a runtime without any storage, each method
 * rejects with `StorageUnavailableError`.
 */
export function createStorage(): KeyValueStorage {
  function pick(): KeyValueStorage {
    const storage = detectStorage();
    if (!storage) throw new StorageUnavailableError();
    return storage;
  }

  return {
    getItem: (key) => new Promise<KeyValueStorage>((resolve) => resolve(pick())).then((s) => s.getItem(key)),
    setItem: (key, value) =>
      new Promise<KeyValueStorage>((resolve) => resolve(pick())).then((s) => s.setItem(key, value)),
    removeItem: (key) => new Promise<KeyValueStorage>((resolve) => resolve(pick())).then((s) => s.removeItem(key)),
  };
}

/** Creates storage kept in memory, for tests and for hosts where persistence is not wanted. */
export function createMemoryStorage(initial: Record<string, string> = {}): KeyValueStorage {
  const values: { [key: string]: string } = {};
  for (const key of Object.keys(initial)) {
    values[key] = initial[key] as string;
  }

  return {
    getItem: (key) =>
      Promise.resolve(Object.prototype.hasOwnProperty.call(values, key) ? (values[key] as string) : null),
    setItem: (key, value) => {
      values[key] = value;
      return Promise.resolve();
    },
    removeItem: (key) => {
      delete values[key];
      return Promise.resolve();
    },
  };
}
