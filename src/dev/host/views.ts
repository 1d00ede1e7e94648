/** Draws the simulator: the top bar with the host switches, the message list, the reading or compose view, the task pane and the log. */
import { h } from './dom.js';
import { FIELDS, formatRecipients, parseRecipients } from './recipients.js';
import type { Field } from './recipients.js';
import { renderRead, renderSentRead } from './reading-views.js';
import type { MailboxMessage } from './server-api.js';
import type { SentMessage, Simulator } from './simulator.js';
import { COMPOSE_PANE_COMMAND } from './simulator.js';
import type { HostParam, HostStringKey } from './strings.js';
import { hostText } from './strings.js';

export interface Regions {
  header: HTMLElement;
  switches: HTMLElement;
  folder: HTMLElement;
  main: HTMLElement;
  pane: HTMLElement;
  log: HTMLElement;
}

export function createLayout(root: HTMLElement): Regions & { runtime: HTMLElement; overlay: HTMLElement } {
  const regions = {
    header: h('header', { class: 'bar' }),
    switches: h('div', { class: 'switches' }),
    folder: h('nav', { class: 'folder' }),
    main: h('section', { class: 'reading' }),
    pane: h('aside', { class: 'pane', hidden: true }),
    log: h('footer', { class: 'log', role: 'log' }),
    runtime: h('div'),
    overlay: h('div', { class: 'overlay', hidden: true }),
  };
  root.append(
    regions.header,
    regions.switches,
    h('main', { class: 'layout' }, regions.folder, regions.main, regions.pane),
    regions.log,
    regions.runtime,
    regions.overlay,
  );
  return regions;
}

function text(simulator: Simulator, key: HostStringKey, params: Record<string, HostParam> = {}): string {
  return hostText(key, simulator.language, params);
}

function report(simulator: Simulator, action: () => Promise<void>): void {
  action().catch((error: unknown) => simulator.logText('actionFailed', { error: String(error) }));
}

export function renderHeader(simulator: Simulator, header: HTMLElement): void {
  document.documentElement.lang = simulator.language;
  document.title = text(simulator, 'pageTitle');
  document.body.classList.toggle('dark', simulator.theme === 'dark');

  const agentSelect = h('select', { id: 'agent' });
  for (const agent of simulator.setup.agents) {
    const option = h('option', { value: agent.email }, `${agent.displayName} <${agent.email}>`);
    option.selected = simulator.agent?.email === agent.email;
    agentSelect.append(option);
  }
  const languageSelect = h(
    'select',
    { id: 'display-language' },
    h('option', { value: 'en' }, 'English (en-US)'),
    h('option', { value: 'pl' }, 'Polski (pl-PL)'),
  );
  languageSelect.value = simulator.language;
  languageSelect.addEventListener('change', () => simulator.setLanguage(languageSelect.value === 'pl' ? 'pl' : 'en'));

  const themeSelect = h(
    'select',
    { id: 'theme' },
    h('option', { value: 'light' }, text(simulator, 'themeLight')),
    h('option', { value: 'dark' }, text(simulator, 'themeDark')),
  );
  themeSelect.value = simulator.theme;
  themeSelect.addEventListener('change', () => simulator.setTheme(themeSelect.value === 'dark' ? 'dark' : 'light'));

  header.replaceChildren(
    h('h1', {}, text(simulator, 'title')),
    h('label', { for: 'agent' }, text(simulator, 'agent')),
    agentSelect,
    h(
      'button',
      {
        type: 'button',
        class: 'action',
        onclick: () => report(simulator, () => simulator.signIn(agentSelect.value)),
      },
      text(simulator, 'signIn'),
    ),
    h('label', { for: 'display-language' }, text(simulator, 'displayLanguage')),
    languageSelect,
    h('label', { for: 'theme' }, text(simulator, 'theme')),
    themeSelect,
  );
}

