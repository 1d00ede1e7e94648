/**
 * The simulated Outlook: its state, the bridge that the add-in frames' shim calls, the send
 * flow with the Smart Alerts dialog, and delivery of sent mail. `views.ts` draws it.
 */
import type { MessageAddress } from '../../core/api-types.js';
import type { BridgeResult, FrameContext, FrameRole, OfficeRecipientJson, SimulatorBridge } from '../bridge.js';
import { CALL_DELAY_MS, ComposeItem, newComposeState } from './compose-item.js';
import type { ComposeState, HostSwitches } from './compose-item.js';
import { DEFAULT_LAUNCH_EVENT_PAGE, LaunchRuntime } from './launch-runtime.js';
import type { CompletedOptions } from './launch-runtime.js';
import { buildMime, newMessageId } from './mime.js';
import { OfficeStorage } from './office-storage.js';
import { buildFrameContext } from './frame-context.js';
import type { Theme } from './frame-context.js';
import { FIELDS, makeRecipient } from './recipients.js';
import type { Field } from './recipients.js';
import { deliverSampleRequest, loadMailbox, loadSetup, relayMessage, signIn } from './server-api.js';
import type { Agent, MailboxMessage, RelayResult, SimulatorSetup } from './server-api.js';
import { showSmartAlert } from './smart-alert.js';
import type { HostLanguage, HostMessage, HostParam, HostStringKey } from './strings.js';
import { hostText, languageOfLocale } from './strings.js';
import { loadSentItems, loadSettings, saveSentItems, saveSettings } from './settings-store.js';
import { replyState } from './threads.js';

/** Control ids of the manifest's task pane buttons; Smart Alerts names the compose one as `commandId`. */
export const COMPOSE_PANE_COMMAND = 'WorklinkComposePaneButton';
export const READ_PANE_COMMAND = 'WorklinkReadPaneButton';

/** One run of the send handler, as the log and `inspect()` report it. */
export interface HandlerRun {
  /** Run number, also in the launch-event frame's URL (`run=`) and name. */
  run: number;
  /** Requests that the shim's `fetch` and `XMLHttpRequest` wrappers recorded; `EventSource` is not among them. */
  requests: string[];
  outcome: string;
  options?: CompletedOptions;
  /** Milliseconds from the call of the handler to `event.completed`, when it completed. */
  handlerMs?: number;
  /** Milliseconds of `handlerMs` with a request of the handler's frame in flight. */
  networkMs?: number;
}

/** A recipient of `SendEventsRequest`: an address, or an address with a display name. */
export type RecipientInput = string | { emailAddress: string; displayName?: string };

/** Input of `runSendEvents`: the compose item that each send starts from, and how many sends to run. */
export interface SendEventsRequest {
  compose: {
    to?: RecipientInput[];
    cc?: RecipientInput[];
    bcc?: RecipientInput[];
    subject?: string;
    body?: string;
    conversationId?: string | null;
    sessionData?: Record<string, string>;
    internetHeaders?: Record<string, string>;
  };
  count: number;
  /**
   * Simulated time of each Office call on these items, in milliseconds; default `CALL_DELAY_MS`.
   * 0 times what the handler computes, as callbacks then come in the next task.
   */
  officeCallDelayMs?: number;
}

/** Upper bound on `SendEventsRequest.count`, so that a mistyped count does not run for hours. */
export const MAX_SEND_EVENTS = 10_000;

export interface SentMessage {
  messageId: string;
  from: MessageAddress;
  /** ISO 8601 time of the send, as in the Date header. */
  date: string;
  subject: string;
  body: string;
  /** Addresses alone, in each field. */
  to: string[];
  cc: string[];
  bcc: string[];
  /** The same recipients with their display names, for the Sent items read view. */
  recipients: Record<Field, MessageAddress[]>;
  headers: Record<string, string>;
  relay: RelayResult;
}

/** A line of the event log: plain text, such as the add-in's console output, or a host string drawn in the display language. */
interface LogEntry {
  time: string;
  line: string | HostMessage;
}

export interface PaneState {
  command: string;
  contextData: string;
  /** Incremented on each (re)load of the pane frame. */
  generation: number;
}

