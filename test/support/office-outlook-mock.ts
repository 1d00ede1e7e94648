/**
 * An Outlook compose item and `Office` global for handler tests, built on office-addin-mock's
 * `OfficeMockObject`. Callbacks run asynchronously, the number of Office calls in flight is
 * tracked, and switches reproduce host behaviours that the handler must survive.
 */
import { vi } from 'vitest';
import type { Mock } from 'vitest';
import { OfficeMockObject } from 'office-addin-mock';
import type { RecipientField } from '../../src/core/api-types.js';

export interface MockRecipient {
  emailAddress: string;
  displayName: string;
  recipientType?: string;
}

/**
 * Host behaviours seen in the field:
 * - `ignore-tag-only-change-once`: the first `setAsync` that differs from the field only in
 *   `+tag`s is reported as succeeded but ignored (Outlook on the web);
 * - `strip-tags`: every `setAsync` stores the addresses without their `+tag`, so a rewrite
 *   never reads back right.
 */
export type RecipientQuirk = 'none' | 'ignore-tag-only-change-once' | 'strip-tags';

export interface OutlookMockOptions {
  to?: MockRecipient[];
  cc?: MockRecipient[];
  bcc?: MockRecipient[];
  subject?: string;
  conversationId?: string | null;
  /** Initial `sessionData` entries. */
  sessionData?: Record<string, string>;
  quirk?: RecipientQuirk;
  displayLanguage?: string;
  /** Highest Mailbox requirement set the host supports, such as `1.15`. */
  mailboxVersion?: string;
}

export interface OfficeCallRecord {
  operation: string;
  /** The value passed to a `setAsync`, if any. */
  value?: unknown;
}

export interface OutlookMock {
  /** The object to install as the `Office` global. */
  office: OfficeMockObject & Record<string, unknown>;
  /** The compose item (`office.context.mailbox.item`). */
  item: Record<string, unknown>;
  recipients: Record<RecipientField, MockRecipient[]>;
  sessionData: Record<string, string>;
  internetHeaders: Record<string, string>;
  calls: OfficeCallRecord[];
  /** Highest number of Office async calls that were in flight at once. */
  maxInFlight(): number;
  /** Handlers registered with `Office.actions.associate`. */
  associated: Record<string, (event: unknown) => unknown>;
  /** Changes the host behaviour from now on. */
  setQuirk(quirk: RecipientQuirk): void;
  /** Creates a send event whose `completed` is a spy. */
  createEvent(): { completed: Mock<(options?: unknown) => void> };
}

