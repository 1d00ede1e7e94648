/**
 * A minimal `Office` global with one compose item, for running the built launch-event script
 * in `node:vm`. Callbacks run on a later microtask, as hosts call back asynchronously. It
 * models only what the send handler uses.
 */
type Field = 'to' | 'cc' | 'bcc';

export interface FakeRecipient {
  emailAddress: string;
  displayName: string;
}

type Callback = (result: { status: string; value: unknown; error?: { name: string; message: string } }) => void;

export interface FakeItem {
  recipients: Record<Field, FakeRecipient[]>;
  sessionData: Record<string, string>;
  internetHeaders: Record<string, string>;
  /** The object that the handler reads as `Office.context.mailbox.item`. */
  item: Record<string, unknown>;
}

function later(callback: Callback, result: Parameters<Callback>[0]): void {
  void Promise.resolve().then(() => callback(result));
}

const succeeded = (value?: unknown): Parameters<Callback>[0] => ({ status: 'succeeded', value });

export function createFakeItem(options: {
  to?: FakeRecipient[];
  cc?: FakeRecipient[];
  bcc?: FakeRecipient[];
  subject: string;
  sessionData?: Record<string, string>;
}): FakeItem {
  const recipients: Record<Field, FakeRecipient[]> = {
    to: [...(options.to ?? [])],
    cc: [...(options.cc ?? [])],
    bcc: [...(options.bcc ?? [])],
  };
  const sessionData: Record<string, string> = { ...(options.sessionData ?? {}) };
  const internetHeaders: Record<string, string> = {};

  const field = (name: Field) => ({
    getAsync: (callback: Callback) => later(callback, succeeded(recipients[name].map((entry) => ({ ...entry })))),
    setAsync: (list: FakeRecipient[], callback: Callback) => {
      recipients[name] = list.map((entry) => ({ emailAddress: entry.emailAddress, displayName: entry.displayName }));
      later(callback, succeeded());
    },
  });

  const item = {
    to: field('to'),
    cc: field('cc'),
    bcc: field('bcc'),
    conversationId: 'AAQkADAwATM0MDAAMS1iZW5jaC1oYW5kbGVyAAo',
    subject: { getAsync: (callback: Callback) => later(callback, succeeded(options.subject)) },
    sessionData: {
      getAsync: (name: string, callback: Callback) =>
        later(
          callback,
          name in sessionData
            ? succeeded(sessionData[name])
            : { status: 'failed', value: undefined, error: { name: 'InvalidKey', message: `No value for ${name}.` } },
        ),
      setAsync: (name: string, value: string, callback: Callback) => {
        sessionData[name] = value;
        later(callback, succeeded());
      },
    },
    internetHeaders: {
      setAsync: (headers: Record<string, string>, callback: Callback) => {
        Object.assign(internetHeaders, headers);
        later(callback, succeeded());
      },
    },
  };
  return { recipients, sessionData, internetHeaders, item };
}

export interface FakeOffice {
  /** The object to install as the `Office` global. */
  office: Record<string, unknown>;
  /** Makes `item` the compose item of the next send. */
  setItem(item: FakeItem): void;
  /** Handlers registered with `Office.actions.associate`. */
  associated: Record<string, (event: unknown) => void>;
}

export function createFakeOffice(): FakeOffice {
  const associated: Record<string, (event: unknown) => void> = {};
  const mailbox: { item: unknown } = { item: null };
  const office = {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    context: {
      displayLanguage: 'en-GB',
      requirements: { isSetSupported: (name: string) => name === 'Mailbox' },
      mailbox,
    },
    actions: {
      associate: (name: string, handler: (event: unknown) => void) => {
        associated[name] = handler;
      },
    },
  };
  return {
    office,
    associated,
    setItem: (item) => {
      mailbox.item = item.item;
    },
  };
}