export class Simulator {
  setup: SimulatorSetup = { sendMode: 'PromptUser', agents: [] };
  language: HostLanguage = 'en';
  theme: Theme = 'light';
  switches: HostSwitches = {
    ignorePlusTagChanges: false,
    refireAfterChange: false,
    staleRecipientList: false,
    backendDown: false,
  };
  token: string | null = null;
  agent: Agent | null = null;
  messages: MailboxMessage[] = [];
  sentItems: SentMessage[] = [];
  selected: MailboxMessage | null = null;
  /** The entry of Sent items open in the reading area. `selected` is null while one is open. */
  selectedSent: SentMessage | null = null;
  compose: ComposeItem | null = null;
  pane: PaneState | null = null;
  sending = false;
  readonly handlerRuns: HandlerRun[] = [];
  private readonly logEntries: LogEntry[] = [];
  readonly storage = new OfficeStorage();
  private paneHandlers = new Map<string, (eventJson: string) => void>();
  private readonly shownRecipients: Record<Field, OfficeRecipientJson[]> = { to: [], cc: [], bcc: [] };
  private currentRun: HandlerRun | null = null;
  private runCounter = 0;
  private readonly runtime: LaunchRuntime;

  /** Called after each state change with the part that changed; `views.ts` redraws it. */
  onChange: (part: 'all' | 'folder' | 'main' | 'recipients' | 'pane' | 'log') => void = () => undefined;

  constructor(
    runtimeContainer: HTMLElement,
    private readonly overlay: HTMLElement,
    launchEventPage: string = DEFAULT_LAUNCH_EVENT_PAGE,
  ) {
    this.runtime = new LaunchRuntime(
      runtimeContainer,
      {
        takingLonger: () => this.logText('takingLonger'),
        log: (line) => this.log(line),
      },
      launchEventPage,
    );
    const saved = loadSettings();
    // Outlook follows the account's display language. Until a language is saved, the browser's
    // language is used in its place.
    this.language = saved.language ?? languageOfLocale(navigator.language);
    if (saved.theme) this.theme = saved.theme;
  }

  get displayLanguage(): string {
    return this.language === 'pl' ? 'pl-PL' : 'en-US';
  }

  /** Returns the simulator's text for `key` in the display language. */
  private text(key: HostStringKey, params: Record<string, string | number> = {}): string {
    return hostText(key, this.language, params);
  }

  /** The event log, oldest line first, in the current display language. */
  get logLines(): string[] {
    return this.logEntries.map(({ time, line }) =>
      typeof line === 'string' ? `${time} ${line}` : `${time} ${hostText(line.key, this.language, line.params)}`,
    );
  }

  log(line: string | HostMessage): void {
    const time = new Date().toISOString().slice(11, 19);
    this.logEntries.push({ time, line });
    if (this.logEntries.length > 300) this.logEntries.shift();
    this.onChange('log');
  }

  /** Logs the host string `key`, which the log draws again when the display language changes. */
  logText(key: HostStringKey, params: Record<string, HostParam> = {}): void {
    this.log({ key, params });
  }

  async start(): Promise<void> {
    this.setup = await loadSetup();
    this.sentItems = loadSentItems();
    const remembered = loadSettings().agent;
    const agent = this.setup.agents.find((entry) => entry.email === remembered) ?? this.setup.agents[0];
    if (agent) await this.signIn(agent.email);
    this.onChange('all');
  }

  async signIn(email: string): Promise<void> {
    const session = await signIn(email);
    this.token = session.token;
    this.agent = session.agent;
    this.storage.use(session.agent.email);
    this.closeItem();
    this.saveSettings();
    this.logText('signedInAs', { email: session.agent.email });
    await this.refreshMailbox();
    this.onChange('all');
  }

  async refreshMailbox(): Promise<void> {
    if (!this.token || !this.agent) return;
    this.messages = await loadMailbox(this.token, this.agent);
    if (this.selected) {
      const messageId = this.selected.messageId;
      this.selected = this.messages.find((message) => message.messageId === messageId) ?? this.selected;
    }
    this.onChange('folder');
  }

  /** Delivers the sample request from Fabrikam to Team A's mailbox and refreshes the inbox. */
  async deliverSample(): Promise<void> {
    if (!this.token) return;
    const result = await deliverSampleRequest(this.token);
    this.logText('sampleDelivered', { recipients: result.accepted.join(', ') || { key: 'nobody' } });
    await this.refreshMailbox();
  }

  setLanguage(language: HostLanguage): void {
    this.language = language;
    this.saveSettings();
    // Outlook applies a new display language to add-ins only when they load again.
    this.closePane();
    this.onChange('all');
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.saveSettings();
    this.closePane();
    this.onChange('all');
  }

