/**
 * Entry of the launch-event runtime (`dist/addin/launchevent.js`): wires the send handler to
 * the host's globals. Classic Outlook on Windows runs this file in a JavaScript-only runtime
 * where `Office.onReady` does not run, so nothing here waits for it.
 */
import type { FetchLike } from '../shared/backend-client.js';
import { createStorage } from '../shared/storage.js';
import { resolveLanguage } from '../shared/strings.js';
import type { ComposeItem } from '../shared/office-async.js';
import type { SendEvent } from './send-handler.js';
import { createSendHandler } from './send-handler.js';

// The host's `fetch` is looked up on each request rather than captured at load time.
const hostFetch: FetchLike = (url, init) => fetch(url, init);

const handleSend = createSendHandler({
  getItem: () => Office.context.mailbox.item as unknown as ComposeItem,
  storage: createStorage(),
  fetch: hostFetch,
  apiOrigin: __WORKLINK_API_ORIGIN__,
  clock: { now: () => Date.now() },
  language: () => resolveLanguage(Office.context.displayLanguage),
  markdownSupported: () => Office.context.requirements.isSetSupported('Mailbox', '1.15'),
});

/**
 * Handles `OnMessageSend`: allows the send, rewrites connected-mailbox recipients to plus
 * addresses and then allows it, or stops it with a Smart Alert that opens the task pane.
 * It calls `event.completed` exactly once on every path and never calls `saveAsync`.
 */
function onMessageSendHandler(event: SendEvent): void {
  void handleSend(event);
}

// Without this registration Outlook cannot run the handler and the agent cannot send.
Office.actions.associate('onMessageSendHandler', onMessageSendHandler);
