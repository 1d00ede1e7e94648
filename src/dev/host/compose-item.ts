/**
 * The simulated compose item and its Office async operations. Outlook on the web and new
 * Outlook allow at most 3 async calls in flight at once. The simulator fails the fourth as
 * those clients do, so an add-in that does not queue its calls shows the bug here. Each
 * runtime (task pane, launch event) has its own Office.js and so its own count.
 */
import type { BridgeResult, FrameRole, OfficeRecipientJson } from '../bridge.js';
import type { Field } from './recipients.js';
import { FIELDS, baseAddress, makeRecipient } from './recipients.js';

export const MAX_CALLS_IN_FLIGHT = 3;

/** Office's limit of recipients in one `setAsync` or `addAsync` call. */
const MAX_RECIPIENTS_PER_CALL = 100;

/** Office's limit of notification messages on one item. */
const MAX_NOTIFICATIONS = 5;

/** Office's limit of `sessionData` per add-in, in characters. */
const MAX_SESSION_DATA_LENGTH = 50_000;

/** Time each simulated call takes by default, in milliseconds: long enough that calls overlap as they do in Outlook. */
export const CALL_DELAY_MS = 8;

export interface HostSwitches {
  /** Outlook on the web: a change that differs only in the `+tag` of an address is ignored. */
  ignorePlusTagChanges: boolean;
  /** Mac: the send event fires again after the handler changed the item. */
  refireAfterChange: boolean;
  /** The recipient boxes keep showing the recipients from before the add-in changed them. */
  staleRecipientList: boolean;
  /** Every request of the add-in's frames fails as if the Worklink server were unreachable. */
  backendDown: boolean;
}

export interface Notification {
  key: string;
  type: string;
  message: string;
  icon?: string;
  persistent?: boolean;
}

export interface ComposeState {
  composeType: 'newMail' | 'reply' | 'replyAll' | 'forward';
  to: OfficeRecipientJson[];
  cc: OfficeRecipientJson[];
  bcc: OfficeRecipientJson[];
  subject: string;
  body: string;
  /** Null for a new message, as Office reports it in compose. */
  conversationId: string | null;
  /** Message-ID of the message replied to, with angle brackets. */
  inReplyTo?: string;
  references?: string[];
  sessionData: Record<string, string>;
  internetHeaders: Record<string, string>;
  notifications: Notification[];
  /** Incremented whenever the add-in changes what would be sent; a write of the same values changes nothing. */
  version: number;
}

export interface ComposeHooks {
  /** Called after the add-in changed the item, with the part it changed. */
  changed(part: 'recipients' | 'subject' | 'body' | 'headers' | 'notifications'): void;
  initializationContext(): string;
  /** Runs the send as the Send button would; resolves true once the message is sent. */
  send(): Promise<boolean>;
}

export function newComposeState(partial: Partial<ComposeState> = {}): ComposeState {
  return {
    composeType: 'newMail',
    to: [],
    cc: [],
    bcc: [],
    subject: '',
    body: '',
    conversationId: null,
    sessionData: {},
    internetHeaders: {},
    notifications: [],
    version: 0,
    ...partial,
  };
}

class OfficeCallError extends Error {
  constructor(
    readonly officeName: string,
    message: string,
    readonly code = 9000,
  ) {
    super(message);
  }
}

function toRecipients(value: unknown, operation: string): OfficeRecipientJson[] {
  if (!Array.isArray(value)) {
    throw new OfficeCallError('InvalidParameter', `${operation}: recipients must be an array.`);
  }
  if (value.length > MAX_RECIPIENTS_PER_CALL) {
    throw new OfficeCallError(
      'NumberOfRecipientsExceeded',
      `${operation}: ${value.length} recipients, more than ${MAX_RECIPIENTS_PER_CALL} in one call.`,
    );
  }
  return value.map((entry: unknown) => {
    if (typeof entry === 'string') return makeRecipient(entry);
    const details = entry as { emailAddress?: unknown; displayName?: unknown } | null;
    if (!details || typeof details.emailAddress !== 'string' || !details.emailAddress.includes('@')) {
      throw new OfficeCallError('InvalidParameter', `${operation}: ${JSON.stringify(entry)} has no emailAddress.`);
    }
    return makeRecipient(details.emailAddress, typeof details.displayName === 'string' ? details.displayName : '');
  });
}

/**
 * Applies the web client's `+tag` quirk: a new recipient whose address differs from one already
 * in the field only in the tag keeps the old address. Clearing the field first defeats it.
 */
