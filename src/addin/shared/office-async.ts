/**
 * Promise wrappers for the Office.js callback APIs that the send handler uses. Outlook on the
 * web and new Outlook allow at most 3 Office async calls in flight at once, so every call goes
 * through one limiter.
 */
import type { RecipientField } from '../../core/api-types.js';

/** Maximum number of Office async calls in flight at once. */
export const MAX_OFFICE_CALLS_IN_FLIGHT = 3;

/** The result object that Office passes to an async callback; `status` is `"succeeded"` or `"failed"`. */
export interface OfficeAsyncResult<T> {
  status: Office.AsyncResultStatus | string;
  value: T;
  error?: { name?: string; message?: string; code?: number } | null;
}

export type OfficeCallback<T> = (result: OfficeAsyncResult<T>) => void;

/** A recipient as Office reads it; `recipientType` is absent on some hosts. */
export interface OfficeRecipient {
  emailAddress: string;
  displayName: string;
  recipientType?: string;
}

export interface RecipientsApi {
  getAsync(callback: OfficeCallback<OfficeRecipient[]>): void;
  setAsync(recipients: { emailAddress: string; displayName: string }[], callback: OfficeCallback<void>): void;
}

/** The part of `Office.MessageCompose` that the send handler reads and writes. */
export interface ComposeItem {
  to: RecipientsApi;
  cc: RecipientsApi;
  bcc: RecipientsApi;
  subject: { getAsync(callback: OfficeCallback<string>): void };
  /** Null or absent for a new message that starts no conversation yet. */
  conversationId?: string | null;
  /** Mailbox 1.11; absent on older hosts. */
  sessionData?: {
    getAsync(name: string, callback: OfficeCallback<string>): void;
    setAsync(name: string, value: string, callback: OfficeCallback<void>): void;
  };
  /** Mailbox 1.8; absent on older hosts. */
  internetHeaders?: { setAsync(headers: Record<string, string>, callback: OfficeCallback<void>): void };
}

/** An Office async call that reported `status: "failed"`, or threw before it started. */
export class OfficeAsyncError extends Error {
  declare readonly code: 'WORKLINK_OFFICE_CALL_FAILED';
  /** Name of the Office call, such as `to.setAsync`. */
  declare readonly operation: string;
  /** `error.name` of the Office result, such as `InvalidArgument`. */
  declare readonly officeErrorName: string | undefined;

  constructor(operation: string, officeErrorName: string | undefined, detail: string) {
    super(`WORKLINK_OFFICE_CALL_FAILED: ${operation} failed (${officeErrorName || 'no error name'}): ${detail}`);
    this.name = 'OfficeAsyncError';
    this.code = 'WORKLINK_OFFICE_CALL_FAILED';
    this.operation = operation;
    this.officeErrorName = officeErrorName;
  }
}

/** Calls an Office callback API and resolves with its value, or rejects with `OfficeAsyncError`. */
export function callOffice<T>(operation: string, start: (callback: OfficeCallback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((result) => {
        if (String(result.status) === 'failed') {
          const error = result.error || {};
          reject(new OfficeAsyncError(operation, error.name, error.message || 'no message'));
          return;
        }
        resolve(result.value);
      });
    } catch (error) {
      reject(new OfficeAsyncError(operation, undefined, error instanceof Error ? error.message : String(error)));
    }
  });
}

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Creates a limiter that runs at most `maxInFlight` tasks at once, starting queued tasks in order. */
export function createLimiter(maxInFlight: number = MAX_OFFICE_CALLS_IN_FLIGHT): Limiter {
  let running = 0;
  const queue: (() => void)[] = [];

  function next(): void {
    if (running >= maxInFlight) return;
    const start = queue.shift();
    if (start) start();
  }

  // A function expression, not a generic arrow: the bundler parses .ts files as TSX, where `<T>(` starts JSX.
  return function run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        running += 1;
        let promise: Promise<T>;
        try {
          promise = task();
        } catch (error) {
          promise = Promise.reject(error);
        }
        promise.then(resolve, reject).then(() => {
          running -= 1;
          next();
        });
      });
      next();
    });
  };
}

/** The compose item's async APIs as promises, all sharing one limiter. */
export interface OfficeItemApi {
  getRecipients(field: RecipientField): Promise<OfficeRecipient[]>;
  setRecipients(field: RecipientField, recipients: { emailAddress: string; displayName: string }[]): Promise<void>;
  getSubject(): Promise<string>;
  /** Resolves with `null` when the host has no `sessionData` or the key is not set. */
  getSessionValue(name: string): Promise<string | null>;
  setSessionValue(name: string, value: string): Promise<void>;
  setInternetHeaders(headers: Record<string, string>): Promise<void>;
  conversationId(): string | null;
}

export function createOfficeItemApi(item: ComposeItem, limit: Limiter = createLimiter()): OfficeItemApi {
  return {
    getRecipients: (field) =>
      limit(() => callOffice<OfficeRecipient[]>(`${field}.getAsync`, (callback) => item[field].getAsync(callback))),

    setRecipients: (field, recipients) =>
      limit(() => callOffice<void>(`${field}.setAsync`, (callback) => item[field].setAsync(recipients, callback))),

    getSubject: () =>
      limit(() => callOffice<string>('subject.getAsync', (callback) => item.subject.getAsync(callback))),

    getSessionValue: (name) => {
      const sessionData = item.sessionData;
      if (!sessionData) return Promise.resolve(null);
      return limit(() =>
        callOffice<string>('sessionData.getAsync', (callback) => sessionData.getAsync(name, callback)),
      ).then((value) => (typeof value === 'string' && value !== '' ? value : null));
    },

    setSessionValue: (name, value) => {
      const sessionData = item.sessionData;
      if (!sessionData) {
        return Promise.reject(
          new OfficeAsyncError('sessionData.setAsync', undefined, 'this host has no sessionData (Mailbox 1.11).'),
        );
      }
      return limit(() =>
        callOffice<void>('sessionData.setAsync', (callback) => sessionData.setAsync(name, value, callback)),
      );
    },

    setInternetHeaders: (headers) => {
      const internetHeaders = item.internetHeaders;
      if (!internetHeaders) {
        return Promise.reject(
          new OfficeAsyncError(
            'internetHeaders.setAsync',
            undefined,
            'this host has no internetHeaders (Mailbox 1.8).',
          ),
        );
      }
      return limit(() =>
        callOffice<void>('internetHeaders.setAsync', (callback) => internetHeaders.setAsync(headers, callback)),
      );
    },

    conversationId: () =>
      typeof item.conversationId === 'string' && item.conversationId !== '' ? item.conversationId : null,
  };
}