  select(message: MailboxMessage): void {
    this.closeItem();
    this.selected = message;
    this.onChange('all');
  }

  /** Opens an entry of Sent items in the reading area, read-only, with its To, Cc and Bcc as sent. */
  openSent(message: SentMessage): void {
    this.closeItem();
    this.selectedSent = message;
    this.onChange('all');
  }

  newMessage(): void {
    this.openCompose(newComposeState());
  }

  reply(all: boolean): void {
    if (!this.selected || !this.agent) return;
    this.openCompose(replyState(this.selected, all, this.agent.email, this.text('replyPrefix')));
  }

  discard(): void {
    this.compose = null;
    this.closePane();
    this.onChange('all');
  }

  /** Opens the task pane as the button with Control id `command` does, or a Smart Alert with `contextData`. */
  openPane(command: string, contextData = ''): void {
    const handler = this.paneHandlers.get('olkInitializationContextChanged');
    if (this.pane && this.pane.command === command && handler && contextData !== '') {
      // A pane that handles InitializationContextChanged is not loaded again (Mailbox 1.15).
      this.pane.contextData = contextData;
      handler(JSON.stringify({ type: 'olkInitializationContextChanged', initializationContextData: contextData }));
      return;
    }
    this.paneHandlers.clear();
    this.pane = { command, contextData, generation: (this.pane?.generation ?? 0) + 1 };
    this.onChange('pane');
  }

  closePane(): void {
    if (!this.pane) return;
    this.pane = null;
    this.paneHandlers.clear();
    this.onChange('pane');
  }

  /** Applies the text of a recipient box that the agent edited. */
  editRecipients(field: Field, recipients: OfficeRecipientJson[]): void {
    if (!this.compose) return;
    this.compose.state[field] = recipients;
    this.shownRecipients[field] = recipients.map((recipient) => ({ ...recipient }));
  }

  /** Returns the recipients that the recipient box shows, which lag behind the item while the stale switch is on. */
  displayedRecipients(field: Field): OfficeRecipientJson[] {
    return this.shownRecipients[field];
  }

  private showCurrentRecipients(): void {
    const state = this.compose?.state;
    for (const field of FIELDS) {
      this.shownRecipients[field] = state ? state[field].map((recipient) => ({ ...recipient })) : [];
    }
  }

  /**
   * Runs the send event `count` times for scripts such as the benchmark, each time on a fresh
   * compose item built from `request.compose`. It runs the handler only: no Smart Alert is shown
   * and nothing is delivered, whatever the handler decides. The item of the last run stays open,
   * so `inspect()` shows what the handler changed. Requires a signed-in agent.
   */
  async runSendEvents(request: SendEventsRequest): Promise<HandlerRun[]> {
    if (!this.agent || !this.token) throw new Error('runSendEvents: no agent is signed in; sign in first.');
    if (!Number.isInteger(request.count) || request.count < 1 || request.count > MAX_SEND_EVENTS) {
      throw new Error(`runSendEvents: count ${String(request.count)} is not an integer from 1 to ${MAX_SEND_EVENTS}.`);
    }
    const callDelayMs = request.officeCallDelayMs ?? CALL_DELAY_MS;
    if (!Number.isFinite(callDelayMs) || callDelayMs < 0 || callDelayMs > 60_000) {
      throw new Error(
        `runSendEvents: officeCallDelayMs ${String(callDelayMs)} is not a number of milliseconds from 0 to 60000.`,
      );
    }
    if (this.sending) throw new Error('runSendEvents: a send is already running; wait for it to finish.');

    const { to = [], cc = [], bcc = [], ...rest } = request.compose;
    const recipients = (list: RecipientInput[]) =>
      list.map((entry) =>
        typeof entry === 'string' ? makeRecipient(entry) : makeRecipient(entry.emailAddress, entry.displayName),
      );
    this.sending = true;
    const runs: HandlerRun[] = [];
    try {
      for (let index = 0; index < request.count; index += 1) {
        this.openCompose(
          newComposeState({
            ...rest,
            to: recipients(to),
            cc: recipients(cc),
            bcc: recipients(bcc),
            sessionData: { ...rest.sessionData },
            internetHeaders: { ...rest.internetHeaders },
          }),
          callDelayMs,
        );
        await this.runHandler();
        runs.push(this.handlerRuns[this.handlerRuns.length - 1] as HandlerRun);
      }
    } finally {
      this.sending = false;
      this.onChange('main');
    }
    return runs;
  }