function keepTaglessChanges(current: OfficeRecipientJson[], next: OfficeRecipientJson[]): OfficeRecipientJson[] {
  return next.map((recipient) => {
    const old = current.find(
      (existing) =>
        existing.emailAddress.toLowerCase() !== recipient.emailAddress.toLowerCase() &&
        baseAddress(existing.emailAddress) === baseAddress(recipient.emailAddress),
    );
    return old ? { ...old } : recipient;
  });
}

function stringArg(value: unknown, operation: string, name: string): string {
  if (typeof value !== 'string') {
    throw new OfficeCallError('InvalidParameter', `${operation}: ${name} must be a string.`);
  }
  return value;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

export class ComposeItem {
  private readonly inFlight: Record<FrameRole, number> = { taskpane: 0, launchevent: 0 };

  constructor(
    readonly state: ComposeState,
    private readonly switches: HostSwitches,
    private readonly hooks: ComposeHooks,
    /** Simulated time of each Office call. At 0 the result still arrives in a later task, never synchronously. */
    private readonly callDelayMs: number = CALL_DELAY_MS,
  ) {}

  /** Runs one Office operation and resolves with its result after the simulated delay. */
  run(role: FrameRole, operation: string, args: unknown[]): Promise<BridgeResult> {
    if (this.inFlight[role] >= MAX_CALLS_IN_FLIGHT) {
      // NOTE: the error name is the simulator's own; the web client's exact error is not documented.
      return delay(this.callDelayMs).then(() => ({
        status: 'failed',
        error: {
          name: 'TooManyAsyncCalls',
          message: `${operation}: more than ${MAX_CALLS_IN_FLIGHT} Office async calls in flight at once.`,
          code: 9041,
        },
      }));
    }

    this.inFlight[role] += 1;
    return delay(this.callDelayMs)
      .then(() => this.perform(operation, args))
      .then(
        (value): BridgeResult => ({ status: 'succeeded', value }),
        (error: unknown): BridgeResult => {
          const failure = error instanceof OfficeCallError ? error : new OfficeCallError('GenericError', String(error));
          return {
            status: 'failed',
            error: { name: failure.officeName, message: failure.message, code: failure.code },
          };
        },
      )
      .finally(() => {
        this.inFlight[role] -= 1;
      });
  }

  private async perform(operation: string, args: unknown[]): Promise<unknown> {
    const [field, method] = operation.split('.') as [string, string | undefined];
    if ((FIELDS as readonly string[]).includes(field) && method) {
      return this.recipients(field as Field, method, args[0], operation);
    }

    switch (operation) {
      case 'subject.getAsync':
        return this.state.subject;
      case 'subject.setAsync':
        this.state.subject = stringArg(args[0], operation, 'subject');
        this.touch('subject');
        return undefined;
      case 'body.getAsync':
        return args[0] === 'html'
          ? `<div>${escapeHtml(this.state.body).replace(/\n/g, '<br>')}</div>`
          : this.state.body;
      case 'body.setAsync':
        this.state.body = stringArg(args[0], operation, 'body');
        this.touch('body');
        return undefined;
      case 'getComposeTypeAsync':
        return { composeType: this.state.composeType, coercionType: 'html' };
      case 'getInitializationContextAsync':
        return this.hooks.initializationContext();
      case 'sendAsync':
        if (!(await this.hooks.send())) {
          // NOTE: the error name is the simulator's own for a send that the handler or the agent stopped.
          throw new OfficeCallError('SendStopped', 'sendAsync: the message was not sent.');
        }
        return undefined;
      default:
        return this.sessionOrHeaders(operation, args);
    }
  }

  private recipients(field: Field, method: string, value: unknown, operation: string): unknown {
    if (method === 'getAsync') return this.state[field].map((recipient) => ({ ...recipient }));

    const next = toRecipients(value, operation);
    const before = JSON.stringify(this.state[field]);
    if (method === 'setAsync') {
      this.state[field] = this.switches.ignorePlusTagChanges ? keepTaglessChanges(this.state[field], next) : next;
    } else if (method === 'addAsync') {
      this.state[field] = this.state[field].concat(next);
    } else {
      throw new OfficeCallError('InvalidOperation', `${operation} is not part of the simulated Office.js.`);
    }
    if (JSON.stringify(this.state[field]) !== before) this.touch('recipients');
    return undefined;
  }

  private sessionOrHeaders(operation: string, args: unknown[]): unknown {
    const session = this.state.sessionData;
    const headers = this.state.internetHeaders;
    switch (operation) {
      case 'sessionData.getAsync':
        return session[stringArg(args[0], operation, 'name')] ?? '';
      case 'sessionData.setAsync': {
        const name = stringArg(args[0], operation, 'name');
        const next = { ...session, [name]: stringArg(args[1], operation, 'value') };
        if (JSON.stringify(next).length > MAX_SESSION_DATA_LENGTH) {
          throw new OfficeCallError(
            'SessionObjectMaxLengthExceeded',
            `${operation}: sessionData would exceed ${MAX_SESSION_DATA_LENGTH} characters.`,
          );
        }
        this.state.sessionData = next;
        return undefined;
      }
      case 'sessionData.getAllAsync':
        return { ...session };
      case 'sessionData.removeAsync':
        delete session[stringArg(args[0], operation, 'name')];
        return undefined;
      case 'sessionData.clearAsync':
        this.state.sessionData = {};
        return undefined;
      case 'internetHeaders.getAsync': {
        const names = Array.isArray(args[0]) ? (args[0] as unknown[]).map(String) : [];
        const found: Record<string, string> = {};
        for (const name of names) {
          const key = Object.keys(headers).find((header) => header.toLowerCase() === name.toLowerCase());
          if (key !== undefined) found[key] = headers[key] as string;
        }
        return found;
      }
      case 'internetHeaders.setAsync': {
        const values = args[0];
        if (!values || typeof values !== 'object') {
          throw new OfficeCallError('InvalidParameter', `${operation}: headers must be an object.`);
        }
        let changed = false;
        for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
          changed = changed || headers[name] !== String(value);
          headers[name] = String(value);
        }
        if (changed) this.touch('headers');
        return undefined;
      }
      case 'internetHeaders.removeAsync': {
        const names = Array.isArray(args[0]) ? (args[0] as unknown[]).map(String) : [];
        for (const name of names) delete headers[name];
        this.touch('headers');
        return undefined;
      }
      default:
        return this.notifications(operation, args);
    }
  }

  private notifications(operation: string, args: unknown[]): unknown {
    const list = this.state.notifications;
    switch (operation) {
      case 'notificationMessages.addAsync':
      case 'notificationMessages.replaceAsync': {
        const key = stringArg(args[0], operation, 'key');
        const details = (args[1] ?? {}) as Partial<Notification>;
        const existing = list.findIndex((entry) => entry.key === key);
        if (operation === 'notificationMessages.addAsync' && existing >= 0) {
          throw new OfficeCallError('DuplicateNotificationKey', `${operation}: key "${key}" is already used.`);
        }
        if (existing < 0 && list.length >= MAX_NOTIFICATIONS) {
          throw new OfficeCallError(
            'NumberOfNotificationMessagesExceeded',
            `${operation}: at most ${MAX_NOTIFICATIONS}.`,
          );
        }
        const entry: Notification = {
          key,
          type: String(details.type ?? 'informationalMessage'),
          message: String(details.message ?? ''),
        };
        if (details.icon !== undefined) entry.icon = String(details.icon);
        if (details.persistent !== undefined) entry.persistent = Boolean(details.persistent);
        if (existing >= 0) list[existing] = entry;
        else list.push(entry);
        this.hooks.changed('notifications');
        return undefined;
      }
      case 'notificationMessages.removeAsync': {
        const key = stringArg(args[0], operation, 'key');
        const index = list.findIndex((entry) => entry.key === key);
        if (index < 0) throw new OfficeCallError('KeyNotFound', `${operation}: no notification with key "${key}".`);
        list.splice(index, 1);
        this.hooks.changed('notifications');
        return undefined;
      }
      case 'notificationMessages.getAllAsync':
        return list.map((entry) => ({ ...entry }));
      default:
        throw new OfficeCallError('InvalidOperation', `${operation} is not part of the simulated Office.js.`);
    }
  }

  private touch(part: 'recipients' | 'subject' | 'body' | 'headers'): void {
    this.state.version += 1;
    this.hooks.changed(part);
  }
}

function delay(milliseconds: number): Promise<void> {
  if (milliseconds > 0) return new Promise((resolve) => setTimeout(resolve, milliseconds));
  // A channel message resolves in the next task. Office.js on the web also receives its results by
  // postMessage, and a zero setTimeout would be clamped to 4 ms once timers nest.
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