export function renderSwitches(simulator: Simulator, container: HTMLElement): void {
  const keys = ['ignorePlusTagChanges', 'refireAfterChange', 'staleRecipientList', 'backendDown'] as const;
  container.replaceChildren(
    ...keys.map((key) => {
      const box = h('input', { type: 'checkbox', id: `switch-${key}` });
      box.checked = simulator.switches[key];
      box.addEventListener('change', () => {
        simulator.switches[key] = box.checked;
        simulator.logText('switchChanged', { name: { key }, state: { key: box.checked ? 'switchOn' : 'switchOff' } });
      });
      return h('label', { for: `switch-${key}` }, box, text(simulator, key));
    }),
  );
}

function messageButton(simulator: Simulator, message: MailboxMessage): HTMLElement {
  const current = simulator.selected?.messageId === message.messageId && !simulator.compose;
  return h(
    'li',
    {},
    h(
      'button',
      { type: 'button', 'aria-current': current ? 'true' : undefined, onclick: () => simulator.select(message) },
      h('span', { class: 'from' }, message.fromName ?? message.from),
      h('span', { class: 'subject' }, message.subject),
      h('span', { class: 'date' }, new Date(message.date).toLocaleString(simulator.displayLanguage)),
    ),
  );
}

/** Draws an entry of Sent items. As in Outlook, it names the recipients where an inbox entry names the sender. */
function sentButton(simulator: Simulator, message: SentMessage): HTMLElement {
  const current = simulator.selectedSent === message && !simulator.compose;
  const { to, cc, bcc } = message.recipients;
  const recipients = [...to, ...cc, ...bcc].map((recipient) => recipient.name || recipient.address);
  return h(
    'li',
    {},
    h(
      'button',
      { type: 'button', 'aria-current': current ? 'true' : undefined, onclick: () => simulator.openSent(message) },
      h('span', { class: 'from' }, recipients.join('; ')),
      h('span', { class: 'subject' }, message.subject),
      h('span', { class: 'date' }, new Date(message.date).toLocaleString(simulator.displayLanguage)),
    ),
  );
}

export function renderFolder(simulator: Simulator, folder: HTMLElement): void {
  const list = h('ul', { 'aria-label': text(simulator, 'inbox') });
  for (const message of simulator.messages) list.append(messageButton(simulator, message));

  const sent = h('ul', { 'aria-label': text(simulator, 'sentItems') });
  for (const message of [...simulator.sentItems].reverse()) sent.append(sentButton(simulator, message));

  folder.replaceChildren(
    h(
      'div',
      { class: 'toolbar', style: 'padding: 8px' },
      h(
        'button',
        { type: 'button', class: 'action primary', onclick: () => simulator.newMessage() },
        text(simulator, 'newMessage'),
      ),
      h(
        'button',
        { type: 'button', class: 'action', onclick: () => report(simulator, () => simulator.refreshMailbox()) },
        text(simulator, 'refresh'),
      ),
      h(
        'button',
        { type: 'button', class: 'action', onclick: () => report(simulator, () => simulator.deliverSample()) },
        text(simulator, 'deliverSample'),
      ),
    ),
    h('h2', { style: 'font-size: 14px; margin: 4px 10px' }, text(simulator, 'inbox')),
    simulator.agent
      ? simulator.messages.length > 0
        ? list
        : h('p', { style: 'margin: 10px' }, text(simulator, 'noMessages'))
      : h('p', { style: 'margin: 10px' }, text(simulator, 'signedOut')),
    h('h2', { style: 'font-size: 14px; margin: 12px 10px 4px' }, text(simulator, 'sentItems')),
    sent,
  );
}

function recipientBox(simulator: Simulator, field: Field): HTMLElement {
  const compose = simulator.compose;
  const id = `compose-${field}`;
  const input = h('input', { id, type: 'text', autocomplete: 'off' });
  input.value = compose ? formatRecipients(simulator.displayedRecipients(field)) : '';
  input.addEventListener('change', () => {
    const parsed = parseRecipients(input.value);
    if (parsed.invalid.length > 0) simulator.logText('notAnAddress', { entries: parsed.invalid.join('; ') });
    simulator.editRecipients(field, parsed.recipients);
  });
  return h('label', { for: id }, text(simulator, field), input);
}