  /** Builds the bridge that the shim in each add-in frame calls, with `inspect` and `runSendEvents` for scripts. */
  bridge(): SimulatorBridge & { inspect(): string; runSendEvents(requestJson: string): Promise<string> } {
    return {
      context: () => JSON.stringify(this.frameContext()),
      call: (role, operation, argsJson, done) => {
        void this.callItem(role, operation, JSON.parse(argsJson) as unknown[]).then((result) =>
          done(JSON.stringify(result)),
        );
      },
      storageGet: (key) => this.storage.get(key),
      storageSet: (key, value) => this.storage.set(key, value),
      storageRemove: (key) => this.storage.remove(key),
      storageKeys: () => this.storage.keys(),
      associate: (role, name, handler) => {
        if (role === 'launchevent') this.runtime.associate(name, handler);
        else this.logText('associateInPane', { name });
      },
      addHandler: (role, eventType, handler) => {
        if (role === 'taskpane') this.paneHandlers.set(eventType, handler);
      },
      removeHandlers: (role, eventType) => {
        if (role === 'taskpane') this.paneHandlers.delete(eventType);
      },
      recordRequest: (role, method, url) => {
        const line = `${method} ${url}`;
        if (role === 'launchevent' && this.currentRun) this.currentRun.requests.push(line);
        if (this.switches.backendDown) this.logText('requestFailedServerDown', { role, request: line });
        else this.log(`${role}: ${line}`);
        return !this.switches.backendDown;
      },
      log: (role, level, text) => this.log(`${role} ${level}: ${text}`),
      inspect: () =>
        JSON.stringify({
          handlerRuns: this.handlerRuns,
          sent: this.sentItems,
          compose: this.compose ? this.compose.state : null,
          pane: this.pane,
          log: this.logLines,
        }),
      runSendEvents: async (requestJson) =>
        JSON.stringify(await this.runSendEvents(JSON.parse(requestJson) as SendEventsRequest)),
    };
  }

  private frameContext(): FrameContext {
    return buildFrameContext({
      displayLanguage: this.displayLanguage,
      theme: this.theme,
      agent: this.agent,
      compose: this.compose ? this.compose.state : null,
      selected: this.selected,
    });
  }

  private async callItem(role: FrameRole, operation: string, args: unknown[]): Promise<BridgeResult> {
    if (this.compose) return this.compose.run(role, operation, args);

    if (this.selected) {
      if (operation === 'body.getAsync') return { status: 'succeeded', value: this.selected.textBody };
      if (operation === 'getInitializationContextAsync') {
        return { status: 'succeeded', value: this.pane?.contextData ?? '' };
      }
      if (operation === 'notificationMessages.getAllAsync') return { status: 'succeeded', value: [] };
    }
    return {
      status: 'failed',
      error: { name: 'InvalidOperation', message: `${operation} is not available on the current item.`, code: 9000 },
    };
  }

  private openCompose(state: ComposeState, callDelayMs = CALL_DELAY_MS): void {
    this.closePane();
    this.compose = new ComposeItem(
      state,
      this.switches,
      {
        changed: (part) => {
          if (part !== 'recipients') {
            this.onChange('main');
            return;
          }
          // With the stale switch on, the boxes keep what they showed, while the item changes.
          if (this.switches.staleRecipientList) return;
          this.showCurrentRecipients();
          this.onChange('recipients');
        },
        initializationContext: () => this.pane?.contextData ?? '',
        send: () => this.send('sendAsync'),
      },
      callDelayMs,
    );
    this.showCurrentRecipients();
    this.onChange('all');
  }

  private closeItem(): void {
    this.compose = null;
    this.selected = null;
    this.selectedSent = null;
    this.closePane();
  }

