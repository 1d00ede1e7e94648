/** The state each add-in frame's shim reads when it loads: language, theme, user and item. */
import type { FrameContext, ReadItemSnapshot } from '../bridge.js';
import type { ComposeState } from './compose-item.js';
import { makeRecipient } from './recipients.js';
import type { Agent, MailboxMessage } from './server-api.js';
import { angleMessageId, conversationIdFor } from './threads.js';

export type Theme = 'light' | 'dark';

const THEMES: Record<Theme, FrameContext['officeTheme']> = {
  light: {
    bodyBackgroundColor: '#ffffff',
    bodyForegroundColor: '#242424',
    controlBackgroundColor: '#ffffff',
    controlForegroundColor: '#242424',
  },
  dark: {
    bodyBackgroundColor: '#1f1f1f',
    bodyForegroundColor: '#ffffff',
    controlBackgroundColor: '#292929',
    controlForegroundColor: '#ffffff',
  },
};

/** Highest Mailbox requirement set the simulated client reports. */
const MAILBOX_VERSION = '1.15';

export interface FrameContextInput {
  displayLanguage: string;
  theme: Theme;
  agent: Agent | null;
  compose: ComposeState | null;
  selected: MailboxMessage | null;
}

export function buildFrameContext(input: FrameContextInput): FrameContext {
  let item: FrameContext['item'] = null;
  if (input.compose) {
    item = { mode: 'compose', itemType: 'message', conversationId: input.compose.conversationId };
  } else if (input.selected) {
    item = readSnapshot(input.selected);
  }
  return {
    displayLanguage: input.displayLanguage,
    officeTheme: THEMES[input.theme],
    mailboxVersion: MAILBOX_VERSION,
    userProfile: {
      emailAddress: input.agent?.email ?? '',
      displayName: input.agent?.displayName ?? '',
      timeZone: 'UTC',
    },
    item,
  };
}

function readSnapshot(message: MailboxMessage): ReadItemSnapshot {
  return {
    mode: 'read',
    itemType: 'message',
    itemId: `sim-item-${conversationIdFor(message.messageId)}`,
    internetMessageId: angleMessageId(message.messageId),
    conversationId: conversationIdFor(message.subject),
    subject: message.subject,
    from: makeRecipient(message.from, message.fromName ?? ''),
    to: message.to.map((entry) => makeRecipient(entry.address, entry.name ?? '')),
    cc: message.cc.map((entry) => makeRecipient(entry.address, entry.name ?? '')),
    dateTimeCreated: message.date,
  };
}
