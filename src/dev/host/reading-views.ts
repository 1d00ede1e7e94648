/** Draws the reading area for a message of the Inbox or of Sent items. */
import type { MessageAddress } from '../../core/api-types.js';
import { h } from './dom.js';
import type { MailboxMessage } from './server-api.js';
import type { SentMessage, Simulator } from './simulator.js';
import { READ_PANE_COMMAND } from './simulator.js';
import type { HostParam, HostStringKey } from './strings.js';
import { hostText } from './strings.js';

function text(simulator: Simulator, key: HostStringKey, params: Record<string, HostParam> = {}): string {
  return hostText(key, simulator.language, params);
}

/** Formats recipients as `Name <address>`, or the address alone when it has no other name, as Outlook shows a typed address. */
function addressList(entries: MessageAddress[]): string {
  return entries
    .map((entry) =>
      entry.name && entry.name.toLowerCase() !== entry.address.toLowerCase()
        ? `${entry.name} <${entry.address}>`
        : entry.address,
    )
    .join('; ');
}

export function renderRead(simulator: Simulator, message: MailboxMessage): HTMLElement[] {
  return [
    h('h2', {}, message.subject),
    h(
      'div',
      { class: 'toolbar' },
      h('button', { type: 'button', class: 'action', onclick: () => simulator.reply(false) }, text(simulator, 'reply')),
      h(
        'button',
        { type: 'button', class: 'action', onclick: () => simulator.reply(true) },
        text(simulator, 'replyAll'),
      ),
      h(
        'button',
        { type: 'button', class: 'action', onclick: () => simulator.openPane(READ_PANE_COMMAND) },
        text(simulator, 'readPaneButton'),
      ),
    ),
    h(
      'div',
      { class: 'headers' },
      h(
        'div',
        {},
        `${text(simulator, 'from')}: ${message.fromName ? `${message.fromName} <${message.from}>` : message.from}`,
      ),
      h('div', {}, `${text(simulator, 'to')}: ${addressList(message.to)}`),
      message.cc.length > 0 ? h('div', {}, `${text(simulator, 'cc')}: ${addressList(message.cc)}`) : null,
      h('div', {}, `${text(simulator, 'date')}: ${new Date(message.date).toLocaleString(simulator.displayLanguage)}`),
      h('div', {}, text(simulator, 'workItems', { references: message.workItems.join(', ') })),
    ),
    h('div', { class: 'body' }, message.textBody),
  ];
}

/**
 * Draws a sent message with the recipients as the send handler left them, Bcc included, so
 * that the plus addresses can be read. The simulated read item and its task pane exist only
 * for Inbox messages, so this view has no Reply or Worklink button.
 */
export function renderSentRead(simulator: Simulator, message: SentMessage): HTMLElement[] {
  const { to, cc, bcc } = message.recipients;
  return [
    h('h2', {}, message.subject),
    h(
      'div',
      { class: 'headers' },
      h('div', {}, `${text(simulator, 'from')}: ${addressList([message.from])}`),
      h('div', {}, `${text(simulator, 'to')}: ${addressList(to)}`),
      cc.length > 0 ? h('div', {}, `${text(simulator, 'cc')}: ${addressList(cc)}`) : null,
      bcc.length > 0 ? h('div', {}, `${text(simulator, 'bcc')}: ${addressList(bcc)}`) : null,
      h('div', {}, `${text(simulator, 'date')}: ${new Date(message.date).toLocaleString(simulator.displayLanguage)}`),
    ),
    h('div', { class: 'body' }, message.body),
  ];
}