  /**
   * Sends the compose item as Outlook does: runs the send handler, shows its Smart Alert, and
   * on the Mac fires the event again when the handler changed the item. Resolves true once the
   * message is delivered.
   */
  async send(trigger: 'button' | 'sendAsync'): Promise<boolean> {
    const compose = this.compose;
    if (!compose || this.sending || !this.agent || !this.token) return false;
    this.sending = true;
    this.onChange('main');
    this.logText('sendStarted', { trigger });

    try {
      for (let run = 1; ; run += 1) {
        const versionBefore = compose.state.version;
        const outcome = await this.runHandler();

        if (outcome === 'unavailable') {
          if (this.setup.sendMode !== 'PromptUser') return false;
          this.logText('addinUnavailable');
          break;
        }
        if (!outcome.allowEvent) {
          const promptUser = this.setup.sendMode === 'PromptUser' || outcome.sendModeOverride === 'promptUser';
          const choice = await showSmartAlert(this.overlay, outcome, promptUser, this.language);
          if (choice.kind === 'send-anyway') {
            this.logText('sendAnyway');
            break;
          }
          if (choice.openPane) this.logText('alertOpensPane', { command: choice.openPane });
          else this.logText('dontSend');
          if (choice.openPane) this.openPane(choice.openPane, choice.contextData);
          return false;
        }
        if (this.switches.refireAfterChange && compose.state.version !== versionBefore && run < 3) {
          this.logText('firedAgain');
          continue;
        }
        break;
      }

      await this.deliver(compose);
      return true;
    } catch (error) {
      this.logText('sendFailed', { error: String(error) });
      return false;
    } finally {
      this.sending = false;
      this.onChange('main');
    }
  }

  private async runHandler(): Promise<CompletedOptions | 'unavailable'> {
    this.runCounter += 1;
    const run: HandlerRun = { run: this.runCounter, requests: [], outcome: 'running' };
    this.currentRun = run;
    this.handlerRuns.push(run);

    const outcome = await this.runtime.runSend(this.runCounter);
    this.currentRun = null;
    this.logText('handlerRequests', { count: run.requests.length });

    if (outcome.kind === 'unavailable') {
      run.outcome = `unavailable: ${outcome.reason}`;
      return 'unavailable';
    }
    if (outcome.kind === 'timed-out') {
      run.outcome = 'timed out';
      return { allowEvent: false, errorMessage: this.text('handlerTimedOut') };
    }
    run.options = outcome.options;
    run.handlerMs = outcome.handlerMs;
    run.networkMs = outcome.networkMs;
    run.outcome = outcome.options.allowEvent ? 'allowed' : 'stopped';
    const verdict: HostMessage = { key: outcome.options.allowEvent ? 'handlerAllowed' : 'handlerStopped' };
    const message = outcome.options.errorMessage;
    if (message) this.logText('handlerMessage', { outcome: verdict, message });
    else this.log(verdict);
    return outcome.options;
  }

  private async deliver(compose: ComposeItem): Promise<void> {
    const agent = this.agent as Agent;
    const state = compose.state;
    const messageId = newMessageId(agent.email);
    const date = new Date();
    const { raw, envelopeTo } = buildMime({
      from: { emailAddress: agent.email, displayName: agent.displayName },
      to: state.to,
      cc: state.cc,
      bcc: state.bcc,
      subject: state.subject,
      body: state.body,
      messageId,
      date,
      inReplyTo: state.inReplyTo,
      references: state.references,
      internetHeaders: state.internetHeaders,
    });
    const relay = await relayMessage(this.token as string, raw, { from: agent.email, to: envelopeTo });
    const named = (recipients: OfficeRecipientJson[]): MessageAddress[] =>
      recipients.map((recipient) => ({ address: recipient.emailAddress, name: recipient.displayName }));
    this.sentItems.push({
      messageId,
      from: { address: agent.email, name: agent.displayName },
      date: date.toISOString(),
      subject: state.subject,
      body: state.body,
      to: state.to.map((recipient) => recipient.emailAddress),
      cc: state.cc.map((recipient) => recipient.emailAddress),
      bcc: state.bcc.map((recipient) => recipient.emailAddress),
      recipients: { to: named(state.to), cc: named(state.cc), bcc: named(state.bcc) },
      headers: { ...state.internetHeaders },
      relay,
    });
    saveSentItems(this.sentItems);
    this.logText('sent', { subject: state.subject, messageId });
    this.logText('delivered', {
      accepted: relay.accepted.join(', ') || { key: 'nobody' },
      rejected: relay.rejected.join(', ') || { key: 'none' },
    });

    this.compose = null;
    this.closePane();
    this.onChange('all');
    await this.refreshMailbox();
  }

  private saveSettings(): void {
    saveSettings({ language: this.language, theme: this.theme, agent: this.agent?.email });
  }
}