function renderCompose(simulator: Simulator): HTMLElement[] {
  const compose = simulator.compose;
  if (!compose) return [];
  const state = compose.state;

  const subject = h('input', { id: 'compose-subject', type: 'text' });
  subject.value = state.subject;
  subject.addEventListener('input', () => (state.subject = subject.value));
  const body = h('textarea', { id: 'compose-body' });
  body.value = state.body;
  body.addEventListener('input', () => (state.body = body.value));

  const notices = h('div', { class: 'notices', 'aria-live': 'polite' });
  for (const notice of state.notifications) notices.append(h('div', { class: 'notice' }, notice.message));

  const sendButton = h(
    'button',
    {
      type: 'button',
      class: 'action primary',
      onclick: () => {
        // A box still focused has not fired `change` yet.
        (document.activeElement as HTMLElement | null)?.blur();
        void simulator.send('button');
      },
    },
    text(simulator, 'send'),
  );
  sendButton.disabled = simulator.sending;

  return [
    h(
      'div',
      { class: 'toolbar' },
      sendButton,
      h('button', { type: 'button', class: 'action', onclick: () => simulator.discard() }, text(simulator, 'discard')),
      h(
        'button',
        { type: 'button', class: 'action', onclick: () => simulator.openPane(COMPOSE_PANE_COMMAND) },
        text(simulator, 'composePaneButton'),
      ),
    ),
    notices,
    h(
      'form',
      { class: 'compose', onsubmit: (event: Event) => event.preventDefault() },
      h(
        'div',
        { class: 'headers' },
        `${text(simulator, 'from')}: ${simulator.agent?.displayName ?? ''} <${simulator.agent?.email ?? ''}>`,
      ),
      ...FIELDS.map((field) => recipientBox(simulator, field)),
      h('label', { for: 'compose-subject' }, text(simulator, 'subject'), subject),
      h('label', { for: 'compose-body' }, text(simulator, 'body'), body),
    ),
  ];
}

export function renderMain(simulator: Simulator, main: HTMLElement): void {
  if (simulator.compose) {
    main.replaceChildren(...renderCompose(simulator));
  } else if (simulator.selectedSent) {
    main.replaceChildren(...renderSentRead(simulator, simulator.selectedSent));
  } else if (simulator.selected) {
    main.replaceChildren(...renderRead(simulator, simulator.selected));
  } else {
    main.replaceChildren(h('p', {}, text(simulator, simulator.agent ? 'selectMessage' : 'signedOut')));
  }
}

/** Updates only the recipient boxes, so that what the agent types elsewhere stays. */
export function renderRecipients(simulator: Simulator): void {
  const compose = simulator.compose;
  if (!compose) return;
  for (const field of FIELDS) {
    const input = document.getElementById(`compose-${field}`) as HTMLInputElement | null;
    if (input) input.value = formatRecipients(simulator.displayedRecipients(field));
  }
}

export function renderPane(simulator: Simulator, pane: HTMLElement): void {
  const state = simulator.pane;
  if (!state) {
    pane.hidden = true;
    pane.dataset.generation = '';
    pane.replaceChildren();
    return;
  }
  // Redrawing the frame would load the add-in again; only a new pane generation does that.
  if (pane.dataset.generation === String(state.generation)) return;
  pane.dataset.generation = String(state.generation);
  const frame = h('iframe', {
    title: text(simulator, 'taskPane'),
    name: 'worklink-task-pane',
    src: `/dev/outlook/taskpane.html?load=${state.generation}`,
  });
  pane.hidden = false;
  pane.replaceChildren(
    h(
      'div',
      { class: 'pane-title' },
      h('span', {}, 'Worklink'),
      h(
        'button',
        {
          type: 'button',
          class: 'action',
          'aria-label': text(simulator, 'closePane'),
          onclick: () => simulator.closePane(),
        },
        '×',
      ),
    ),
    frame,
  );
}

export function renderLog(simulator: Simulator, log: HTMLElement): void {
  log.setAttribute('aria-label', text(simulator, 'log'));
  log.replaceChildren(...simulator.logLines.slice(-60).map((line) => h('p', {}, line)));
  log.scrollTop = log.scrollHeight;
}