function stripTag(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.toLowerCase();
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}@${address.slice(at + 1)}`.toLowerCase();
}

/** Tells whether `next` differs from `current` only in the `+tag` of some address. */
function isTagOnlyChange(current: MockRecipient[], next: MockRecipient[]): boolean {
  if (current.length !== next.length || current.length === 0) return false;
  let differs = false;
  for (let i = 0; i < current.length; i++) {
    const before = (current[i] as MockRecipient).emailAddress;
    const after = (next[i] as MockRecipient).emailAddress;
    if (stripTag(before) !== stripTag(after)) return false;
    if (before.toLowerCase() !== after.toLowerCase()) differs = true;
  }
  return differs;
}

function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

type Callback = (result: { status: string; value: unknown; error?: { name: string; message: string } }) => void;

export function createOutlookMock(options: OutlookMockOptions = {}): OutlookMock {
  let quirk: RecipientQuirk = options.quirk ?? 'none';
  const recipients: Record<RecipientField, MockRecipient[]> = {
    to: (options.to ?? []).map((r) => ({ ...r })),
    cc: (options.cc ?? []).map((r) => ({ ...r })),
    bcc: (options.bcc ?? []).map((r) => ({ ...r })),
  };
  const sessionData: Record<string, string> = { ...(options.sessionData ?? {}) };
  const internetHeaders: Record<string, string> = {};
  const calls: OfficeCallRecord[] = [];
  const associated: Record<string, (event: unknown) => unknown> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  let tagOnlyChangeIgnored = false;

  /** Records a call and runs its callback on a later microtask, because hosts call back asynchronously. */
  function respond(operation: string, value: unknown, callback: Callback, answer: () => Parameters<Callback>[0]): void {
    calls.push(value === undefined ? { operation } : { operation, value });
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    void Promise.resolve()
      .then(() => undefined)
      .then(() => {
        inFlight -= 1;
        callback(answer());
      });
  }

  const succeeded = (value: unknown = undefined) => ({ status: 'succeeded', value });

  function recipientsApi(field: RecipientField) {
    return {
      getAsync(callback: Callback) {
        respond(`${field}.getAsync`, undefined, callback, () => succeeded(recipients[field].map((r) => ({ ...r }))));
      },
      setAsync(list: (MockRecipient | string)[], callback: Callback) {
        const next = list.map((entry) =>
          typeof entry === 'string' ? { emailAddress: entry, displayName: entry } : { ...entry },
        );
        respond(`${field}.setAsync`, next, callback, () => {
          if (
            quirk === 'ignore-tag-only-change-once' &&
            !tagOnlyChangeIgnored &&
            isTagOnlyChange(recipients[field], next)
          ) {
            tagOnlyChangeIgnored = true;
            return succeeded();
          }
          recipients[field] =
            quirk === 'strip-tags' ? next.map((r) => ({ ...r, emailAddress: stripTag(r.emailAddress) })) : next;
          return succeeded();
        });
      },
    };
  }

  const mailboxVersion = options.mailboxVersion ?? '1.15';
  const office = new OfficeMockObject({
    host: 'outlook',
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    context: {
      displayLanguage: options.displayLanguage ?? 'en-US',
      requirements: {
        isSetSupported: (name: string, version?: string) =>
          name === 'Mailbox' && compareVersions(mailboxVersion, version ?? '1.1') >= 0,
      },
      mailbox: {
        item: {
          to: recipientsApi('to'),
          cc: recipientsApi('cc'),
          bcc: recipientsApi('bcc'),
          subject: {
            getAsync: (callback: Callback) =>
              respond('subject.getAsync', undefined, callback, () => succeeded(options.subject ?? '')),
          },
          sessionData: {
            getAsync: (name: string, callback: Callback) =>
              respond('sessionData.getAsync', undefined, callback, () =>
                Object.prototype.hasOwnProperty.call(sessionData, name)
                  ? succeeded(sessionData[name])
                  : {
                      status: 'failed',
                      value: undefined,
                      error: { name: 'InvalidKey', message: `No value for ${name}.` },
                    },
              ),
            setAsync: (name: string, value: string, callback: Callback) =>
              respond('sessionData.setAsync', { [name]: value }, callback, () => {
                sessionData[name] = value;
                return succeeded();
              }),
          },
          internetHeaders: {
            setAsync: (headers: Record<string, string>, callback: Callback) =>
              respond('internetHeaders.setAsync', { ...headers }, callback, () => {
                Object.assign(internetHeaders, headers);
                return succeeded();
              }),
          },
          saveAsync: (callback: Callback) => respond('saveAsync', undefined, callback, () => succeeded('item-id')),
        },
      },
    },
    actions: {
      associate: (name: string, handler: (event: unknown) => unknown) => {
        associated[name] = handler;
      },
    },
  }) as OfficeMockObject & Record<string, unknown>;

  const context = office.context as unknown as { mailbox: { item: Record<string, unknown> } };
  const item = context.mailbox.item;
  // OfficeMockObject cannot hold null, so the conversation id is set on the built mock.
  item.conversationId =
    options.conversationId === undefined ? 'AAQkADAwATM0MDAAMS1hNGM2LTAwAi0wMAoAEABuC' : options.conversationId;

  return {
    office,
    item,
    recipients,
    sessionData,
    internetHeaders,
    calls,
    maxInFlight: () => maxInFlight,
    associated,
    setQuirk: (next) => {
      quirk = next;
    },
    createEvent: () => ({ completed: vi.fn<(options?: unknown) => void>() }),
  };
}
